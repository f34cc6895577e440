"""Isolation of client A from client B, by content: what each page and API answer *says*.

A and B are on opposite sides of A's matter. A may read B's name there (it is A's own
case), but must never learn of B's other matter, its opposing party, B's documents,
messages or reports.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation

from lexcase.accounts.services import api_token_create
from lexcase.core.tests.test_access_table import TABLE as STAFF_TABLE
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matters_visible_to, parties_visible_to

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def b_secrets(world) -> list[str]:
    """Strings that would tell A about B's other matter."""
    return [
        world.b_matter.title,
        world.b_matter.number,
        world.b_secret_opponent.name,
        "王伟借条",
        "王伟的秘密留言",
        "王伟进展报告",
    ]


def assert_none_in(text: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in text]
    assert leaked == []


def test_client_a_home_lists_only_a_matter(world):
    text = as_user(world.a.user).get("/portal/").content.decode()
    assert world.a_matter.title in text
    assert_none_in(text, b_secrets(world))
    assert world.firm.confidential.title not in text


def test_client_b_home_lists_only_b_matter(world):
    text = as_user(world.b.user).get("/portal/").content.decode()
    assert world.b_matter.title in text
    # B is the opposing party on A's matter: that gives B nothing in the portal.
    assert world.a_matter.title not in text
    assert world.a_matter.number not in text


def test_a_matter_page_names_the_opposing_party_but_nothing_of_b_elsewhere(world):
    with translation.override("en"):
        text = as_user(world.a.user).get(f"/portal/matters/{world.a_matter.pk}/").content.decode()
    assert "王伟" in text  # the opposing party of A's own case
    assert "一审判决书" in text  # shared with the client
    assert "内部备忘录" not in text  # not shared
    assert "华泰进展报告" in text
    assert_none_in(text, b_secrets(world))


def test_portal_api_lists_only_own_matters(world):
    a = as_user(world.a.user)
    assert [m["id"] for m in a.get("/api/v1/portal/matters").json()] == [world.a_matter.pk]
    b = as_user(world.b.user)
    assert [m["id"] for m in b.get("/api/v1/portal/matters").json()] == [world.b_matter.pk]
    detail = a.get(f"/api/v1/portal/matters/{world.a_matter.pk}").json()
    assert [d["title"] for d in detail["documents"]] == ["一审判决书"]
    assert {p["name"] for p in detail["parties"]} == {"北京华泰科技有限公司", "王伟"}
    assert_none_in(json.dumps(detail, ensure_ascii=False), b_secrets(world))


def test_message_threads_stay_on_their_matter(world):
    a = as_user(world.a.user)
    a.post(f"/portal/matters/{world.a_matter.pk}/messages/", {"text": "华泰的问题"})
    a_thread = a.get(f"/api/v1/portal/matters/{world.a_matter.pk}/messages").json()
    assert [m["text"] for m in a_thread] == ["华泰的问题"]
    b_thread = (
        as_user(world.b.user).get(f"/api/v1/portal/matters/{world.b_matter.pk}/messages").json()
    )
    assert [m["text"] for m in b_thread] == ["王伟的秘密留言"]


def test_intake_matter_is_not_in_the_portal(world):
    Matter.objects.filter(pk=world.a_matter.pk).update(status="intake")
    a = as_user(world.a.user)
    assert a.get(f"/portal/matters/{world.a_matter.pk}/").status_code == 404
    assert a.get("/api/v1/portal/matters").json() == []


def test_switched_off_contact_sees_nothing(world):
    world.a.user.is_active = False
    world.a.user.save()
    client = Client()
    client.force_login(world.a.user)
    response = client.get("/portal/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/portal/")


def test_client_user_is_no_staff_to_the_gate(world):
    user = world.a.user
    assert (matters_visible_to(user).count(), parties_visible_to(user).count()) == (0, 0)
    assert user.has_perm("matters.add_matter") is False
    assert user.has_perm("matters.change_matter", world.a_matter) is False


# -- Staff pages and the staff API are closed to portal users -------------------------------

# Client pages of other apps live under /portal/ too (namespace "<app>_portal").
STAFF_ROUTES = sorted(
    n for n in STAFF_TABLE if not n.startswith(("portal:", "api:portal_", "reviews_portal:"))
)


def _staff_content(response) -> bool:
    """A 200 with anything but the portal's own shell is staff content."""
    if response.status_code != 200:
        return False
    body = response.content.decode(errors="replace")
    return 'class="portal"' not in body


def _send(client: Client, route, firm):
    """One request on the table's starting state (rows a path creates are rolled back)."""
    with transaction.atomic():
        path = route.path(firm)
        body = route.body(firm) if route.body else {}
        if route.json:
            response = client.generic(
                route.method, path, json.dumps(body), content_type="application/json"
            )
        else:
            response = getattr(client, route.method.lower())(path, body)
        transaction.set_rollback(True)
    return path, response


@pytest.mark.parametrize("name", STAFF_ROUTES)
def test_portal_user_gets_no_staff_route(firm, world, name):
    route = STAFF_TABLE[name]
    path, response = _send(as_user(world.a.user), route, firm)
    if name == "set_language":
        assert response.status_code == 302
    elif name == "account_logout":
        assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    elif path.startswith("/api/"):
        assert response.status_code == 403
    elif route.method == "GET":
        assert (response.status_code, response["Location"]) == (302, "/portal/")
    else:
        assert response.status_code == 403
    assert not _staff_content(response)

    if path.startswith("/api/v1/"):
        # With a staff-API token instead of the session: the token is refused outright, so
        # a client's token is worth exactly what no token is (the anonymous answer).
        _token, raw = api_token_create(user=world.a.user, name="stolen")
        _path, response = _send(Client(headers={"Authorization": f"Bearer {raw}"}), route, firm)
        assert response.status_code == route.expect[0]


def test_client_token_is_refused_where_a_lawyer_token_works(firm, world):
    _t, client_raw = api_token_create(user=world.a.user, name="x")
    _t, lead_raw = api_token_create(user=firm.lead, name="x")
    path = f"/api/v1/matters/{firm.matter.pk}"
    lawyer = Client(headers={"Authorization": f"Bearer {lead_raw}"}).get(path)
    portal = Client(headers={"Authorization": f"Bearer {client_raw}"}).get(path)
    assert (lawyer.status_code, portal.status_code) == (200, 401)
