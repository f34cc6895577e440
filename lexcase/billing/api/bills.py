"""/api/v1 for bills, invoices, payments and receivables (`GET/POST /bills`,
`POST /bills/{id}/issue`, `POST /bills/{id}/void`, `POST /payments`, `GET /receivables`,
`GET/POST /invoices`, `POST /invoices/{id}/reverse`).
Amounts are strings with two decimals; reads go through the money gate (404 when the
matter's money is not the caller's to see), writes are finance's (403 otherwise)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.models import AnyUser
from lexcase.billing.models import Bill, BillStatus, InvoiceKind, Payment, PaymentMethod
from lexcase.billing.money import capital, to_api
from lexcase.billing.selectors import receivables as reads
from lexcase.billing.selectors.shared import matter_money_get
from lexcase.billing.services import bills as bill_services
from lexcase.billing.services import payments as payment_services
from lexcase.core.exceptions import NotAllowed
from lexcase.core.once import sent_once
from lexcase.core.schema import Choices, CivilDate, Id, Version
from lexcase.matters.services import matter_record_read

router = Router(tags=["bills"])

BillStatusLiteral = Choices[str, BillStatus]


class BillLineOut(Schema):
    id: int
    position: int
    kind: str
    description: str
    amount: str


class BillOut(Schema):
    id: int
    number: str | None
    status: str
    matter_id: int
    matter_number: str
    matter_title: str
    client_id: Id
    client_name: str
    issued_on: date | None
    due_on: date | None
    total: str
    total_capital: str = Field(description="The total in Chinese capital figures (大写)")
    paid: str
    open: str
    note: str
    void_reason: str
    version: int
    lines: list[BillLineOut]


class BillListItem(Schema):
    id: int
    number: str | None
    status: str
    matter_id: int
    matter_number: str
    client_name: str
    issued_on: date | None
    due_on: date | None
    total: str
    paid: str


class BillListOut(Schema):
    items: list[BillListItem]
    next_after: int | None


class BillDrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    matter_id: Id
    client_id: Id | None = Field(
        default=None, description="A client of the matter; the first one when omitted"
    )
    as_of: CivilDate | None = Field(
        default=None, description="Bill what is due up to this day (default: today)"
    )
    note: str = Field(default="", max_length=2000)


class BillVersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version


class BillVoidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version
    reason: str = Field(max_length=2000)


def bill_out(bill: Bill) -> BillOut:
    return BillOut(
        id=bill.pk,
        number=bill.number,
        status=bill.status,
        matter_id=bill.matter_id,
        matter_number=bill.matter.number,
        matter_title=bill.matter.title,
        client_id=bill.client_id,
        client_name=bill.client.name,
        issued_on=bill.issued_on,
        due_on=bill.due_on,
        total=to_api(bill.total),
        total_capital=capital(bill.total),
        paid=to_api(bill.paid),
        open=to_api(bill.total - bill.paid),
        note=bill.note,
        void_reason=bill.void_reason,
        version=bill.version,
        lines=[
            BillLineOut(
                id=line.pk,
                position=line.position,
                kind=line.kind,
                description=line.description,
                amount=to_api(line.amount),
            )
            for line in reads.bill_lines(bill=bill)
        ],
    )


def _reload(request: AuthedRequest, pk: int) -> BillOut:
    return bill_out(reads.bill_get(user=request.user, pk=pk))


@router.get("/bills", response=BillListOut, operation_id="bill_list")
def list_bills(
    request: AuthedRequest,
    status: BillStatusLiteral | None = None,
    matter_id: Id | None = None,
    after: Id | None = None,
) -> BillListOut:
    """Bills of the matters whose money the caller sees, newest first, 50 a page."""
    matter = matter_money_get(user=request.user, pk=matter_id) if matter_id else None
    page = reads.bills_page(user=request.user, status=status or "", matter=matter, after=after)
    return BillListOut(
        items=[
            BillListItem(
                id=b.pk,
                number=b.number,
                status=b.status,
                matter_id=b.matter_id,
                matter_number=b.matter.number,
                client_name=b.client.name,
                issued_on=b.issued_on,
                due_on=b.due_on,
                total=to_api(b.total),
                paid=to_api(b.paid),
            )
            for b in page.items
        ],
        next_after=page.next_after,
    )


@router.post("/bills", response={201: BillOut}, operation_id="bill_draw")
def draw_bill(request: AuthedRequest, payload: BillDrawIn) -> Status:
    """Draw a draft bill on a matter: the approved agreement's instalments due by `as_of`,
    unbilled billable time (minutes / 60 × rate, rounded once per line) and expenses the firm
    advanced (finance)."""
    matter = matter_money_get(user=request.user, pk=payload.matter_id)
    if not request.user.has_perm("billing.draw_bill", matter):
        raise NotAllowed("billing.draw_bill")
    client = None
    if payload.client_id is not None:
        client = next(
            (c for c in bill_services.matter_clients(matter=matter) if c.pk == payload.client_id),
            None,
        )
        if client is None:
            raise ValidationError({"client_id": [_("Bill a client of this matter.")]})
    bill = bill_services.bill_draw(
        actor=request.user, matter=matter, client=client, as_of=payload.as_of, note=payload.note
    )
    return Status(201, _reload(request, bill.pk))


@router.get("/bills/{bill_id}", response=BillOut, operation_id="bill_get")
def get_bill(request: AuthedRequest, bill_id: Id) -> BillOut:
    bill = reads.bill_get(user=request.user, pk=bill_id)
    matter_record_read(
        actor=request.user, obj=bill, matter_id=bill.matter_id, page="bill_get", via="api"
    )
    return bill_out(bill)


@router.post("/bills/{bill_id}/issue", response=BillOut, operation_id="bill_issue")
def issue_bill(request: AuthedRequest, bill_id: Id, payload: BillVersionIn) -> BillOut:
    """Issue a draft: numbered from this year's gap-free series, dated today (Asia/Shanghai),
    due after the firm's payment terms."""
    bill = reads.bill_get(user=request.user, pk=bill_id)
    bill_services.bill_issue(actor=request.user, bill=bill, version=payload.version)
    return _reload(request, bill_id)


