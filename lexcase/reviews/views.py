"""Review pages, the matter page's reviews section, and the client's survey in the portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.models import User
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.fixedsql import fixed_first, fixed_rows
from lexcase.core.forms import apply_service_errors
from lexcase.documents.selectors import matter_documents
from lexcase.matters.actions import matter_action
from lexcase.matters.extensions import MatterForm
from lexcase.matters.models import Matter, MatterMember, Status
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import (
    matter_record_read,
    matter_record_view,
    matters_record_list_read,
)
from lexcase.portal.selectors import contact_for, portal_matter_get
from lexcase.reviews import approvals, selectors, services
from lexcase.reviews.forms import (
    ArchiveRequestForm,
    DecideForm,
    DelegateForm,
    FileBackForm,
    ReviewForm,
    SealRequestForm,
    SurveyForm,
)
from lexcase.reviews.models import (
    ApprovalKind,
    ApprovalStatus,
    ReviewDelegation,
    ReviewStatus,
    SatisfactionSurvey,
)


def _candidates(matter: Matter) -> Any:
    ids = [
        m.user_id
        for m in MatterMember.objects.filter(matter=matter).select_related("user")
        if m.user.has_perm("reviews.be_reviewer", matter)
    ]
    return User.objects.filter(pk__in=ids).order_by("username")


def _may_ask_seal(request: AuthedRequest, matter: Matter) -> bool:
    return matter.status != Status.ARCHIVED and request.user.has_perm(
        "reviews.request_seal", matter
    )


def _delegate_form(request: AuthedRequest, matter: Matter) -> DelegateForm:
    delegation = ReviewDelegation.objects.filter(matter=matter).first()
    return DelegateForm(
        candidates=_candidates(matter),
        initial={"reviewer": delegation.reviewer_id if delegation else None},
    )


def _may_delegate(user: Any, matter: Matter) -> bool:
    # An archived file is read-only (review_delegate refuses): no reviewer form on it.
    return user.has_perm("reviews.delegate", matter) and matter.status != Status.ARCHIVED


# The section's forms, rendered when their <details> opens (matters.extensions.MatterForm).
MATTER_FORMS = {
    "seal": MatterForm(
        gettext_lazy("Ask for the firm's seal (用章申请)"),
        gettext_lazy("Ask"),
        "reviews:seal_request",
        _may_ask_seal,
        lambda r, m: SealRequestForm(documents=matter_documents(matter=m)),
        primary=True,
    ),
    "reviewer": MatterForm(
        gettext_lazy("Reviewer"),
        gettext_lazy("Save"),
        "reviews:delegate",
        lambda r, m: _may_delegate(r.user, m),
        _delegate_form,
        primary=True,
    ),
}


# The newest reviews and approvals the matter section shows.
SECTION_REVIEWS = 20
SECTION_APPROVALS = 10


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any]:
    # Fixed reads (core.fixedsql): compiled once per process.
    reviews = fixed_rows(
        ("reviews.page_reviews", SECTION_REVIEWS),
        lambda m: selectors.matter_reviews(matter=m)[:SECTION_REVIEWS],
        matter,
    )
    newest_approvals = fixed_rows(
        ("reviews.page_approvals", SECTION_APPROVALS),
        lambda m: approvals.matter_approvals(matter=m)[:SECTION_APPROVALS],
        matter,
    )
    surveys = fixed_rows(
        "reviews.page_surveys", lambda m: selectors.matter_surveys(matter=m)[:10], matter
    )
    delegation = fixed_first(
        "reviews.page_delegation",
        lambda m: ReviewDelegation.objects.filter(matter=m).select_related("reviewer"),
        matter,
    )
    can_delegate = _may_delegate(request.user, matter)
    return {
        "template": "reviews/_matter_section.html",
        "due": [r for r in reviews if r.status == ReviewStatus.DUE],
        "done": [r for r in reviews if r.status == ReviewStatus.DONE][:5],
        "surveys": surveys,
        "delegation": delegation,
        "can_delegate": can_delegate,
        "can_request_closing": matter.status == Status.OPEN
        and request.user.has_perm("reviews.request_closing", matter),
        # Fewer reviews than the section reads: they are all of them.
        "closing_done": selectors.closing_review_done(
            matter, reviews=reviews if len(reviews) < SECTION_REVIEWS else None
        ),
        "approvals": newest_approvals,
        "can_ask_seal": _may_ask_seal(request, matter),
        "can_request_archiving": matter.status == Status.CLOSED
        and request.user.has_perm("reviews.request_archiving", matter)
        and not approvals.archive_approved(
            matter, newest=newest_approvals, asked=SECTION_APPROVALS
        ),
    }


@login_required
@require_GET
def my_reviews(request: AuthedRequest) -> HttpResponse:
    if not is_active_staff(request.user):
        raise PermissionDenied
    return render(
        request, "reviews/mine.html", {"reviews": selectors.reviews_due_for(user=request.user)}
    )


@login_required
@require_GET
def matter_reviews(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    matter_record_view(actor=request.user, matter=matter, page="reviews:matter_reviews")
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
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    matter = review.matter
    if request.method == "GET":
        matter_record_read(
            actor=request.user, obj=review, matter_id=matter.pk, page="reviews:review"
        )
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
def closing_request(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Matter, data: dict[str, Any]) -> None:
        services.closing_review_request(actor=request.user, matter=matter)

    return matter_action(request, pk, "reviews.request_closing", run)


@login_required
@require_POST
def delegate(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    form = DelegateForm(request.POST, candidates=_candidates(matter))

    def run(matter: Matter, data: dict[str, Any]) -> None:
        services.review_delegate(actor=request.user, matter=matter, reviewer=data["reviewer"])

    return matter_action(request, pk, "reviews.delegate", run, form)


# --- the client's survey (portal) -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user)
    if contact is None:
        raise PermissionDenied
    matter = portal_matter_get(contact=contact, pk=pk)
    if request.method == "GET":
        # The client reads its matter's title here, through the portal's gate.
        matter_record_view(actor=request.user, matter=matter, page="reviews_portal:survey")
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


# --- approvals --------------------------------------------------------------------------------


@login_required
@require_GET
def approvals_inbox(request: AuthedRequest) -> HttpResponse:
    if not is_active_staff(request.user):
        raise PermissionDenied
    inbox = approvals.inbox(user=request.user)
    # The requests show their documents' titles and purposes: a read of those matters.
    matters_record_list_read(
        actor=request.user,
        page="reviews:approvals",
        matter_ids=[a.matter_id for a in (*inbox.approvals, *inbox.mine)],
    )
    return render(request, "reviews/approvals.html", {"inbox": inbox})


@login_required
@require_GET
def approval_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    approval = approvals.approval_get(user=request.user, pk=pk)
    matter_record_read(
        actor=request.user, obj=approval, matter_id=approval.matter_id, page="reviews:approval"
    )
    return _approval_page(request, approval)


def _approval_page(
    request: AuthedRequest,
    approval: Any,
    *,
    decide_form: DecideForm | None = None,
    file_form: FileBackForm | None = None,
) -> HttpResponse:
    """The approval's page; with a bound form that failed, that form as typed with its
    errors (status 422, nothing written)."""
    pending = approval.status == ApprovalStatus.PENDING
    may_file = (
        approval.kind == ApprovalKind.SEAL
        and approval.status == ApprovalStatus.APPROVED
        and approval.sealed_version_id is None
        and request.user.has_perm("reviews.request_seal", approval.matter)
    )
    may_decide = pending and request.user.has_perm("reviews.decide_approval", approval)
    return render(
        request,
        "reviews/approval.html",
        {
            "approval": approval,
            "matter": approval.matter,
            "decide_form": decide_form or (DecideForm() if may_decide else None),
            "file_form": file_form or (FileBackForm() if may_file else None),
        },
        status=422 if decide_form is not None or file_form is not None else 200,
    )


@login_required
@require_POST
def approval_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    approval = approvals.approval_get(user=request.user, pk=pk)
    if not request.user.has_perm("reviews.decide_approval", approval):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            approvals.approval_decide(
                actor=request.user,
                approval=approval,
                approve=request.POST.get("decision") == "approve",
                note=form.cleaned_data["note"],
            )
        except StaleEdit:
            messages.error(request, _("This request was decided meanwhile."))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return _approval_page(request, approval, decide_form=form)
        else:
            messages.success(request, _("Decision recorded."))
    else:
        return _approval_page(request, approval, decide_form=form)
    return redirect("reviews:approval", pk=approval.pk)


@login_required
@require_POST
def seal_file_back(request: AuthedRequest, pk: int) -> HttpResponse:
    approval = approvals.approval_get(user=request.user, pk=pk)
    if not request.user.has_perm("reviews.request_seal", approval.matter):
        raise PermissionDenied
    form = FileBackForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            approvals.seal_file_back(
                actor=request.user, approval=approval, upload=form.cleaned_data["file"]
            )
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return _approval_page(request, approval, file_form=form)
        else:
            messages.success(request, _("Sealed version filed."))
    else:
        return _approval_page(request, approval, file_form=form)
    return redirect("reviews:approval", pk=approval.pk)


@login_required
@require_POST
def seal_request(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    form = SealRequestForm(request.POST, documents=matter_documents(matter=matter))

    def run(matter: Matter, data: dict[str, Any]) -> None:
        approvals.seal_request_create(
            actor=request.user, matter=matter, document=data["document"], purpose=data["purpose"]
        )

    return matter_action(request, pk, "reviews.request_seal", run, form)


@login_required
@require_POST
def archive_request(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ArchiveRequestForm(request.POST)

    def run(matter: Matter, data: dict[str, Any]) -> None:
        approvals.archive_approval_request(actor=request.user, matter=matter, note=data["note"])

    return matter_action(
        request,
        pk,
        "reviews.request_archiving",
        run,
        form,
        title=_("Ask the responsible partner to approve archiving"),
        submit=_("Ask"),
    )
