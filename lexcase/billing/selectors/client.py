"""What a client reads of its own bills (the client portal), beside the money gate.

The money gate (`matters_money_visible_to`) admits no client user, so the portal cannot read
bills through it. Here the caller passes the matters its own gate admits the client to (the
portal's grants whose bills switch is on: `lexcase.portal.selectors.portal_bill_matters`)
and the client's party; billing adds its own conditions on top: only bills issued *to that
party* (a co-client's bill on the same matter is not theirs), never a draft (not sent) or a
void bill, and of each bill only what was issued — its lines as issued (never the time
entries or expenses behind them), the payments received with their date and amount (never
the payer, reference or the firm's note of a payment, nor what else it paid).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lexcase.billing.models import ISSUED_STATUSES, Bill, BillLine, PaymentAllocation
from lexcase.matters.models import Matter

# What of a bill the client reads (no void reason, no who issued it, no version).
CLIENT_BILL_FIELDS = (
    "id",
    "number",
    "matter",
    "client",
    "status",
    "issued_on",
    "due_on",
    "total",
    "paid",
    "note",
    "matter__id",
    "matter__number",
    "matter__title",
)


def client_bills(*, client_id: int, matters: QuerySet[Matter]) -> QuerySet[Bill]:
    """The issued, partly paid and paid bills issued to `client_id` on `matters` (a set the
    caller's gate admits the client to), newest first."""
    return (
        Bill.objects.filter(client_id=client_id, matter__in=matters, status__in=ISSUED_STATUSES)
        .select_related("matter")
        .only(*CLIENT_BILL_FIELDS)
        .order_by("-issued_on", "-pk")
    )


def client_bill_get(*, client_id: int, matters: QuerySet[Matter], pk: Any) -> Bill:
    """One of `client_bills`; 404 for anything else (another client's, a draft, a void bill,
    a matter outside `matters`), so existence never leaks."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    bill = client_bills(client_id=client_id, matters=matters).filter(pk=pk).first()
    if bill is None:
        raise Http404
    return bill


@dataclass(frozen=True)
class ClientLine:
    position: int
    kind: str
    description: str
    amount: Decimal


def client_bill_lines(*, bill: Bill) -> list[ClientLine]:
    """The bill's lines as issued (their text was written when the bill was drawn)."""
    return [
        ClientLine(line.position, line.get_kind_display(), line.description, line.amount)
        for line in BillLine.objects.filter(bill=bill).order_by("position", "pk")
    ]


@dataclass(frozen=True)
class ClientPayment:
    on: date
    amount: Decimal


def client_bill_payments(*, bill: Bill) -> list[ClientPayment]:
    """The money received on this bill: each application's date and amount (this bill's
    part only)."""
    return [
        ClientPayment(on, amount)
        for on, amount in PaymentAllocation.objects.filter(bill=bill)
        .order_by("allocated_on", "pk")
        .values_list("allocated_on", "amount")
    ]
