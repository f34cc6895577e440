"""Client communication API: a matter's log, the firm-wide log and client updates due."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.models import User
from lexcase.comms import selectors, services
from lexcase.comms.models import Channel, Communication, Direction
from lexcase.core.once import sent_once
from lexcase.core.schema import Choices, CivilDate, CivilDateTime, Id
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view

router = Router(tags=["communications"])

ChannelName = Choices[str, Channel]
DirectionName = Choices[str, Direction]


class CommunicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: ChannelName
    direction: DirectionName
    summary: str = Field(min_length=1, max_length=20000)
    occurred_at: CivilDateTime = Field(
        description="ISO 8601; without an offset it is read as Asia/Shanghai time"
    )
    participants: list[str] | None = Field(
        default=None,
        max_length=30,
        description="Usernames of colleagues; any other entry is a client contact's name",
    )
    follow_up: str = Field(default="", max_length=5000)
    create_task: bool = False
    documents: list[Id] | None = Field(
        default=None, max_length=50, description="Ids of documents on this matter to attach"
    )


class CommunicationOut(Schema):
    id: int
    matter_id: int
    matter_number: str
    occurred_at: dt.datetime
    channel: str
    direction: str
    summary: str
    team: list[str]
    contacts: list[str]
    follow_up: str
    task_id: int | None
    documents: list[int]
    created_by: str | None
    version: int


class UpdateDueOut(Schema):
    matter_id: int
    matter_number: str
    title: str
    priority: str
    lead: str | None
    interval_days: int
    last_outbound_at: dt.datetime | None
    due_at: dt.datetime
    overdue: bool = Field(description="A further interval has passed: escalated to the partner")
    reason: str = Field(description="The important event that made it due, if any")


class CommunicationsOut(Schema):
    communications: list[CommunicationOut]
    updates_due: list[UpdateDueOut] | None = Field(
        description="Only with due=true: matters whose client update is due (then "
        "`communications` is empty)"
    )


class CommunicationQuery(Schema):
    lawyer: str | None = Field(
        default=None,
        description="Username. Communications they logged or took part in; with due=true, "
        "the matters they lead",
    )
    client: str | None = Field(default=None, max_length=100, description="Part of a client's name")
    start: CivilDate | None = None
    end: CivilDate | None = None
    due: bool = Field(default=False, description="List matters with a client update due")
    limit: int = Field(default=100, ge=1, le=500)


def communication_out(c: Communication) -> CommunicationOut:
    return CommunicationOut(
        id=c.pk,
        matter_id=c.matter_id,
        matter_number=c.matter.number,
        occurred_at=timezone.localtime(c.occurred_at),
        channel=c.channel,
        direction=c.direction,
        summary=c.summary,
        team=[u.username for u in c.team.all()],
        contacts=list(c.contacts),
        follow_up=c.follow_up,
        task_id=c.task_id,
        documents=list(c.document_ids),
        created_by=c.created_by.username if c.created_by else None,
        version=c.version,
    )


@router.get(
    "/matters/{matter_id}/communications",
    response=list[CommunicationOut],
    operation_id="matter_communications",
)
def matter_communications(
    request: AuthedRequest, matter_id: Id, limit: int = Query(100, ge=1, le=500)
) -> list[CommunicationOut]:
    matter = matter_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="matter_communications", via="api")
    rows = selectors.communications_filter(
        user=request.user, filters=selectors.CommunicationFilters(matter=matter)
    )[:limit]
    return [communication_out(c) for c in rows]


@router.post(
    "/matters/{matter_id}/communications",
    response={201: CommunicationOut},
    operation_id="communication_create",
)
def create_communication(request: AuthedRequest, matter_id: Id, payload: CommunicationIn) -> Status:
    matter = matter_get(user=request.user, pk=matter_id)
    # An Idempotency-Key header logs the entry once (core.once: the same key again, 409).
    with sent_once(request):
        comm = services.communication_create(
            actor=request.user,
            matter=matter,
            channel=payload.channel,
            direction=payload.direction,
            summary=payload.summary,
            occurred_at=payload.occurred_at,
            participants=payload.participants,
            follow_up=payload.follow_up,
            create_task=payload.create_task,
            documents=payload.documents,
        )
    comm = selectors.communication_get(user=request.user, pk=comm.pk)
    return Status(201, communication_out(comm))


@router.get("/communications", response=CommunicationsOut, operation_id="communications")
def communications(request: AuthedRequest, filters: Query[CommunicationQuery]) -> CommunicationsOut:
    """The firm-wide log (only matters you can see), newest first; or, with `due=true`,
    the matters whose client update is due, most overdue first."""
    lawyer = None
    if filters.lawyer:
        lawyer = User.objects.filter(username=filters.lawyer).first()
        if lawyer is None:
            raise ValidationError({"lawyer": [_("No user “%(u)s”.") % {"u": filters.lawyer}]})
    if filters.start and filters.end and filters.end < filters.start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if filters.due:
        now = timezone.now()
        states = selectors.updates_due(user=request.user, now=now, lawyer=lawyer)
        leads = {
            u.pk: u.username
            for u in User.objects.filter(pk__in={s.lead_id for s in states if s.lead_id})
        }
        due = [
            UpdateDueOut(
                matter_id=s.matter.pk,
                matter_number=s.matter.number,
                title=s.matter.title,
                priority=s.matter.priority,
                lead=leads.get(s.lead_id) if s.lead_id else None,
                interval_days=s.interval_days,
                last_outbound_at=s.last_outbound_at and timezone.localtime(s.last_outbound_at),
                due_at=timezone.localtime(s.due_at),
                overdue=s.is_overdue(now),
                reason=s.marked_reason,
            )
            for s in states[: filters.limit]
        ]
        return CommunicationsOut(communications=[], updates_due=due)
    rows = selectors.communications_filter(
        user=request.user,
        filters=selectors.CommunicationFilters(
            lawyer=lawyer, client=filters.client or "", start=filters.start, end=filters.end
        ),
    )[: filters.limit]
    return CommunicationsOut(communications=[communication_out(c) for c in rows], updates_due=None)
