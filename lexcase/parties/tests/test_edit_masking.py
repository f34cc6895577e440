"""The party edit form never shows a stored identifier in full (issue 18 item 11)."""

from __future__ import annotations

import pytest

from lexcase.parties.identifiers import id_number_check_char
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
CODE = "91350200776049653A"


@pytest.fixture
def person(firm):
    return party_create(
        actor=firm.lead, kind=PartyKind.PERSON, name="赵六", id_number=ID, passport="E12345678"
    )


def _form(party: Party, **changes: str) -> dict[str, str]:
    data = {
        "kind": party.kind,
        "name": party.name,
        "aliases": "",
        "id_number": "",
        "credit_code": "",
        "passport": "",
        "phone": "",
        "email": "",
        "address": "",
        "notes": "",
        "version": str(party.version),
    }
    data.update(changes)
    return data


def test_edit_form_shows_identifiers_masked_only(firm, person):
    body = client_for(firm.lead).get(f"/parties/{person.pk}/edit/").content.decode()
    assert ID not in body
    assert 'placeholder="110***********002X"' in body
    assert "E12345678" not in body
    org = client_for(firm.lead).get(f"/parties/{firm.client_party.pk}/edit/").content.decode()
    assert CODE not in org
    assert 'placeholder="913***********653A"' in org


def test_detail_page_masks_the_passport(firm, person):
    body = client_for(firm.lead).get(f"/parties/{person.pk}/").content.decode()
    assert "E12345678" not in body
    assert "E12**5678" in body


def test_blank_identifier_keeps_the_stored_one(firm, person):
    response = client_for(firm.lead).post(
        f"/parties/{person.pk}/edit/", _form(person, phone="13800138000")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.passport, person.phone) == (ID, "E12345678", "13800138000")


def test_typed_identifier_replaces_and_remove_box_clears(firm, person):
    new_id = "110105194912310037"

    new_id = new_id[:17] + id_number_check_char(new_id[:17])
    response = client_for(firm.lead).post(
        f"/parties/{person.pk}/edit/", _form(person, id_number=new_id, clear_passport="on")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.passport) == (new_id, "")


def test_invalid_form_does_not_echo_a_stored_identifier(firm, person):
    response = client_for(firm.lead).post(f"/parties/{person.pk}/edit/", _form(person, name=""))
    assert response.status_code == 422
    assert ID not in response.content.decode()
    person.refresh_from_db()
    assert person.name == "赵六"


def test_a_refused_party_edit_answers_422_with_what_was_typed(firm, person):
    """The form's own refusal and the service's (a wrong check digit) both answered 200;
    a refusal is 422, the form as typed, the error beside its field, nothing written."""
    client = client_for(firm.lead)
    response = client.post(
        f"/parties/{person.pk}/edit/",
        _form(person, email="不是邮箱", address="北京市朝阳区建国路1号"),
    )
    assert (response.status_code, list(response.context["form"].errors)) == (422, ["email"])
    assert "北京市朝阳区建国路1号" in response.content.decode()
    right = id_number_check_char("11010519491231003")
    wrong = "11010519491231003" + ("1" if right != "1" else "2")
    response = client.post(f"/parties/{person.pk}/edit/", _form(person, id_number=wrong))
    assert (response.status_code, list(response.context["form"].errors)) == (422, ["id_number"])
    person.refresh_from_db()
    assert (person.id_number, person.address, person.version) == (ID, "", 1)


def test_a_refused_new_party_answers_422_with_what_was_typed(firm):
    response = client_for(firm.lead).post(
        "/parties/new/",
        {"kind": "person", "name": "", "address": "上海市黄浦区中山东一路2号"},
    )
    assert (response.status_code, list(response.context["form"].errors)) == (422, ["name"])
    assert "上海市黄浦区中山东一路2号" in response.content.decode()
    assert not Party.objects.filter(address="上海市黄浦区中山东一路2号").exists()
