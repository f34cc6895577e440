"""Writes of the work area: time (manual entries, the start/stop timer), expenses (receipt
as a document, paid from client funds through the ledger) and the client-funds ledger.
Keyword-only, typed, one transaction each; field errors raised before anything changes;
permissions asked by name; every change audited."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.billing.models import (
    AgreementRate,
    AgreementStatus,
    ClientFundsEntry,
    ClientFundsKind,
    Expense,
    ExpenseKind,
    FeeAgreement,
    PaidBy,
    PaymentMethod,
    TimeEntry,
)
from lexcase.billing.money import yuan
from lexcase.billing.services.bills import matter_clients
from lexcase.billing.services.shared import (
    Errors,
    add_error,
    check_civil_date,
    check_positive,
)
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Category
from lexcase.documents.services import documents_upload
from lexcase.matters.models import Matter, Status

# A day's work at most in one entry.
MAX_MINUTES = 24 * 60


def _archived(matter: Matter) -> bool:
    # The money gate loads a narrow matter; read the status itself.
    return Matter.objects.filter(pk=matter.pk, status=Status.ARCHIVED).exists()


def time_rate_for(*, matter: Matter, lawyer: User) -> tuple[FeeAgreement | None, Decimal | None]:
    """The approved agreement in force and the lawyer's hourly rate under it: their
    `AgreementRate`, else the agreement's `hourly_rate`; (None, None) without an approved
    agreement. Snapshotted on the entry, so a later agreement does not reprice past work."""
    agreement = FeeAgreement.objects.filter(
        matter_id=matter.pk, status=AgreementStatus.APPROVED
    ).first()
    if agreement is None:
        return None, None
    own = (
        AgreementRate.objects.filter(agreement=agreement, lawyer=lawyer)
        .values_list("hourly_rate", flat=True)
        .first()
    )
    return agreement, own if own is not None else agreement.hourly_rate


def _check_time(
    errors: Errors, *, actor: User, matter: Matter, description: str, minutes: int | None
) -> None:
    if not actor.has_perm("billing.record_time", matter):
        raise NotAllowed("billing.record_time")
    if _archived(matter):
        add_error(errors, "matter", _("This matter is archived: no more time is recorded on it."))
    if not description.strip():
        add_error(errors, "description", _("Describe the work."))
    elif len(description) > 5000:
        add_error(errors, "description", _("At most 5000 characters."))
    if minutes is not None and not (0 < minutes <= MAX_MINUTES):
        add_error(errors, "minutes", _("Between 1 minute and 24 hours."))


@transaction.atomic
def time_entry_create(
    *,
    actor: User,
    matter: Matter,
    work_date: date,
    minutes: int,
    description: str,
    billable: bool = True,
) -> TimeEntry:
    """A manual entry of the actor's own work on `matter` (a team member's, not finance's),
    priced at the approved agreement's rate for them. Refused on archived matters."""
    errors: Errors = {}
    _check_time(errors, actor=actor, matter=matter, description=description, minutes=minutes)
    check_civil_date(errors, "work_date", work_date)
    if errors:
        raise ValidationError(errors)
    agreement, rate = time_rate_for(matter=matter, lawyer=actor)
    entry = TimeEntry.objects.create(
        matter_id=matter.pk,
        lawyer=actor,
        agreement=agreement,
        work_date=work_date,
        minutes=minutes,
        description=description.strip(),
        billable=billable,
        rate=rate,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="billing.time_entry_create",
        obj=entry,
        matter_id=matter.pk,
        data={
            "minutes": minutes,
            "work_date": work_date.isoformat(),
            "billable": billable,
            "rate": None if rate is None else str(rate),
        },
    )
    return entry


def _running_timer_error() -> ValidationError:
    return ValidationError(
        {"timer": [_("You already have a running timer: stop it before starting another.")]}
    )


@transaction.atomic
def timer_start(
    *, actor: User, matter: Matter, description: str, billable: bool = True
) -> TimeEntry:
    """Start the actor's timer on `matter` (one running timer per lawyer: the database
    refuses a second)."""
    errors: Errors = {}
    _check_time(errors, actor=actor, matter=matter, description=description, minutes=None)
    if TimeEntry.objects.filter(
        lawyer=actor, timer_started_at__isnull=False, timer_stopped_at__isnull=True
    ).exists():
        add_error(
            errors,
            "timer",
            _("You already have a running timer: stop it before starting another."),
        )
    if errors:
        raise ValidationError(errors)
    agreement, rate = time_rate_for(matter=matter, lawyer=actor)
    now = timezone.now()
    try:
        with transaction.atomic():
            entry = TimeEntry.objects.create(
                matter_id=matter.pk,
                lawyer=actor,
                agreement=agreement,
                work_date=timezone.localdate(now),
                minutes=0,
                description=description.strip(),
                billable=billable,
                rate=rate,
                timer_started_at=now,
                created_by=actor,
            )
    except IntegrityError:
        # A second start raced this one past the check.
        raise _running_timer_error() from None
    audit_record(actor=actor, action="billing.timer_start", obj=entry, matter_id=matter.pk, data={})
    return entry


