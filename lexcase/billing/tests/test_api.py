"""POST /api/v1/fees/contingency-check and /api/v1/fees/court-fee."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def post(user, path: str, body: dict, **headers):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}", **headers})
    return client.post(path, json.dumps(body), content_type="application/json")


def check(user, body, **headers):
    return post(user, "/api/v1/fees/contingency-check", body, **headers)


def test_allowed_with_the_cap_as_a_string_and_the_steps(firm):
    response = check(firm.finance, {"amount": "3000000", "matter_type": "civil"})
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is True
    assert body["cap"] == "480000.00"
    assert body["steps"] == [
        "不超过 ¥1,000,000.00 的部分：¥1,000,000.00 × 18% = ¥180,000.00",
        "¥1,000,000.00 至 ¥5,000,000.00 的部分：¥2,000,000.00 × 15% = ¥300,000.00",
        "收费上限（各部分合计，四舍五入到分）：¥480,000.00",
    ]
    assert "司发通〔2021〕87号" in body["citation"]


def test_a_json_number_amount_and_boundary(firm):
    body = check(firm.lead, {"amount": 1000000, "matter_type": "civil"}).json()
    assert body["cap"] == "180000.00"


def test_banned_by_cause_name(firm):
    response = check(
        firm.lead,
        {"amount": "200000", "matter_type": "labor_arbitration", "cause": "追索劳动报酬纠纷"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["allowed"], body["cap"], body["steps"]) == (False, None, [])
    assert body["reason"] == "请求支付劳动报酬不得实行风险代理收费。"
    assert "第十一条" in body["citation"]


@pytest.mark.parametrize(
    ("body", "group"),
    [
        ({"matter_type": "criminal"}, False),
        ({"matter_type": "state_compensation"}, False),
        ({"matter_type": "civil"}, True),
    ],
)
def test_banned_types(firm, body, group):
    response = check(firm.lead, {"amount": "1", "group_litigation": group, **body})
    assert response.json()["allowed"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "matter_type": "civil"}, "amount"),
        ({"amount": "-3", "matter_type": "civil"}, "amount"),
        ({"amount": "1.001", "matter_type": "civil"}, "amount"),
        ({"amount": "abc", "matter_type": "civil"}, "amount"),
        ({"amount": "1", "matter_type": "divorce"}, "matter_type"),
        ({"amount": "1", "matter_type": "civil", "cause": "不存在的纠纷"}, "cause"),
        ({"amount": "1", "matter_type": "civil", "basis": "x"}, "basis"),
        ({"matter_type": "civil"}, "amount"),
    ],
)
def test_contingency_check_errors_name_the_field(firm, body, field):
    response = check(firm.lead, body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_english_steps(firm):
    response = check(
        firm.lead, {"amount": "3000000", "matter_type": "civil"}, **{"Accept-Language": "en"}
    )
    body = response.json()
    assert body["steps"][0] == "Part up to ¥1,000,000.00: ¥1,000,000.00 × 18% = ¥180,000.00"


def fee(user, body):
    return post(user, "/api/v1/fees/court-fee", body)


def test_court_fee(firm):
    response = fee(firm.lead, {"amount": "1000000"})
    assert response.status_code == 200
    body = response.json()
    assert body["fee"] == "13800.00"
    assert body["steps"][-1] == "应交案件受理费（四舍五入到分）：¥13,800.00"
    assert fee(firm.lead, {"amount": "1000000", "procedure": "simplified"}).json()["fee"] == (
        "6900.00"
    )
    assert fee(firm.lead, {"amount": 10001, "procedure": "mediation"}).json()["fee"] == "25.01"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "10.555"}, "amount"),
        ({"amount": "100", "procedure": "summary"}, "procedure"),
        ({"amount": "100", "extra": 1}, "extra"),
    ],
)
def test_court_fee_errors(firm, body, field):
    response = fee(firm.lead, body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
