"""Reads of the bills area — bills, payments, invoices, receivables — every one through the
money gate (`matters_money_visible_to`): finance and administrators see every matter's bills
(confidential ones included, walls still apply), everyone else those of the matters they
see. A payment is a client's and may pay bills on several of its matters: a reader sees it
(payer, reference, amount, what it paid, what is held) only when they see the money of its
matter and of every bill it was applied to; whoever sees a bill sees the amount applied to
it (`bill_allocations`)."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.billing.models import (
    ISSUED_STATUSES,
    Bill,
    BillLine,
    BillStatus,
    Invoice,
    Payment,
    PaymentAllocation,
    Refund,
)
from lexcase.billing.money import quantize, yuan
from lexcase.billing.selectors.shared import MATTER_MONEY_FIELDS
from lexcase.core.validators import has_utf8
from lexcase.matters.extensions import AgendaItem
from lexcase.matters.models import EthicalWall, Matter, MatterMember, MemberRole
from lexcase.matters.rules import sees_all_money
from lexcase.matters.selectors import (
    MatterSet,
    matters_money_visible_to,
    money_visible_through,
    visible_through,
)
from lexcase.parties.models import Party

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAGE_SIZE = 50


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def bills_of(user: AnyUser) -> QuerySet[Bill]:
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
    *, user: AnyUser, status: str = "", matter: Matter | None = None, after: int | None = None
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


def bill_get(*, user: AnyUser, pk: Any) -> Bill:
    """The bill if `user` may see its matter's money; 404 otherwise."""
    bill = bills_of(user).filter(pk=_pk(pk)).first()
    if bill is None:
        raise Http404
    return bill


def bill_lines(*, bill: Bill) -> list[BillLine]:
    return list(BillLine.objects.filter(bill=bill).order_by("position", "pk"))


def money_matter_by_number(*, user: AnyUser, number: str) -> Matter | None:
    """A matter by its number, if `user` may see its money (the draw form names it)."""
    number = (number or "").strip()
    if not number:
        return None
    return matters_money_visible_to(user).only(*MATTER_MONEY_FIELDS).filter(number=number).first()


def payments_of(user: AnyUser) -> QuerySet[Payment]:
    """Payments `user` may see: finance and administrators every payment (but not one sent
    for a matter they are walled off), others those sent for matters whose money they see;
    for everyone, never one applied to a bill whose matter's money they may not see (its
    amount, payer and held money are also that matter's)."""
    if not isinstance(user, User) or not user.is_active:
        return Payment.objects.none()
    rows = Payment.objects.select_related("client", "matter")
    if sees_all_money(user):
        walled = EthicalWall.objects.filter(user=user).values("matter_id")
        rows = rows.exclude(matter_id__in=walled)
    else:
        rows = rows.filter(matter__in=matters_money_visible_to(user))
    return rows.exclude(applied_where_hidden(user))


def applied_where_hidden(user: AnyUser, field: str = "pk") -> Exists:
    """Payments (`field`: the path to the payment's id) with an allocation to a bill whose
    matter's money `user` may not see: a correlated probe of the payment's allocations."""
    return Exists(
        PaymentAllocation.objects.filter(payment_id=OuterRef(field)).exclude(
            money_visible_through(user, "bill__matter")
        )
    )


def payments_for(*, matters: MatterSet, user: AnyUser) -> QuerySet[Payment]:
    """Payments sent for a matter of `matters`, a set the caller took from `user`'s
    confidentiality gate (firm aggregates; see `shared.bills_of`); never one on no matter,
    nor one also applied to a bill whose matter's money `user` may not see (its amount is
    partly that matter's: `payments_of`)."""
    return Payment.objects.filter(matters.rows("matter")).exclude(applied_where_hidden(user))


