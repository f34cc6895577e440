"""Money pages of the work area: fee agreements, time, timesheets, expenses, client funds,
fee statements. Every page reads the matter through the money gate (finance sees the
money of confidential matters, never their documents or tasks)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.billing.contingency import contingency_cap
from lexcase.billing.forms.work import (
    AgreementEditForm,
    AgreementForm,
    ShareFormSet,
    VersionForm,
    share_initial,
    shares_from,
)
from lexcase.billing.models import AgreementStatus, FeeAgreement
from lexcase.billing.selectors import work as selectors
from lexcase.billing.selectors.shared import matter_money_get
from lexcase.billing.services import agreements as agreement_services
from lexcase.billing.services.shared import ui_lang
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors


def _stale_message() -> str:
    return _(
        "Someone else changed these fee terms while you were editing. Reload the page to "
        "see their changes, then apply yours again."
    )


# -- fee agreements --------------------------------------------------------------------------


def _agreement_row(request: HttpRequest, a: FeeAgreement) -> dict[str, Any]:
    user = request.user
    return {
        "a": a,
        "cap_steps": selectors.agreement_cap_steps(a),
        "can_edit": a.status == AgreementStatus.DRAFT
        and user.has_perm("billing.propose_agreement", a.matter),
        "can_submit": a.status == AgreementStatus.DRAFT
        and user.has_perm("billing.propose_agreement", a.matter),
        "can_approve": a.status == AgreementStatus.PENDING
        and user.has_perm("billing.approve_agreement", a),
        "can_shares": a.status != AgreementStatus.SUPERSEDED
        and user.has_perm("billing.edit_fee_shares", a),
    }


@login_required
@require_GET
def agreements(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter's fee terms: every version, newest first, with what the reader may do."""
    matter = matter_money_get(user=request.user, pk=pk)
    rows = []
    for a in selectors.agreements_of(matter=matter):
        a.matter = matter  # the gate's narrow matter: the permission predicates need only it
        rows.append(_agreement_row(request, a))
    return render(
        request,
        "billing/work/agreements.html",
        {
            "matter": matter,
            "rows": rows,
            "can_propose": request.user.has_perm("billing.propose_agreement", matter),
        },
    )


