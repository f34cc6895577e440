"""/api/v1 for bills, invoices, payments and receivables (`GET/POST /bills`,
`POST /bills/{id}/issue`, `POST /bills/{id}/void`, `POST /payments`, `GET /receivables`).
Amounts are strings with two decimals; reads go through the money gate (404 when the
matter's money is not the caller's to see), writes are finance's (403 otherwise)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.billing.models import Bill
from lexcase.billing.money import capital, to_api
from lexcase.billing.selectors import receivables as reads
from lexcase.billing.selectors.shared import matter_money_get
from lexcase.billing.services import bills as bill_services
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import CivilDate

router = Router(tags=["bills"])

BillStatusLiteral = Literal["draft", "issued", "partly_paid", "paid", "void"]


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
    client_id: int
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

    matter_id: int
    client_id: int | None = Field(
        default=None, description="A client of the matter; the first one when omitted"
    )
    as_of: CivilDate | None = Field(
        default=None, description="Bill what is due up to this day (default: today)"
    )
    note: str = Field(default="", max_length=2000)


class VersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int


class BillVoidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
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


def _reload(request: HttpRequest, pk: int) -> BillOut:
    return bill_out(reads.bill_get(user=request.user, pk=pk))


@router.get("/bills", response=BillListOut, operation_id="bill_list")
def list_bills(
    request: HttpRequest,
    status: BillStatusLiteral | None = None,
    matter_id: int | None = None,
    after: int | None = None,
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
def draw_bill(request: HttpRequest, payload: BillDrawIn) -> Status:
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
def get_bill(request: HttpRequest, bill_id: int) -> BillOut:
    return _reload(request, bill_id)


@router.post("/bills/{bill_id}/issue", response=BillOut, operation_id="bill_issue")
def issue_bill(request: HttpRequest, bill_id: int, payload: VersionIn) -> BillOut:
    """Issue a draft: numbered from this year's gap-free series, dated today (Asia/Shanghai),
    due after the firm's payment terms."""
    bill = reads.bill_get(user=request.user, pk=bill_id)
    bill_services.bill_issue(actor=request.user, bill=bill, version=payload.version)
    return _reload(request, bill_id)


@router.post("/bills/{bill_id}/void", response=BillOut, operation_id="bill_void")
def void_bill(request: HttpRequest, bill_id: int, payload: BillVoidIn) -> BillOut:
    """Void a draft or issued bill with a reason; its sources can be billed again. Refused
    while payments are allocated to it."""
    bill = reads.bill_get(user=request.user, pk=bill_id)
    bill_services.bill_void(
        actor=request.user, bill=bill, version=payload.version, reason=payload.reason
    )
    return _reload(request, bill_id)