@router.post("/bills/{bill_id}/void", response=BillOut, operation_id="bill_void")
def void_bill(request: AuthedRequest, bill_id: Id, payload: BillVoidIn) -> BillOut:
    """Void a draft or issued bill with a reason; its sources can be billed again. Refused
    while payments are allocated to it."""
    bill = reads.bill_get(user=request.user, pk=bill_id)
    bill_services.bill_void(
        actor=request.user, bill=bill, version=payload.version, reason=payload.reason
    )
    return _reload(request, bill_id)


# -- payments (收款), allocations, refunds ------------------------------------------------------

PaymentMethodLiteral = Choices[str, PaymentMethod]


class AllocationSchemaIn(Schema):
    model_config = ConfigDict(extra="forbid")

    bill_id: Id
    amount: Decimal


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client_id: Id
    received_on: CivilDate
    amount: Decimal
    method: PaymentMethodLiteral
    payer: str = Field(max_length=200)
    reference: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=2000)
    matter_id: Id | None = Field(
        default=None, description="The matter the payer named (预收款 for one matter)"
    )
    allocations: list[AllocationSchemaIn] = Field(default_factory=list, max_length=100)


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal
    refunded_on: CivilDate
    method: PaymentMethodLiteral
    reason: str = Field(max_length=2000)
    reference: str = Field(default="", max_length=100)


class AllocationOut(Schema):
    bill_id: Id
    bill_number: str | None
    amount: str
    allocated_on: date


class RefundOut(Schema):
    id: int
    amount: str
    refunded_on: date
    method: str
    reason: str


class PaymentOut(Schema):
    id: int
    client_id: Id
    client_name: str
    matter_id: int | None
    received_on: date
    amount: str
    method: str
    payer: str
    reference: str
    note: str
    status: str
    allocated: str
    refunded: str
    unallocated: str = Field(
        description="预收款 held for the client: amount − allocated − refunded"
    )
    allocations: list[AllocationOut]
    refunds: list[RefundOut]


