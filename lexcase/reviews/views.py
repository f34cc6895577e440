"""Review pages, the matter page's reviews section, and the client's survey in the portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.models import User
from lexcase.core.actions import matter_action
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.matters.models import Matter, MatterMember, Status
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matter_get
from lexcase.portal.selectors import contact_for, portal_matter_get
from lexcase.reviews import selectors, services
from lexcase.reviews.forms import DelegateForm, ReviewForm, SurveyForm
from lexcase.reviews.models import ReviewDelegation, ReviewStatus, SatisfactionSurvey


def _candidates(matter: Matter) -> Any:
    ids = [
        m.user_id
        for m in MatterMember.objects.filter(matter=matter).select_related("user")
        if m.user.has_perm("reviews.be_reviewer", matter)
    ]
    return User.objects.filter(pk__in=ids).order_by("username")


def matter_section(request: HttpRequest, matter: Matter) -> dict[str, Any]:
    reviews = list(selectors.matter_reviews(matter=matter)[:20])
    surveys = list(selectors.matter_surveys(matter=matter)[:10])
    delegation = ReviewDelegation.objects.filter(matter=matter).select_related("reviewer").first()
    can_delegate = request.user.has_perm("reviews.delegate", matter)
    return {
        "template": "reviews/_matter_section.html",
        "due": [r for r in reviews if r.status == ReviewStatus.DUE],
        "done": [r for r in reviews if r.status == ReviewStatus.DONE][:5],
        "surveys": surveys,
        "delegation": delegation,
        "delegate_form": DelegateForm(
            candidates=_candidates(matter),
            initial={"reviewer": delegation.reviewer_id if delegation else None},
        )
        if can_delegate
        else None,
        "can_request_closing": matter.status == Status.OPEN
        and request.user.has_perm("reviews.request_closing", matter),
        "closing_done": selectors.closing_review_done(matter),
    }


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    if not is_active_staff(request.user):
        raise PermissionDenied
    return render(
        request, "reviews/mine.html", {"reviews": selectors.reviews_due_for(user=request.user)}
    )


@login_required
@require_GET
def matter_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    return render(
        request,
        "reviews/matter.html",
        {
            "matter": matter,
            "reviews": selectors.matter_reviews(matter=matter),
            "surveys": selectors.matter_surveys(matter=matter),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    matter = review.matter
    can_complete = (
        review.status == ReviewStatus.DUE
        and matter.status == Status.OPEN
        and request.user.has_perm("reviews.complete_review", review)
    )
    form = None
    if can_complete:
        rows = services.review_prefill(matter=matter)
        form = ReviewForm(request.POST or None, rows=rows, initial={"version": review.version})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.review_complete(
                    actor=request.user,
                    review=review,
                    score=data["score"],
                    findings=data["findings"],
                    checked=data["checked"],
                    follow_ups=form.follow_up_lines(),
                    version=data["version"],
                )
            except NotAllowed:
                raise PermissionDenied from None
            except StaleEdit:
                form.add_error(None, _("The review changed meanwhile; reload the page."))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Review saved."))
                return redirect("reviews:review", pk=review.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "reviews/review.html",
        {"review": review, "matter": matter, "form": form},
    )


@login_required
@require_POST
def closing_request(request: HttpRequest, pk: int) -> HttpResponse:
    def run(matter: Matter, data: dict[str, Any]) -> None:
        services.closing_review_request(actor=request.user, matter=matter)

    return matter_action(request, pk, "reviews.request_closing", run)


@login_required
@require_POST
def delegate(request: HttpRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    form = DelegateForm(request.POST, candidates=_candidates(matter))

    def run(matter: Matter, data: dict[str, Any]) -> None:
        services.review_delegate(actor=request.user, matter=matter, reviewer=data["reviewer"])

    return matter_action(request, pk, "reviews.delegate", run, form)


# --- the client's survey (portal) -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user)
    if contact is None:
        raise PermissionDenied
    matter = portal_matter_get(contact=contact, pk=pk)
    answered = SatisfactionSurvey.objects.filter(
        matter=matter,
        respondent=request.user,
        occasion="mid" if matter.status == Status.OPEN else "closing",
    ).first()
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and answered is None and form.is_valid():
        data = form.cleaned_data
        try:
            services.survey_submit(
                respondent=request.user,
                matter=matter,
                overall=data["overall"],
                responsiveness=data["responsiveness"],
                clarity=data["clarity"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect("reviews_portal:survey", pk=matter.pk)
    return render(
        request,
        "reviews/survey.html",
        {"contact": contact, "matter": matter, "form": form, "answered": answered},
    )
