"""Reads of the bills area — bills, payments, invoices, receivables — every one through the
money gate (`matters_money_visible_to`): finance and administrators see every matter's bills
(confidential ones included, walls still apply), everyone else those of the matters they
see. A payment is not on a matter but a client's: it is shown to those who may record one
(finance) and to administrators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lexcase.accounts.models import Role
from lexcase.billing.models import Bill, BillLine, Payment, PaymentAllocation, Refund
from lexcase.billing.selectors.shared import MATTER_MONEY_FIELDS
from lexcase.matters.models import EthicalWall, Matter
from lexcase.matters.selectors import matters_money_visible_to
from lexcase.parties.models import Party

PAGE_SIZE = 50


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def bills_of(user: Any) -> QuerySet[Bill]:
    """Bills whose matter's money `user` may see, with the matter's money fields and the
    client loaded."""
    matter_fields = [f"matter__{f}" for f in MATTER_MONEY_FIELDS]
    return (
        Bill.objects.filter(matter__in=matters_money_visible_to(user))
        .select_related("matter", "client")
        .only(
            *(f.name for f in Bill._meta.concrete_fields),
            *matter_fields,
            "client__id",
            "client__name",
        )
    )


@dataclass(frozen=True)
class BillPage:
    items: list[Bill]
    next_after: int | None


def bills_page(
    *, user: Any, status: str = "", matter: Matter | None = None, after: int | None = None
) -> BillPage:
    """Newest first, keyset-paged by id."""
    rows = bills_of(user).order_by("-pk")
    if status:
        rows = rows.filter(status=status)
    if matter is not None:
        rows = rows.filter(matter=matter)
    if after:
        rows = rows.filter(pk__lt=after)
    items = list(rows[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return BillPage(items=items, next_after=items[-1].pk if more else None)


def bill_get(*, user: Any, pk: Any) -> Bill:
    """The bill if `user` may see its matter's money; 404 otherwise."""
    bill = bills_of(user).filter(pk=_pk(pk)).first()
    if bill is None:
        raise Http404
    return bill


def bill_lines(*, bill: Bill) -> list[BillLine]:
    return list(BillLine.objects.filter(bill=bill).order_by("position", "pk"))


def money_matter_by_number(*, user: Any, number: str) -> Matter | None:
    """A matter by its number, if `user` may see its money (the draw form names it)."""
    number = (number or "").strip()
    if not number:
        return None
    return matters_money_visible_to(user).only(*MATTER_MONEY_FIELDS).filter(number=number).first()


def payments_of(user: Any) -> QuerySet[Payment]:
    """Payments `user` may see: finance and administrators every payment (but not one sent
    for a matter they are walled off); others those sent for matters whose money they see."""
    if not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return Payment.objects.none()
    rows = Payment.objects.select_related("client", "matter")
    if user.role in (Role.FINANCE, Role.ADMIN):
        walled = EthicalWall.objects.filter(user=user).values("matter_id")
        return rows.exclude(matter_id__in=walled)
    return rows.filter(matter__in=matters_money_visible_to(user))


def payments_page(*, user: Any, after: int | None = None) -> tuple[list[Payment], int | None]:
    rows = payments_of(user).order_by("-pk")
    if after:
        rows = rows.filter(pk__lt=after)
    items = list(rows[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return items, (items[-1].pk if more else None)


def payment_get(*, user: Any, pk: Any) -> Payment:
    payment = payments_of(user).filter(pk=_pk(pk)).first()
    if payment is None:
        raise Http404
    return payment


def payment_allocations(*, payment: Payment) -> list[PaymentAllocation]:
    return list(
        PaymentAllocation.objects.filter(payment=payment).select_related("bill").order_by("pk")
    )


def payment_refunds(*, payment: Payment) -> list[Refund]:
    return list(Refund.objects.filter(payment=payment).order_by("pk"))


def bill_allocations(*, bill: Bill) -> list[PaymentAllocation]:
    return list(
        PaymentAllocation.objects.filter(bill=bill).select_related("payment").order_by("pk")
    )


def bill_by_number(*, user: Any, number: str) -> Bill | None:
    number = (number or "").strip()
    return bills_of(user).filter(number=number).first() if number else None


def client_get(*, pk: Any) -> Party | None:
    """A party by id for recording a payment (finance books any client's money)."""
    try:
        return Party.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
