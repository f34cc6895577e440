"""/api/v1 for fee agreements, time entries, expenses, client funds and fee allocation.
Amounts are strings with two decimals; users are named by username."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.models import User
from lexcase.accounts.selectors import active_user_named
from lexcase.billing.models import Expense, FeeAgreement, TimeEntry
from lexcase.billing.money import to_api
from lexcase.billing.selectors import work as selectors
from lexcase.billing.selectors.shared import matter_money_get
from lexcase.billing.services import agreements as agreement_services
from lexcase.billing.services import work as work_services
from lexcase.core.once import sent_once
from lexcase.core.schema import MAX_COUNTER, CivilDate, Id, Version
from lexcase.documents.selectors import documents_visible_to
from lexcase.matters.services import matter_record_read, matter_record_view

router = Router(tags=["fees"])


def _money(value: Decimal | None) -> str | None:
    return None if value is None else to_api(value)


def _username(user: Any) -> str | None:
    return None if user is None else user.username


# -- fee agreements --------------------------------------------------------------------------


class InstalmentSchema(Schema):
    model_config = ConfigDict(extra="forbid")
    due_on: CivilDate
    amount: Decimal
    description: str = Field(default="", max_length=200)


class InstalmentOut(Schema):
    seq: int
    due_on: dt.date
    amount: str
    description: str
    billed: bool


class RateSchema(Schema):
    model_config = ConfigDict(extra="forbid")
    lawyer: str
    hourly_rate: Decimal


class RateOut(Schema):
    lawyer: str
    hourly_rate: str


class ShareSchema(Schema):
    model_config = ConfigDict(extra="forbid")
    lawyer: str
    role: str
    percent: Decimal


class ShareOut(Schema):
    lawyer: str
    role: str
    percent: str


class AgreementTermsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str
    fixed_amount: Decimal | None = None
    hourly_rate: Decimal | None = None
    fee_cap: Decimal | None = None
    contingency_basis: str = ""
    contingency_basis_amount: Decimal | None = None
    contingency_rate: Decimal | None = None
    contingency_amount: Decimal | None = None
    risk_contract_signed_on: CivilDate | None = None
    guidance_price_disclosed_on: CivilDate | None = None
    retainer_start: CivilDate | None = None
    retainer_end: CivilDate | None = None
    invoicing_schedule: str = ""
    terms: str = Field(default="", max_length=20_000)
    signed_on: CivilDate | None = None
    group_litigation: bool = False
    instalments: list[InstalmentSchema] = Field(default_factory=list, max_length=120)
    rates: list[RateSchema] = Field(default_factory=list, max_length=100)
    shares: list[ShareSchema] = Field(default_factory=list, max_length=20)


class AgreementEditIn(AgreementTermsIn):
    version: Version


class VersionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    version: Version


class SharesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    version: Version
    shares: list[ShareSchema] = Field(max_length=20)


class AgreementOut(Schema):
    id: int
    matter_id: int
    version_no: int
    supersedes_id: int | None
    kind: str
    status: str
    fixed_amount: str | None
    hourly_rate: str | None
    fee_cap: str | None
    contingency_basis: str
    contingency_basis_amount: str | None
    contingency_rate: str | None
    contingency_amount: str | None
    contingency_cap: str | None
    contingency_cap_steps: list[str]
    risk_contract_signed_on: dt.date | None
    guidance_price_disclosed_on: dt.date | None
    retainer_start: dt.date | None
    retainer_end: dt.date | None
    invoicing_schedule: str
    terms: str
    signed_on: dt.date | None
    approval_required: bool
    proposed_by: str | None
    approved_by: str | None
    instalments: list[InstalmentOut]
    rates: list[RateOut]
    shares: list[ShareOut]
    version: int


def agreement_out(a: FeeAgreement) -> AgreementOut:
    return AgreementOut(
        id=a.pk,
        matter_id=a.matter_id,
        version_no=a.version_no,
        supersedes_id=a.supersedes_id,
        kind=a.kind,
        status=a.status,
        fixed_amount=_money(a.fixed_amount),
        hourly_rate=_money(a.hourly_rate),
        fee_cap=_money(a.fee_cap),
        contingency_basis=a.contingency_basis,
        contingency_basis_amount=_money(a.contingency_basis_amount),
        contingency_rate=None if a.contingency_rate is None else f"{a.contingency_rate:.2f}",
        contingency_amount=_money(a.contingency_amount),
        contingency_cap=_money(a.contingency_cap),
        contingency_cap_steps=selectors.agreement_cap_steps(a),
        risk_contract_signed_on=a.risk_contract_signed_on,
        guidance_price_disclosed_on=a.guidance_price_disclosed_on,
        retainer_start=a.retainer_start,
        retainer_end=a.retainer_end,
        invoicing_schedule=a.invoicing_schedule,
        terms=a.terms,
        signed_on=a.signed_on,
        approval_required=a.approval_required,
        proposed_by=_username(a.proposed_by),
        approved_by=_username(a.approved_by),
        instalments=[
            InstalmentOut(
                seq=i.seq,
                due_on=i.due_on,
                amount=to_api(i.amount),
                description=i.description,
                billed=i.bill_line_id is not None,
            )
            for i in a.instalments.all()
        ],
        rates=[
            RateOut(lawyer=r.lawyer.username, hourly_rate=to_api(r.hourly_rate))
            for r in a.rates.all()
        ],
        shares=[
            ShareOut(lawyer=s.lawyer.username, role=s.role, percent=f"{s.percent:.2f}")
            for s in a.shares.all()
        ],
        version=a.version,
    )


def _lawyer(username: str, *, field: str) -> User:
    """The active lawyer a rate or share names; an empty name is refused like an unknown one
    (422 on `field`), never passed on as nobody."""
    user = active_user_named(username, field=field)
    if user is None:
        raise ValidationError({field: [_("No active user “%(u)s”.") % {"u": username}]})
    return user


def _shares_in(shares: list[ShareSchema]) -> list[agreement_services.ShareIn]:
    return [
        agreement_services.ShareIn(
            lawyer=_lawyer(s.lawyer, field="shares"), role=s.role, percent=s.percent
        )
        for s in shares
    ]


def _terms(payload: AgreementTermsIn) -> dict[str, Any]:
    data = payload.model_dump(exclude={"instalments", "rates", "shares", "version"})
    data["instalments"] = [
        agreement_services.InstalmentIn(due_on=i.due_on, amount=i.amount, description=i.description)
        for i in payload.instalments
    ]
    data["rates"] = [
        agreement_services.RateIn(
            lawyer=_lawyer(r.lawyer, field="rates"), hourly_rate=r.hourly_rate
        )
        for r in payload.rates
    ]
    data["shares"] = _shares_in(payload.shares)
    return data


def _reload(request: AuthedRequest, agreement: FeeAgreement) -> AgreementOut:
    return agreement_out(selectors.agreement_for(user=request.user, pk=agreement.pk))


@router.get(
    "/matters/{matter_id}/fee-agreements",
    response=list[AgreementOut],
    operation_id="fee_agreement_list",
)
def fee_agreement_list(request: AuthedRequest, matter_id: Id) -> list[AgreementOut]:
    """Every version of the matter's fee terms, newest first (the money gate: finance and
    administrators see every matter's, others those of the matters they see)."""
    matter = matter_money_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="fee_agreement_list", via="api")
    return [agreement_out(a) for a in selectors.agreements_of(matter=matter)]