def _terms(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for field in ("contingency_basis", "invoicing_schedule", "terms"):
        data[field] = data.get(field) or ""
    data["group_litigation"] = bool(data.get("group_litigation"))
    return data


def _form_cap_steps(form: AgreementForm) -> list[str]:
    basis = getattr(form, "cleaned_data", {}).get("contingency_basis_amount")
    if basis is None or basis <= 0:
        return []
    return contingency_cap(basis, lang=ui_lang()).steps


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    matter = matter_money_get(user=request.user, pk=pk)
    if not request.user.has_perm("billing.propose_agreement", matter):
        raise PermissionDenied
    form = AgreementForm(request.POST or None, cap_url=reverse("billing:cap_steps"))
    if request.method == "POST" and form.is_valid():
        try:
            agreement_services.agreement_create(
                actor=request.user, matter=matter, **_terms(form.cleaned_data)
            )
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Fee terms proposed as a draft."))
            return redirect("billing:agreements", pk=matter.pk)
    return render(
        request,
        "billing/work/agreement_form.html",
        {"matter": matter, "form": form, "agreement": None, "cap_steps": _form_cap_steps(form)},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft: the version read with the page is compared when saving."""
    agreement = selectors.agreement_for(user=request.user, pk=pk)
    matter = matter_money_get(user=request.user, pk=agreement.matter_id)
    if not request.user.has_perm("billing.propose_agreement", matter):
        raise PermissionDenied
    initial = {
        field: getattr(agreement, field)
        for field in AgreementForm.base_fields
        if field not in ("instalments", "rates", "group_litigation")
    }
    initial["version"] = agreement.version
    initial["instalments"] = "\n".join(
        f"{i.due_on.isoformat()} {i.amount} {i.description}".strip()
        for i in agreement.instalments.all()
    )
    initial["rates"] = "\n".join(
        f"{r.lawyer.username} {r.hourly_rate}" for r in agreement.rates.all()
    )
    form = AgreementEditForm(
        request.POST or None, initial=initial, cap_url=reverse("billing:cap_steps")
    )
    if request.method == "POST" and form.is_valid():
        data = _terms(form.cleaned_data)
        version = data.pop("version")
        try:
            agreement_services.agreement_update(
                actor=request.user,
                agreement=agreement,
                version=version,
                shares=[
                    agreement_services.ShareIn(lawyer=s.lawyer, role=s.role, percent=s.percent)
                    for s in agreement.shares.all()
                ],
                **data,
            )
        except NotAllowed:
            raise PermissionDenied from None
        except StaleEdit:
            form.add_error(None, _stale_message())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("billing:agreements", pk=matter.pk)
    return render(
        request,
        "billing/work/agreement_form.html",
        {
            "matter": matter,
            "form": form,
            "agreement": agreement,
            "cap_steps": _form_cap_steps(form),
        },
        status=422 if request.method == "POST" else 200,
    )


def _agreement_step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    agreement = selectors.agreement_for(user=request.user, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; please try again."))
    else:
        try:
            step(actor=request.user, agreement=agreement, version=form.cleaned_data["version"])
        except NotAllowed:
            raise PermissionDenied from None
        except StaleEdit:
            messages.error(request, _stale_message())
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, done)
    return redirect("billing:agreements", pk=agreement.matter_id)


@login_required
@require_POST
def agreement_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_step(
        request, pk, agreement_services.agreement_submit, _("Sent for approval.")
    )


@login_required
@require_POST
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_step(request, pk, agreement_services.agreement_approve, _("Approved."))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_shares(request: HttpRequest, pk: int) -> HttpResponse:
    """Who gets which share of the fees collected under the agreement (提成/分配)."""
    agreement = selectors.agreement_for(user=request.user, pk=pk)
    if not request.user.has_perm("billing.edit_fee_shares", agreement):
        raise PermissionDenied
    version_form = VersionForm(request.POST or None, initial={"version": agreement.version})
    formset = ShareFormSet(
        request.POST or None, initial=share_initial(agreement.shares.all()), prefix="share"
    )
    errors: list[str] = []
    if request.method == "POST" and version_form.is_valid() and formset.is_valid():
        try:
            agreement_services.agreement_shares_set(
                actor=request.user,
                agreement=agreement,
                version=version_form.cleaned_data["version"],
                shares=[
                    agreement_services.ShareIn(lawyer=lawyer, role=role, percent=percent)
                    for lawyer, role, percent in shares_from(formset)
                ],
            )
        except NotAllowed:
            raise PermissionDenied from None
        except StaleEdit:
            errors.append(_stale_message())
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("billing:agreements", pk=agreement.matter_id)
    return render(
        request,
        "billing/work/shares.html",
        {
            "agreement": agreement,
            "matter": agreement.matter,
            "formset": formset,
            "version_form": version_form,
            "errors": errors,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def cap_steps(request: HttpRequest) -> HttpResponse:
    """The tiered cap on `contingency_basis_amount`, step by step (an htmx partial of the
    agreement form; the same computation as POST /api/v1/fees/contingency-check)."""
    if not request.user.has_perm("billing.use_fee_calculators"):
        raise PermissionDenied
    steps: list[str] = []
    try:
        basis = Decimal(request.GET.get("contingency_basis_amount", "").strip())
    except InvalidOperation:
        basis = None
    if basis is not None and basis.is_finite() and 0 < basis < Decimal("1e14"):
        steps = contingency_cap(basis, lang=ui_lang()).steps
    return render(request, "billing/work/_cap_steps.html", {"cap_steps": steps})