def payments_page(*, user: User, after: int | None = None) -> tuple[list[Payment], int | None]:
    rows = payments_of(user).order_by("-pk")
    if after:
        rows = rows.filter(pk__lt=after)
    items = list(rows[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return items, (items[-1].pk if more else None)


def payment_get(*, user: User, pk: Any) -> Payment:
    payment = payments_of(user).filter(pk=_pk(pk)).first()
    if payment is None:
        raise Http404
    return payment


def payment_allocations(*, user: AnyUser, payment: Payment) -> list[PaymentAllocation]:
    """The allocations of a payment `user` passed `payment_get` for, to bills whose matter's
    money they see: one payment of a client may pay bills on several of its matters, and a
    bill on a matter hidden from the reader (confidential, walled) is not named to them."""
    return list(
        PaymentAllocation.objects.filter(
            money_visible_through(user, "bill__matter"), payment=payment
        )
        .select_related("bill")
        .order_by("pk")
    )


def payment_refunds(*, payment: Payment) -> list[Refund]:
    return list(Refund.objects.filter(payment=payment).order_by("pk"))


class _Seen(TypedDict):
    payment_seen: bool


def bill_allocations(
    *, user: AnyUser, bill: Bill
) -> list[WithAnnotations[PaymentAllocation, _Seen]]:
    """The payments applied to a bill `user` passed `bill_get` for: each allocation's date and
    amount (this bill's), and `payment_seen`, whether `user` may see the payment itself
    (`payments_of`); only then may its payer be shown or its page linked — a payment sent
    for, or also applied to, a matter hidden from the reader is that matter's money too."""
    seen = payments_of(user).filter(pk=OuterRef("payment_id"))
    return list(
        PaymentAllocation.objects.filter(bill=bill)
        .annotate(payment_seen=Exists(seen))
        .select_related("payment")
        .order_by("allocated_on", "pk")
    )


def bill_by_number(*, user: AnyUser, number: str) -> Bill | None:
    number = (number or "").strip()
    return bills_of(user).filter(number=number).first() if number else None


def client_get(*, pk: Any) -> Party | None:
    """A party by id for recording a payment (finance books any client's money)."""
    try:
        return Party.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


# -- receivables (应收账款) ---------------------------------------------------------------------

# Aging buckets by days since the bill was issued: (key, first day, last day or None).
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0_30", 0, 30),
    ("31_90", 31, 90),
    ("91_180", 91, 180),
    ("over_180", 181, None),
)
BUCKET_KEYS = tuple(key for key, _first, _last in AGING_BUCKETS)


def _bucket_of(as_of: date, issued_on: str = "issued_on") -> Case:
    """The aging bucket of a bill by its issue date (`issued_on`: the path to it), as SQL
    (plain date comparisons: the same on both databases)."""
    whens = [
        When(**{f"{issued_on}__gte": as_of - timedelta(days=last)}, then=Value(key))
        for key, _first, last in AGING_BUCKETS
        if last is not None
    ]
    return Case(*whens, default=Value(AGING_BUCKETS[-1][0]), output_field=CharField())


@dataclass
class ReceivableRow:
    client_id: int
    client_name: str
    matter_id: int
    matter_number: str
    matter_title: str
    issued: Decimal = Decimal("0.00")
    allocated: Decimal = Decimal("0.00")
    buckets: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(BUCKET_KEYS, Decimal("0.00"))
    )

    @property
    def open(self) -> Decimal:
        return self.issued - self.allocated


@dataclass
class Receivables:
    as_of: date
    rows: list[ReceivableRow]
    totals: ReceivableRow
    page: int = 1
    has_next: bool = False


