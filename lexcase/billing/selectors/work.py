"""Reads of the work area — fee agreements, time, expenses, client funds, fee allocation —
every one through the money gate (`selectors/shared.py` loads the matter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404

from lexcase.accounts.models import AnyUser, User
from lexcase.billing.contingency import contingency_cap
from lexcase.billing.models import (
    ISSUED_STATUSES,
    AgreementRate,
    AgreementStatus,
    BillLine,
    ClientFundsEntry,
    ClientFundsKind,
    Expense,
    FeeAgreement,
    FeeShare,
    MoneyKind,
    PaymentAllocation,
    TimeEntry,
)
from lexcase.billing.selectors.shared import agreements_visible_to
from lexcase.billing.services.shared import ui_lang
from lexcase.core.fixedsql import fixed_rows
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matters_money_visible_to, money_visible_through


def agreements_of(*, matter: Matter) -> QuerySet[FeeAgreement]:
    """Every version of `matter`'s fee terms (the caller passed the money gate), newest
    first, with instalments, rates and shares."""
    return (
        FeeAgreement.objects.filter(matter=matter)
        .select_related("proposed_by", "approved_by")
        .prefetch_related(
            "instalments",
            Prefetch("rates", queryset=AgreementRate.objects.select_related("lawyer")),
            Prefetch(
                "shares", queryset=FeeShare.objects.select_related("lawyer").order_by("role", "id")
            ),
        )
        .order_by("-version_no")
    )


def agreement_for(*, user: AnyUser, pk: Any) -> FeeAgreement:
    """One agreement whose matter's money `user` may see; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    agreement = (
        agreements_visible_to(user)
        .select_related("matter", "proposed_by", "approved_by")
        .prefetch_related("instalments", "rates__lawyer", "shares__lawyer")
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement


def agreement_approved(*, matter_id: int) -> FeeAgreement | None:
    return FeeAgreement.objects.filter(matter_id=matter_id, status=AgreementStatus.APPROVED).first()


def agreement_cap_steps(agreement: FeeAgreement) -> list[str]:
    """The tiered cap's computation at the agreement's basis, in the reader's language
    (recomputed: the stored snapshot is the figure, these are its steps)."""
    if agreement.contingency_basis_amount is None:
        return []
    return contingency_cap(agreement.contingency_basis_amount, lang=ui_lang()).steps


# -- time -------------------------------------------------------------------------------------


def time_entries_of(*, matter: Matter) -> QuerySet[TimeEntry]:
    """A matter's time (the caller passed the money gate), newest first."""
    return (
        TimeEntry.objects.filter(matter_id=matter.pk)
        .select_related("lawyer")
        .order_by("-work_date", "-id")
    )


def running_timer(*, user: AnyUser) -> TimeEntry | None:
    """`user`'s running timer, with `matter_seen`: whether they still see its matter's money.
    A wall added while it runs takes the member off the team, and the banner then names
    nothing of the matter (nor the description, which is about it); they can still stop it."""
    seen = TimeEntry.objects.filter(money_visible_through(user), pk=OuterRef("pk"))
    return (
        TimeEntry.objects.filter(
            lawyer_id=user.pk, timer_started_at__isnull=False, timer_stopped_at__isnull=True
        )
        .annotate(matter_seen=Exists(seen))
        .select_related("matter")
        .only(
            "id", "matter__id", "matter__number", "matter__title", "timer_started_at", "description"
        )
        .first()
    )


def time_entry_matter_seen(*, user: AnyUser, entry: TimeEntry) -> bool:
    """Whether `user` still sees the money of `entry`'s matter: a member walled off it while
    their timer ran gets their stopped entry back without its matter or description."""
    return TimeEntry.objects.filter(money_visible_through(user), pk=entry.pk).exists()


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass
class TimesheetRow:
    matter_id: int
    number: str
    title: str
    minutes: list[int]  # Monday … Sunday
    billable: int

    @property
    def total(self) -> int:
        return sum(self.minutes)


