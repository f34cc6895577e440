from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import active_user_named
from lexcase.calendar import selectors, services
from lexcase.calendar.models import Deadline, ServedDocument
from lexcase.calendar.rules_data import RULES
from lexcase.core.schema import CivilDate, CivilTime, Id
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view, matters_record_list_read

router = Router(tags=["deadlines"])


class RuleOut(Schema):
    id: str
    name: str
    law: str
    law_version: str
    article: str
    period: int
    unit: str
    trigger: str
    rolls_over: bool
    not_applicable: str
    citation: str


class ComputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1, max_length=60)
    trigger_date: CivilDate


class ComputeOut(Schema):
    rule: str
    trigger_date: dt.date
    raw_end: dt.date
    due_date: dt.date
    provisional: bool
    citation: str
    explanation: list[str]


class DeadlineOut(Schema):
    id: int
    matter_id: int
    title: str
    due_date: dt.date
    due_time: dt.time | None
    status: str
    responsible: str | None
    rule: str
    trigger_date: dt.date | None
    provisional: bool
    citation: str
    explanation: list[str]
    version: int


class ServedIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ServedDocument.Kind
    service_date: CivilDate
    method: ServedDocument.Method
    title: str = Field(default="", max_length=200)
    # Final when served (second instance, 一审终审, an arbitral award); omitted: decided from
    # the matter's stage and the document kind.
    final: bool | None = None


class ServedOut(Schema):
    id: int
    final: bool
    effective_date: dt.date | None
    proposals: list[DeadlineOut]


class EffectiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Omitted: the day after the appeal (objection) period ends.
    effective_date: CivilDate | None = None


class DeadlineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    due_date: CivilDate
    due_time: CivilTime | None = None
    responsible: str | None = None
    notes: str = Field(default="", max_length=5000)


class ConfirmIn(Schema):
    model_config = ConfigDict(extra="forbid")

    responsible: str | None = None
    due_date: CivilDate | None = None


class AgendaOut(Schema):
    kind: str
    date: dt.date
    time: dt.time | None
    title: str
    matter_id: int | None
    matter_number: str | None
    priority: str
    provisional: bool


def deadline_out(d: Deadline) -> DeadlineOut:
    return DeadlineOut(
        id=d.pk,
        matter_id=d.matter_id,
        title=d.title,
        due_date=d.due_date,
        due_time=d.due_time,
        status=d.status,
        responsible=d.responsible.username if d.responsible else None,
        rule=d.rule_id,
        trigger_date=d.trigger_date,
        provisional=d.provisional,
        citation=d.citation,
        explanation=list(d.explanation),
        version=d.version,
    )


@router.get("/deadline-rules", response=list[RuleOut], operation_id="deadline_rules")
def deadline_rules(request: AuthedRequest) -> list[RuleOut]:
    zh = not (request.LANGUAGE_CODE or "").startswith("en")
    return [
        RuleOut(
            id=r.id,
            name=r.name_zh if zh else r.name_en,
            law=r.law,
            law_version=r.law_version,
            article=r.article,
            period=r.period,
            unit=r.unit,
            trigger=r.trigger_zh if zh else r.trigger_en,
            rolls_over=r.rolls_over,
            not_applicable=r.not_applicable_zh,
            citation=r.citation_zh,
        )
        for r in RULES.values()
    ]


@router.post("/deadlines/compute", response=ComputeOut, operation_id="deadline_compute")
def deadline_compute(request: AuthedRequest, payload: ComputeIn) -> ComputeOut:
    result = services.deadline_compute(rule_id=payload.rule, trigger_date=payload.trigger_date)
    return ComputeOut(
        rule=result.rule_id,
        trigger_date=result.trigger_date,
        raw_end=result.raw_end,
        due_date=result.due_date,
        provisional=result.provisional,
        citation=result.citation,
        explanation=list(result.explanation),
    )


