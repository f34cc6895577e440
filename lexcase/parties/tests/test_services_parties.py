from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lexcase.core.exceptions import StaleEdit
from lexcase.matters.services import party_find_or_create
from lexcase.parties.models import Party, PartyRelation
from lexcase.parties.services import party_create, party_update
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_party_keys_are_derived(firm):
    party = party_create(actor=firm.lead, kind="organization", name="華泰科技（北京）有限責任公司")
    assert party.name_normalized == "华泰科技(北京)有限责任公司"
    assert party.name_core == "华泰科技"
    other = party_create(actor=firm.lead, kind="organization", name="华泰科技有限公司")
    assert other.name_core == party.name_core


def test_party_create_collects_every_field_error(firm):
    before = Party.objects.count()
    with pytest.raises(ValidationError) as exc:
        party_create(
            actor=firm.lead,
            kind="person",
            name="",
            id_number="123",
            credit_code="91350200776049653A",
        )
    assert sorted(exc.value.message_dict) == ["credit_code", "id_number", "name"]
    assert Party.objects.count() == before


def test_find_or_create_reuses_by_identifier_only(firm):
    same = party_find_or_create(
        actor=firm.lead, kind="organization", name="华泰", identifier="91350200776049653a"
    )
    assert same == firm.client_party
    by_name = party_find_or_create(actor=firm.lead, kind="person", name="王伟")
    assert by_name != firm.opposing_party  # names alone never merge people


def test_find_or_create_never_links_a_party_the_actor_cannot_see(firm):
    # The outsider types the client's credit code under another name: they get a record of
    # their own, not the firm's record (whose name would then show on their matter).
    own = party_find_or_create(
        actor=firm.outsider, kind="organization", name="某公司", identifier="91350200776049653A"
    )
    assert own != firm.client_party
    assert (own.name, own.credit_code) == ("某公司", "91350200776049653A")


def test_party_update_is_optimistically_locked(firm):
    party = firm.opposing_party
    party_update(actor=firm.lead, party=party, version=1, phone="13800000000")
    with pytest.raises(StaleEdit):
        party_update(actor=firm.lead, party=party, version=1, phone="13900000000")
    party.refresh_from_db()
    assert (party.phone, party.version) == ("13800000000", 2)


def test_relation_added_from_the_party_page(firm):
    response = client_for(firm.lead).post(
        f"/parties/{firm.client_party.pk}/relations/",
        {"kind": "legal_rep", "other_name": "张法代", "other_kind": "person"},
    )
    assert response.status_code == 302
    relation = PartyRelation.objects.get()
    assert (relation.source.name, relation.kind, relation.target) == (
        "张法代",
        "legal_rep",
        firm.client_party,
    )
    page = client_for(firm.lead).get(f"/parties/{firm.client_party.pk}/").content.decode()
    assert "张法代" in page
