"""A money form sent twice records once (core.once): a payment, a refund, an allocation, an
entry of client money, an expense and a time entry. Before, a double click or a reload of
the answer recorded the same payment twice (the second one held as 预收款), the same refund
or allocation twice, the same time twice (billed twice). The API does the same with an
Idempotency-Key header."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import (
    Bill,
    ClientFundsEntry,
    Expense,
    Payment,
    PaymentAllocation,
    Refund,
    TimeEntry,
)
from lexcase.billing.tests.access_rows_bills import held_payment
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.core.models import SentForm
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
ALREADY = "此表单已提交并已处理，未重复处理。"


@dataclass(frozen=True)
class Case:
    page: Callable[[Any], str]  # the GET page holding the form
    action: Callable[[Any], str]
    user: str
    body: Callable[[Any], dict]
    rows: Callable[[], int]
    after: Callable[[Any], str]  # where a repeated form goes


def _payment(f: Any) -> int:
    return held_payment(f)


def _bill_number(f: Any) -> str:
    bill = issued_bill(f)
    return Bill.objects.get(pk=getattr(bill, "pk", bill)).number


CASES = {
    "payment": Case(
        lambda f: "/payments/new/",
        lambda f: "/payments/new/",
        "finance",
        lambda f: {
            "matter": f.matter.number,
            "received_on": "2026-05-06",
            "amount": "100.00",
            "method": "bank",
            "payer": "华泰科技",
        },
        lambda: Payment.objects.count(),
        lambda f: "/payments/",
    ),
    "refund": Case(
        lambda f: f"/payments/{f.payment}/",
        lambda f: f"/payments/{f.payment}/refund/",
        "finance",
        lambda f: {
            "amount": "30.00",
            "refunded_on": "2026-05-07",
            "method": "bank",
            "reason": "多付",
        },
        lambda: Refund.objects.count(),
        lambda f: f"/payments/{f.payment}/",
    ),
    "allocation": Case(
        lambda f: f"/payments/{f.payment}/",
        lambda f: f"/payments/{f.payment}/allocate/",
        "finance",
        lambda f: {"bill": f.bill_number, "amount": "30.00"},
        lambda: PaymentAllocation.objects.count(),
        lambda f: f"/payments/{f.payment}/",
    ),
    "client funds": Case(
        lambda f: f"/matters/{f.matter.pk}/client-funds/",
        lambda f: f"/matters/{f.matter.pk}/client-funds/",
        "finance",
        lambda f: {
            "kind": "receipt",
            "amount": "100",
            "entry_date": "2026-05-06",
            "description": "预交诉讼费",
        },
        lambda: ClientFundsEntry.objects.count(),
        lambda f: f"/matters/{f.matter.pk}/client-funds/",
    ),
    "expense": Case(
        lambda f: f"/matters/{f.matter.pk}/expenses/",
        lambda f: f"/matters/{f.matter.pk}/expenses/",
        "lead",
        lambda f: {
            "kind": "court_fee",
            "description": "受理费",
            "amount": "50",
            "incurred_on": "2026-05-06",
            "paid_by": "firm",
        },
        lambda: Expense.objects.count(),
        lambda f: f"/matters/{f.matter.pk}/expenses/",
    ),
    "time": Case(
        lambda f: f"/matters/{f.matter.pk}/time/",
        lambda f: f"/matters/{f.matter.pk}/time/",
        "lead",
        lambda f: {
            "time-work_date": "2026-05-06",
            "time-minutes": "60",
            "time-description": "阅卷",
        },
        lambda: TimeEntry.objects.count(),
        lambda f: f"/matters/{f.matter.pk}/time/",
    ),
}


@pytest.fixture
def money(firm):
    firm.payment = _payment(firm)
    firm.bill_number = _bill_number(firm)
    return firm


def _key(html: str, action: str) -> str:
    """The one-time key of the form posting to `action` on the page."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    html = form.group(1) if form else html
    return re.search(r'<input type="hidden" name="once" value="([0-9a-f-]{36})">', html).group(1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_form_sent_twice_records_once(money, name):
    case = CASES[name]
    client = client_for(getattr(money, case.user))
    page = client.get(case.page(money)).content.decode()
    body = {**case.body(money), "once": _key(page, case.action(money))}
    before = case.rows()
    first = client.post(case.action(money), body)
    second = client.post(case.action(money), body, follow=True)
    assert first.status_code == 302
    assert case.rows() == before + 1
    assert second.redirect_chain == [(case.after(money), 302)]
    assert ALREADY in [str(m) for m in second.context["messages"]]
    # A new page has a new key: the next one is recorded.
    again = {
        **body,
        "once": _key(client.get(case.page(money)).content.decode(), case.action(money)),
    }
    assert client.post(case.action(money), again).status_code == 302
    assert case.rows() == before + 2


def test_a_refused_form_frees_its_key_for_the_corrected_one(money):
    client = client_for(money.finance)
    body = {
        **CASES["payment"].body(money),
        "once": _key(client.get("/payments/new/").content.decode(), ""),
    }
    refused = client.post("/payments/new/", {**body, "amount": "0"})
    assert (refused.status_code, Payment.objects.count(), SentForm.objects.count()) == (200, 1, 0)
    assert client.post("/payments/new/", body).status_code == 302
    assert (Payment.objects.count(), SentForm.objects.count()) == (2, 1)


def _api(user: Any, path: str, body: dict, key: str = "") -> Any:
    _token, raw = api_token_create(user=user, name="once")
    headers = {"Authorization": f"Bearer {raw}"}
    if key:
        headers["Idempotency-Key"] = key
    return client_for(None).post(
        path, json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_api_carries_out_an_idempotency_key_once(money):
    body = {
        "client_id": money.client_party.pk,
        "matter_id": money.matter.pk,
        "received_on": "2026-05-06",
        "amount": "100.00",
        "method": "wechat",
        "payer": "华泰科技",
    }
    before = Payment.objects.count()
    first = _api(money.finance, "/api/v1/payments", body, key="pay-2026-05-06-1")
    second = _api(money.finance, "/api/v1/payments", body, key="pay-2026-05-06-1")
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json() == {
        "errors": [
            {"field": "__all__", "message": "使用此 Idempotency-Key 的请求已处理，未重复处理。"}
        ]
    }
    assert Payment.objects.count() == before + 1
    # Another key, or none, is another request.
    assert _api(money.finance, "/api/v1/payments", body, key="pay-2").status_code == 201
    assert _api(money.finance, "/api/v1/payments", body).status_code == 201
    assert Payment.objects.count() == before + 3


def test_an_api_time_entry_with_the_same_key_is_recorded_once_per_user(money):
    body = {"work_date": "2026-05-06", "minutes": 60, "description": "阅卷"}
    path = f"/api/v1/matters/{money.matter.pk}/time-entries"
    before = TimeEntry.objects.count()
    assert _api(money.lead, path, body, key="k1").status_code == 201
    assert _api(money.lead, path, body, key="k1").status_code == 409
    # A key is the user's own: the assistant's "k1" is not the lead's.
    assert _api(money.assistant, path, body, key="k1").status_code == 201
    assert TimeEntry.objects.count() == before + 2
