"""Schema errors (pydantic's: a missing field, a wrong type, a value out of bounds) are
answered in the request's language like every other API error: Chinese by default. They
came in pydantic's English ("Field required", "Input should be 'P1', 'P2' or 'P3'") while a
service's errors on the same request were Chinese."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from lexcase.accounts.services import api_token_create
from lexcase.api.api import schema_error_message
from lexcase.matters.models import Matter
from lexcase.parties.models import Party

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def api(user, **headers):
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})


def send(client, path, body, method="post"):
    return getattr(client, method)(path, body, content_type="application/json")


def errors(response):
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_schema_errors_are_chinese_by_default(firm):
    client = api(firm.lead)
    before = Party.objects.count(), Matter.objects.count()
    response = send(client, "/api/v1/parties", "{}")
    assert response.status_code == 422
    assert errors(response) == {"kind": "此项为必填项。", "name": "此项为必填项。"}
    response = send(client, "/api/v1/parties", json.dumps({"kind": "alien", "name": 1, "x": 2}))
    assert errors(response) == {
        "kind": "请从以下选项中选择：'person' or 'organization'。",
        "name": "应为文本。",
        "x": "未知字段。",
    }
    response = send(client, "/api/v1/parties", '{"kind": "person", "name": "\\ud800"}')
    assert errors(response) == {"name": "请删除无法保存的字符（孤立的 UTF-16 代理项）。"}
    body = {"title": "x" * 201, "matter_type": "civil", "priority": "P2", "amount": "-1"}
    response = send(client, "/api/v1/matters", json.dumps(body))
    assert response.status_code == 422
    assert errors(response)["title"] == "最多 200 个字符。"
    assert errors(response)["amount"] == "请输入不小于 0 的值。"
    response = send(
        client, f"/api/v1/matters/{firm.matter.pk}", json.dumps({"version": "x"}), "patch"
    )
    assert response.status_code == 422
    assert all(CJK.search(m) for m in errors(response).values()), errors(response)
    assert (Party.objects.count(), Matter.objects.count()) == before


def test_schema_errors_in_english_when_asked(firm):
    client = api(firm.lead, **{"accept-language": "en"})
    response = send(client, "/api/v1/parties", json.dumps({"name": "张三", "kind": "alien"}))
    assert errors(response) == {"kind": "Choose one of 'person' or 'organization'."}


KINDS = [
    ("missing", {}),
    ("extra_forbidden", {}),
    ("string_type", {}),
    ("string_unicode", {}),
    ("string_too_long", {"max_length": 200}),
    ("string_too_short", {"min_length": 1}),
    ("too_long", {"max_length": 50, "field_type": "List"}),
    ("too_short", {"min_length": 1, "field_type": "List"}),
    ("literal_error", {"expected": "'a' or 'b'"}),
    ("greater_than_equal", {"ge": 0}),
    ("greater_than", {"gt": 0}),
    ("less_than_equal", {"le": 10}),
    ("less_than", {"lt": 10}),
    ("decimal_max_places", {"decimal_places": 2}),
    ("decimal_max_digits", {"max_digits": 14}),
    ("decimal_parsing", {}),
    ("int_parsing", {}),
    ("int_type", {}),
    ("float_parsing", {}),
    ("bool_parsing", {}),
    ("date_from_datetime_parsing", {"error": "x"}),
    ("datetime_parsing", {"error": "x"}),
    ("time_parsing", {"error": "x"}),
    ("list_type", {}),
    ("model_attributes_type", {}),
    ("dict_type", {}),
]


@pytest.mark.parametrize(("kind", "ctx"), KINDS)
def test_every_translated_kind_is_chinese(kind, ctx):
    with translation.override("zh-hans"):
        message = schema_error_message({"type": kind, "ctx": ctx, "msg": "English"})
    assert CJK.search(message), (kind, message)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_a_chinese_400(firm, body):
    before = Party.objects.count()
    response = send(api(firm.lead), "/api/v1/parties", body)
    assert response.status_code == 400
    assert errors(response) == {"__all__": "无法将请求正文读取为 JSON。"}
    assert Party.objects.count() == before
