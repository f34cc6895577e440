"""A party on a matter hidden from its reader: seen, not changed (matters.change_party)."""

from __future__ import annotations

import pytest

from lexcase.matters.models import MatterParty
from lexcase.parties.models import Party
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_party_page_offers_editing_only_to_who_sees_every_matter_of_the_party(firm):
    party = Party.objects.create(kind="person", name="赵两案")
    MatterParty.objects.create(matter=firm.matter, party=party, role="third_party")
    MatterParty.objects.create(matter=firm.confidential, party=party, role="third_party")
    edit = f"/parties/{party.pk}/edit/"
    relations = f"/parties/{party.pk}/relations/"
    offered = {}
    for user in (firm.lead, firm.assistant, firm.admin):
        page = client_for(user).get(f"/parties/{party.pk}/").content.decode()
        offered[user.username] = (edit in page, relations in page, firm.confidential.title in page)
    assert offered == {
        "lead": (True, True, True),
        "assistant": (False, False, False),
        "admin": (False, False, False),
    }
    # The refusal names no matter.
    refused = client_for(firm.assistant).post(edit, {"kind": "person", "name": "改名"})
    assert refused.status_code == 403
    assert firm.confidential.title not in refused.content.decode()
    party.refresh_from_db()
    assert party.name == "赵两案"
