"""Suggestions while typing a party name at intake: from the index, through the gate."""

from __future__ import annotations

import pytest
from django.utils import translation

from lexcase.accounts.models import Role
from lexcase.audit.models import AuditEvent
from lexcase.conflicts.selectors import party_suggestions
from lexcase.matters.models import Matter
from lexcase.parties.models import Party
from lexcase.parties.services import party_create
from lexcase.testing import client_for, make_user

pytestmark = pytest.mark.django_db


def names(user, text: str) -> list[str]:
    return [s.party.name for s in party_suggestions(user=user, name=text)]


def test_a_visible_party_is_suggested_from_part_of_its_name(firm):
    assert names(firm.lead, "华泰") == ["北京华泰科技有限公司"]
    assert names(firm.lead, "王") == ["王伟"]
    # A one-character name is found too (no silent zero).
    fresh = party_create(actor=firm.lead, kind="person", name="张")
    assert [s.party for s in party_suggestions(user=firm.outsider, name="张")] == [fresh]


def test_parties_on_matters_the_user_cannot_see_are_not_suggested(firm):
    # The outsider is on neither the firm's matter nor the confidential one.
    assert names(firm.outsider, "华泰") == []
    assert names(firm.outsider, "李秘") == []
    assert names(firm.lead, "李秘") == ["李秘"]
    # A walled partner sees nothing of the walled matter either.
    assert names(firm.walled, "华泰") == []


def test_candidates_come_from_the_index_not_the_party_table(firm):
    # A row written behind the services' back is not indexed, so it cannot be suggested.
    Party.objects.create(kind="organization", name="未索引华泰有限公司")
    assert names(firm.lead, "华泰") == ["北京华泰科技有限公司"]


def test_the_endpoint_returns_the_suggestions_partial(firm):
    with translation.override("en"):
        response = client_for(firm.lead).post(
            "/conflicts/suggest/",
            {"row": "parties-1", "parties-1-name": "华泰", "parties-1-kind": "person"},
            headers={"HX-Request": "true"},
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "北京华泰科技有限公司" in body
    # The pick is posted with the row (hx-vals), never put in a URL.
    assert f'"pick": "{firm.client_party.pk}"' in body
    assert 'hx-target="#row-parties-1"' in body
    outsider = client_for(firm.outsider).post("/conflicts/suggest/", {"name": "华泰"})
    assert "北京华泰科技有限公司" not in outsider.content.decode()


def test_picking_a_suggestion_refills_the_row_and_keeps_the_role(firm):
    response = client_for(firm.lead).post(
        "/conflicts/suggest/",
        {
            "row": "parties-0",
            "pick": firm.client_party.pk,
            "parties-0-name": "华泰",
            "parties-0-kind": "person",
            "parties-0-role": "opposing",
            "parties-0-standing": "被告",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="row-parties-0"' in body
    assert 'value="北京华泰科技有限公司"' in body
    assert 'value="91350200776049653A"' in body
    assert '<option value="organization" selected>' in body
    assert '<option value="opposing" selected>' in body
    assert 'value="被告"' in body


def test_picking_a_party_the_user_cannot_see_is_a_404(firm):
    response = client_for(firm.outsider).post(
        "/conflicts/suggest/", {"row": "parties-0", "pick": firm.client_party.pk}
    )
    assert response.status_code == 404


def test_the_intake_form_asks_for_suggestions_and_still_submits_without_them(firm):
    client = client_for(firm.lead)
    form = client.get("/matters/new/").content.decode()
    assert 'hx-post="/conflicts/suggest/"' in form
    assert 'hx-trigger="input changed delay:300ms"' in form
    assert 'id="suggest-parties-0"' in form
    response = client.post(
        "/matters/new/",
        {
            "title": "华泰诉赵六",
            "matter_type": "civil",
            "priority": "P2",
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-0-name": "北京华泰科技有限公司",
            "parties-0-kind": "organization",
            "parties-0-role": "client",
            "parties-0-identifier": "91350200776049653A",
        },
    )
    assert response.status_code == 302

    created = Matter.objects.get(title="华泰诉赵六")
    assert list(created.matter_parties.values_list("party_id", flat=True)) == [firm.client_party.pk]


ID = "11010519491231002X"


def _pick(user, party):
    return client_for(user).post(
        "/conflicts/suggest/",
        {"row": "parties-0", "pick": party.pk, "parties-0-name": "赵", "parties-0-role": "client"},
    )


def test_picking_a_person_shows_the_full_id_number_only_by_the_rule_and_audited(firm):
    # A fresh contact (on no matter) is visible to all staff; its ID number in full is for the
    # roles of `parties.show_identifiers` only, and each time it is shown is on record.
    party = party_create(actor=firm.lead, kind="person", name="赵六", id_number=ID)
    staff = make_user("staff", Role.STAFF)  # 行政: may register intakes, not show identifiers
    shown = AuditEvent.objects.filter(action="party.identifiers_show")

    refused = _pick(staff, party)
    assert refused.status_code == 200
    assert 'value="赵六"' in refused.content.decode()
    assert ID not in refused.content.decode()
    assert shown.count() == 0

    allowed = _pick(firm.lead, party)
    assert f'value="{ID}"' in allowed.content.decode()
    assert list(shown.values_list("actor_id", "object_id")) == [(firm.lead.pk, str(party.pk))]
