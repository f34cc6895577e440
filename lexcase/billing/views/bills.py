"""Pages of the bills area: bills (list, draw, detail, issue, void, PDF), payments,
invoices, receivables, exports. Thin: reads through `selectors/receivables.py` (the money
gate: 404), writes through the services (403, field errors)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.services import audit_record
from lexcase.billing import bill_document, bill_exports
from lexcase.billing.forms.bills import (
    AllocateForm,
    AsOfForm,
    BillDrawForm,
    BillFilterForm,
    BillVoidForm,
    InvoiceForm,
    InvoiceReverseForm,
    PaymentForm,
    RefundForm,
    VersionForm,
)
from lexcase.billing.models import InvoiceStatus
from lexcase.billing.money import capital, yuan
from lexcase.billing.selectors import receivables as reads
from lexcase.billing.services import bills as bill_services
from lexcase.billing.services import payments as payment_services
from lexcase.core.exceptions import AlreadySent, NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.core.once import already_sent_message, sent_once
from lexcase.matters.services import matter_record_read


@login_required
@require_GET
def bill_list(request: AuthedRequest) -> HttpResponse:
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
def bill_draw(request: AuthedRequest) -> HttpResponse:
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
def bill_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    bill = reads.bill_get(user=request.user, pk=pk)
    matter_record_read(
        actor=request.user, obj=bill, matter_id=bill.matter_id, page="billing:bill_detail"
    )
    return _bill_page(request, bill)


def _bill_page(
    request: AuthedRequest,
    bill: Any,
    refused: dict[str, forms.Form] | None = None,
    reverse_refused: tuple[int, forms.Form] | None = None,
) -> HttpResponse:
    """The bill's page; with a form that was refused (`refused`: its name in the page's
    context; `reverse_refused`: an invoice's reversal), that form as typed with its errors,
    status 422, nothing written."""
    invoices = reads.bill_invoices(user=request.user, bill=bill)
    may_reverse = request.user.has_perm("billing.reverse_invoice")
    # Each live invoice's reversal form, its ids its own (several forms on one page).
    invoice_rows = [
        (
            invoice,
            reverse_refused[1]
            if reverse_refused and reverse_refused[0] == invoice.pk
            else InvoiceReverseForm(
                initial={"version": invoice.version}, auto_id=f"id_reverse{invoice.pk}_%s"
            )
            if may_reverse and invoice.status == InvoiceStatus.ISSUED
            else None,
        )
        for invoice in invoices
    ]
    context = {
        "bill": bill,
        "lines": reads.bill_lines(bill=bill),
        "total_capital": capital(bill.total),
        "open_amount": bill.total - bill.paid,
        "void_form": BillVoidForm(initial={"version": bill.version}),
        "allocations": reads.bill_allocations(user=request.user, bill=bill),
        "invoices": invoices,
        "invoice_rows": invoice_rows,
        "live_invoice": any(i.status == InvoiceStatus.ISSUED for i in invoices),
        "invoice_form": InvoiceForm(
            initial={
                "tax_rate": Decimal(settings.LEXCASE_BILLING["vat_rate"]),
                "buyer_name": bill.client.name,
                "issued_on": timezone.localdate(),
            }
        ),
        **(refused or {}),
    }
    status = 422 if refused or reverse_refused else 200
    return render(request, "billing/bills/detail.html", context, status=status)


def _bill_action(
    request: AuthedRequest,
    pk: int,
    perm: str,
    form: forms.Form,
    run: Callable[..., Any],
    name: str,
    done: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """A bill's action; refused (the form or the service), the bill's page again with the
    form (`name` in its context) as typed and its errors."""
    bill = reads.bill_get(user=request.user, pk=pk)
    if not request.user.has_perm(perm, bill):
        raise PermissionDenied
    if not form.is_valid():
        return _bill_page(request, bill, {name: form})
    try:
        result = run(bill, form.cleaned_data)
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        messages.error(request, _("The bill changed meanwhile; please try again."))
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _bill_page(request, bill, {name: form})
    else:
        messages.success(request, done(result) if done else _("Saved."))
    return redirect("billing:bill_detail", pk=bill.pk)


def _issued_message(bill: Any) -> str:
    return _("Bill %(number)s issued: %(amount)s, due on %(due)s.") % {
        "number": bill.number,
        "amount": yuan(bill.total),
        "due": bill.due_on.isoformat(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def bill_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (what issuing does, the amount, the client), a page of its own
    so it works without JavaScript; POST (its button): issue, and say which number and
    amount."""
    if request.method == "GET":
        bill = reads.bill_get(user=request.user, pk=pk)
        if not request.user.has_perm("billing.issue_bill", bill):
            raise PermissionDenied
        if bill.status != "draft":
            return redirect("billing:bill_detail", pk=bill.pk)
        # The bill's amount and client, as on its page: a read of the matter's money.
        matter_record_read(
            actor=request.user, obj=bill, matter_id=bill.matter_id, page="billing:bill_issue"
        )
        return render(
            request,
            "billing/bills/issue_confirm.html",
            {
                "bill": bill,
                "total_capital": capital(bill.total),
                "due_days": int(settings.LEXCASE_BILLING["payment_terms_days"]),
            },
        )
    return _bill_action(
        request,
        pk,
        "billing.issue_bill",
        VersionForm(request.POST),
        lambda bill, data: bill_services.bill_issue(
            actor=request.user, bill=bill, version=data["version"]
        ),
        "issue_form",
        done=_issued_message,
    )


