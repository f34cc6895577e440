"""Reads of the work area — fee agreements, time, expenses, client funds, fee allocation —
every one through the money gate (`selectors/shared.py` loads the matter)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from lexcase.billing.contingency import contingency_cap
from lexcase.billing.models import (
    AgreementRate,
    AgreementStatus,
    FeeAgreement,
    FeeShare,
)
from lexcase.billing.selectors.shared import agreements_visible_to
from lexcase.billing.services.shared import ui_lang
from lexcase.matters.models import Matter


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
