"""Reads of the firm's money, every one through the money gate
(`lexcase.matters.selectors.matters_money_visible_to`): finance and administrators see the
money of every matter they are not walled off, confidential ones included; everyone else the
money of the matters the confidentiality gate shows them. Of a matter, billing shows only
its number, title, client and amounts — never documents, communications, tasks or summary.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404

from lexcase.accounts.models import AnyUser
from lexcase.billing.contingency import Ban, BanKind
from lexcase.billing.models import (
    Bill,
    ContingencyBan,
    Expense,
    FeeAgreement,
    TimeEntry,
)
from lexcase.matters.models import Matter
from lexcase.matters.selectors import MatterSet, matters_money_visible_to

# The only fields of a matter that billing pages and exports show.
MATTER_MONEY_FIELDS = ("id", "number", "title", "matter_type", "status", "amount")


def matter_money_get(*, user: AnyUser, pk: Any) -> Matter:
    """The matter if `user` may see its money; 404 otherwise (existence never leaks). Loads
    only the fields billing shows (no summary, outcome, court)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    matter = matters_money_visible_to(user).only(*MATTER_MONEY_FIELDS).filter(pk=pk).first()
    if matter is None:
        raise Http404
    return matter


def agreements_visible_to(user: AnyUser) -> QuerySet[FeeAgreement]:
    return FeeAgreement.objects.filter(matter__in=matters_money_visible_to(user))


def matter_agreements(*, matter: Matter) -> QuerySet[FeeAgreement]:
    """Every version of a matter's fee terms, newest first (`matter` passed the money gate)."""
    return FeeAgreement.objects.filter(matter=matter).order_by("-version_no")


def matter_current_agreement(*, matter: Matter) -> FeeAgreement | None:
    """The approved agreement in force on the matter, if any."""
    return FeeAgreement.objects.filter(matter=matter, status="approved").first()


def agreement_get(*, user: AnyUser, pk: Any) -> FeeAgreement:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    agreement = agreements_visible_to(user).select_related("matter").filter(pk=pk).first()
    if agreement is None:
        raise Http404
    return agreement


def time_entries_visible_to(user: AnyUser) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(matter__in=matters_money_visible_to(user))


def expenses_visible_to(user: AnyUser) -> QuerySet[Expense]:
    return Expense.objects.filter(matter__in=matters_money_visible_to(user))


def bills_visible_to(user: AnyUser) -> QuerySet[Bill]:
    return Bill.objects.filter(matter__in=matters_money_visible_to(user))


def bills_of(*, matters: MatterSet) -> QuerySet[Bill]:
    """Bills of `matters`, a set the caller took from the confidentiality gate (firm
    aggregates: the dashboard's fees). That gate is inside the money gate for every reader
    (the money gate is it, or every matter not walled off for finance and administrators),
    so the money gate is not applied again — PostgreSQL probed it once per bill."""
    return Bill.objects.filter(matters.rows("matter"))


def contingency_bans() -> list[Ban]:
    """The firm's active ban list (seeded with the national list) for the pure check."""
    return [
        # The model's choices are the pure check's kinds.
        Ban(cast(BanKind, row.kind), row.key, row.label, row.label_en or row.label, row.citation)
        for row in ContingencyBan.objects.filter(active=True).order_by("kind", "key")
    ]