@router.post(
    "/matters/{matter_id}/fee-agreements",
    response={201: AgreementOut},
    operation_id="fee_agreement_create",
)
def fee_agreement_create(
    request: AuthedRequest, matter_id: Id, payload: AgreementTermsIn
) -> Status:
    """Propose fee terms as a draft (the next version). A contingency total above the
    tiered cap is 422 naming the contingent field, with the computation in the message."""
    matter = matter_money_get(user=request.user, pk=matter_id)
    agreement = agreement_services.agreement_create(
        actor=request.user, matter=matter, **_terms(payload)
    )
    return Status(201, _reload(request, agreement))


@router.get(
    "/fee-agreements/{agreement_id}", response=AgreementOut, operation_id="fee_agreement_get"
)
def fee_agreement_get(request: AuthedRequest, agreement_id: Id) -> AgreementOut:
    agreement = selectors.agreement_for(user=request.user, pk=agreement_id)
    matter_record_read(
        actor=request.user,
        obj=agreement,
        matter_id=agreement.matter_id,
        page="fee_agreement_get",
        via="api",
    )
    return agreement_out(agreement)


@router.put(
    "/fee-agreements/{agreement_id}", response=AgreementOut, operation_id="fee_agreement_update"
)
def fee_agreement_update(
    request: AuthedRequest, agreement_id: Id, payload: AgreementEditIn
) -> AgreementOut:
    """Replace a draft's terms; `version` as read (a stale one is 409, nothing changed)."""
    agreement = selectors.agreement_for(user=request.user, pk=agreement_id)
    agreement = agreement_services.agreement_update(
        actor=request.user, agreement=agreement, version=payload.version, **_terms(payload)
    )
    return _reload(request, agreement)