@transaction.atomic
def timer_stop(*, actor: User) -> TimeEntry:
    """Stop the actor's running timer: the minutes are the elapsed time rounded up to the
    minute (at least one). A guarded update, so two stops record it once."""
    entry = (
        TimeEntry.objects.select_for_update()
        .filter(lawyer=actor, timer_started_at__isnull=False, timer_stopped_at__isnull=True)
        .first()
    )
    if entry is None:
        raise ValidationError({"timer": [_("You have no running timer.")]})
    now = timezone.now()
    assert entry.timer_started_at is not None
    elapsed = max((now - entry.timer_started_at).total_seconds(), 0)
    minutes = min(max(math.ceil(elapsed / 60), 1), MAX_MINUTES)
    updated = TimeEntry.objects.filter(pk=entry.pk, timer_stopped_at__isnull=True).update(
        timer_stopped_at=now, minutes=minutes, updated_at=now
    )
    if not updated:
        raise ValidationError({"timer": [_("You have no running timer.")]})
    entry.refresh_from_db()
    audit_record(
        actor=actor,
        action="billing.timer_stop",
        obj=entry,
        matter_id=entry.matter_id,
        data={"minutes": minutes},
    )
    return entry


# -- expenses and the client-funds ledger ------------------------------------------------------


def client_funds_balance(*, client_id: int, matter_id: int) -> Decimal:
    """Receipts − disbursements − refunds held for `client_id` on `matter_id`."""
    totals = dict(
        ClientFundsEntry.objects.filter(client_id=client_id, matter_id=matter_id)
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    return (
        (totals.get(ClientFundsKind.RECEIPT) or Decimal(0))
        - (totals.get(ClientFundsKind.DISBURSEMENT) or Decimal(0))
        - (totals.get(ClientFundsKind.REFUND) or Decimal(0))
    )


def _lock_matter(matter: Matter) -> None:
    """Client-funds writes of a matter queue on its row (PostgreSQL), so two disbursements
    cannot both pass the balance check; SQLite has one writer at a time anyway."""
    list(Matter.objects.select_for_update().filter(pk=matter.pk).values_list("pk", flat=True))


def _client_of(matter: Matter, client: Any, errors: Errors) -> Any:
    clients = matter_clients(matter=matter)
    if client is None:
        if not clients:
            add_error(errors, "client", _("The matter has no client."))
            return None
        return clients[0]
    if client.pk not in {c.pk for c in clients}:
        add_error(errors, "client", _("Choose a client of this matter."))
    return client


def _upload_one(*, actor: User, matter: Matter, upload: Any, field: str, title: str) -> Any:
    """Store an uploaded file as a document of the matter through the documents services,
    reporting its refusals on `field`."""
    try:
        (document,) = documents_upload(
            actor=actor, matter=matter, uploads=[upload], category=Category.OTHER, title=title
        )
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return document


@transaction.atomic
def expense_create(
    *,
    actor: User,
    matter: Matter,
    kind: str,
    description: str,
    amount: Decimal,
    incurred_on: date,
    paid_by: str,
    receipt: Any = None,
    receipt_document: Any = None,
    client_note_signed_on: date | None = None,
    client_note: Any = None,
    client: Any = None,
) -> Expense:
    """A cost on `matter` — pass-through (诉讼费, 保全费 …) or out-of-town travel, never the
    firm's fee. `receipt` (an uploaded file) is stored as a document of the matter through
    the documents services (or `receipt_document`, one already on the matter). Paid from
    client funds, it needs the date of the client's signed note (收费程序规则 Art. 9) and
    writes the ledger disbursement, refused when the balance held for the client on this
    matter is short."""
    if not actor.has_perm("billing.record_expense", matter):
        raise NotAllowed("billing.record_expense")
    errors: Errors = {}
    if _archived(matter):
        add_error(errors, "matter", _("This matter is archived and can no longer change."))
    if kind not in ExpenseKind.values:
        add_error(errors, "kind", _("Choose the kind of expense."))
    if paid_by not in PaidBy.values:
        add_error(errors, "paid_by", _("Choose who paid."))
    if amount is None:
        add_error(errors, "amount", _("Enter an amount."))
    check_positive(errors, "amount", amount)
    check_civil_date(errors, "incurred_on", incurred_on)
    check_civil_date(errors, "client_note_signed_on", client_note_signed_on)
    description = (description or "").strip()
    if not description:
        add_error(errors, "description", _("Describe the expense."))
    elif len(description) > 200:
        add_error(errors, "description", _("At most 200 characters."))
    if receipt_document is not None and receipt_document.matter_id != matter.pk:
        add_error(errors, "receipt_document", _("Choose a document of this matter."))
    uploads = [f for f in (receipt, client_note) if f is not None]
    if uploads and not actor.has_perm("documents.upload", matter):
        add_error(
            errors,
            "receipt" if receipt is not None else "client_note",
            _("You may not add documents to this matter: ask its team to attach the file."),
        )
    funded = paid_by == PaidBy.CLIENT_FUNDS
    if funded:
        if client_note_signed_on is None:
            add_error(
                errors,
                "client_note_signed_on",
                _("Paying from client funds needs the client's signed note: enter its date."),
            )
        client = _client_of(matter, client, errors)
    elif client_note_signed_on is not None or client_note is not None:
        add_error(
            errors,
            "client_note_signed_on",
            _("Only an expense paid from client funds records the client's note."),
        )
    if errors:
        raise ValidationError(errors)
    if funded:
        _lock_matter(matter)
        balance = client_funds_balance(client_id=client.pk, matter_id=matter.pk)
        if amount > balance:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "Client funds held for this matter are %(balance)s: not enough "
                            "to pay %(amount)s."
                        )
                        % {"balance": yuan(balance), "amount": yuan(amount)}
                    ]
                }
            )
    if receipt is not None:
        receipt_document = _upload_one(
            actor=actor,
            matter=matter,
            upload=receipt,
            field="receipt",
            title=_("Receipt: %(what)s") % {"what": description[:150]},
        )
    note_document = None
    if client_note is not None:
        note_document = _upload_one(
            actor=actor,
            matter=matter,
            upload=client_note,
            field="client_note",
            title=_("Client's note: %(what)s") % {"what": description[:150]},
        )
    expense = Expense.objects.create(
        matter_id=matter.pk,
        kind=kind,
        description=description,
        amount=amount,
        incurred_on=incurred_on,
        paid_by=paid_by,
        receipt_document=receipt_document,
        client_note_signed_on=client_note_signed_on,
        client_note_document=note_document,
        recorded_by=actor,
    )
    entry = None
    if funded:
        entry = ClientFundsEntry.objects.create(
            client=client,
            matter_id=matter.pk,
            kind=ClientFundsKind.DISBURSEMENT,
            amount=amount,
            entry_date=incurred_on,
            description=description,
            expense=expense,
            recorded_by=actor,
        )
    audit_record(
        actor=actor,
        action="billing.expense_create",
        obj=expense,
        matter_id=matter.pk,
        data={
            "kind": kind,
            "amount": str(amount),
            "paid_by": paid_by,
            "receipt_document": getattr(receipt_document, "pk", None),
            "client_funds_entry": getattr(entry, "pk", None),
        },
    )
    return expense


