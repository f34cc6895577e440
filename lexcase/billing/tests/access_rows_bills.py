"""Access-table rows of the bills area (joined in `access_rows`): `TABLE` (URL name → Route)
and `API_OPERATIONS` ((method, path) → TABLE key), as lexcase/core/tests/access.py says.

Reads follow the money gate: finance and administrators see the bills of every matter, the
confidential one included ("#confidential" rows), everyone else those of the matters they
see; walls apply to all. Drawing, issuing and voiding, recording invoices and their
reversals (红冲) are finance's alone (403 for the rest of those who see the bill)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lexcase.billing.services.bills import bill_draw, invoice_record
from lexcase.billing.services.payments import payment_record
from lexcase.billing.tests.bill_data import issued_bill, time_entry
from lexcase.core.tests.access import LOGIN, E, Route

PAGE_MONEY_READ = E(LOGIN, LOGIN, 200, 404, 200, 200, 404, 200, 404)
PAGE_CONFIDENTIAL_MONEY_READ = E(LOGIN, LOGIN, 200, 404, 404, 200, 404, 200, 404)
PAGE_FINANCE_WRITE = E(LOGIN, LOGIN, 302, 404, 403, 403, 404, 403, 404)
# Refused (a field missing or out of range): the page again with the form as typed (422).
PAGE_FINANCE_AGAIN = E(LOGIN, LOGIN, 422, 404, 403, 403, 404, 403, 404)
API_MONEY_READ = E(401, 401, 200, 404, 200, 200, 404, 200, 401)
API_CONFIDENTIAL_MONEY_READ = E(401, 401, 200, 404, 404, 200, 404, 200, 401)
API_FINANCE_WRITE = E(401, 401, 200, 404, 403, 403, 404, 403, 401)
API_ALL_STAFF = E(401, 401, 200, 200, 200, 200, 200, 200, 401)


def unbilled_work(f: Any, matter: Any = None) -> int:
    matter = matter or f.matter
    time_entry(f, matter)
    return matter.pk


def draft_bill(f: Any, matter: Any = None) -> int:
    matter = matter or f.matter
    unbilled_work(f, matter)
    return bill_draw(actor=f.finance, matter=matter).pk


def held_payment(f: Any) -> int:
    """¥100 received for `f.matter`, held (预收款)."""
    return payment_record(
        actor=f.finance,
        client=f.client_party,
        matter=f.matter,
        received_on=date(2026, 5, 6),
        amount=Decimal("100.00"),
        method="bank",
        payer="华泰科技",
    ).pk


def issued(f: Any) -> Any:
    return issued_bill(f)


def live_invoice(f: Any, matter: Any = None) -> tuple[int, int]:
    """An issued bill on `matter` and a live ¥500 invoice on it: (bill id, invoice id)."""
    bill = issued_bill(f, matter or f.matter)
    invoice = invoice_record(
        actor=f.finance,
        bills=[bill],
        kind="vat_general",
        number="24110000000087654321",
        issued_on=date(2026, 5, 6),
        amount=Decimal("500.00"),
        buyer_name="北京华泰科技有限公司",
    )
    return bill.pk, invoice.pk


def reverse_path(f: Any, matter: Any = None) -> str:
    bill, invoice = live_invoice(f, matter)
    return f"/bills/{bill}/invoices/{invoice}/reverse/"


REVERSAL = {"version": 1, "reason": "购买方名称有误，已开红字发票"}
REFUND = {"amount": "50.00", "refunded_on": "2026-05-07", "method": "bank", "reason": "多付"}
PAYMENT = {
    "client_id": None,
    "received_on": "2026-05-06",
    "amount": "100.00",
    "method": "wechat",
    "payer": "华泰科技",
}

INVOICE = {
    "kind": "vat_general",
    "number": "24110000000012345678",
    "issued_on": "2026-05-06",
    "amount": "500.00",
    "tax_rate": "0.06",
    "buyer_name": "北京华泰科技有限公司",
}

TABLE: dict[str, Route] = {
    "billing:bill_list": Route("GET", lambda f: "/bills/", E(LOGIN, LOGIN, *[200] * 6, 404)),
    "billing:bill_draw": Route(
        "GET", lambda f: "/bills/new/", E(LOGIN, LOGIN, 200, 403, 403, 403, 403, 403, 404)
    ),
    "billing:bill_detail": Route("GET", lambda f: f"/bills/{draft_bill(f)}/", PAGE_MONEY_READ),
    "billing:bill_detail#confidential": Route(
        "GET", lambda f: f"/bills/{draft_bill(f, f.confidential)}/", PAGE_CONFIDENTIAL_MONEY_READ
    ),
    # The confirmation page of issuing (works without JavaScript); its button posts below.
    "billing:bill_issue#confirm": Route(
        "GET",
        lambda f: f"/bills/{draft_bill(f)}/issue/",
        E(LOGIN, LOGIN, 200, 404, 403, 403, 404, 403, 404),
    ),
    "billing:bill_issue": Route(
        "POST",
        lambda f: f"/bills/{draft_bill(f)}/issue/",
        PAGE_FINANCE_WRITE,
        body=lambda f: {"version": 1},
    ),
    "billing:bill_void": Route(
        "POST",
        lambda f: f"/bills/{draft_bill(f)}/void/",
        PAGE_FINANCE_WRITE,
        body=lambda f: {"version": 1, "reason": "金额有误"},
    ),
    "billing:bill_void#refused": Route(
        "POST",
        lambda f: f"/bills/{draft_bill(f)}/void/",
        PAGE_FINANCE_AGAIN,
        body=lambda f: {"version": 1, "reason": ""},
    ),
    "api:list_bills": Route("GET", lambda f: "/api/v1/bills", API_ALL_STAFF),
    "api:draw_bill": Route(
        "POST",
        lambda f: f"/api/v1/bills?m={unbilled_work(f)}",
        E(401, 401, 201, 404, 403, 403, 404, 403, 401),
        body=lambda f: {"matter_id": f.matter.pk},
        json=True,
    ),
    "api:draw_bill#confidential": Route(
        "POST",
        lambda f: f"/api/v1/bills?m={unbilled_work(f, f.confidential)}",
        E(401, 401, 201, 404, 404, 403, 404, 403, 401),
        body=lambda f: {"matter_id": f.confidential.pk},
        json=True,
    ),
    "api:get_bill": Route("GET", lambda f: f"/api/v1/bills/{draft_bill(f)}", API_MONEY_READ),
    "api:get_bill#confidential": Route(
        "GET",
        lambda f: f"/api/v1/bills/{draft_bill(f, f.confidential)}",
        API_CONFIDENTIAL_MONEY_READ,
    ),
    "api:issue_bill": Route(
        "POST",
        lambda f: f"/api/v1/bills/{draft_bill(f)}/issue",
        API_FINANCE_WRITE,
        body=lambda f: {"version": 1},
        json=True,
    ),
    "api:void_bill": Route(
        "POST",
        lambda f: f"/api/v1/bills/{draft_bill(f)}/void",
        API_FINANCE_WRITE,
        body=lambda f: {"version": 1, "reason": "金额有误"},
        json=True,
    ),
    "billing:payment_list": Route("GET", lambda f: "/payments/", E(LOGIN, LOGIN, *[200] * 6, 404)),
    "billing:payment_record": Route(
        "GET", lambda f: "/payments/new/", E(LOGIN, LOGIN, 200, 403, 403, 403, 403, 403, 404)
    ),
    "billing:payment_detail": Route(
        "GET", lambda f: f"/payments/{held_payment(f)}/", PAGE_MONEY_READ
    ),
    "billing:payment_allocate": Route(
        "POST",
        lambda f: f"/payments/{held_payment(f)}/allocate/",
        PAGE_FINANCE_WRITE,
        body=lambda f: {"bill": issued(f).number, "amount": "100.00"},
    ),
    "billing:payment_refund": Route(
        "POST",
        lambda f: f"/payments/{held_payment(f)}/refund/",
        PAGE_FINANCE_WRITE,
        body=lambda f: REFUND,
    ),
    "billing:payment_allocate#refused": Route(
        "POST",
        lambda f: f"/payments/{held_payment(f)}/allocate/",
        PAGE_FINANCE_AGAIN,
        body=lambda f: {"bill": issued(f).number, "amount": "0"},
    ),
    "billing:payment_refund#refused": Route(
        "POST",
        lambda f: f"/payments/{held_payment(f)}/refund/",
        PAGE_FINANCE_AGAIN,
        body=lambda f: {**REFUND, "reason": ""},
    ),
    "billing:bill_pdf": Route("GET", lambda f: f"/bills/{draft_bill(f)}/pdf/", PAGE_MONEY_READ),
    "billing:bill_pdf#confidential": Route(
        "GET",
        lambda f: f"/bills/{draft_bill(f, f.confidential)}/pdf/",
        PAGE_CONFIDENTIAL_MONEY_READ,
    ),
    "billing:receivable_list": Route(
        "GET", lambda f: "/receivables/", E(LOGIN, LOGIN, *[200] * 6, 404)
    ),
    "api:get_receivables": Route("GET", lambda f: "/api/v1/receivables", API_ALL_STAFF),
    "billing:bill_invoice": Route(
        "POST",
        lambda f: f"/bills/{issued(f).pk}/invoices/",
        PAGE_FINANCE_WRITE,
        body=lambda f: INVOICE,
    ),
    "billing:bill_invoice#refused": Route(
        "POST",
        lambda f: f"/bills/{issued(f).pk}/invoices/",
        PAGE_FINANCE_AGAIN,
        body=lambda f: {**INVOICE, "number": ""},
    ),
    "api:record_invoice": Route(
        "POST",
        lambda f: "/api/v1/invoices",
        E(401, 401, 201, 403, 403, 403, 403, 403, 401),
        body=lambda f: {**INVOICE, "bill_ids": [issued(f).pk]},
        json=True,
    ),
    "api:list_invoices": Route(
        "GET", lambda f: f"/api/v1/invoices?bill_id={issued(f).pk}", API_MONEY_READ
    ),
    # Recording an invoice's reversal (红冲): finance; 404 to whoever does not see the money
    # of the bill (and so of the invoice), 403 to those who see it.
    "billing:invoice_reverse": Route(
        "POST", reverse_path, PAGE_FINANCE_WRITE, body=lambda f: REVERSAL
    ),
    "billing:invoice_reverse#refused": Route(
        "POST", reverse_path, PAGE_FINANCE_AGAIN, body=lambda f: {**REVERSAL, "reason": ""}
    ),
    "billing:invoice_reverse#confidential": Route(
        "POST",
        lambda f: reverse_path(f, f.confidential),
        E(LOGIN, LOGIN, 302, 404, 404, 403, 404, 403, 404),
        body=lambda f: REVERSAL,
    ),
    "api:reverse_invoice": Route(
        "POST",
        lambda f: f"/api/v1/invoices/{live_invoice(f)[1]}/reverse",
        API_FINANCE_WRITE,
        body=lambda f: REVERSAL,
        json=True,
    ),
    "api:reverse_invoice#confidential": Route(
        "POST",
        lambda f: f"/api/v1/invoices/{live_invoice(f, f.confidential)[1]}/reverse",
        E(401, 401, 200, 404, 404, 403, 404, 403, 401),
        body=lambda f: REVERSAL,
        json=True,
    ),
    # Exports: everyone staff, each reading only the money the gate shows them.
    "billing:bill_export": Route(
        "GET", lambda f: "/bills/export.xlsx", E(LOGIN, LOGIN, *[200] * 6, 404)
    ),
    "billing:payment_export": Route(
        "GET", lambda f: "/payments/export.xlsx", E(LOGIN, LOGIN, *[200] * 6, 404)
    ),
    "billing:receivable_export": Route(
        "GET", lambda f: "/receivables/export.xlsx", E(LOGIN, LOGIN, *[200] * 6, 404)
    ),
    "api:list_payments": Route("GET", lambda f: "/api/v1/payments", API_ALL_STAFF),
    "api:record_payment": Route(
        "POST",
        lambda f: "/api/v1/payments",
        E(401, 401, 201, 403, 403, 403, 403, 403, 401),
        body=lambda f: {**PAYMENT, "client_id": f.client_party.pk},
        json=True,
    ),
    "api:get_payment": Route(
        "GET", lambda f: f"/api/v1/payments/{held_payment(f)}", API_MONEY_READ
    ),
    "api:allocate_payment": Route(
        "POST",
        lambda f: f"/api/v1/payments/{held_payment(f)}/allocations",
        E(401, 401, 201, 404, 403, 403, 404, 403, 401),
        body=lambda f: {"bill_id": issued(f).pk, "amount": "100.00"},
        json=True,
    ),
    "api:refund_payment": Route(
        "POST",
        lambda f: f"/api/v1/payments/{held_payment(f)}/refunds",
        E(401, 401, 201, 404, 403, 403, 404, 403, 401),
        body=lambda f: REFUND,
        json=True,
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/receivables"): "api:get_receivables",
    ("post", "/api/v1/invoices"): "api:record_invoice",
    ("get", "/api/v1/invoices"): "api:list_invoices",
    ("post", "/api/v1/invoices/{invoice_id}/reverse"): "api:reverse_invoice",
    ("get", "/api/v1/payments"): "api:list_payments",
    ("post", "/api/v1/payments"): "api:record_payment",
    ("get", "/api/v1/payments/{payment_id}"): "api:get_payment",
    ("post", "/api/v1/payments/{payment_id}/allocations"): "api:allocate_payment",
    ("post", "/api/v1/payments/{payment_id}/refunds"): "api:refund_payment",
    ("get", "/api/v1/bills"): "api:list_bills",
    ("post", "/api/v1/bills"): "api:draw_bill",
    ("get", "/api/v1/bills/{bill_id}"): "api:get_bill",
    ("post", "/api/v1/bills/{bill_id}/issue"): "api:issue_bill",
    ("post", "/api/v1/bills/{bill_id}/void"): "api:void_bill",
}
