"""/api/v1/portal: the client portal's own API, for signed-in portal users only.

It authenticates by the portal session (with Django's CSRF check on writes), never by a
staff API token, and a staff session is refused: the staff API and this one never mix.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.security import APIKeyCookie
from pydantic import ConfigDict

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.services import audit_record
from lexcase.billing.selectors.client import client_bill_lines, client_bill_payments
from lexcase.core.once import sent_once
from lexcase.core.schema import Id
from lexcase.portal import selectors, services


class PortalSession(APIKeyCookie):
    param_name: str = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        contact = selectors.contact_for(request.user)
        if contact is None:
            return None
        request.portal_contact = contact  # type: ignore[attr-defined]
        return request.user


router = Router(tags=["portal"], auth=PortalSession())


class DateOut(Schema):
    kind: str
    title: str
    at: datetime | None = None
    on: date | None = None


class PortalMatterOut(Schema):
    id: int
    number: str
    title: str
    status: str
    stage: str
    next_hearing: datetime | None = None
    next_deadline: date | None = None


class PortalPartyOut(Schema):
    name: str
    role: str
    standing: str


class PortalDocumentOut(Schema):
    id: int
    title: str
    category: str
    download_url: str


class MatterDetailOut(Schema):
    id: int
    number: str
    title: str
    status: str
    stage: str
    parties: list[PortalPartyOut]
    dates: list[DateOut]
    documents: list[PortalDocumentOut]


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str


class MessageOut(Schema):
    id: int
    direction: str
    text: str
    occurred_at: datetime
    author: str


def _contact(request: AuthedRequest) -> Any:
    return request.portal_contact  # type: ignore[attr-defined]


@router.get("/portal/matters", response=list[PortalMatterOut])
def portal_matters(request: AuthedRequest) -> list[dict[str, Any]]:
    summaries = selectors.portal_matter_summaries(contact=_contact(request))
    audit_record(
        actor=request.user,
        action="portal.matters",
        data={"matters": [s.matter.pk for s in summaries], "api": True},
    )
    return [
        {
            "id": s.matter.pk,
            "number": s.matter.number,
            "title": s.matter.title,
            "status": s.matter.status,
            "stage": s.matter.stage or "",
            "next_hearing": s.next_hearing.starts_at if s.next_hearing else None,
            "next_deadline": s.next_deadline.due_date if s.next_deadline else None,
        }
        for s in summaries
    ]


@router.get("/portal/matters/{matter_id}", response=MatterDetailOut)
def portal_matter(request: AuthedRequest, matter_id: Id) -> dict[str, Any]:
    contact = _contact(request)
    matter = selectors.portal_matter_get(contact=contact, pk=matter_id)
    audit_record(
        actor=request.user,
        action="portal.matter_view",
        obj=matter,
        matter_id=matter.pk,
        data={"api": True},
    )
    dates = [
        {"kind": "hearing", "title": h.court, "at": h.starts_at}
        for h in selectors.portal_hearings(matter=matter)
    ] + [
        {"kind": "deadline", "title": d.title, "on": d.due_date}
        for d in selectors.portal_deadlines(matter=matter)
    ]
    return {
        "id": matter.pk,
        "number": matter.number,
        "title": matter.title,
        "status": matter.status,
        "stage": matter.stage or "",
        "parties": [
            {"name": p.party.name, "role": p.role, "standing": p.standing}
            for p in selectors.portal_matter_parties(matter=matter)
        ],
        "dates": dates,
        "documents": [
            {
                "id": d.pk,
                "title": d.title,
                "category": d.category,
                "download_url": f"/portal/documents/{d.pk}/download/",
            }
            for d in selectors.portal_documents(matter=matter)
        ],
    }


def _message_out(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "direction": m.direction,
        "text": m.summary,
        "occurred_at": m.occurred_at,
        "author": (m.created_by.display_name if m.created_by else "")
        if m.direction == "inbound"
        else "",
    }


@router.get("/portal/matters/{matter_id}/messages", response=list[MessageOut])
def portal_messages(request: AuthedRequest, matter_id: Id) -> list[dict[str, Any]]:
    matter = selectors.portal_matter_get(contact=_contact(request), pk=matter_id)
    audit_record(
        actor=request.user,
        action="portal.messages",
        obj=matter,
        matter_id=matter.pk,
        data={"api": True},
    )
    return [_message_out(m) for m in selectors.portal_messages(matter=matter)]


@router.post("/portal/matters/{matter_id}/messages", response={201: MessageOut})
def portal_message_send(request: AuthedRequest, matter_id: Id, payload: MessageIn) -> Status:
    contact = _contact(request)
    matter = selectors.portal_matter_get(contact=contact, pk=matter_id)
    # An Idempotency-Key header sends the message once (core.once: the same key again, 409).
    with sent_once(request):
        message = services.portal_message_send(contact=contact, matter=matter, text=payload.text)
    return Status(201, _message_out(message))


# -- Bills: the bills issued to the contact's client on the matters whose grant shows them,
# read as the portal's pages read them (rule `portal.view_bills`, same audit events).


class PortalBillOut(Schema):
    id: int
    number: str
    matter_id: int
    matter_number: str
    matter_title: str
    status: str
    issued_on: date | None = None
    due_on: date | None = None
    total: Decimal
    paid: Decimal
    outstanding: Decimal


class PortalBillLineOut(Schema):
    position: int
    kind: str
    description: str
    amount: Decimal


class PortalPaymentOut(Schema):
    on: date
    amount: Decimal


class PortalPayToOut(Schema):
    account_name: str
    bank: str
    account: str
    remark: str


class PortalBillDetailOut(PortalBillOut):
    note: str
    lines: list[PortalBillLineOut]
    payments: list[PortalPaymentOut]
    # Where to pay while something is outstanding and the firm named its account.
    pay_to: PortalPayToOut | None = None


def _bill_out(bill: Any) -> dict[str, Any]:
    return {
        "id": bill.pk,
        "number": bill.number,
        "matter_id": bill.matter_id,
        "matter_number": bill.matter.number,
        "matter_title": bill.matter.title,
        "status": bill.status,
        "issued_on": bill.issued_on,
        "due_on": bill.due_on,
        "total": bill.total,
        "paid": bill.paid,
        "outstanding": bill.open_amount,
    }


@router.get("/portal/bills", response=list[PortalBillOut])
def portal_bills(request: AuthedRequest, matter: Id | None = None) -> list[dict[str, Any]]:
    """The page `/portal/bills/` as data; `?matter=` narrows it to one matter (404 unless
    its grant shows bills)."""
    contact = _contact(request)
    narrowed: Any = None
    if matter is not None:
        narrowed = selectors.portal_bill_matter_get(contact=contact, pk=matter)
    rows = list(selectors.portal_bills(contact=contact, matter=narrowed))
    audit_record(
        actor=request.user,
        action="portal.bills",
        matter_id=narrowed.pk if narrowed is not None else None,
        data={
            "bills": [b.pk for b in rows],
            "matters": sorted({b.matter_id for b in rows}),
            "api": True,
        },
    )
    return [_bill_out(b) for b in rows]


@router.get("/portal/bills/{bill_id}", response=PortalBillDetailOut)
def portal_bill(request: AuthedRequest, bill_id: Id) -> dict[str, Any]:
    contact = _contact(request)
    bill = selectors.portal_bill_get(contact=contact, pk=bill_id)
    if not request.user.has_perm("portal.view_bills", bill.matter):
        raise Http404  # the selector's gate and the rule agree; never a 403 that leaks
    audit_record(
        actor=request.user,
        action="portal.bill_view",
        obj=bill,
        matter_id=bill.matter_id,
        data={"api": True},
    )
    firm = firm_profile()
    pay_to = None
    if bill.open_amount and (firm.bank_name or firm.bank_account):
        pay_to = {
            "account_name": firm.bank_account_name or firm.display_name,
            "bank": firm.bank_name,
            "account": firm.bank_account,
            "remark": bill.number,
        }
    return {
        **_bill_out(bill),
        "note": bill.note,
        "lines": [
            {
                "position": line.position,
                "kind": line.kind,
                "description": line.description,
                "amount": line.amount,
            }
            for line in client_bill_lines(bill=bill)
        ],
        "payments": [{"on": p.on, "amount": p.amount} for p in client_bill_payments(bill=bill)],
        "pay_to": pay_to,
    }