@login_required
@require_POST
def bill_void(request: AuthedRequest, pk: int) -> HttpResponse:
    return _bill_action(
        request,
        pk,
        "billing.void_bill",
        BillVoidForm(request.POST),
        lambda bill, data: bill_services.bill_void(
            actor=request.user, bill=bill, version=data["version"], reason=data["reason"]
        ),
        "void_form",
    )


# -- payments -------------------------------------------------------------------------------


@login_required
@require_GET
def payment_list(request: AuthedRequest) -> HttpResponse:
    try:
        after = int(request.GET.get("after", "")) or None
    except ValueError:
        after = None
    items, next_after = reads.payments_page(user=request.user, after=after)
    return render(
        request, "billing/bills/payments.html", {"payments": items, "next_after": next_after}
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_record(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("billing.record_payment"):
        raise PermissionDenied
    initial: dict[str, Any] = {"received_on": timezone.localdate(), "method": "bank"}
    prefill = reads.bills_of(request.user).filter(pk=_int(request.GET.get("bill"))).first()
    if prefill is not None:
        initial.update(
            bill=prefill.number,
            amount=prefill.total - prefill.paid,
            payer=prefill.client.name,
        )
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bill = reads.bill_by_number(user=request.user, number=data["bill"])
        matter = reads.money_matter_by_number(user=request.user, number=data["matter"])
        client = None
        allocations: list[payment_services.AllocationIn] = []
        if data["bill"] and bill is None:
            form.add_error("bill", _("No bill with this number."))
        elif data["matter"] and matter is None:
            form.add_error("matter", _("No matter with this number."))
        elif bill is not None:
            client = bill.client
            amount = data["allocate"] or min(data["amount"], bill.total - bill.paid)
            if amount > 0:
                allocations.append(payment_services.AllocationIn(bill=bill, amount=amount))
        elif matter is not None:  # the form asks for a bill or a matter
            clients = bill_services.matter_clients(matter=matter)
            if not clients:
                form.add_error("matter", _("The matter has no client to bill."))
            else:
                client = clients[0]
        if client is not None:
            try:
                with sent_once(request):
                    payment = payment_services.payment_record(
                        actor=request.user,
                        client=client,
                        received_on=data["received_on"],
                        amount=data["amount"],
                        method=data["method"],
                        payer=data["payer"],
                        reference=data["reference"],
                        note=data["note"],
                        matter=matter,
                        allocations=allocations,
                    )
            except AlreadySent:
                messages.warning(request, already_sent_message())
                return redirect("billing:payment_list")
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "allocations" in exc.error_dict:
                    exc = ValidationError({"allocate": exc.error_dict.pop("allocations")})
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Payment recorded."))
                return redirect("billing:payment_detail", pk=payment.pk)
    return render(request, "billing/bills/payment_form.html", {"form": form})


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_GET
def payment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = reads.payment_get(user=request.user, pk=pk)
    matter_record_read(
        actor=request.user,
        obj=payment,
        matter_id=payment.matter_id,
        page="billing:payment_detail",
    )
    return _payment_page(request, payment)


def _payment_page(
    request: AuthedRequest, payment: Any, refused: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """The payment's page; with a refused allocation or refund, that form as typed with its
    errors (status 422, nothing written)."""
    context = {
        "payment": payment,
        "allocations": reads.payment_allocations(user=request.user, payment=payment),
        "refunds": reads.payment_refunds(payment=payment),
        "allocate_form": AllocateForm(initial={"amount": payment.unallocated or None}),
        "refund_form": RefundForm(initial={"refunded_on": timezone.localdate()}),
        **(refused or {}),
    }
    status = 422 if refused else 200
    return render(request, "billing/bills/payment_detail.html", context, status=status)


def _payment_action(
    request: AuthedRequest, pk: int, form: forms.Form, run: Callable[..., object], name: str
) -> HttpResponse:
    payment = reads.payment_get(user=request.user, pk=pk)
    if not request.user.has_perm("billing.record_payment"):
        raise PermissionDenied
    if not form.is_valid():
        return _payment_page(request, payment, {name: form})
    try:
        with sent_once(request):
            run(payment, form.cleaned_data)
    except AlreadySent:
        messages.warning(request, already_sent_message())
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        # Refused: nothing written and the key freed; the form as typed with its errors.
        apply_service_errors(form, exc)
        return _payment_page(request, payment, {name: form})
    else:
        messages.success(request, _("Saved."))
    return redirect("billing:payment_detail", pk=payment.pk)


@login_required
@require_POST
def payment_allocate(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(payment: Any, data: dict[str, Any]) -> None:
        bill = reads.bill_by_number(user=request.user, number=data["bill"])
        if bill is None:
            raise ValidationError({"bill": [_("No bill with this number.")]})
        payment_services.payment_allocate(
            actor=request.user, payment=payment, bill=bill, amount=data["amount"]
        )

    return _payment_action(request, pk, AllocateForm(request.POST), run, "allocate_form")


@login_required
@require_POST
def payment_refund(request: AuthedRequest, pk: int) -> HttpResponse:
    return _payment_action(
        request,
        pk,
        RefundForm(request.POST),
        lambda payment, data: payment_services.payment_refund(
            actor=request.user, payment=payment, **data
        ),
        "refund_form",
    )


# -- receivables, PDF ----------------------------------------------------------------------------


def _as_of(request: AuthedRequest) -> tuple[AsOfForm, date]:
    form = AsOfForm(request.GET)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    return form, as_of or timezone.localdate()


@login_required
@require_GET
def receivable_list(request: AuthedRequest) -> HttpResponse:
    form, as_of = _as_of(request)
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    result = reads.receivables(user=request.user, as_of=as_of, page=page)
    return render(
        request,
        "billing/bills/receivables.html",
        {"form": form, "result": result, "buckets": reads.BUCKET_KEYS},
    )


@login_required
@require_GET
def bill_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    bill = reads.bill_get(user=request.user, pk=pk)
    pdf = bill_document.bill_pdf(bill=bill, viewer=request.user)
    audit_record(actor=request.user, action="billing.bill_pdf", obj=bill, matter_id=bill.matter_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = bill.number or f"draft-{bill.pk}"
    response["Content-Disposition"] = (
        content_disposition_header(False, f"bill-{name}.pdf") or "inline"
    )
    return response


@login_required
@require_POST
def bill_invoice(request: AuthedRequest, pk: int) -> HttpResponse:
    return _bill_action(
        request,
        pk,
        "billing.record_invoice",
        InvoiceForm(request.POST),
        lambda bill, data: bill_services.invoice_record(actor=request.user, bills=[bill], **data),
        "invoice_form",
    )


@login_required
@require_POST
def invoice_reverse(request: AuthedRequest, pk: int, invoice_pk: int) -> HttpResponse:
    """Record an invoice's reversal (红冲) from the page of a bill it covers."""
    bill = reads.bill_get(user=request.user, pk=pk)
    invoice = reads.invoice_get(user=request.user, pk=invoice_pk, bill=bill)
    if not request.user.has_perm("billing.reverse_invoice", invoice):
        raise PermissionDenied
    form = InvoiceReverseForm(request.POST, auto_id=f"id_reverse{invoice.pk}_%s")
    if not form.is_valid():
        return _bill_page(request, bill, reverse_refused=(invoice.pk, form))
    try:
        bill_services.invoice_reverse(
            actor=request.user,
            invoice=invoice,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        messages.error(request, _("The invoice changed meanwhile; please try again."))
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _bill_page(request, bill, reverse_refused=(invoice.pk, form))
    else:
        messages.success(request, _("The invoice's reversal is recorded."))
    return redirect("billing:bill_detail", pk=bill.pk)


# -- Excel exports -------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(request: AuthedRequest, data: bytes, filename: str, what: str) -> HttpResponse:
    audit_record(actor=request.user, action="billing.export", data={"what": what})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def bill_export(request: AuthedRequest) -> HttpResponse:
    form = BillFilterForm(request.GET)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    rows = reads.bills_of(request.user).order_by("-pk")
    if status:
        rows = rows.filter(status=status)
    data = bill_exports.bills_workbook(rows.iterator(chunk_size=2000))
    return _xlsx(request, data, f"bills-{timezone.localdate():%Y%m%d}.xlsx", "bills")


@login_required
@require_GET
def payment_export(request: AuthedRequest) -> HttpResponse:
    rows = reads.payments_of(request.user).order_by("-pk").iterator(chunk_size=2000)
    data = bill_exports.payments_workbook(rows)
    return _xlsx(request, data, f"payments-{timezone.localdate():%Y%m%d}.xlsx", "payments")


@login_required
@require_GET
def receivable_export(request: AuthedRequest) -> FileResponse:
    """Every receivables row, streamed: read from the database in chunks, written row by row
    into a temporary workbook file, sent from that file in blocks (memory stays flat
    whatever the number of rows)."""
    _form, as_of = _as_of(request)
    out = tempfile.TemporaryFile()
    try:
        bill_exports.receivables_workbook(
            reads.receivables_stream(user=request.user, as_of=as_of), out
        )
        out.seek(0)
    except BaseException:
        out.close()
        raise
    audit_record(actor=request.user, action="billing.export", data={"what": "receivables"})
    # FileResponse closes the file (and so deletes it) when the response is done.
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"receivables-{as_of:%Y%m%d}.xlsx",
        content_type=XLSX,
    )
