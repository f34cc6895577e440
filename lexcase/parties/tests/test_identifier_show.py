"""ID and passport numbers are masked by default on pages and in the API; lawyers,
assistants, partners and administrators may show them in full, which is audited; pages that
carry them are not cached (issue 14 item 6, quality bar T19)."""

from __future__ import annotations

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
PASSPORT = "E12345678"


@pytest.fixture
def person(firm):
    return party_create(
        actor=firm.lead, kind="person", name="赵六", id_number=ID, passport=PASSPORT
    )


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_mask_by_default_and_are_not_cached(firm, person):
    for path in (f"/parties/{person.pk}/", f"/parties/{person.pk}/edit/"):
        response = client_for(firm.lead).get(path)
        body = response.content.decode()
        assert response.status_code == 200
        assert ID not in body and PASSPORT not in body
        assert _no_store(response), path
    body = client_for(firm.lead).get(f"/parties/{person.pk}/").content.decode()
    assert "110***********002X" in body
    assert f'action="/parties/{person.pk}/identifiers/"' in body


def test_a_lawyer_shows_the_full_number_and_it_is_audited(firm, person):
    response = client_for(firm.lead).post(f"/parties/{person.pk}/identifiers/")
    body = response.content.decode()
    assert response.status_code == 200
    assert ID in body and PASSPORT in body
    assert _no_store(response)
    event = AuditEvent.objects.get(action="party.identifiers_show")
    assert (event.actor_id, event.object_id) == (firm.lead.pk, str(person.pk))
    assert event.data == {"fields": ["id_number", "passport"]}
    assert ID not in str(event.data)


def test_htmx_gets_only_the_identifiers(firm, person):
    response = client_for(firm.assistant).post(
        f"/parties/{person.pk}/identifiers/", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert ID in body and "<html" not in body


def test_finance_sees_the_party_masked_and_may_not_show(firm, person):
    body = client_for(firm.finance).get(f"/parties/{person.pk}/").content.decode()
    assert "110***********002X" in body and "identifiers/" not in body
    response = client_for(firm.finance).post(f"/parties/{person.pk}/identifiers/")
    assert response.status_code == 403
    assert ID not in response.content.decode()
    assert api(firm.finance).post(f"/api/v1/parties/{person.pk}/identifiers").status_code == 403
    assert not AuditEvent.objects.filter(action="party.identifiers_show").exists()


def test_showing_is_a_post(firm, person):
    assert client_for(firm.lead).get(f"/parties/{person.pk}/identifiers/").status_code == 405


def test_the_api_masks_by_default_and_shows_on_request(firm, person):
    client = api(firm.lead)
    listed = client.get("/api/v1/parties", {"q": ID}).json()
    assert [p["id_number"] for p in listed] == ["110***********002X"]
    assert ID not in client.get(f"/api/v1/parties/{person.pk}").content.decode()
    response = client.post(f"/api/v1/parties/{person.pk}/identifiers")
    assert response.status_code == 200
    assert response.json() == {"id": person.pk, "id_number": ID, "passport": PASSPORT}
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="party.identifiers_show", actor=firm.lead).count() == 1


def test_a_walled_partner_cannot_show_a_party_of_the_walled_matter(firm):
    response = client_for(firm.walled).post(f"/parties/{firm.opposing_party.pk}/identifiers/")
    assert response.status_code == 404
