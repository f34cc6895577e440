"""The communications API: a matter's log, the firm-wide log, updates due; the gate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.comms.models import Communication
from lexcase.comms.services import communication_create
from lexcase.comms.tests.clock import T0


def api(user):
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_post_and_get_matter_communications(firm):
    client = api(firm.lead)
    path = f"/api/v1/matters/{firm.matter.pk}/communications"
    response = post(
        client,
        path,
        {
            "channel": "phone",
            "direction": "outbound",
            "summary": "电话告知客户开庭时间",
            "occurred_at": "2026-01-05T10:00:00+08:00",
            "participants": ["assistant", "张总"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("channel", "direction", "summary", "team", "contacts")} == {
        "channel": "phone",
        "direction": "outbound",
        "summary": "电话告知客户开庭时间",
        "team": ["assistant"],
        "contacts": ["张总"],
    }
    assert body["occurred_at"] == "2026-01-05T10:00:00+08:00"
    listed = client.get(path).json()
    assert [c["id"] for c in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"direction": "up"}, "direction"),
        ({"summary": ""}, "summary"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2099-01-01T00:00:00+08:00"}, "occurred_at"),
        ({"participants": "lead"}, "participants"),
        ({"colour": "red"}, "colour"),
        ({"documents": [999999]}, "documents"),
    ],
)
def test_post_bad_input_is_422_naming_the_field(firm, change, field):
    body = {
        "channel": "phone",
        "direction": "outbound",
        "summary": "x",
        "occurred_at": "2026-01-05T10:00:00+08:00",
        **change,
    }
    response = post(api(firm.lead), f"/api/v1/matters/{firm.matter.pk}/communications", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Communication.objects.count() == 0


def test_missing_occurred_at_is_422(firm):
    body = {"channel": "phone", "direction": "outbound", "summary": "x"}
    response = post(api(firm.lead), f"/api/v1/matters/{firm.matter.pk}/communications", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["occurred_at"]


@pytest.mark.parametrize("who", ["outsider", "walled", "finance"])
def test_gate_hides_the_matter_log_and_firm_wide_rows(firm, who):
    communication_create(
        actor=firm.lead, matter=firm.matter, channel="phone", direction="outbound", summary="秘"
    )
    client = api(getattr(firm, who))
    assert client.get(f"/api/v1/matters/{firm.matter.pk}/communications").status_code == 404
    body = {
        "channel": "phone",
        "direction": "outbound",
        "summary": "x",
        "occurred_at": "2026-01-05T10:00:00+08:00",
    }
    response = post(client, f"/api/v1/matters/{firm.matter.pk}/communications", body)
    assert response.status_code == 404
    assert client.get("/api/v1/communications").json() == {
        "communications": [],
        "updates_due": None,
    }
    assert client.get("/api/v1/communications?due=true").json() == {
        "communications": [],
        "updates_due": [],
    }


def test_firm_wide_list_filters_by_lawyer_client_and_date(firm):
    def log(actor, when, participants=None, matter=None):
        with time_machine.travel(when, tick=False):
            return communication_create(
                actor=actor,
                matter=matter or firm.matter,
                channel="email",
                direction="outbound",
                summary="s",
                participants=participants,
            ).pk

    a = log(firm.lead, T0)
    b = log(firm.assistant, T0 + timedelta(days=1), participants=["lead"])
    c = log(firm.assistant, T0 + timedelta(days=2))
    d = log(firm.lead, T0 + timedelta(days=3), matter=firm.confidential)
    client = api(firm.lead)

    def ids(query):
        response = client.get(f"/api/v1/communications{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["communications"]]

    assert ids("") == [d, c, b, a]
    assert ids("?lawyer=lead") == [d, b, a]
    assert ids("?lawyer=assistant") == [c, b]
    assert ids("?client=华泰") == [c, b, a]
    assert ids("?client=李秘") == [d]
    assert ids("?start=2026-03-03&end=2026-03-04") == [c, b]
    # The partner off the confidential matter sees the rest only.
    response = api(firm.partner_other).get("/api/v1/communications")
    assert [r["id"] for r in response.json()["communications"]] == [c, b, a]
    bad = client.get("/api/v1/communications?lawyer=nobody")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "lawyer")
    bad = client.get("/api/v1/communications?start=2026-03-04&end=2026-03-03")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "end")


def test_due_lists_matters_with_an_update_due(opened):
    firm = opened
    with time_machine.travel(T0 + timedelta(days=3, hours=1), tick=False):
        body = api(firm.lead).get("/api/v1/communications?due=true&lawyer=lead").json()
        assert body["communications"] == []
        assert [
            (r["matter_id"], r["lead"], r["interval_days"], r["overdue"], r["due_at"])
            for r in body["updates_due"]
        ] == [(firm.matter.pk, "lead", 3, False, "2026-03-05T00:00:00+08:00")]
        # The partner leads nothing.
        body = api(firm.partner).get("/api/v1/communications?due=true&lawyer=partner").json()
        assert body["updates_due"] == []


def test_openapi_documents_the_operations(firm):
    schema = Client().get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/communications"]["get"]
    assert {p["name"] for p in op["parameters"]} == {
        "lawyer",
        "client",
        "start",
        "end",
        "due",
        "limit",
    }
    post_op = schema["paths"]["/api/v1/matters/{matter_id}/communications"]["post"]
    assert "201" in post_op["responses"]
