from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import active_user_named
from lexcase.core.schema import Amount, Choices, Id, Version
from lexcase.matters import archive, selectors, services
from lexcase.matters.models import (
    ClosingOutcome,
    Matter,
    MatterType,
    MemberRole,
    PartyRole,
    Priority,
)
from lexcase.matters.models import Status as MatterStatus
from lexcase.matters.rules import matter_fields_editable

router = Router(tags=["matters"])

MatterTypeLiteral = Choices[str, MatterType]
PriorityLiteral = Choices[str, Priority]
PartyRoleLiteral = Choices[str, PartyRole]
MemberRoleLiteral = Choices[str, MemberRole]
StatusLiteral = Choices[str, MatterStatus]


class PartyLinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    party_id: Id
    role: PartyRoleLiteral
    standing: str = Field(default="", max_length=30)


class MatterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    matter_type: MatterTypeLiteral
    priority: PriorityLiteral = "P2"
    summary: str = Field(default="", max_length=20000)
    practice_area: str | None = None
    cause: Id | None = None
    amount: Amount | None = None
    court: str = Field(default="", max_length=200)
    confidential: bool = False
    parties: list[PartyLinkIn] = Field(default_factory=list, max_length=100)
    lead_lawyer: str | None = None
    responsible_partner: str | None = None


class MatterPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version
    title: str | None = Field(default=None, min_length=1, max_length=200)
    matter_type: MatterTypeLiteral | None = None
    priority: PriorityLiteral | None = None
    summary: str | None = Field(default=None, max_length=20000)
    practice_area: str | None = None
    cause: Id | None = None
    amount: Amount | None = None
    court: str | None = Field(default=None, max_length=200)
    confidential: bool | None = None
    confidential_reason: str = Field(
        default="",
        max_length=500,
        description="Required when `confidential` goes from true to false (only the "
        "responsible partner or an administrator may do that).",
    )
    outcome: str | None = Field(default=None, max_length=20000)


class MemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    role: MemberRoleLiteral


class MatterPartyOut(Schema):
    party_id: int
    name: str
    role: str
    standing: str


class MemberOut(Schema):
    username: str
    role: str


class MatterOut(Schema):
    id: int
    number: str
    title: str
    matter_type: str
    priority: str
    status: str
    stage: str
    summary: str
    practice_area: str | None
    cause: str | None
    amount: Decimal | None
    court: str
    confidential: bool
    opened_on: date | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int
    parties: list[MatterPartyOut]
    members: list[MemberOut]
    case_numbers: list[str]
    editable_fields: list[str] = Field(
        description="The fields the caller may change now (the matter's field table); "
        "`confidential` only when the caller may flip its current value."
    )


class MatterListItem(Schema):
    id: int
    number: str
    title: str
    matter_type: str
    priority: str
    status: str
    stage: str
    updated_at: datetime
    version: int


class MatterListOut(Schema):
    items: list[MatterListItem]
    next_cursor: str | None
    total: int = Field(description="Visible matters matching the filters, counted up to 1,001")
    total_capped: bool = Field(description="True when there are more than 1,000")


def matter_out(matter: Matter, *, user: Any) -> MatterOut:
    return MatterOut(
        id=matter.pk,
        number=matter.number,
        title=matter.title,
        matter_type=matter.matter_type,
        priority=matter.priority,
        status=matter.status,
        stage=matter.stage,
        summary=matter.summary,
        practice_area=matter.practice_area.code if matter.practice_area else None,
        cause=matter.cause.name if matter.cause else None,
        amount=matter.amount,
        court=matter.court,
        confidential=matter.confidential,
        opened_on=matter.opened_on,
        closed_on=matter.closed_on,
        created_at=matter.created_at,
        updated_at=matter.updated_at,
        version=matter.version,
        parties=[
            MatterPartyOut(
                party_id=mp.party_id, name=mp.party.name, role=mp.role, standing=mp.standing
            )
            for mp in selectors.matter_parties(matter=matter)
        ],
        members=[
            MemberOut(username=m.user.username, role=m.role)
            for m in selectors.matter_members(matter=matter)
        ],
        case_numbers=[c.number for c in selectors.matter_case_numbers(matter=matter)],
        editable_fields=matter_fields_editable(user, matter),
    )


def _reload(request: AuthedRequest, matter_id: int) -> MatterOut:
    return matter_out(selectors.matter_get(user=request.user, pk=matter_id), user=request.user)


@router.post("", response={201: MatterOut}, operation_id="matter_create")
def create_matter(request: AuthedRequest, payload: MatterIn) -> Status:
    visible = selectors.parties_visible_to(request.user)
    ids = [p.party_id for p in payload.parties]
    found = {p.pk: p for p in visible.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"parties": [_("Unknown party id(s): %(ids)s.") % {"ids": ", ".join(missing)}]}
        )
    links = [
        services.PartyLink(party=found[p.party_id], role=p.role, standing=p.standing)
        for p in payload.parties
    ]
    services.intake_parties_check(links)
    with transaction.atomic():
        matter = services.matter_create(
            actor=request.user,
            title=payload.title,
            matter_type=payload.matter_type,
            priority=payload.priority,
            summary=payload.summary,
            practice_area=payload.practice_area,
            cause=payload.cause,
            amount=payload.amount,
            court=payload.court,
            confidential=payload.confidential,
            parties=links,
            lead_lawyer=active_user_named(payload.lead_lawyer, field="lead_lawyer"),
            responsible_partner=active_user_named(
                payload.responsible_partner, field="responsible_partner"
            ),
        )
    return Status(201, _reload(request, matter.pk))


