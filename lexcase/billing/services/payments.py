"""Payments (收款) received by the firm, their allocation to bills and refunds — finance only
(律师法 Art. 25: the firm collects every fee; Art. 40: never a lawyer privately).

Money never goes twice: an allocation is two guarded updates in one transaction,
`UPDATE payment SET allocated = allocated + x WHERE amount >= allocated + refunded + x` and
`UPDATE bill SET paid = paid + x WHERE total >= paid + x AND status IN (issued, partly_paid)`;
either matching no row refuses the whole allocation. The row locks those updates take make
concurrent allocations queue and re-check (PostgreSQL), and the check constraints
(`billing_payment_not_overallocated`, `billing_bill_not_overpaid`) are the backstop. What a
payment keeps unallocated is 预收款 held for the client, applied to later bills or refunded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.billing.models import (
    Bill,
    BillStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentStatus,
    Refund,
)
from lexcase.billing.services.bills import matter_clients
from lexcase.billing.services.shared import Errors, add_error, check_past_date, check_positive
from lexcase.core.exceptions import NotAllowed


@dataclass(frozen=True)
class AllocationIn:
    bill: Bill
    amount: Decimal


def _require(actor: User) -> None:
    if not actor.has_perm("billing.record_payment"):
        raise NotAllowed("billing.record_payment")


def _allocate(
    *, actor: User, payment: Payment, bill: Bill, amount: Decimal, field: str
) -> PaymentAllocation:
    """Apply `amount` of `payment` to `bill` inside the caller's transaction (see the module
    docstring); field errors under `field`."""
    errors: Errors = {}
    check_positive(errors, field, amount)
    if bill.client_id != payment.client_id:
        add_error(errors, field, _("A payment is applied only to bills of the same client."))
    if errors:
        raise ValidationError(errors)
    took = Payment.objects.filter(
        pk=payment.pk,
        status=PaymentStatus.RECORDED,
        amount__gte=F("allocated") + F("refunded") + amount,
    ).update(allocated=F("allocated") + amount)
    if not took:
        raise ValidationError(
            {field: [_("This is more than what is left of the payment to apply.")]}
        )
    # SET expressions read the row as it was: `status` compares the old paid + amount.
    paid = Bill.objects.filter(
        pk=bill.pk,
        status__in=(BillStatus.ISSUED, BillStatus.PARTLY_PAID),
        total__gte=F("paid") + amount,
    ).update(
        paid=F("paid") + amount,
        status=Case(
            When(total=F("paid") + amount, then=Value(BillStatus.PAID)),
            default=Value(BillStatus.PARTLY_PAID),
        ),
        updated_at=timezone.now(),
    )
    if not paid:
        if not Bill.objects.filter(
            pk=bill.pk, status__in=(BillStatus.ISSUED, BillStatus.PARTLY_PAID)
        ).exists():
            message = _("Only an issued, unpaid bill takes payments.")
        else:
            message = _("This is more than the bill's open amount.")
        raise ValidationError({field: [message]})
    # Every application of money is its own dated entry: a second part of the same payment
    # to the same bill is a new allocation on the day it is made; the earlier one keeps its
    # date, so what was collected in a month (the fee statement, receivables as of a day)
    # never moves after the fact.
    allocation = PaymentAllocation.objects.create(
        payment=payment,
        bill=bill,
        amount=amount,
        allocated_on=timezone.localdate(),
        allocated_by=actor,
    )
    audit_record(
        actor=actor,
        action="billing.payment_allocate",
        obj=allocation,
        matter_id=bill.matter_id,
        data={"payment": payment.pk, "bill": bill.pk, "amount": str(amount)},
    )
    return allocation


@transaction.atomic
def payment_record(
    *,
    actor: User,
    client: Any,
    received_on: date | None,
    amount: Decimal | None,
    method: str,
    payer: str,
    reference: str = "",
    note: str = "",
    matter: Any = None,
    allocations: Sequence[AllocationIn] = (),
) -> Payment:
    """Record fee money received from `client` and apply it to bills in the same
    transaction; what is not applied is held as 预收款. `matter` (read through the money
    gate) when the payer said which matter it is for. Finance only."""
    _require(actor)
    errors: Errors = {}
    if amount is None:
        add_error(errors, "amount", _("Enter an amount."))
    check_positive(errors, "amount", amount)
    check_past_date(errors, "received_on", received_on)
    if method not in PaymentMethod.values:
        add_error(errors, "method", _("Choose how the money was paid."))
    payer = (payer or "").strip()
    if not payer:
        add_error(errors, "payer", _("Enter who paid."))
    elif len(payer) > 200:
        add_error(errors, "payer", _("This text is too long."))
    if len(reference) > 100:
        add_error(errors, "reference", _("This text is too long."))
    if len(note) > 2000:
        add_error(errors, "note", _("This text is too long."))
    if matter is not None and client.pk not in {c.pk for c in matter_clients(matter=matter)}:
        add_error(errors, "matter", _("The payer's matter must be a matter of this client."))
    if len({a.bill.pk for a in allocations}) != len(allocations):
        add_error(errors, "allocations", _("Apply the payment to each bill once."))
    if (
        amount is not None
        and "amount" not in errors
        and sum((a.amount for a in allocations), Decimal("0")) > amount
    ):
        add_error(errors, "allocations", _("The allocations add up to more than the payment."))
    # A missing date is among the errors already.
    if errors or received_on is None:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        client=client,
        matter=matter,
        received_on=received_on,
        amount=amount,
        method=method,
        payer=payer,
        reference=reference.strip(),
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="billing.payment_record",
        obj=payment,
        matter_id=getattr(matter, "pk", None),
        data={"client": client.pk, "amount": str(amount), "method": method},
    )
    for allocation in allocations:
        _allocate(
            actor=actor,
            payment=payment,
            bill=allocation.bill,
            amount=allocation.amount,
            field="allocations",
        )
    payment.refresh_from_db()
    return payment


@transaction.atomic
def payment_allocate(
    *, actor: User, payment: Payment, bill: Bill, amount: Decimal
) -> PaymentAllocation:
    """Apply held money (预收款) of `payment` to an issued bill of the same client."""
    _require(actor)
    return _allocate(actor=actor, payment=payment, bill=bill, amount=amount, field="amount")


@transaction.atomic
def payment_refund(
    *,
    actor: User,
    payment: Payment,
    amount: Decimal | None,
    refunded_on: date | None,
    method: str,
    reason: str,
    reference: str = "",
) -> Refund:
    """Return fee money to the client out of the payment's unallocated part."""
    _require(actor)
    errors: Errors = {}
    if amount is None:
        add_error(errors, "amount", _("Enter an amount."))
    check_positive(errors, "amount", amount)
    check_past_date(errors, "refunded_on", refunded_on)
    if method not in PaymentMethod.values:
        add_error(errors, "method", _("Choose how the money was paid."))
    reason = (reason or "").strip()
    if not reason:
        add_error(errors, "reason", _("Give the reason for the refund."))
    elif len(reason) > 2000:
        add_error(errors, "reason", _("This text is too long."))
    if len(reference) > 100:
        add_error(errors, "reference", _("This text is too long."))
    # A missing date or amount is among the errors already.
    if errors or refunded_on is None or amount is None:
        raise ValidationError(errors)
    took = Payment.objects.filter(
        pk=payment.pk,
        status=PaymentStatus.RECORDED,
        amount__gte=F("allocated") + F("refunded") + amount,
    ).update(refunded=F("refunded") + amount)
    if not took:
        raise ValidationError(
            {"amount": [_("Only the unallocated part of a payment can be refunded.")]}
        )
    refund = Refund.objects.create(
        payment=payment,
        client_id=payment.client_id,
        amount=amount,
        refunded_on=refunded_on,
        method=method,
        reference=reference.strip(),
        reason=reason,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="billing.payment_refund",
        obj=refund,
        matter_id=payment.matter_id,
        data={"payment": payment.pk, "amount": str(amount), "reason": reason},
    )
    return refund
