"""Reads of the work area — fee agreements, time, expenses, client funds, fee allocation —
every one through the money gate (`selectors/shared.py` loads the matter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404

from lexcase.billing.contingency import contingency_cap
from lexcase.billing.models import (
    AgreementRate,
    AgreementStatus,
    ClientFundsEntry,
    ClientFundsKind,
    Expense,
    FeeAgreement,
    FeeShare,
    TimeEntry,
)
from lexcase.billing.selectors.shared import agreements_visible_to
from lexcase.billing.services.shared import ui_lang
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matters_money_visible_to


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


def agreement_for(*, user: Any, pk: Any) -> FeeAgreement:
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


def running_timer(*, user: Any) -> TimeEntry | None:
    return (
        TimeEntry.objects.filter(
            lawyer_id=user.pk, timer_started_at__isnull=False, timer_stopped_at__isnull=True
        )
        .select_related("matter")
        .only(
            "id", "matter__id", "matter__number", "matter__title", "timer_started_at", "description"
        )
        .first()
    )


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
    lawyer: Any
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


def timesheet(*, viewer: Any, lawyer: Any, week_start: date) -> Timesheet:
    """`lawyer`'s recorded minutes per matter and day of the week from `week_start`, on the
    matters whose money `viewer` sees (one grouped query; running timers count 0)."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    grouped = (
        TimeEntry.objects.filter(
            lawyer_id=lawyer.pk,
            work_date__gte=days[0],
            work_date__lte=days[-1],
            matter__in=matters_money_visible_to(viewer),
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


def _funds_grouped(qs: QuerySet[ClientFundsEntry]) -> list[FundsBalance]:
    grouped = (
        qs.values("client_id", "client__name", "matter_id", "matter__number", "matter__title")
        .annotate(
            received=Sum("amount", filter=Q(kind=ClientFundsKind.RECEIPT)),
            paid_out=Sum("amount", filter=Q(kind=ClientFundsKind.DISBURSEMENT)),
            refunded=Sum("amount", filter=Q(kind=ClientFundsKind.REFUND)),
        )
        .order_by("client__name", "matter__number")
    )
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


def client_funds_balances(*, user: Any, matter: Matter | None = None) -> list[FundsBalance]:
    """Money held per client and matter (代收代付), on the matters whose money `user`
    sees: one grouped query."""
    qs = ClientFundsEntry.objects.filter(matter__in=matters_money_visible_to(user))
    if matter is not None:
        qs = qs.filter(matter_id=matter.pk)
    return _funds_grouped(qs)


# -- the matter page's money summary ----------------------------------------------------------


def matter_money_visible(*, user: Any, matter_id: int) -> bool:
    return matters_money_visible_to(user).filter(pk=matter_id).exists()


def matter_money_summary(*, matter: Matter) -> dict[str, Any]:
    """A handful of aggregates for the matter page (the caller passed the money gate)."""
    time = TimeEntry.objects.filter(matter_id=matter.pk).aggregate(
        recorded=Sum("minutes"),
        unbilled=Sum("minutes", filter=Q(billable=True, bill_line__isnull=True)),
    )
    expenses = Expense.objects.filter(matter_id=matter.pk).aggregate(total=Sum("amount"))
    held = sum(
        (b.balance for b in _funds_grouped(ClientFundsEntry.objects.filter(matter_id=matter.pk))),
        Decimal("0.00"),
    )
    return {
        "agreement": agreement_approved(matter_id=matter.pk),
        "open_proposal": FeeAgreement.objects.filter(
            matter_id=matter.pk, status__in=[AgreementStatus.DRAFT, AgreementStatus.PENDING]
        ).exists(),
        "minutes": time["recorded"] or 0,
        "unbilled_minutes": time["unbilled"] or 0,
        "expenses": expenses["total"] or Decimal("0.00"),
        "funds_held": held,
    }
