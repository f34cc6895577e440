from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lexcase.conflicts import services
from lexcase.conflicts.forms import ReviewForm
from lexcase.core.actions import matter_action
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.selectors import matter_get


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    form = ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
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
