"""The bills API and pages: amounts as strings, field errors, the draw → issue → void walk."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import Bill, TimeEntry
from lexcase.billing.tests.bill_data import approved_fixed_fee, expense, time_entry
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def api(user, method: str, path: str, body: dict | None = None):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    if method == "get":
        return client.get(path)
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_draw_issue_and_void_through_the_api(firm):
    approved_fixed_fee(firm)
    time_entry(firm, minutes=7, rate="1000.00")
    expense(firm, amount="13800.00")
    response = api(
        firm.finance, "post", "/api/v1/bills", {"matter_id": firm.matter.pk, "as_of": "2026-06-30"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["number"], body["client_name"]) == (
        "draft",
        None,
        "北京华泰科技有限公司",
    )
    assert [line["amount"] for line in body["lines"]] == ["30000.00", "116.67", "13800.00"]
    assert (body["total"], body["paid"], body["open"]) == ("43916.67", "0.00", "43916.67")
    assert body["total_capital"] == "肆万叁仟玖佰壹拾陆元陆角柒分"

    issued = api(firm.finance, "post", f"/api/v1/bills/{body['id']}/issue", {"version": 1})
    assert issued.status_code == 200
    assert issued.json()["status"] == "issued" and issued.json()["number"].endswith("-00001")
    stale = api(firm.finance, "post", f"/api/v1/bills/{body['id']}/issue", {"version": 1})
    assert stale.status_code == 409

    no_reason = api(
        firm.finance, "post", f"/api/v1/bills/{body['id']}/void", {"version": 2, "reason": ""}
    )
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    voided = api(
        firm.finance, "post", f"/api/v1/bills/{body['id']}/void", {"version": 2, "reason": "重开"}
    )
    assert voided.json()["status"] == "void"
    listed = api(firm.lead, "get", "/api/v1/bills").json()
    assert [(b["id"], b["status"], b["total"]) for b in listed["items"]] == [
        (body["id"], "void", "43916.67")
    ]


def test_draw_refuses_another_client_and_bad_dates_naming_the_field(firm):
    time_entry(firm)
    other = api(
        firm.finance,
        "post",
        "/api/v1/bills",
        {"matter_id": firm.matter.pk, "client_id": firm.opposing_party.pk},
    )
    assert (other.status_code, [e["field"] for e in other.json()["errors"]]) == (
        422,
        ["client_id"],
    )
    old = api(
        firm.finance, "post", "/api/v1/bills", {"matter_id": firm.matter.pk, "as_of": "1800-01-01"}
    )
    assert (old.status_code, [e["field"] for e in old.json()["errors"]]) == (422, ["as_of"])
    assert Bill.objects.count() == 0


def test_the_pages_draw_issue_and_void(firm):
    time_entry(firm)
    finance = client_for(firm.finance)
    unknown = finance.post("/bills/new/", {"matter": "NOPE-1"})
    assert unknown.status_code == 200
    assert unknown.context["form"].errors == {"matter": ["没有此编号的案件。"]}
    drawn = finance.post("/bills/new/", {"matter": firm.matter.number, "as_of": "2026-06-30"})
    bill = Bill.objects.get()
    assert drawn["Location"] == f"/bills/{bill.pk}/"
    page = finance.get(drawn["Location"])
    assert "壹仟伍佰元整" not in page.content.decode()  # 90 min × 1500 = 2250
    assert "贰仟贰佰伍拾元整" in page.content.decode()
    finance.post(f"/bills/{bill.pk}/issue/", {"version": bill.version})
    bill.refresh_from_db()
    assert bill.status == "issued"
    finance.post(f"/bills/{bill.pk}/void/", {"version": bill.version, "reason": "开错"})
    bill.refresh_from_db()
    assert (bill.status, bill.void_reason) == ("void", "开错")
    assert TimeEntry.objects.get().bill_line is None
    nothing = finance.post("/bills/new/", {"matter": firm.matter.number, "as_of": "2025-01-01"})
    assert list(nothing.context["form"].errors) == ["__all__"]


def test_a_matters_money_pages_lead_finance_to_its_bill(firm):
    """Finance found a matter's unbilled time on its money pages but had to copy its number
    into 生成账单 by hand: nothing linked the two. Each money page of the matter offers
    生成账单 with the number filled in."""
    link = f'href="/bills/new/?matter={quote(firm.matter.number)}"'
    finance = client_for(firm.finance)
    for path in ("fees", "time", "expenses", "client-funds"):
        page = finance.get(f"/matters/{firm.matter.pk}/{path}/").content.decode()
        assert page.count(link) == 1, path
    draw = finance.get(f"/bills/new/?matter={quote(firm.matter.number)}")
    assert draw.context["form"]["matter"].value() == firm.matter.number
    # Who may not draw a bill is not offered it.
    lead = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/time/").content.decode()
    assert "/bills/new/" not in lead