class PaymentListItem(Schema):
    id: int
    client_name: str
    received_on: date
    amount: str
    method: str
    allocated: str
    unallocated: str


class PaymentListOut(Schema):
    items: list[PaymentListItem]
    next_after: int | None


def payment_out(user: AnyUser, payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        client_id=payment.client_id,
        client_name=payment.client.name,
        matter_id=payment.matter_id,
        received_on=payment.received_on,
        amount=to_api(payment.amount),
        method=payment.method,
        payer=payment.payer,
        reference=payment.reference,
        note=payment.note,
        status=payment.status,
        allocated=to_api(payment.allocated),
        refunded=to_api(payment.refunded),
        unallocated=to_api(payment.unallocated),
        allocations=[
            AllocationOut(
                bill_id=a.bill_id,
                bill_number=a.bill.number,
                amount=to_api(a.amount),
                allocated_on=a.allocated_on,
            )
            for a in reads.payment_allocations(user=user, payment=payment)
        ],
        refunds=[
            RefundOut(
                id=r.pk,
                amount=to_api(r.amount),
                refunded_on=r.refunded_on,
                method=r.method,
                reason=r.reason,
            )
            for r in reads.payment_refunds(payment=payment)
        ],
    )


def _require_payments(request: AuthedRequest) -> None:
    if not request.user.has_perm("billing.record_payment"):
        raise NotAllowed("billing.record_payment")


def _bill_for_allocation(request: AuthedRequest, bill_id: Id, field: str) -> Bill:
    try:
        return reads.bill_get(user=request.user, pk=bill_id)
    except Http404:
        raise ValidationError({field: [_("No bill with this id.")]}) from None


@router.get("/payments", response=PaymentListOut, operation_id="payment_list")
def list_payments(request: AuthedRequest, after: Id | None = None) -> PaymentListOut:
    """Payments the caller may see (finance and administrators: all), newest first."""
    items, next_after = reads.payments_page(user=request.user, after=after)
    return PaymentListOut(
        items=[
            PaymentListItem(
                id=p.pk,
                client_name=p.client.name,
                received_on=p.received_on,
                amount=to_api(p.amount),
                method=p.method,
                allocated=to_api(p.allocated),
                unallocated=to_api(p.unallocated),
            )
            for p in items
        ],
        next_after=next_after,
    )


@router.post("/payments", response={201: PaymentOut}, operation_id="payment_record")
def record_payment(request: AuthedRequest, payload: PaymentIn) -> Status:
    """Record fee money received (finance) and apply it to the client's issued bills in the
    same transaction; what is not applied is held as 预收款. Over-allocation, negative
    amounts and other clients' bills are refused (422 naming the field)."""
    _require_payments(request)
    client = reads.client_get(pk=payload.client_id)
    if client is None:
        raise ValidationError({"client_id": [_("No client with this id.")]})
    matter: Any = None
    if payload.matter_id is not None:
        try:
            matter = matter_money_get(user=request.user, pk=payload.matter_id)
        except Http404:
            raise ValidationError({"matter_id": [_("No matter with this id.")]}) from None
    allocations = [
        payment_services.AllocationIn(
            bill=_bill_for_allocation(request, a.bill_id, "allocations"), amount=a.amount
        )
        for a in payload.allocations
    ]
    with sent_once(request):
        payment = payment_services.payment_record(
            actor=request.user,
            client=client,
            received_on=payload.received_on,
            amount=payload.amount,
            method=payload.method,
            payer=payload.payer,
            reference=payload.reference,
            note=payload.note,
            matter=matter,
            allocations=allocations,
        )
    return Status(
        201, payment_out(request.user, reads.payment_get(user=request.user, pk=payment.pk))
    )


@router.get("/payments/{payment_id}", response=PaymentOut, operation_id="payment_get")
def get_payment(request: AuthedRequest, payment_id: Id) -> PaymentOut:
    payment = reads.payment_get(user=request.user, pk=payment_id)
    matter_record_read(
        actor=request.user,
        obj=payment,
        matter_id=payment.matter_id,
        page="payment_get",
        via="api",
    )
    return payment_out(request.user, payment)


