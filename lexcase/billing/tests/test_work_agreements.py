"""Fee agreements over the API and the pages: propose, edit a draft with the version CAS,
submit, approve, shares; the cap's computation shown."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import FeeAgreement, FeeShare
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal

CONTINGENCY = {
    "kind": "contingency",
    "contingency_basis": "recovered",
    "contingency_basis_amount": "3000000",
    "risk_contract_signed_on": "2026-03-01",
    "guidance_price_disclosed_on": "2026-02-28",
}


def api(user, method: str, path: str, body: dict | None = None):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    data = "" if body is None else json.dumps(body)
    return client.generic(method, path, data, content_type="application/json")


def fields_of(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def propose(firm, body: dict):
    return api(firm.lead, "POST", f"/api/v1/matters/{firm.matter.pk}/fee-agreements", body)


def test_propose_a_fixed_fee_with_instalments_and_read_it_back(firm):
    response = propose(
        firm,
        {
            "kind": "fixed",
            "fixed_amount": "60000",
            "instalments": [
                {"due_on": "2026-03-01", "amount": "30000", "description": "签约后"},
                {"due_on": "2026-09-01", "amount": "30000"},
            ],
            "shares": [
                {"lawyer": "partner", "role": "originator", "percent": "30"},
                {"lawyer": "lead", "role": "handler", "percent": "70"},
            ],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["version_no"], body["status"], body["fixed_amount"]) == (1, "draft", "60000.00")
    assert [(i["seq"], i["amount"]) for i in body["instalments"]] == [
        (1, "30000.00"),
        (2, "30000.00"),
    ]
    assert {(s["lawyer"], s["percent"]) for s in body["shares"]} == {
        ("partner", "30.00"),
        ("lead", "70.00"),
    }
    listed = api(firm.finance, "GET", f"/api/v1/matters/{firm.matter.pk}/fee-agreements")
    assert [a["id"] for a in listed.json()] == [body["id"]]


def test_above_the_cap_is_422_naming_the_rate_with_the_steps(firm):
    response = propose(firm, {**CONTINGENCY, "contingency_rate": "20"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["contingency_rate"]
    assert "¥480,000.00" in errors[0]["message"]
    assert "¥1,000,000.00 × 18%" in errors[0]["message"]
    assert FeeAgreement.objects.count() == 0


def test_at_the_cap_is_accepted_with_the_snapshot_and_steps(firm):
    response = propose(firm, {**CONTINGENCY, "contingency_rate": "16"})
    assert response.status_code == 201
    body = response.json()
    assert (body["contingency_cap"], body["contingency_rate"]) == ("480000.00", "16.00")
    assert body["contingency_cap_steps"][-1] == "收费上限（各部分合计，四舍五入到分）：¥480,000.00"


def test_an_amount_too_large_for_the_column_is_a_field_error(firm):
    response = propose(firm, {"kind": "fixed", "fixed_amount": "100000000000000"})
    assert response.status_code == 422
    assert fields_of(response) == ["fixed_amount"]


def test_edit_a_draft_with_the_version_and_a_stale_version_is_409(firm):
    created = propose(firm, {"kind": "fixed", "fixed_amount": "60000"}).json()
    path = f"/api/v1/fee-agreements/{created['id']}"
    edited = api(firm.lead, "PUT", path, {"kind": "fixed", "fixed_amount": "50000", "version": 1})
    assert edited.status_code == 200
    assert (edited.json()["fixed_amount"], edited.json()["version"]) == ("50000.00", 2)
    stale = api(firm.lead, "PUT", path, {"kind": "fixed", "fixed_amount": "40000", "version": 1})
    assert stale.status_code == 409
    assert fields_of(stale) == ["version"]
    agreement = FeeAgreement.objects.get(pk=created["id"])
    assert (agreement.fixed_amount, agreement.version) == (D("50000.00"), 2)


def test_an_edit_replaces_instalments_and_is_checked_like_a_proposal(firm):
    created = propose(
        firm,
        {
            "kind": "fixed",
            "fixed_amount": "60000",
            "instalments": [{"due_on": "2026-03-01", "amount": "60000"}],
        },
    ).json()
    path = f"/api/v1/fee-agreements/{created['id']}"
    bad = api(
        firm.lead,
        "PUT",
        path,
        {
            "kind": "fixed",
            "fixed_amount": "60000",
            "version": 1,
            "instalments": [{"due_on": "2026-03-01", "amount": "10000"}],
        },
    )
    assert (bad.status_code, fields_of(bad)) == (422, ["instalments"])
    assert FeeAgreement.objects.get(pk=created["id"]).version == 1
    good = api(
        firm.lead,
        "PUT",
        path,
        {
            "kind": "fixed",
            "fixed_amount": "60000",
            "version": 1,
            "instalments": [
                {"due_on": "2026-03-01", "amount": "20000"},
                {"due_on": "2026-06-01", "amount": "40000"},
            ],
        },
    )
    assert [i["amount"] for i in good.json()["instalments"]] == ["20000.00", "40000.00"]


def test_submit_approve_and_a_new_version_supersedes(firm):
    first = propose(firm, {"kind": "fixed", "fixed_amount": "60000"}).json()
    base = f"/api/v1/fee-agreements/{first['id']}"
    assert api(firm.lead, "POST", f"{base}/submit", {"version": 1}).json()["status"] == "pending"
    approved = api(firm.lead, "POST", f"{base}/approve", {"version": 2})
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert api(firm.lead, "POST", f"{base}/approve", {"version": 2}).status_code == 409
    second = propose(firm, {"kind": "fixed", "fixed_amount": "80000"}).json()
    assert (second["version_no"], second["supersedes_id"]) == (2, first["id"])
    base2 = f"/api/v1/fee-agreements/{second['id']}"
    api(firm.lead, "POST", f"{base2}/submit", {"version": 1})
    api(firm.lead, "POST", f"{base2}/approve", {"version": 2})
    statuses = dict(FeeAgreement.objects.values_list("version_no", "status"))
    assert statuses == {1: "superseded", 2: "approved"}


def test_editing_a_submitted_draft_is_refused(firm):
    created = propose(firm, {"kind": "fixed", "fixed_amount": "60000"}).json()
    path = f"/api/v1/fee-agreements/{created['id']}"
    api(firm.lead, "POST", f"{path}/submit", {"version": 1})
    response = api(firm.lead, "PUT", path, {"kind": "fixed", "fixed_amount": "1000", "version": 2})
    assert (response.status_code, fields_of(response)) == (422, ["status"])


def test_shares_must_sum_to_100_and_only_the_responsible_partner_sets_them(firm):
    created = propose(firm, {"kind": "fixed", "fixed_amount": "60000"}).json()
    path = f"/api/v1/fee-agreements/{created['id']}/shares"
    half = {"version": 1, "shares": [{"lawyer": "lead", "role": "handler", "percent": "50"}]}
    assert api(firm.lead, "PUT", path, half).status_code == 403
    refused = api(firm.partner, "PUT", path, half)
    assert (refused.status_code, fields_of(refused)) == (422, ["shares"])
    full = {
        "version": 1,
        "shares": [
            {"lawyer": "partner", "role": "originator", "percent": "40"},
            {"lawyer": "lead", "role": "handler", "percent": "60"},
        ],
    }
    assert api(firm.partner, "PUT", path, full).status_code == 200
    assert sorted(FeeShare.objects.values_list("percent", flat=True)) == [D("40.00"), D("60.00")]
    assert api(firm.partner, "PUT", path, full).status_code == 409


# -- pages ------------------------------------------------------------------------------------


def test_the_page_refuses_a_proposal_above_the_cap_on_the_field_with_the_steps(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/fees/new/", {**CONTINGENCY, "contingency_rate": "20"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["contingency_rate"]
    assert response.context["cap_steps"][-1] == "收费上限（各部分合计，四舍五入到分）：¥480,000.00"
    assert "¥1,000,000.00 × 18% = ¥180,000.00" in response.content.decode()
    assert FeeAgreement.objects.count() == 0


def test_propose_submit_approve_through_the_pages(firm):
    lead = client_for(firm.lead)
    response = lead.post(
        f"/matters/{firm.matter.pk}/fees/new/",
        {"kind": "fixed", "fixed_amount": "60000", "instalments": "2026-03-01 60000 签约后"},
    )
    assert response.status_code == 302
    agreement = FeeAgreement.objects.get()
    assert [(i.amount, i.description) for i in agreement.instalments.all()] == [
        (D("60000.00"), "签约后")
    ]
    lead.post(f"/fees/agreements/{agreement.pk}/submit/", {"version": 1})
    lead.post(f"/fees/agreements/{agreement.pk}/approve/", {"version": 2})
    agreement.refresh_from_db()
    assert agreement.status == "approved"
    page = client_for(firm.finance).get(f"/matters/{firm.matter.pk}/fees/")
    assert "¥60,000.00" in page.content.decode()


def test_a_stale_page_edit_is_a_form_error_and_changes_nothing(firm):
    lead = client_for(firm.lead)
    lead.post(f"/matters/{firm.matter.pk}/fees/new/", {"kind": "fixed", "fixed_amount": "60000"})
    agreement = FeeAgreement.objects.get()
    first = lead.post(
        f"/fees/agreements/{agreement.pk}/edit/",
        {"kind": "fixed", "fixed_amount": "50000", "version": 1},
    )
    assert first.status_code == 302
    stale = lead.post(
        f"/fees/agreements/{agreement.pk}/edit/",
        {"kind": "fixed", "fixed_amount": "40000", "version": 1},
    )
    assert stale.status_code == 422
    assert stale.context["form"].non_field_errors()
    agreement.refresh_from_db()
    assert agreement.fixed_amount == D("50000.00")


def test_the_cap_steps_partial(firm):
    response = client_for(firm.assistant).get(
        "/fees/cap-steps/", {"contingency_basis_amount": "3000000"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "¥2,000,000.00 × 15% = ¥300,000.00" in html
    assert (
        client_for(firm.assistant)
        .get("/fees/cap-steps/", {"contingency_basis_amount": "x"})
        .content.decode()
        .strip()
        == ""
    )
