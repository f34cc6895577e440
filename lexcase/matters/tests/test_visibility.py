"""The confidentiality gate, persona by persona (律师法 Art. 38)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from lexcase.collab.selectors import collaborator_tasks
from lexcase.collab.tests.world import helper_task
from lexcase.matters.models import EthicalWall
from lexcase.matters.selectors import (
    matter_get,
    matters_visible_to,
    parties_search,
    parties_visible_to,
    party_get,
)
from lexcase.parties.services import party_create
from lexcase.search.services import search_matters_reindex
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def visible_ids(user) -> set[int]:
    return set(matters_visible_to(user).values_list("pk", flat=True))


def test_visibility_per_persona(firm):
    both = {firm.matter.pk, firm.confidential.pk}
    assert visible_ids(firm.lead) == both
    assert visible_ids(firm.partner) == both
    assert visible_ids(firm.assistant) == {firm.matter.pk}
    # Partners and admins see non-confidential matters firm-wide, never confidential ones.
    assert visible_ids(firm.partner_other) == {firm.matter.pk}
    assert visible_ids(firm.admin) == {firm.matter.pk}
    assert visible_ids(firm.outsider) == set()
    assert visible_ids(firm.finance) == set()
    assert visible_ids(firm.walled) == set()
    assert visible_ids(firm.inactive) == set()
    assert visible_ids(AnonymousUser()) == set()


def test_wall_beats_membership(firm):
    EthicalWall.objects.create(matter=firm.matter, user=firm.assistant, reason="test")
    assert firm.matter.pk not in visible_ids(firm.assistant)


def test_matter_get_raises_404_for_invisible(firm):
    with pytest.raises(Http404):
        matter_get(user=firm.outsider, pk=firm.matter.pk)
    with pytest.raises(Http404):
        matter_get(user=firm.lead, pk="not-a-number")
    assert matter_get(user=firm.lead, pk=firm.matter.pk) == firm.matter


def test_parties_follow_their_matters(firm):
    fresh = party_create(actor=firm.outsider, kind="person", name="张三")
    outsider_sees = set(parties_visible_to(firm.outsider).values_list("name", flat=True))
    assert outsider_sees == {"张三"}
    admin_sees = set(parties_visible_to(firm.admin).values_list("name", flat=True))
    assert admin_sees == {"北京华泰科技有限公司", "王伟", "张三"}  # not 李秘 (confidential)
    with pytest.raises(Http404):
        party_get(user=firm.admin, pk=firm.confidential.matter_parties.get().party_id)
    assert party_get(user=firm.outsider, pk=fresh.pk) == fresh


def test_party_search_never_returns_hidden_parties(firm):
    assert list(parties_search(user=firm.outsider, q="华泰")) == []
    assert [p.name for p in parties_search(user=firm.lead, q="华泰")] == ["北京华泰科技有限公司"]
    assert list(parties_search(user=firm.admin, q="李秘")) == []


def test_list_page_hides_other_matters(firm):
    search_matters_reindex()  # q= reads the search index (written on commit)
    response = client_for(firm.outsider).get("/matters/?q=华泰")
    assert response.status_code == 200
    assert firm.matter.number not in response.content.decode()
    response = client_for(firm.lead).get("/matters/?q=华泰")
    assert firm.matter.number in response.content.decode()


def test_detail_of_invisible_matter_is_404_not_403(firm):
    assert client_for(firm.outsider).get(f"/matters/{firm.matter.pk}/").status_code == 404
    assert client_for(firm.admin).get(f"/matters/{firm.confidential.pk}/").status_code == 404
    assert client_for(firm.walled).get(f"/matters/{firm.matter.pk}/").status_code == 404
    assert client_for(firm.lead).get(f"/matters/{firm.confidential.pk}/").status_code == 200


def test_deactivated_user_session_is_dead(firm):
    response = client_for(firm.inactive).get(f"/matters/{firm.matter.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_invited_outside_helper_sees_nothing_through_the_gate(firm):
    """A collaborator invited to a task of the matter (lexcase/collab) is still nobody to the
    gate: their one way in is collab's narrow path, which shows that task only."""
    task = helper_task(firm)
    assert visible_ids(firm.collaborator) == set()
    assert list(parties_visible_to(firm.collaborator)) == []
    with pytest.raises(Http404):
        matter_get(user=firm.collaborator, pk=firm.matter.pk)
    assert list(collaborator_tasks(firm.collaborator)) == [task]


def test_a_reader_of_every_open_file_is_tested_on_the_matter_before_the_membership(firm):
    """Both databases test an OR's terms in the order written: for a partner or an
    administrator the matter's own `confidential` column comes first, so the membership
    probe runs only for confidential matters (the same matters either way, above)."""
    where = str(matters_visible_to(firm.admin).values("pk").query).split(" WHERE ", 1)[1]
    assert where.index('"confidential"') < where.index('"matters_mattermember"')
    lead = str(matters_visible_to(firm.lead).values("pk").query).split(" WHERE ", 1)[1]
    assert '"confidential"' not in lead