RECEIVABLES_PAGE_SIZE = 50
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _allocated_by(as_of: date) -> Any:
    """What was allocated to a bill by the end of `as_of`, as SQL on the bill's row. `paid`
    is the sum of its allocations (kept under the bill's row lock), and an allocation is
    dated the day it is made, so up to today it is `paid`; for an earlier day, less what was
    allocated after it (a probe of the bill's allocations)."""
    if as_of >= timezone.localdate():
        return F("paid")
    later = (
        PaymentAllocation.objects.filter(bill=OuterRef("pk"), allocated_on__gt=as_of)
        .values("bill")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return ExpressionWrapper(
        F("paid") - Coalesce(Subquery(later, output_field=_MONEY), Value(Decimal("0"))),
        output_field=_MONEY,
    )


def _in_bucket(as_of: date, first: int, last: int | None) -> Q:
    """Bills issued `first`..`last` days before `as_of` (plain date comparisons)."""
    q = Q(issued_on__lte=as_of - timedelta(days=first))
    if last is not None:
        q &= Q(issued_on__gte=as_of - timedelta(days=last))
    return q


def _fen(value: Any) -> Decimal:
    # SQLite keeps decimals as floating point: its sums are exact again once rounded to the
    # fen (every addend has at most two decimals).
    return quantize(value or 0)


def _receivables_grouped(
    *,
    user: AnyUser,
    as_of: date,
    client_id: int | None,
    matter: Matter | None,
    include_settled: bool,
    after: tuple[str, str, int] | None = None,
) -> tuple[QuerySet, QuerySet]:
    """The receivables rows grouped in SQL with their names and sorted by client name and
    matter number, and the same groups by ids only (for the totals); `after`, a row's
    (client name, matter number, client id), keeps the rows sorted after it (keyset)."""
    # Finance and administrators: a wall probe per bill (no list of every matter); everyone
    # else: their visible matters first, usually few (a lawyer's: 0.2x the bare aggregate
    # with the list, 1.2x with a gate probe per bill at 100k matters, SQLite).
    gate = (
        money_visible_through(user)
        if sees_all_money(user)
        else Q(matter__in=matters_money_visible_to(user))
    )
    bills = Bill.objects.filter(gate, status__in=ISSUED_STATUSES, issued_on__lte=as_of)
    if client_id is not None:
        bills = bills.filter(client_id=client_id)
    if matter is not None:
        bills = bills.filter(matter=matter)
    allocated = _allocated_by(as_of)
    owed = ExpressionWrapper(F("total") - allocated, output_field=_MONEY)
    figures = {
        "issued": Sum("total"),
        "allocated": Sum(allocated, output_field=_MONEY),
        **{
            f"b_{key}": Sum(owed, filter=_in_bucket(as_of, first, last), output_field=_MONEY)
            for key, first, last in AGING_BUCKETS
        },
    }

    def grouped(source: QuerySet, *keys: str) -> QuerySet:
        rows = (
            source.values("client_id", "matter_id", *keys)
            .annotate(**figures)
            .annotate(open_fen=Round(F("issued") - F("allocated"), 2, output_field=_MONEY))
        )
        return rows if include_settled else rows.exclude(open_fen=0)

    by_ids = grouped(bills).order_by()
    if after is not None:
        # The sort key of a row is a function of each of its bills: keep the bills after it.
        name, number, client = after
        bills = bills.filter(
            Q(client__name__gt=name)
            | Q(client__name=name, matter__number__gt=number)
            | Q(client__name=name, matter__number=number, client_id__gt=client)
        )
    named = grouped(bills, "client__name", "matter__number", "matter__title").order_by(
        "client__name", "matter__number", "client_id"
    )
    return named, by_ids


def _row(r: dict[str, Any]) -> ReceivableRow:
    return ReceivableRow(
        r["client_id"],
        r["client__name"] or "",
        r["matter_id"],
        r["matter__number"] or "",
        r["matter__title"],
        issued=_fen(r["issued"]),
        allocated=_fen(r["allocated"]),
        buckets={key: _fen(r[f"b_{key}"]) for key in BUCKET_KEYS},
    )


def _totals(by_ids: QuerySet) -> ReceivableRow:
    names = ("issued", "allocated", *(f"b_{key}" for key in BUCKET_KEYS))
    row = by_ids.aggregate(**{f"all_{name}": Sum(name, output_field=_MONEY) for name in names})
    return ReceivableRow(
        0,
        "",
        0,
        "",
        "",
        issued=_fen(row["all_issued"]),
        allocated=_fen(row["all_allocated"]),
        buckets={key: _fen(row[f"all_b_{key}"]) for key in BUCKET_KEYS},
    )


def receivables(
    *,
    user: AnyUser,
    as_of: date,
    client_id: int | None = None,
    matter: Matter | None = None,
    include_settled: bool = False,
    page: int | None = 1,
    page_size: int = RECEIVABLES_PAGE_SIZE,
) -> Receivables:
    """What clients owe on `as_of`, per client and matter: bills issued by then (void ones
    never count) less what was allocated to them by then, in aging buckets by days since
    issue (0–30, 31–90, 91–180, over 180); only the matters whose money `user` sees
    (finance and administrators: a correlated wall probe per bill, `money_visible_through`).
    Sorted by client name and matter number, `page_size` rows per `page` (`page=None`:
    every row in one list; the export streams them with `receivables_stream`, the API pages
    them with `receivables_after`); the totals cover every row. Two queries whatever the
    number of bills: the rows, grouped in SQL with their names, and the totals over the
    same groups."""
    rows_qs, by_ids = _receivables_grouped(
        user=user,
        as_of=as_of,
        client_id=client_id,
        matter=matter,
        include_settled=include_settled,
    )
    totals = _totals(by_ids)
    has_next = False
    if page is not None:
        offset = (max(page, 1) - 1) * page_size
        found = list(rows_qs[offset : offset + page_size + 1])
        has_next = len(found) > page_size
        found = found[:page_size]
    else:
        found = list(rows_qs)
    return Receivables(
        as_of=as_of,
        rows=[_row(r) for r in found],
        totals=totals,
        page=page or 1,
        has_next=has_next,
    )


class ReceivablesStream:
    """Every receivables row of `receivables` in the same order, read from the database in
    chunks (`iterator(chunk_size)`: a server-side cursor on PostgreSQL) and handed on one by
    one, so memory stays flat whatever the number of rows; one query. `totals` (the sum of
    the rows, each already to the fen: the same figures as the SQL totals) is complete once
    the rows have been iterated."""

    def __init__(self, rows: QuerySet, as_of: date, chunk_size: int) -> None:
        self.as_of = as_of
        self.totals = ReceivableRow(0, "", 0, "", "")
        self._rows = rows
        self._chunk_size = chunk_size

    def __iter__(self) -> Iterator[ReceivableRow]:
        totals = self.totals = ReceivableRow(0, "", 0, "", "")
        for r in self._rows.iterator(chunk_size=self._chunk_size):
            row = _row(r)
            totals.issued += row.issued
            totals.allocated += row.allocated
            for key, value in row.buckets.items():
                totals.buckets[key] += value
            yield row


def receivables_stream(
    *,
    user: AnyUser,
    as_of: date,
    client_id: int | None = None,
    matter: Matter | None = None,
    chunk_size: int = 2000,
) -> ReceivablesStream:
    """Every row of `receivables` (the Excel export), streamed: see `ReceivablesStream`."""
    rows_qs, _by_ids = _receivables_grouped(
        user=user, as_of=as_of, client_id=client_id, matter=matter, include_settled=False
    )
    return ReceivablesStream(rows_qs, as_of, chunk_size)


@dataclass(frozen=True)
class ReceivablesPage:
    as_of: date
    rows: list[ReceivableRow]
    totals: ReceivableRow | None  # over every row; on the first page only
    next_after: str | None


def _cursor_of(row: ReceivableRow) -> str:
    raw = json.dumps([row.client_name, row.matter_number, row.client_id], ensure_ascii=False)
    return urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_read(cursor: str) -> tuple[str, str, int]:
    try:
        name, number, client = json.loads(urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (
            isinstance(name, str)
            and isinstance(number, str)
            and "\x00" not in name + number  # PostgreSQL text takes no NUL
            and has_utf8(name + number)  # a lone surrogate ("\ud800") has no UTF-8: both refuse it
            and type(client) is int
            and 0 < client < 2**63
        ):
            return name, number, client
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    raise ValidationError({"after": [_("This is not a cursor this list gave out.")]})


def receivables_after(
    *,
    user: AnyUser,
    as_of: date,
    client_id: int | None = None,
    matter: Matter | None = None,
    after: str | None = None,
    limit: int = 500,
) -> ReceivablesPage:
    """`limit` rows of `receivables` after the row the cursor `after` names (keyset: the
    next page starts where the last one ended, even when rows were settled in between), and
    the cursor of the next page. The totals over every row are read on the first page only
    (no `after`): one query per page after that."""
    key = _cursor_read(after) if after else None
    rows_qs, by_ids = _receivables_grouped(
        user=user,
        as_of=as_of,
        client_id=client_id,
        matter=matter,
        include_settled=False,
        after=key,
    )
    found = [_row(r) for r in rows_qs[: limit + 1]]
    more = len(found) > limit
    found = found[:limit]
    return ReceivablesPage(
        as_of=as_of,
        rows=found,
        totals=None if key else _totals(by_ids),
        next_after=_cursor_of(found[-1]) if more else None,
    )


def matter_fees_open(*, matter: Matter) -> Decimal:
    """What the client still owes on `matter` today (issued bills less allocations): the
    closing checklist's "fees settled" reads zero here. No gate: the caller holds the
    matter already."""
    row = Bill.objects.filter(matter=matter, status__in=ISSUED_STATUSES).aggregate(
        total=Sum("total"), paid=Sum("paid")
    )
    return quantize(row["total"] or 0) - quantize(row["paid"] or 0)


def bill_invoices(*, user: AnyUser, bill: Bill) -> list[Invoice]:
    """The invoices recorded against a bill `user` passed `bill_get` for. One 发票 may cover
    bills of several matters of the client: one that also covers a bill whose matter's money
    `user` may not see is left out (its amount and bills are that matter's too)."""
    hidden = Bill.objects.filter(invoices=OuterRef("pk")).exclude(money_visible_through(user))
    return list(
        bill.invoices.exclude(Exists(hidden))
        .select_related("reversed_by")
        .prefetch_related("bills")
        .order_by("issued_on", "pk")
    )


def invoice_get(*, user: AnyUser, pk: Any, bill: Bill | None = None) -> Invoice:
    """An invoice on bills whose matters' money `user` sees, every one of them (one that also
    covers a hidden bill is that matter's too, as in `bill_invoices`), and on `bill` when one
    is given; 404 otherwise, so an invoice's existence never leaks."""
    hidden = Bill.objects.filter(invoices=OuterRef("pk")).exclude(money_visible_through(user))
    invoices = Invoice.objects.filter(Exists(Bill.objects.filter(invoices=OuterRef("pk"))))
    if bill is not None:
        invoices = invoices.filter(Exists(Bill.objects.filter(invoices=OuterRef("pk"), pk=bill.pk)))
    invoice = invoices.exclude(Exists(hidden)).filter(pk=_pk(pk)).first()
    if invoice is None:
        raise Http404
    return invoice


# -- what other apps read from here (registered in BillingConfig.ready) --------------------------


def fees_settled_read(matter: Matter) -> tuple[bool, str]:
    """The closing checklist's "fees settled" (`matters.archive.CHECKLIST_READERS`): done
    when nothing is owed on the matter's issued bills, else how much is. The closing page is
    behind the confidentiality gate, which for a matter's readers is at least its money gate."""
    owed = matter_fees_open(matter=matter)
    if owed <= 0:
        return True, ""
    return False, _("%(amount)s still owed on issued bills") % {"amount": yuan(owed)}


# The agenda's tag of an overdue bill.
AGENDA_LABEL = gettext_lazy("Overdue bill")


def overdue_bills_agenda(
    *, user: User, start: date | None, end: date, mine_only: bool
) -> list[AgendaItem]:
    """Issued bills past their due date with money still owed, on the agenda on their due
    day (so 今日 lists them as overdue): with `mine_only` those of the matters the user is the
    responsible partner of, otherwise those of every matter the user can open (the agenda
    links to the matter, so this is the confidentiality gate, not the money gate: finance
    follows bills on the receivables page)."""
    today = timezone.localdate()
    bills = Bill.objects.filter(
        visible_through(user),
        status__in=(BillStatus.ISSUED, BillStatus.PARTLY_PAID),
        due_on__lt=today,
        due_on__lte=end,
    )
    if start is not None:
        bills = bills.filter(due_on__gte=start)
    if mine_only:
        bills = bills.filter(
            matter_id__in=MatterMember.objects.filter(
                user=user, role=MemberRole.RESPONSIBLE_PARTNER
            ).values("matter_id")
        )
    return [
        AgendaItem(
            kind="bill_overdue",
            day=bill.due_on,
            at=None,
            title=_("Overdue bill %(number)s: %(amount)s owed")
            % {"number": bill.number, "amount": yuan(bill.total - bill.paid)},
            matter=bill.matter,
            priority=bill.matter.priority,
            obj=bill,
            url=reverse("billing:bill_detail", args=[bill.pk]),
            label=AGENDA_LABEL,
        )
        for bill in bills.select_related("matter").order_by("due_on", "pk")
        if bill.due_on is not None  # filtered: past due
    ]
