"""The receivables API's keyset cursor under attack: a forged cursor is a field error (422),
never a server error, and paging never reaches past the money gate whatever the cursor
names."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.utils import timezone, translation

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import Bill
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.matters.models import Matter, Status

pytestmark = pytest.mark.django_db


def cursor(values) -> str:
    raw = json.dumps(values)  # ensure_ascii: "\ud800" travels as its escape
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def api_for(user) -> Client:
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


@pytest.mark.parametrize(
    "values",
    [
        ["\ud800", "2026-民-0001", 1],  # a lone surrogate has no UTF-8
        ["委托人", "\udfff", 1],
        ["委托人", "2026-民-0001", 2**63],
        ["委托人", "2026-民-0001", True],
        ["委托人", None, 1],
        [{"a": 1}, "x", 1],
    ],
)
def test_a_forged_cursor_is_a_field_error(firm, values):
    with translation.override("en"):
        answer = api_for(firm.finance).get(
            f"/api/v1/receivables?after={cursor(values)}", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert (answer.status_code, answer.json()) == (
        422,
        {"errors": [{"field": "after", "message": "This is not a cursor this list gave out."}]},
    )


def test_no_cursor_pages_past_the_money_gate(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status=Status.OPEN)
    bill = issued_bill(firm, firm.matter)
    issued_bill(firm, firm.confidential)
    Bill.objects.filter(pk=bill.pk).update(issued_on=timezone.localdate())
    before_everything = cursor(["", "", 1])
    seen = {}
    for persona in ("finance", "admin", "lead", "partner", "walled", "outsider", "assistant"):
        user = getattr(firm, persona)
        rows = api_for(user).get(f"/api/v1/receivables?after={before_everything}").json()["rows"]
        seen[persona] = sorted(r["matter_number"] for r in rows)
    matter, confidential = firm.matter.number, firm.confidential.number
    assert seen == {
        # Finance and administrators book every matter's money, confidential ones included.
        "finance": sorted([matter, confidential]),
        "admin": sorted([matter, confidential]),
        "lead": sorted([matter, confidential]),
        "partner": sorted([matter, confidential]),
        # Walled off the matter, a partner sees neither (the other is members only).
        "walled": [],
        "outsider": [],
        "assistant": [matter],
    }
    # The collaborator's token is refused outright.
    answer = api_for(firm.collaborator).get(f"/api/v1/receivables?after={before_everything}")
    assert answer.status_code == 401
