from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lexcase.conflicts import selectors, services
from lexcase.conflicts.engine import QueryParty
from lexcase.conflicts.forms import CheckPartyFormSet, ReviewForm
from lexcase.core.actions import flash_errors, matter_action
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.selectors import matter_get


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    form = ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("matters:detail", pk=matter.pk)
    try:
        services.conflict_review_decide(actor=request.user, matter=matter, **form.cleaned_data)
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("matters:detail", pk=matter.pk)


@login_required
@require_POST
def run_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check an intake that has no check on record (registered before checks existed, or
    generated as demo data)."""

    def run(matter: Any, data: dict[str, Any]) -> None:
        if matter.status != "intake":
            raise ValidationError(_("Only an intake is checked as a whole."))
        services.conflict_check_matter(actor=request.user, matter=matter)

    return matter_action(request, pk, "matters.change_matter", run)


@login_required
@require_http_methods(["GET", "POST"])
def adhoc_check(request: HttpRequest) -> HttpResponse:
    """A check before any intake exists, e.g. during a phone consultation. The report is
    kept on record like every other check."""
    if not request.user.has_perm("matters.add_matter"):
        raise PermissionDenied
    formset = CheckPartyFormSet(request.POST or None, prefix="parties")
    check = None
    if request.method == "POST" and formset.is_valid():
        parties = []
        for row in formset.cleaned_data:
            if not row or not row.get("name"):
                continue
            identifier = (row.get("identifier") or "").strip().upper()
            field = "id_number" if row["kind"] == "person" else "credit_code"
            parties.append(
                QueryParty(
                    name=row["name"], kind=row["kind"], role=row["role"], **{field: identifier}
                )
            )
        if parties:
            check = services.conflict_check_record(actor=request.user, parties=parties)
        else:
            messages.error(request, _("Enter at least one name."))
    context = {
        "formset": formset,
        "conflict_check": check,
        "conflict_hits": selectors.hits_for_user(user=request.user, hits=check.hits)
        if check
        else [],
    }
    return render(request, "conflicts/check.html", context)