@router.post(
    "/fee-agreements/{agreement_id}/submit",
    response=AgreementOut,
    operation_id="fee_agreement_submit",
)
def fee_agreement_submit(
    request: AuthedRequest, agreement_id: Id, payload: VersionIn
) -> AgreementOut:
    agreement = selectors.agreement_for(user=request.user, pk=agreement_id)
    agreement = agreement_services.agreement_submit(
        actor=request.user, agreement=agreement, version=payload.version
    )
    return _reload(request, agreement)


@router.post(
    "/fee-agreements/{agreement_id}/approve",
    response=AgreementOut,
    operation_id="fee_agreement_approve",
)
def fee_agreement_approve(
    request: AuthedRequest, agreement_id: Id, payload: VersionIn
) -> AgreementOut:
    agreement = selectors.agreement_for(user=request.user, pk=agreement_id)
    agreement = agreement_services.agreement_approve(
        actor=request.user, agreement=agreement, version=payload.version
    )
    return _reload(request, agreement)


@router.put(
    "/fee-agreements/{agreement_id}/shares",
    response=AgreementOut,
    operation_id="fee_agreement_shares",
)
def fee_agreement_shares(
    request: AuthedRequest, agreement_id: Id, payload: SharesIn
) -> AgreementOut:
    """Replace the fee shares (提成/分配), summing to 100; the responsible partner or an
    administrator."""
    agreement = selectors.agreement_for(user=request.user, pk=agreement_id)
    agreement = agreement_services.agreement_shares_set(
        actor=request.user,
        agreement=agreement,
        version=payload.version,
        shares=_shares_in(payload.shares),
    )
    return _reload(request, agreement)


# -- time -------------------------------------------------------------------------------------


class TimeEntryIn(Schema):
    """A manual entry (`work_date`, `minutes`), or `timer: true` to start the caller's timer
    (no date or minutes: they come from the clock)."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field(max_length=5000)
    billable: bool = True
    work_date: CivilDate | None = None
    # Bounded by the column; the service checks the sensible range with a field error.
    minutes: int | None = Field(default=None, le=MAX_COUNTER)
    timer: bool = False


class TimeEntryOut(Schema):
    id: int
    # null (and the description empty, no agreement) on the caller's own timer stopped after
    # they were walled off its matter: nothing of that matter is theirs to read any more.
    matter_id: int | None
    lawyer: str
    work_date: dt.date
    minutes: int
    description: str
    billable: bool
    rate: str | None
    agreement_id: int | None
    running: bool
    timer_started_at: dt.datetime | None
    timer_stopped_at: dt.datetime | None
    billed: bool


def time_entry_out(e: TimeEntry, *, matter_seen: bool = True) -> TimeEntryOut:
    return TimeEntryOut(
        id=e.pk,
        matter_id=e.matter_id if matter_seen else None,
        lawyer=e.lawyer.username,
        work_date=e.work_date,
        minutes=e.minutes,
        description=e.description if matter_seen else "",
        billable=e.billable,
        rate=_money(e.rate),
        agreement_id=e.agreement_id if matter_seen else None,
        running=e.timer_started_at is not None and e.timer_stopped_at is None,
        timer_started_at=_local(e.timer_started_at),
        timer_stopped_at=_local(e.timer_stopped_at),
        billed=e.bill_line_id is not None,
    )


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else timezone.localtime(value)


@router.get(
    "/matters/{matter_id}/time-entries",
    response=list[TimeEntryOut],
    operation_id="time_entry_list",
)
def time_entry_list(
    request: AuthedRequest, matter_id: Id, limit: int = Query(500, ge=1, le=5000)
) -> list[TimeEntryOut]:
    """The matter's time, newest first."""
    matter = matter_money_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="time_entry_list", via="api")
    return [time_entry_out(e) for e in selectors.time_entries_of(matter=matter)[:limit]]