@router.get("/agenda", response=list[AgendaOut], operation_id="agenda")
def agenda(
    request: AuthedRequest,
    start: CivilDate | None = None,
    end: CivilDate | None = None,
    mine: bool = True,
) -> list[AgendaOut]:
    start = start or timezone.localdate()
    end = end or start + dt.timedelta(days=7)
    if end < start or (end - start).days > 366:
        raise ValidationError({"end": [_("The end must be within a year after the start.")]})
    items = selectors.agenda_items(user=request.user, start=start, end=end, mine_only=mine)
    matters_record_list_read(
        actor=request.user,
        page="agenda",
        matter_ids=[i.matter.pk for i in items if i.matter],
        via="api",
    )
    return [
        AgendaOut(
            kind=i.kind,
            date=i.day,
            time=i.at,
            title=i.title,
            matter_id=i.matter.pk if i.matter else None,
            matter_number=i.matter.number if i.matter else None,
            priority=i.priority,
            provisional=i.provisional,
        )
        for i in items
    ]


@router.get(
    "/matters/{matter_id}/deadlines", response=list[DeadlineOut], operation_id="matter_deadlines"
)
def matter_deadlines(request: AuthedRequest, matter_id: Id) -> list[DeadlineOut]:
    matter = matter_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="matter_deadlines", via="api")
    return [deadline_out(d) for d in selectors.matter_deadlines(matter=matter)]


@router.post(
    "/matters/{matter_id}/served-documents",
    response={201: ServedOut},
    operation_id="served_document_record",
)
def record_served(request: AuthedRequest, matter_id: Id, payload: ServedIn) -> Status:
    matter = matter_get(user=request.user, pk=matter_id)
    doc, proposals = services.served_document_record(
        actor=request.user,
        matter=matter,
        kind=payload.kind,
        service_date=payload.service_date,
        method=payload.method,
        title=payload.title,
        final=payload.final,
    )
    return Status(201, served_out(doc, proposals))


def served_out(doc: ServedDocument, proposals: list[Deadline]) -> ServedOut:
    return ServedOut(
        id=doc.pk,
        final=doc.final,
        effective_date=doc.effective_date,
        proposals=[deadline_out(d) for d in proposals],
    )


@router.post(
    "/served-documents/{document_id}/effective",
    response=ServedOut,
    operation_id="served_document_effective",
)
def served_effective(request: AuthedRequest, document_id: Id, payload: EffectiveIn) -> ServedOut:
    """Record that no appeal (objection) was filed: the document took effect, and the periods
    that run from that day (retrial, enforcement) are proposed."""
    doc = selectors.served_document_get(user=request.user, pk=document_id)
    doc, proposals = services.served_document_effective(
        actor=request.user, document=doc, effective_date=payload.effective_date
    )
    return served_out(doc, proposals)


@router.post(
    "/matters/{matter_id}/deadlines", response={201: DeadlineOut}, operation_id="deadline_create"
)
def create_deadline(request: AuthedRequest, matter_id: Id, payload: DeadlineIn) -> Status:
    matter = matter_get(user=request.user, pk=matter_id)
    deadline = services.deadline_create(
        actor=request.user,
        matter=matter,
        title=payload.title,
        due_date=payload.due_date,
        due_time=payload.due_time,
        responsible=active_user_named(payload.responsible, field="responsible"),
        notes=payload.notes,
    )
    return Status(201, deadline_out(deadline))


@router.post(
    "/deadlines/{deadline_id}/confirm", response=DeadlineOut, operation_id="deadline_confirm"
)
def confirm(request: AuthedRequest, deadline_id: Id, payload: ConfirmIn) -> DeadlineOut:
    deadline = selectors.deadline_get(user=request.user, pk=deadline_id)
    return deadline_out(
        services.deadline_confirm(
            actor=request.user,
            deadline=deadline,
            responsible=active_user_named(payload.responsible, field="responsible"),
            due_date=payload.due_date,
        )
    )


@router.post(
    "/deadlines/{deadline_id}/dismiss", response=DeadlineOut, operation_id="deadline_dismiss"
)
def dismiss(request: AuthedRequest, deadline_id: Id) -> DeadlineOut:
    deadline = selectors.deadline_get(user=request.user, pk=deadline_id)
    return deadline_out(services.deadline_dismiss(actor=request.user, deadline=deadline))


@router.post("/deadlines/{deadline_id}/done", response=DeadlineOut, operation_id="deadline_done")
def done(request: AuthedRequest, deadline_id: Id) -> DeadlineOut:
    deadline = selectors.deadline_get(user=request.user, pk=deadline_id)
    return deadline_out(services.deadline_complete(actor=request.user, deadline=deadline))