@transaction.atomic
def client_funds_record(
    *,
    actor: User,
    matter: Matter,
    kind: str,
    amount: Decimal,
    entry_date: date,
    description: str,
    method: str = "",
    reference: str = "",
    client: Any = None,
) -> ClientFundsEntry:
    """Finance records client money received for pass-through costs (代收代付), or returned
    to the client; never a fee. A refund above the balance held is refused. Disbursements
    are written by `expense_create` (each is an expense paid from client funds)."""
    if not actor.has_perm("billing.record_client_funds", matter):
        raise NotAllowed("billing.record_client_funds")
    errors: Errors = {}
    if kind not in (ClientFundsKind.RECEIPT, ClientFundsKind.REFUND):
        add_error(errors, "kind", _("Record money received or returned."))
    if amount is None:
        add_error(errors, "amount", _("Enter an amount."))
    check_positive(errors, "amount", amount)
    check_civil_date(errors, "entry_date", entry_date)
    description = (description or "").strip()
    if not description:
        add_error(errors, "description", _("Say what the money is for."))
    elif len(description) > 200:
        add_error(errors, "description", _("At most 200 characters."))
    if method and method not in PaymentMethod.values:
        add_error(errors, "method", _("Choose a method."))
    if len(reference) > 100:
        add_error(errors, "reference", _("At most 100 characters."))
    client = _client_of(matter, client, errors)
    if errors:
        raise ValidationError(errors)
    _lock_matter(matter)
    if kind == ClientFundsKind.REFUND:
        balance = client_funds_balance(client_id=client.pk, matter_id=matter.pk)
        if amount > balance:
            raise ValidationError(
                {
                    "amount": [
                        _("Only %(balance)s is held for this client on this matter.")
                        % {"balance": yuan(balance)}
                    ]
                }
            )
    entry = ClientFundsEntry.objects.create(
        client=client,
        matter_id=matter.pk,
        kind=kind,
        amount=amount,
        entry_date=entry_date,
        description=description,
        method=method,
        reference=reference.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="billing.client_funds_record",
        obj=entry,
        matter_id=matter.pk,
        data={"kind": kind, "amount": str(amount), "client": client.pk},
    )
    return entry
