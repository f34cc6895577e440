"""Pages of the bills area: bills (list, draw, detail, issue, void, PDF), payments,
invoices, receivables, exports. Thin: reads through `selectors/receivables.py` (the money
gate: 404), writes through the services (403, field errors)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.billing.forms.bills import BillDrawForm, BillFilterForm, BillVoidForm, VersionForm
from lexcase.billing.money import capital
from lexcase.billing.selectors import receivables as reads
from lexcase.billing.services import bills as bill_services
from lexcase.core.actions import flash_errors
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors


@login_required
@require_GET
def bill_list(request: HttpRequest) -> HttpResponse:
    form = BillFilterForm(request.GET)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    try:
        after = int(request.GET.get("after", "")) or None
    except ValueError:
        after = None
    page = reads.bills_page(user=request.user, status=status, after=after)
    return render(
        request,
        "billing/bills/list.html",
        {"page": page, "filter_form": form, "status": status},
    )


@login_required
@require_http_methods(["GET", "POST"])
def bill_draw(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("billing.draw_bill"):
        raise PermissionDenied
    form = BillDrawForm(request.POST or None, initial={"matter": request.GET.get("matter", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matter = reads.money_matter_by_number(user=request.user, number=data["matter"])
        if matter is None:
            form.add_error("matter", _("No matter with this number."))
        else:
            try:
                bill = bill_services.bill_draw(
                    actor=request.user, matter=matter, as_of=data["as_of"], note=data["note"]
                )
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Draft bill drawn. Check it, then issue it."))
                return redirect("billing:bill_detail", pk=bill.pk)
    return render(request, "billing/bills/draw.html", {"form": form})


@login_required
@require_GET
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bill = reads.bill_get(user=request.user, pk=pk)
    return render(
        request,
        "billing/bills/detail.html",
        {
            "bill": bill,
            "lines": reads.bill_lines(bill=bill),
            "total_capital": capital(bill.total),
            "open_amount": bill.total - bill.paid,
            "void_form": BillVoidForm(initial={"version": bill.version}),
        },
    )


def _bill_action(
    request: HttpRequest, pk: int, perm: str, form: VersionForm, run: Callable[..., object]
) -> HttpResponse:
    bill = reads.bill_get(user=request.user, pk=pk)
    if not request.user.has_perm(perm, bill):
        raise PermissionDenied
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("billing:bill_detail", pk=bill.pk)
    try:
        run(bill, form.cleaned_data)
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        messages.error(request, _("The bill changed meanwhile; please try again."))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("billing:bill_detail", pk=bill.pk)


@login_required
@require_POST
def bill_issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _bill_action(
        request,
        pk,
        "billing.issue_bill",
        VersionForm(request.POST),
        lambda bill, data: bill_services.bill_issue(
            actor=request.user, bill=bill, version=data["version"]
        ),
    )


@login_required
@require_POST
def bill_void(request: HttpRequest, pk: int) -> HttpResponse:
    return _bill_action(
        request,
        pk,
        "billing.void_bill",
        BillVoidForm(request.POST),
        lambda bill, data: bill_services.bill_void(
            actor=request.user, bill=bill, version=data["version"], reason=data["reason"]
        ),
    )