@router.post(
    "/matters/{matter_id}/time-entries",
    response={201: TimeEntryOut},
    operation_id="time_entry_create",
)
def time_entry_create(request: AuthedRequest, matter_id: Id, payload: TimeEntryIn) -> Status:
    """Record the caller's own time: a manual entry priced at the approved agreement's rate
    for them, or start their timer. Refused (422) on an archived matter."""
    matter = matter_money_get(user=request.user, pk=matter_id)
    if payload.timer:
        extra = [f for f in ("work_date", "minutes") if getattr(payload, f) is not None]
        if extra:
            raise ValidationError({f: [_("A timer takes its time from the clock.")] for f in extra})
        entry = work_services.timer_start(
            actor=request.user,
            matter=matter,
            description=payload.description,
            billable=payload.billable,
        )
    else:
        missing = [f for f in ("work_date", "minutes") if getattr(payload, f) is None]
        if missing:
            raise ValidationError({f: [_("This field is required.")] for f in missing})
        assert payload.work_date is not None and payload.minutes is not None
        with sent_once(request):
            entry = work_services.time_entry_create(
                actor=request.user,
                matter=matter,
                work_date=payload.work_date,
                minutes=payload.minutes,
                description=payload.description,
                billable=payload.billable,
            )
    entry.lawyer = request.user
    return Status(201, time_entry_out(entry))


@router.post("/timer/stop", response=TimeEntryOut, operation_id="timer_stop")
def timer_stop(request: AuthedRequest) -> TimeEntryOut:
    """Stop the caller's running timer (422 when none runs). Walled off its matter since it
    started: `matter_id` and `agreement_id` null, `description` empty."""
    entry = work_services.timer_stop(actor=request.user)
    entry.lawyer = request.user
    seen = selectors.time_entry_matter_seen(user=request.user, entry=entry)
    return time_entry_out(entry, matter_seen=seen)


# -- expenses -----------------------------------------------------------------------------------


class ExpenseIn(Schema):
    """An expense; the receipt is a document already on the matter (upload it first with the
    documents API), named by `receipt_document_id`. `client_note_signed_on` is required when
    `paid_by` is `client_funds`."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    description: str = Field(max_length=200)
    amount: Decimal
    incurred_on: CivilDate
    paid_by: str
    receipt_document_id: Id | None = None
    client_note_signed_on: CivilDate | None = None


class ExpenseOut(Schema):
    id: int
    matter_id: int
    kind: str
    money_kind: str
    description: str
    amount: str
    incurred_on: dt.date
    paid_by: str
    receipt_document_id: int | None
    client_note_signed_on: dt.date | None
    recorded_by: str | None
    billed: bool


def expense_out(e: Expense) -> ExpenseOut:
    return ExpenseOut(
        id=e.pk,
        matter_id=e.matter_id,
        kind=e.kind,
        money_kind=e.money_kind,
        description=e.description,
        amount=to_api(e.amount),
        incurred_on=e.incurred_on,
        paid_by=e.paid_by,
        receipt_document_id=e.receipt_document_id,
        client_note_signed_on=e.client_note_signed_on,
        recorded_by=_username(e.recorded_by),
        billed=e.bill_line_id is not None,
    )


@router.get("/matters/{matter_id}/expenses", response=list[ExpenseOut], operation_id="expense_list")
def expense_list(request: AuthedRequest, matter_id: Id) -> list[ExpenseOut]:
    matter = matter_money_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="expense_list", via="api")
    return [expense_out(e) for e in selectors.expenses_of(matter=matter)[:1000]]


@router.post(
    "/matters/{matter_id}/expenses", response={201: ExpenseOut}, operation_id="expense_create"
)
def expense_create(request: AuthedRequest, matter_id: Id, payload: ExpenseIn) -> Status:
    """Record a cost paid on the client's behalf or out-of-town travel. Paid from client
    funds, it writes the ledger disbursement (422 on `amount` when the balance is short)."""
    matter = matter_money_get(user=request.user, pk=matter_id)
    receipt = None
    if payload.receipt_document_id is not None:
        receipt = (
            documents_visible_to(request.user)
            .filter(pk=payload.receipt_document_id, matter_id=matter.pk)
            .first()
        )
        if receipt is None:
            raise ValidationError({"receipt_document_id": [_("Choose a document of this matter.")]})
    with sent_once(request):
        expense = work_services.expense_create(
            actor=request.user,
            matter=matter,
            kind=payload.kind,
            description=payload.description,
            amount=payload.amount,
            incurred_on=payload.incurred_on,
            paid_by=payload.paid_by,
            receipt_document=receipt,
            client_note_signed_on=payload.client_note_signed_on,
        )
    expense.recorded_by = request.user
    return Status(201, expense_out(expense))
