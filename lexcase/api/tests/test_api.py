from __future__ import annotations

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create, api_token_revoke
from lexcase.matters.models import Matter
from lexcase.parties.models import Party

pytestmark = pytest.mark.django_db


def api(user):
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_unauthenticated_is_401():
    response = Client().get("/api/v1/matters")
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "__all__"


def test_revoked_token_is_401(firm):
    token, raw = api_token_create(user=firm.lead, name="t")
    api_token_revoke(token=token, actor=firm.lead)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/matters")
    assert response.status_code == 401


def test_token_of_deactivated_user_is_401(firm):
    _token, raw = api_token_create(user=firm.outsider, name="t")
    firm.outsider.is_active = False
    firm.outsider.save()
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/matters")
    assert response.status_code == 401


def test_tokens_are_stored_hashed(firm):
    token, raw = api_token_create(user=firm.lead, name="t")
    assert raw not in (token.token_hash, token.prefix)
    assert len(token.token_hash) == 64


def test_create_party_and_get_it(firm):
    client = api(firm.lead)
    response = client.post(
        "/api/v1/parties",
        {
            "kind": "person",
            "name": "张 三",
            "id_number": "11010519491231002x",
            "aliases": ["张老三"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    party = Party.objects.get(pk=body["id"])
    assert (party.name, party.id_number) == ("张 三", "11010519491231002X")
    assert body["id_number"] == "110***********002X"  # masked
    assert body["aliases"] == ["张老三"]
    assert client.get(f"/api/v1/parties/{body['id']}").json()["name"] == "张 三"


def test_create_party_bad_id_number_names_field_and_saves_nothing(firm):
    before = Party.objects.count()
    response = api(firm.lead).post(
        "/api/v1/parties",
        {"kind": "person", "name": "张三", "id_number": "110105194912310021"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": "id_number", "message": "ID number has a wrong check digit."}]
    }
    assert Party.objects.count() == before


def test_error_messages_default_to_chinese(firm):
    response = api(firm.lead).post(
        "/api/v1/parties",
        {"kind": "organization", "name": "某公司", "credit_code": "91350200776049653B"},
        content_type="application/json",
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "credit_code"
    assert "统一社会信用代码" in error["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "robot", "name": "x"}, "kind"),
        ({"kind": "person"}, "name"),
        ({"kind": "person", "name": "x", "is_admin": True}, "is_admin"),
        ({"kind": "organization", "name": "x", "credit_code": "123"}, "credit_code"),
    ],
)
def test_create_party_rejects_bad_fields(firm, payload, field):
    before = Party.objects.count()
    response = api(firm.lead).post("/api/v1/parties", payload, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Party.objects.count() == before


def test_create_open_patch_matter(firm):
    lead = api(firm.lead)
    response = lead.post(
        "/api/v1/matters",
        {
            "title": "劳动争议",
            "matter_type": "labor_arbitration",
            "priority": "P1",
            "practice_area": "labor",
            "parties": [{"party_id": firm.client_party.pk, "role": "client"}],
            "lead_lawyer": "lead",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["priority"], body["version"]) == ("intake", "P1", 1)
    assert body["number"].split("-")[1] == "劳"
    assert body["practice_area"] == "labor"
    assert body["parties"] == [
        {
            "party_id": firm.client_party.pk,
            "name": "北京华泰科技有限公司",
            "role": "client",
            "standing": "",
        }
    ]
    matter_id = body["id"]
    # Lawyers cannot open; partners can, once the conflict check is cleared.
    assert lead.post(f"/api/v1/matters/{matter_id}/open").status_code == 403
    blocked = api(firm.partner).post(f"/api/v1/matters/{matter_id}/open")
    assert (blocked.status_code, blocked.json()["errors"][0]["field"]) == (422, "status")
    report = lead.get(f"/api/v1/matters/{matter_id}/conflict-report").json()
    # The client is already the firm's client on the fixture's matter: a returning client.
    assert [(h["party_name"], h["verdict"]) for h in report["hits"]] == [
        ("北京华泰科技有限公司", "info")
    ]
    assert (
        lead.post(
            f"/api/v1/matters/{matter_id}/conflict-review",
            {"decision": "approve"},
            content_type="application/json",
        ).status_code
        == 403
    )  # lawyers do not review
    reviewed = api(firm.partner).post(
        f"/api/v1/matters/{matter_id}/conflict-review",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert reviewed.status_code == 201
    assert reviewed.json()["review"]["decision"] == "approve"
    opened = api(firm.partner).post(f"/api/v1/matters/{matter_id}/open")
    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    version = opened.json()["version"]
    patched = lead.patch(
        f"/api/v1/matters/{matter_id}",
        {"version": version, "summary": "加班费"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["summary"] == "加班费"
    stale = lead.patch(
        f"/api/v1/matters/{matter_id}",
        {"version": version, "summary": "旧的"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "version"
    assert Matter.objects.get(pk=matter_id).summary == "加班费"


def test_create_matter_with_hidden_party_is_rejected(firm):
    hidden = firm.confidential.matter_parties.get().party_id
    before = Matter.objects.count()
    response = api(firm.outsider).post(
        "/api/v1/matters",
        {
            "title": "x",
            "matter_type": "civil",
            "parties": [{"party_id": hidden, "role": "opposing"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parties"
    assert Matter.objects.count() == before


def test_create_matter_rejects_mass_assignment(firm):
    response = api(firm.lead).post(
        "/api/v1/matters",
        {"title": "x", "matter_type": "civil", "number": "HACK-1", "status": "open"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == ["number", "status"]


def test_matter_list_only_visible(firm):
    body = api(firm.outsider).get("/api/v1/matters").json()
    assert body == {"items": [], "next_cursor": None, "total": 0, "total_capped": False}
    body = api(firm.admin).get("/api/v1/matters").json()
    assert [m["id"] for m in body["items"]] == [firm.matter.pk]
    body = api(firm.lead).get("/api/v1/matters?matter_type=non_litigation").json()
    assert [m["id"] for m in body["items"]] == [firm.confidential.pk]


def test_invisible_matter_is_404_on_every_operation(firm):
    client = api(firm.outsider)
    mid = firm.matter.pk
    assert client.get(f"/api/v1/matters/{mid}").status_code == 404
    assert client.post(f"/api/v1/matters/{mid}/open").status_code == 404
    assert (
        client.patch(
            f"/api/v1/matters/{mid}", {"version": 1, "title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/matters/{mid}/members",
            {"username": "outsider", "role": "member"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_add_member(firm):
    response = api(firm.partner).post(
        f"/api/v1/matters/{firm.matter.pk}/members",
        {"username": "outsider", "role": "member"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert {"username": "outsider", "role": "member"} in response.json()["members"]
    # Now the outsider sees it.
    assert api(firm.outsider).get(f"/api/v1/matters/{firm.matter.pk}").status_code == 200


def test_add_unknown_member_names_field(firm):
    response = api(firm.partner).post(
        f"/api/v1/matters/{firm.matter.pk}/members",
        {"username": "nobody", "role": "member"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "username"


def test_openapi_schema_served():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/matters/{matter_id}/open" in paths


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"version": 1, "priority": "P9"}, "priority"),
        ({"version": 1, "amount": "-5"}, "amount"),
        ({"version": 1, "title": ""}, "title"),
        ({"title": "x"}, "version"),
        ({"version": 1, "created_by": 3}, "created_by"),
    ],
)
def test_patch_rejects_bad_fields_and_changes_nothing(firm, payload, field):
    before = Matter.objects.filter(pk=firm.matter.pk).values().get()
    response = api(firm.lead).patch(
        f"/api/v1/matters/{firm.matter.pk}", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Matter.objects.filter(pk=firm.matter.pk).values().get() == before
