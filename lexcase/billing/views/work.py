"""Money pages of the work area: fee agreements, time, timesheets, expenses, client funds,
fee statements. Every page reads the matter through the money gate (finance sees the
money of confidential matters, never their documents or tasks)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.billing.contingency import contingency_cap
from lexcase.billing.court_fee import court_fee
from lexcase.billing.forms.work import (
    AgreementEditForm,
    AgreementForm,
    ClientFundsForm,
    CourtFeeForm,
    ExpenseForm,
    ShareFormSet,
    StatementForm,
    TimeEntryForm,
    TimerForm,
    TimesheetForm,
    VersionForm,
    share_initial,
    shares_from,
)
from lexcase.billing.models import AgreementStatus, ExpenseKind, FeeAgreement
from lexcase.billing.selectors import work as selectors
from lexcase.billing.selectors.shared import matter_money_get
from lexcase.billing.services import agreements as agreement_services
from lexcase.billing.services import work as work_services
from lexcase.billing.services.shared import ui_lang
from lexcase.core.exceptions import AlreadySent, NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.core.once import already_sent_message, sent_once
from lexcase.matters.services import matter_record_read, matter_record_view


def _stale_message() -> str:
    return _(
        "Someone else changed these fee terms while you were editing. Reload the page to "
        "see their changes, then apply yours again."
    )


# -- fee agreements --------------------------------------------------------------------------


def _agreement_row(request: AuthedRequest, a: FeeAgreement) -> dict[str, Any]:
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
def agreements(request: AuthedRequest, pk: int) -> HttpResponse:
    """A matter's fee terms: every version, newest first, with what the reader may do."""
    matter = matter_money_get(user=request.user, pk=pk)
    matter_record_view(actor=request.user, matter=matter, page="billing:agreements")
    return _agreements_page(request, matter)