@dataclass
class Timesheet:
    lawyer: User
    days: list[date]
    rows: list[TimesheetRow]

    @property
    def day_totals(self) -> list[int]:
        return [sum(r.minutes[i] for r in self.rows) for i in range(7)]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def billable(self) -> int:
        return sum(r.billable for r in self.rows)


def timesheet(*, viewer: AnyUser, lawyer: User, week_start: date) -> Timesheet:
    """`lawyer`'s recorded minutes per matter and day of the week from `week_start`, on the
    matters whose money `viewer` sees (one grouped query; running timers count 0)."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    grouped = (
        TimeEntry.objects.filter(
            money_visible_through(viewer),
            lawyer_id=lawyer.pk,
            work_date__gte=days[0],
            work_date__lte=days[-1],
        )
        .values("matter_id", "matter__number", "matter__title", "work_date", "billable")
        .annotate(m=Sum("minutes"))
        .order_by("matter__number", "matter_id")
    )
    rows: dict[int, TimesheetRow] = {}
    for g in grouped:
        row = rows.get(g["matter_id"])
        if row is None:
            row = rows[g["matter_id"]] = TimesheetRow(
                g["matter_id"], g["matter__number"] or "", g["matter__title"], [0] * 7, 0
            )
        row.minutes[(g["work_date"] - week_start).days] += g["m"] or 0
        if g["billable"]:
            row.billable += g["m"] or 0
    return Timesheet(lawyer=lawyer, days=days, rows=list(rows.values()))


# -- expenses and client funds ----------------------------------------------------------------


def expenses_of(*, matter: Matter) -> QuerySet[Expense]:
    """A matter's expenses (the caller passed the money gate), newest first. The receipt is
    named by id only: opening it goes through the documents gate."""
    return (
        Expense.objects.filter(matter_id=matter.pk)
        .select_related("recorded_by")
        .order_by("-incurred_on", "-id")
    )


def client_funds_of(*, matter: Matter) -> QuerySet[ClientFundsEntry]:
    return (
        ClientFundsEntry.objects.filter(matter_id=matter.pk)
        .select_related("client", "recorded_by")
        .order_by("-entry_date", "-id")
    )


@dataclass
class FundsBalance:
    client_id: int
    client_name: str
    matter_id: int
    matter_number: str
    matter_title: str
    received: Decimal
    paid_out: Decimal
    refunded: Decimal

    @property
    def balance(self) -> Decimal:
        return self.received - self.paid_out - self.refunded


def _funds_query(qs: QuerySet[ClientFundsEntry]) -> QuerySet[Any]:
    return (
        qs.values("client_id", "client__name", "matter_id", "matter__number", "matter__title")
        .annotate(
            received=Sum("amount", filter=Q(kind=ClientFundsKind.RECEIPT)),
            paid_out=Sum("amount", filter=Q(kind=ClientFundsKind.DISBURSEMENT)),
            refunded=Sum("amount", filter=Q(kind=ClientFundsKind.REFUND)),
        )
        .order_by("client__name", "matter__number")
    )


def _funds_grouped(qs: QuerySet[ClientFundsEntry], grouped: Any = None) -> list[FundsBalance]:
    """`grouped`: the rows of `_funds_query(qs)`, when the caller has read them."""
    if grouped is None:
        grouped = _funds_query(qs)
    zero = Decimal("0.00")
    return [
        FundsBalance(
            g["client_id"],
            g["client__name"],
            g["matter_id"],
            g["matter__number"] or "",
            g["matter__title"],
            g["received"] or zero,
            g["paid_out"] or zero,
            g["refunded"] or zero,
        )
        for g in grouped
    ]


def client_funds_balances(*, user: AnyUser, matter: Matter | None = None) -> list[FundsBalance]:
    """Money held per client and matter (代收代付), on the matters whose money `user`
    sees: one grouped query."""
    qs = ClientFundsEntry.objects.filter(matter__in=matters_money_visible_to(user))
    if matter is not None:
        qs = qs.filter(matter_id=matter.pk)
    return _funds_grouped(qs)


# -- the matter page's money summary ----------------------------------------------------------


def matter_money_summary(*, matter: Matter) -> dict[str, Any]:
    """A handful of aggregates for the matter page (the caller passed the money gate)."""
    # Fixed reads (core.fixedsql): compiled once per process. The sums are grouped by the
    # matter (no row when it has none), not `aggregate()`, whose query is built per call.
    times: list[Any] = fixed_rows(
        "billing.page_time",
        lambda m: (
            TimeEntry.objects.filter(matter_id=m)
            .values("matter_id")
            .annotate(
                recorded=Sum("minutes"),
                unbilled=Sum("minutes", filter=Q(billable=True, bill_line__isnull=True)),
            )
            .order_by()
        ),
        matter.pk,
    )
    time = times[0] if times else {"recorded": None, "unbilled": None}
    expenses: list[Any] = fixed_rows(
        "billing.page_expenses",
        lambda m: (
            Expense.objects.filter(matter_id=m)
            .values("matter_id")
            .annotate(total=Sum("amount"))
            .order_by()
        ),
        matter.pk,
    )
    funds = fixed_rows(
        "billing.page_funds",
        lambda m: _funds_query(ClientFundsEntry.objects.filter(matter_id=m)),
        matter.pk,
    )
    held = sum(
        (b.balance for b in _funds_grouped(ClientFundsEntry.objects.none(), funds)), Decimal("0.00")
    )
    # The agreement in force (as agreement_approved: the first approved by id) and whether a
    # proposal is open, in one read of the matter's few agreements.
    open_statuses = (AgreementStatus.DRAFT, AgreementStatus.PENDING)
    agreements = fixed_rows(
        "billing.page_agreements",
        lambda m: FeeAgreement.objects.filter(
            matter_id=m, status__in=[AgreementStatus.APPROVED, *open_statuses]
        ).order_by("pk"),
        matter.pk,
    )
    return {
        "agreement": next((a for a in agreements if a.status == AgreementStatus.APPROVED), None),
        "open_proposal": any(a.status in open_statuses for a in agreements),
        "minutes": time["recorded"] or 0,
        "unbilled_minutes": time["unbilled"] or 0,
        "expenses": (expenses[0]["total"] if expenses else None) or Decimal("0.00"),
        "funds_held": held,
    }


# -- fee allocation (提成/分配) ----------------------------------------------------------------


@dataclass
class StatementMonth:
    month: int
    minutes: int = 0
    billable_minutes: int = 0
    collected: Decimal = Decimal(0)  # the fee part of allocations, exact
    share: Decimal = Decimal(0)  # × the lawyer's percent, exact (rounded when shown)


@dataclass
class StatementMatter:
    matter_id: int
    number: str
    title: str
    percent: Decimal
    collected: Decimal = Decimal(0)
    share: Decimal = Decimal(0)


@dataclass
class FeeStatement:
    lawyer: User
    year: int
    months: list[StatementMonth]
    matters: list[StatementMatter]

    @property
    def collected(self) -> Decimal:
        return sum((m.collected for m in self.months), Decimal(0))

    @property
    def share(self) -> Decimal:
        return sum((m.share for m in self.months), Decimal(0))

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.months)

    @property
    def billable_minutes(self) -> int:
        return sum(m.billable_minutes for m in self.months)


_MONEY = DecimalField(max_digits=16, decimal_places=2)


def fee_statement(*, viewer: AnyUser, lawyer: User, year: int) -> FeeStatement:
    """`lawyer`'s year, month by month, on the matters whose money `viewer` sees: the time
    they recorded, and the fees collected under agreements that give them a share
    (提成/分配) × that share.

    Collected = each payment allocation (by its `allocated_on` month) to an issued bill
    drawn under the agreement, counted for the bill's legal-service-fee lines only: the
    allocation × fee lines / bill total (pass-through costs and travel are never a fee).
    Figures stay exact here and are rounded half-up to the fen once, where shown. Three
    queries whatever the number of entries, agreements or bills: one row of the year's time
    as filtered sums per month, the lawyer's shares, and the year's allocations with their
    bill's fee lines (a correlated subquery) on the agreements the lawyer has a share in (a
    subquery)."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    months = [StatementMonth(m) for m in range(1, 13)]
    # One row of 24 filtered sums (minutes and billable minutes per month) by plain date
    # comparisons: no month truncation per entry (a Python function per row on SQLite) and
    # no grouping.
    bounds = [date(year, m, 1) for m in range(1, 13)] + [end]
    sums: dict[str, Any] = {}
    for m in range(12):
        in_month = Q(work_date__gte=bounds[m], work_date__lt=bounds[m + 1])
        sums[f"t{m}"] = Sum("minutes", filter=in_month)
        sums[f"b{m}"] = Sum("minutes", filter=in_month & Q(billable=True))
    time_row = TimeEntry.objects.filter(
        money_visible_through(viewer),
        lawyer_id=lawyer.pk,
        work_date__gte=start,
        work_date__lt=end,
    ).aggregate(**sums)
    for m, month in enumerate(months):
        month.minutes = time_row[f"t{m}"] or 0
        month.billable_minutes = time_row[f"b{m}"] or 0

    percents: dict[int, Decimal] = {}
    for agreement_id, percent in FeeShare.objects.filter(lawyer_id=lawyer.pk).values_list(
        "agreement_id", "percent"
    ):
        # A lawyer may hold two roles on one agreement (originator and handler).
        percents[agreement_id] = percents.get(agreement_id, Decimal(0)) + percent
    matters: dict[int, StatementMatter] = {}
    if percents:
        # The lawyer's agreements and each bill's fee lines as subqueries, not lists of ids:
        # a lawyer with a share in hundreds of agreements made two IN lists of hundreds of
        # parameters per call (most of the statement's client CPU at 100k matters).
        fee_lines = (
            BillLine.objects.filter(bill_id=OuterRef("bill_id"), kind=MoneyKind.SERVICE_FEE)
            .order_by()
            .values("bill_id")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        # One row per allocation (no grouping: a lawyer's bills take one to a few each).
        allocations = (
            PaymentAllocation.objects.filter(
                money_visible_through(viewer, "bill__matter"),
                bill__agreement_id__in=FeeShare.objects.filter(lawyer_id=lawyer.pk).values(
                    "agreement_id"
                ),
                bill__status__in=ISSUED_STATUSES,
                allocated_on__gte=start,
                allocated_on__lt=end,
            )
            .annotate(fees=Subquery(fee_lines, output_field=_MONEY))
            .values(
                "allocated_on",
                "amount",
                "fees",
                "bill__total",
                "bill__agreement_id",
                "bill__matter_id",
                "bill__matter__number",
                "bill__matter__title",
            )
            .order_by()
        )
        for a in allocations:
            fees, total = a["fees"] or Decimal(0), a["bill__total"]
            if not fees or not total:
                continue
            collected = a["amount"] * fees / total
            percent = percents.get(a["bill__agreement_id"], Decimal(0))
            share = collected * percent / 100
            month = months[a["allocated_on"].month - 1]
            month.collected += collected
            month.share += share
            matter = matters.get(a["bill__matter_id"])
            if matter is None:
                matter = matters[a["bill__matter_id"]] = StatementMatter(
                    a["bill__matter_id"],
                    a["bill__matter__number"] or "",
                    a["bill__matter__title"],
                    percent,
                )
            matter.collected += collected
            matter.share += share
    return FeeStatement(
        lawyer=lawyer,
        year=year,
        months=months,
        matters=sorted(matters.values(), key=lambda m: m.number),
    )


def money_matters(*, user: AnyUser, q: str = "", limit: int = 50) -> list[Matter]:
    """Matters whose money `user` sees (finance: every matter's), newest first, filtered by
    number or title: the way into a matter's money pages for those who may not open the
    matter itself."""
    qs = matters_money_visible_to(user).only("id", "number", "title", "matter_type", "status")
    # No number or title holds a NUL, and PostgreSQL refuses one in a query (a 500).
    q = q.replace("\x00", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return list(qs.order_by("-id")[:limit])
