"""The demo firm a new user meets after `make run` (issue 16): what it creates must show up
where a lawyer looks for it."""

from __future__ import annotations

import pytest

from lexcase.accounts.models import User
from lexcase.matters.models import Matter, MatterParty, PartyRole
from lexcase.search.selectors import search
from lexcase.web.demo import demo_generate

pytestmark = pytest.mark.django_db


def test_search_finds_the_demo_matters_by_number_title_and_client():
    demo_generate(matters=30, seed=11)
    admin = User.objects.get(username="admin")
    matter = Matter.objects.filter(confidential=False).order_by("pk").first()
    hits = [(h.kind, h.id) for h in search(user=admin, q=matter.number)]
    assert ("matter", matter.pk) in hits
    client = MatterParty.objects.filter(matter=matter, role=PartyRole.CLIENT).get().party
    hits = [(h.kind, h.id) for h in search(user=admin, q=client.name)]
    assert ("matter", matter.pk) in hits
    # The closed history the dashboards use is searchable too.
    assert len(search(user=admin, q="民间借贷")) > 0