@router.post(
    "/payments/{payment_id}/allocations",
    response={201: PaymentOut},
    operation_id="payment_allocate",
)
def allocate_payment(request: AuthedRequest, payment_id: Id, payload: AllocationSchemaIn) -> Status:
    """Apply held money (预收款) of a payment to an issued bill of the same client."""
    payment = reads.payment_get(user=request.user, pk=payment_id)
    _require_payments(request)
    bill = _bill_for_allocation(request, payload.bill_id, "bill_id")
    with sent_once(request):
        payment_services.payment_allocate(
            actor=request.user, payment=payment, bill=bill, amount=payload.amount
        )
    return Status(
        201, payment_out(request.user, reads.payment_get(user=request.user, pk=payment_id))
    )


@router.post(
    "/payments/{payment_id}/refunds", response={201: PaymentOut}, operation_id="payment_refund"
)
def refund_payment(request: AuthedRequest, payment_id: Id, payload: RefundIn) -> Status:
    """Return fee money to the client out of the payment's unallocated part."""
    payment = reads.payment_get(user=request.user, pk=payment_id)
    with sent_once(request):
        payment_services.payment_refund(
            actor=request.user,
            payment=payment,
            amount=payload.amount,
            refunded_on=payload.refunded_on,
            method=payload.method,
            reason=payload.reason,
            reference=payload.reference,
        )
    return Status(
        201, payment_out(request.user, reads.payment_get(user=request.user, pk=payment_id))
    )


# -- receivables --------------------------------------------------------------------------------


class ReceivableRowOut(Schema):
    client_id: Id
    client_name: str
    matter_id: int
    matter_number: str
    matter_title: str
    issued: str
    allocated: str
    open: str
    buckets: dict[str, str] = Field(
        description="Open amount by days since issue: 0_30, 31_90, 91_180, over_180"
    )


class ReceivableTotalsOut(Schema):
    issued: str
    allocated: str
    open: str
    buckets: dict[str, str]


class ReceivablesOut(Schema):
    as_of: date
    rows: list[ReceivableRowOut]
    totals: ReceivableTotalsOut | None = Field(
        description="Over every row, on the first page only (null when `after` is given)"
    )
    next_after: str | None = Field(
        description="Pass as `after` for the next page; null on the last page"
    )


def _receivable_row_out(r: Any) -> ReceivableRowOut:
    return ReceivableRowOut(
        client_id=r.client_id,
        client_name=r.client_name,
        matter_id=r.matter_id,
        matter_number=r.matter_number,
        matter_title=r.matter_title,
        issued=to_api(r.issued),
        allocated=to_api(r.allocated),
        open=to_api(r.open),
        buckets={k: to_api(v) for k, v in r.buckets.items()},
    )


@router.get("/receivables", response=ReceivablesOut, operation_id="receivables")
def get_receivables(
    request: AuthedRequest,
    as_of: CivilDate | None = None,
    client_id: Id | None = None,
    matter_id: Id | None = None,
    after: str | None = Query(None, max_length=400),
    limit: int = Query(500, ge=1, le=1000),
) -> ReceivablesOut:
    """What clients owe on `as_of` (default today), per client and matter: issued bills less
    allocations, with aging buckets by days since issue; settled rows left out. Sorted by
    client name and matter number, `limit` rows per page, keyset-paged: pass `next_after` as
    `after` for the next page (null on the last); the totals come with the first page."""
    matter = matter_money_get(user=request.user, pk=matter_id) if matter_id else None
    page = reads.receivables_after(
        user=request.user,
        as_of=as_of or timezone.localdate(),
        client_id=client_id,
        matter=matter,
        after=after,
        limit=limit,
    )
    totals = page.totals
    return ReceivablesOut(
        as_of=page.as_of,
        rows=[_receivable_row_out(r) for r in page.rows],
        totals=None
        if totals is None
        else ReceivableTotalsOut(
            issued=to_api(totals.issued),
            allocated=to_api(totals.allocated),
            open=to_api(totals.open),
            buckets={k: to_api(v) for k, v in totals.buckets.items()},
        ),
        next_after=page.next_after,
    )


# -- invoices (发票) -------------------------------------------------------------------------------


class InvoiceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    bill_ids: list[Id] = Field(min_length=1, max_length=100)
    kind: Choices[str, InvoiceKind]
    number: str = Field(max_length=40)
    issued_on: CivilDate
    amount: Decimal
    tax_rate: Decimal | None = Field(
        default=None, description="A fraction (0.06); the firm's setting when omitted"
    )
    buyer_name: str = Field(max_length=200)
    buyer_tax_id: str = Field(default="", max_length=30)


class InvoiceOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: date
    amount: str
    tax_rate: str
    tax_amount: str | None
    client_id: Id
    buyer_name: str
    buyer_tax_id: str
    status: str = Field(description="issued, or reversed (红冲 recorded)")
    reversal_reason: str
    reversed_at: datetime | None = Field(description="when the reversal was recorded")
    reversed_by: str | None = Field(description="who recorded the reversal (their name)")
    version: int
    bill_ids: list[int]


class InvoiceReverseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version
    reason: str = Field(max_length=2000)


def invoice_out(invoice: Any) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.pk,
        kind=invoice.kind,
        number=invoice.number,
        issued_on=invoice.issued_on,
        amount=to_api(invoice.amount),
        tax_rate=f"{invoice.tax_rate:f}",
        tax_amount=None if invoice.tax_amount is None else to_api(invoice.tax_amount),
        client_id=invoice.client_id,
        buyer_name=invoice.buyer_name,
        buyer_tax_id=invoice.buyer_tax_id,
        status=invoice.status,
        reversal_reason=invoice.reversal_reason,
        reversed_at=invoice.reversed_at,
        reversed_by=invoice.reversed_by.display_name if invoice.reversed_by else None,
        version=invoice.version,
        bill_ids=sorted(b.pk for b in invoice.bills.all()),
    )


@router.get("/invoices", response=list[InvoiceOut], operation_id="invoice_list")
def list_invoices(request: AuthedRequest, bill_id: Id) -> list[InvoiceOut]:
    """The invoices recorded against a bill whose matter's money the caller sees."""
    bill = reads.bill_get(user=request.user, pk=bill_id)
    matter_record_read(
        actor=request.user, obj=bill, matter_id=bill.matter_id, page="invoice_list", via="api"
    )
    return [invoice_out(i) for i in reads.bill_invoices(user=request.user, bill=bill)]


@router.post("/invoices", response={201: InvoiceOut}, operation_id="invoice_record")
def record_invoice(request: AuthedRequest, payload: InvoiceIn) -> Status:
    """Record a 发票 issued in the tax system against issued bills of one client (finance):
    the legal service fee only, up to what those bills' fee lines leave uninvoiced."""
    if not request.user.has_perm("billing.record_invoice"):
        raise NotAllowed("billing.record_invoice")
    bills = [
        _bill_for_allocation(request, pk, "bill_ids") for pk in dict.fromkeys(payload.bill_ids)
    ]
    invoice = bill_services.invoice_record(
        actor=request.user,
        bills=bills,
        kind=payload.kind,
        number=payload.number,
        issued_on=payload.issued_on,
        amount=payload.amount,
        tax_rate=payload.tax_rate,
        buyer_name=payload.buyer_name,
        buyer_tax_id=payload.buyer_tax_id,
    )
    return Status(201, invoice_out(invoice))


@router.post("/invoices/{invoice_id}/reverse", response=InvoiceOut, operation_id="invoice_reverse")
def reverse_invoice(
    request: AuthedRequest, invoice_id: Id, payload: InvoiceReverseIn
) -> InvoiceOut:
    """Record the reversal (红冲) of a live invoice, with the reason (finance): the red-letter
    invoice was issued in the tax system. The invoice is kept, `status` `reversed`; its
    amount no longer counts against its bills' fees, and a bill it covered may be voided.
    404 unless the caller sees the money of every bill it covers; 409 on a stale `version`."""
    invoice = reads.invoice_get(user=request.user, pk=invoice_id)
    invoice = bill_services.invoice_reverse(
        actor=request.user, invoice=invoice, version=payload.version, reason=payload.reason
    )
    return invoice_out(invoice)