@router.get("", response=MatterListOut, operation_id="matter_list")
def list_matters(
    request: AuthedRequest,
    # The web list's bound (MatterFilterForm.q): a longer text is refused, not searched.
    q: str = Query("", max_length=100),
    status: StatusLiteral | None = None,
    matter_type: MatterTypeLiteral | None = None,
    priority: PriorityLiteral | None = None,
    practice_area: Id | None = None,
    lawyer: Id | None = None,
    sort: Literal["activity", "number", "created", "priority"] = "activity",
    after: str = Query("", max_length=500),
) -> MatterListOut:
    page = selectors.matters_page(
        user=request.user,
        filters=selectors.MatterFilters(
            q=q,
            status=status or "",
            matter_type=matter_type or "",
            priority=priority or "",
            practice_area=practice_area,
            lawyer=lawyer,
            sort=sort,
        ),
        cursor=after,
    )
    return MatterListOut(
        items=[MatterListItem.model_validate(m, from_attributes=True) for m in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
        total_capped=page.total_capped,
    )


@router.get("/{matter_id}", response=MatterOut, operation_id="matter_get")
def get_matter(request: AuthedRequest, matter_id: Id) -> MatterOut:
    matter = selectors.matter_get(user=request.user, pk=matter_id)
    services.matter_record_view(actor=request.user, matter=matter, via="api")
    return matter_out(matter, user=request.user)


@router.patch("/{matter_id}", response=MatterOut, operation_id="matter_update")
def update_matter(request: AuthedRequest, matter_id: Id, payload: MatterPatch) -> MatterOut:
    matter = selectors.matter_get(user=request.user, pk=matter_id)
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version")
    matter = services.matter_update(actor=request.user, matter=matter, version=version, **fields)
    # Not re-read through the gate: an administrator off the team who makes the matter
    # confidential has just lost sight of it, yet their change succeeded.
    return matter_out(matter, user=request.user)


@router.post("/{matter_id}/open", response=MatterOut, operation_id="matter_open")
def open_matter(request: AuthedRequest, matter_id: Id) -> MatterOut:
    matter = selectors.matter_get(user=request.user, pk=matter_id)
    services.matter_open(actor=request.user, matter=matter)
    return _reload(request, matter.pk)


@router.post("/{matter_id}/members", response={201: MatterOut}, operation_id="matter_member_add")
def add_member(request: AuthedRequest, matter_id: Id, payload: MemberIn) -> Status:
    matter = selectors.matter_get(user=request.user, pk=matter_id)
    user = active_user_named(payload.username, field="username")
    assert user is not None
    services.matter_member_add(actor=request.user, matter=matter, user=user, role=payload.role)
    return Status(201, _reload(request, matter.pk))


ClosingOutcomeLiteral = Choices[str, ClosingOutcome]


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: ClosingOutcomeLiteral
    outcome_text: str = Field(default="", max_length=20000)
    checklist: list[str] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=2000)
    override_reason: str = Field(default="", max_length=2000)


class CloseOut(Schema):
    id: int
    status: str
    closed_on: date
    outcome: str
    checklist: dict[str, bool]
    override_reason: str
    archive_deadline: date


class ArchiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    retention: str | None = Field(default=None, max_length=20)
    room: str = Field(max_length=60)
    shelf: str = Field(max_length=60)
    box: str = Field(max_length=60)


class ArchiveOut(Schema):
    id: int
    status: str
    archive_number: str
    retention: str
    room: str
    shelf: str
    box: str
    archived_on: date


@router.post("/{matter_id}/close", response=CloseOut, operation_id="matter_close")
def close_matter(request: AuthedRequest, matter_id: Id, payload: CloseIn) -> CloseOut:
    """Close an open matter: the outcome and the completeness checklist (codes of the ticked
    items). Missing required items → 422 on `checklist`, unless a partner or an administrator
    gives `override_reason`. Sets the archive deadline."""
    matter = selectors.matter_get(user=request.user, pk=matter_id)
    closing = archive.matter_close_checked(
        actor=request.user,
        matter=matter,
        outcome_kind=payload.outcome,
        outcome_text=payload.outcome_text,
        checklist=payload.checklist,
        note=payload.note,
        override_reason=payload.override_reason,
    )
    return CloseOut(
        id=matter.pk,
        status="closed",
        closed_on=closing.closed_on,
        outcome=closing.outcome_kind,
        checklist=closing.checklist,
        override_reason=closing.override_reason,
        archive_deadline=closing.archive_deadline,
    )


@router.post("/{matter_id}/archive", response=ArchiveOut, operation_id="matter_archive")
def archive_matter(request: AuthedRequest, matter_id: Id, payload: ArchiveIn) -> ArchiveOut:
    """File a closed matter: assigns the archive number (档号) and records where the paper
    file sits. `retention` (permanent / long / short) defaults by matter type."""
    matter = selectors.matter_get(user=request.user, pk=matter_id)
    record = archive.matter_archive_file(
        actor=request.user,
        matter=matter,
        retention=payload.retention,
        room=payload.room,
        shelf=payload.shelf,
        box=payload.box,
    )
    return ArchiveOut(
        id=matter.pk,
        status="archived",
        archive_number=record.number,
        retention=record.retention.code,
        room=record.room,
        shelf=record.shelf,
        box=record.box,
        archived_on=record.archived_on,
    )