def _agreements_page(
    request: AuthedRequest, matter: Any, refused: tuple[int, list[str]] | None = None
) -> HttpResponse:
    """The fee terms; with a step that was refused (`refused`: the agreement and why), why
    on that agreement's card, beside its buttons (status 422, nothing changed)."""
    rows = []
    for a in selectors.agreements_of(matter=matter):
        a.matter = matter  # the gate's narrow matter: the permission predicates need only it
        row = _agreement_row(request, a)
        row["errors"] = refused[1] if refused and refused[0] == a.pk else []
        rows.append(row)
    return render(
        request,
        "billing/work/agreements.html",
        {
            "matter": matter,
            "rows": rows,
            "can_propose": request.user.has_perm("billing.propose_agreement", matter),
        },
        status=422 if refused else 200,
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
def agreement_create(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_money_get(user=request.user, pk=pk)
    if not request.user.has_perm("billing.propose_agreement", matter):
        raise PermissionDenied
    if request.method == "GET":
        matter_record_view(actor=request.user, matter=matter, page="billing:agreement_create")
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
def agreement_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit a draft: the version read with the page is compared when saving."""
    agreement = selectors.agreement_for(user=request.user, pk=pk)
    matter = matter_money_get(user=request.user, pk=agreement.matter_id)
    if not request.user.has_perm("billing.propose_agreement", matter):
        raise PermissionDenied
    if request.method == "GET":
        matter_record_read(
            actor=request.user, obj=agreement, matter_id=matter.pk, page="billing:agreement_edit"
        )
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


def _agreement_step(request: AuthedRequest, pk: int, step: Any, done: str) -> HttpResponse:
    """Send for approval or approve; refused (a page out of date, changed meanwhile, no
    longer in that status), the fee terms again with why on the agreement's card (422)."""
    agreement = selectors.agreement_for(user=request.user, pk=pk)
    form = VersionForm(request.POST)
    errors: list[str] = []
    if not form.is_valid():
        errors.append(_("The page was out of date; please try again."))
    else:
        try:
            step(actor=request.user, agreement=agreement, version=form.cleaned_data["version"])
        except NotAllowed:
            raise PermissionDenied from None
        except StaleEdit:
            errors.append(_stale_message())
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(request, done)
            return redirect("billing:agreements", pk=agreement.matter_id)
    matter = matter_money_get(user=request.user, pk=agreement.matter_id)
    return _agreements_page(request, matter, refused=(agreement.pk, errors))


@login_required
@require_POST
def agreement_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _agreement_step(
        request, pk, agreement_services.agreement_submit, _("Sent for approval.")
    )


@login_required
@require_POST
def agreement_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _agreement_step(request, pk, agreement_services.agreement_approve, _("Approved."))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_shares(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who gets which share of the fees collected under the agreement (提成/分配)."""
    agreement = selectors.agreement_for(user=request.user, pk=pk)
    if not request.user.has_perm("billing.edit_fee_shares", agreement):
        raise PermissionDenied
    if request.method == "GET":
        matter_record_read(
            actor=request.user,
            obj=agreement,
            matter_id=agreement.matter_id,
            page="billing:agreement_shares",
        )
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
def cap_steps(request: AuthedRequest) -> HttpResponse:
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


# -- time -------------------------------------------------------------------------------------


def _time_page(
    request: AuthedRequest, matter: Any, form: TimeEntryForm, timer_form: TimerForm, status: int
) -> HttpResponse:
    return render(
        request,
        "billing/work/time.html",
        {
            "matter": matter,
            "entries": selectors.time_entries_of(matter=matter)[:200],
            "form": form,
            "timer_form": timer_form,
            "running": selectors.running_timer(user=request.user),
            "can_record": request.user.has_perm("billing.record_time", matter),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def time_entries(request: AuthedRequest, pk: int) -> HttpResponse:
    """A matter's time and, for its team, a manual entry and the timer."""
    matter = matter_money_get(user=request.user, pk=pk)
    if request.method == "GET":
        matter_record_view(actor=request.user, matter=matter, page="billing:time")
    form = TimeEntryForm(
        request.POST or None, initial={"work_date": timezone.localdate()}, prefix="time"
    )
    if request.method == "POST":
        if not request.user.has_perm("billing.record_time", matter):
            raise PermissionDenied
        if form.is_valid():
            try:
                with sent_once(request):
                    work_services.time_entry_create(
                        actor=request.user, matter=matter, **form.cleaned_data
                    )
            except AlreadySent:
                messages.warning(request, already_sent_message())
                return redirect("billing:time", pk=matter.pk)
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Time recorded."))
                return redirect("billing:time", pk=matter.pk)
    return _time_page(
        request,
        matter,
        form,
        TimerForm(prefix="timer"),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def timer_start(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_money_get(user=request.user, pk=pk)
    if not request.user.has_perm("billing.record_time", matter):
        raise PermissionDenied
    timer_form = TimerForm(request.POST, prefix="timer")
    if timer_form.is_valid():
        try:
            work_services.timer_start(actor=request.user, matter=matter, **timer_form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(timer_form, exc)
        else:
            messages.success(request, _("Timer started."))
            return redirect("billing:time", pk=matter.pk)
    form = TimeEntryForm(initial={"work_date": timezone.localdate()}, prefix="time")
    return _time_page(request, matter, form, timer_form, status=422)


@login_required
@require_POST
def timer_stop(request: AuthedRequest) -> HttpResponse:
    """Stop the reader's running timer, back to its matter's time."""
    try:
        entry = work_services.timer_stop(actor=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("billing:timesheet")
    messages.success(request, _("Timer stopped: %(n)s minutes recorded.") % {"n": entry.minutes})
    try:
        matter_money_get(user=request.user, pk=entry.matter_id)
    except Http404:  # walled off the matter while the timer ran
        return redirect("billing:timesheet")
    return redirect("billing:time", pk=entry.matter_id)


@login_required
@require_GET
def timesheet(request: AuthedRequest) -> HttpResponse:
    """A lawyer's week: minutes per matter and day (the lawyer, finance, administrators)."""
    form = TimesheetForm(request.GET or None)
    lawyer, day = request.user, timezone.localdate()
    if form.is_valid():
        lawyer = form.cleaned_data["lawyer"] or request.user
        day = form.cleaned_data["week"] or day
    if not request.user.has_perm("billing.view_timesheet", lawyer):
        raise PermissionDenied
    start = selectors.week_of(day)
    sheet = selectors.timesheet(viewer=request.user, lawyer=lawyer, week_start=start)
    query = f"lawyer={lawyer.pk}&week="
    return render(
        request,
        "billing/work/timesheet.html",
        {
            "form": form,
            "sheet": sheet,
            "today": timezone.localdate(),
            "prev_url": f"?{query}{(start - timedelta(days=7)).isoformat()}",
            "next_url": f"?{query}{(start + timedelta(days=7)).isoformat()}",
            "running": selectors.running_timer(user=request.user),
        },
    )


# -- expenses and client funds ------------------------------------------------------------------


def _court_fee(request: AuthedRequest) -> tuple[CourtFeeForm, Any]:
    """The calculator's GET form and its result (fee and steps) when filled in."""
    form = CourtFeeForm(request.GET if "claim" in request.GET else None)
    if form.is_bound and form.is_valid() and form.cleaned_data["claim"] < Decimal("1e14"):
        return form, court_fee(
            form.cleaned_data["claim"], procedure=form.cleaned_data["procedure"], lang=ui_lang()
        )
    return form, None


@login_required
@require_http_methods(["GET", "POST"])
def expenses(request: AuthedRequest, pk: int) -> HttpResponse:
    """A matter's expenses; the team and finance record them. For a court fee the 诉讼费
    calculator fills in the amount (GET form, steps shown)."""
    matter = matter_money_get(user=request.user, pk=pk)
    if request.method == "GET":
        matter_record_view(actor=request.user, matter=matter, page="billing:expenses")
    fee_form, fee = _court_fee(request)
    initial: dict[str, Any] = {"incurred_on": timezone.localdate()}
    if fee is not None:
        initial.update(kind=ExpenseKind.COURT_FEE, amount=fee.fee, description=_("Court fee"))
    form = ExpenseForm(request.POST or None, request.FILES or None, initial=initial)
    can_record = request.user.has_perm("billing.record_expense", matter)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                with sent_once(request):
                    work_services.expense_create(
                        actor=request.user, matter=matter, **form.cleaned_data
                    )
            except AlreadySent:
                messages.warning(request, already_sent_message())
                return redirect("billing:expenses", pk=matter.pk)
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Expense recorded."))
                return redirect("billing:expenses", pk=matter.pk)
    return render(
        request,
        "billing/work/expenses.html",
        {
            "matter": matter,
            "expenses": selectors.expenses_of(matter=matter)[:300],
            "form": form,
            "fee_form": fee_form,
            "fee": fee,
            "can_record": can_record,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_funds(request: AuthedRequest, pk: int) -> HttpResponse:
    """The 代收代付 ledger of a matter: client money held for pass-through costs, never
    fees. Finance records receipts and refunds; disbursements come from expenses."""
    matter = matter_money_get(user=request.user, pk=pk)
    if request.method == "GET":
        matter_record_view(actor=request.user, matter=matter, page="billing:client_funds")
    can_record = request.user.has_perm("billing.record_client_funds", matter)
    form = ClientFundsForm(request.POST or None, initial={"entry_date": timezone.localdate()})
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                with sent_once(request):
                    work_services.client_funds_record(
                        actor=request.user, matter=matter, **form.cleaned_data
                    )
            except AlreadySent:
                messages.warning(request, already_sent_message())
                return redirect("billing:client_funds", pk=matter.pk)
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("billing:client_funds", pk=matter.pk)
    return render(
        request,
        "billing/work/client_funds.html",
        {
            "matter": matter,
            "entries": selectors.client_funds_of(matter=matter)[:500],
            "balances": selectors.client_funds_balances(user=request.user, matter=matter),
            "form": form,
            "can_record": can_record,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def client_funds_ledger(request: AuthedRequest) -> HttpResponse:
    """Finance's view of all client money held, per client and matter."""
    if not request.user.has_perm("billing.view_client_funds"):
        raise PermissionDenied
    balances = selectors.client_funds_balances(user=request.user)
    return render(
        request,
        "billing/work/client_funds_ledger.html",
        {"balances": balances, "total": sum((b.balance for b in balances), Decimal("0.00"))},
    )


# -- the matter page's money section -------------------------------------------------------------


def matter_section(request: AuthedRequest, matter: Any) -> dict[str, Any] | None:
    """The money of a matter on its page (registered in `BillingConfig.ready()`): the fee terms in
    force, unbilled time, expenses and client funds held, with links to the money pages."""
    # No second gate query: sections run once the confidentiality gate has admitted the
    # user, and the money gate admits whoever that gate admits (matters_money_visible_to;
    # test_money_gate.test_whoever_sees_a_matter_sees_its_money).
    return {
        "template": "billing/work/_matter_section.html",
        **selectors.matter_money_summary(matter=matter),
    }


# -- fee allocation ------------------------------------------------------------------------------


@login_required
@require_GET
def fee_statement(request: AuthedRequest) -> HttpResponse:
    """A lawyer's monthly statement of time recorded and fees collected × their share
    (the lawyer, finance, administrators)."""
    form = StatementForm(request.GET or None)
    lawyer, year = request.user, timezone.localdate().year
    if form.is_valid():
        lawyer = form.cleaned_data["lawyer"] or request.user
        year = form.cleaned_data["year"] or year
    if not request.user.has_perm("billing.view_fee_statement", lawyer):
        raise PermissionDenied
    statement = selectors.fee_statement(viewer=request.user, lawyer=lawyer, year=year)
    return render(
        request,
        "billing/work/statement.html",
        {"form": form, "statement": statement, "lawyer": lawyer, "year": year},
    )


@login_required
@require_GET
def money_matters(request: AuthedRequest) -> HttpResponse:
    """Find a matter's money pages (finance reaches confidential matters' money here while
    their pages stay closed to it)."""
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "billing/work/money_matters.html",
        {"q": q, "matters": selectors.money_matters(user=request.user, q=q)},
    )
