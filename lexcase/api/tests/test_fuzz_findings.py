"""Regressions for what the schemathesis run (test_schemathesis.py) found: an id, version
or amount past what the database column holds answered HTTP 500 before its fix (an amount
with more than two decimals was rounded silently)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.matters.models import Matter

pytestmark = pytest.mark.django_db

TOO_BIG = 2**64  # past a signed 64-bit column


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


def post(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("path", ["/api/v1/fees/contingency-check", "/api/v1/fees/court-fee"])
def test_fee_calculators_refuse_an_amount_past_the_maximum(firm, path):
    body = {"amount": "1e30", "matter_type": "civil"} if "contingency" in path else {}
    body.setdefault("amount", "1e30")
    response = post(api(firm.partner), path, body)
    assert (response.status_code, fields(response)) == (422, ["amount"])


def test_matter_amount_past_the_maximum_is_refused_and_nothing_is_created(firm):
    before = Matter.objects.count()
    response = post(
        api(firm.partner),
        "/api/v1/matters",
        {"title": "x", "matter_type": "civil", "amount": 99999999999999.98},
    )
    assert (response.status_code, fields(response)) == (422, ["amount"])
    assert Matter.objects.count() == before


def test_matter_amount_at_the_maximum_survives_both_databases(firm):
    response = post(
        api(firm.partner),
        "/api/v1/matters",
        {
            "title": "x",
            "matter_type": "civil",
            "amount": "999999999999.99",
            "parties": [{"party_id": firm.client_party.pk, "role": "client"}],
        },
    )
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["amount"]) == Decimal("999999999999.99")
    matter = Matter.objects.get(pk=response.json()["id"])
    assert matter.amount == Decimal("999999999999.99")


def test_matter_amount_with_more_than_two_decimals_is_refused(firm):
    response = post(
        api(firm.partner),
        "/api/v1/matters",
        {"title": "x", "matter_type": "civil", "amount": "1.005"},
    )
    assert (response.status_code, fields(response)) == (422, ["amount"])


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/matters?lawyer={TOO_BIG}",
        f"/api/v1/matters?practice_area={TOO_BIG}",
        f"/api/v1/matters/{TOO_BIG}",
        f"/api/v1/parties/{TOO_BIG}",
        f"/api/v1/tasks/{TOO_BIG}",
        f"/api/v1/documents/{TOO_BIG}",
        f"/api/v1/search?q=x&matter={TOO_BIG}",
        f"/api/v1/workload?team={TOO_BIG}",
    ],
)
def test_an_id_past_the_column_is_a_422(firm, path):
    response = api(firm.partner).get(path)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {
        "lawyer",
        "practice_area",
        "matter_id",
        "party_id",
        "task_id",
        "document_id",
        "matter",
        "team",
    }


def test_a_version_past_the_column_is_a_422(firm):
    response = api(firm.partner).patch(
        f"/api/v1/matters/{firm.matter.pk}",
        json.dumps({"version": TOO_BIG, "title": "y"}),
        content_type="application/json",
    )
    assert (response.status_code, fields(response)) == (422, ["version"])
    firm.matter.refresh_from_db()
    assert firm.matter.title == "华泰科技诉王伟买卖合同纠纷"


def test_a_task_body_id_past_the_column_is_a_422(firm):
    response = post(api(firm.partner), "/api/v1/tasks", {"title": "t", "matter_id": TOO_BIG})
    assert (response.status_code, fields(response)) == (422, ["matter_id"])
