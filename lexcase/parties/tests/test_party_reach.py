"""`PartyReach` (who shares a matter with a party, with the party's name and kind) follows
memberships, links and renames whoever writes them: after every change its rows equal a
rebuild from the tables (issue 18 item 6: a reader's own parties as one index range)."""

from __future__ import annotations

import pytest
from django.db import connection

from lexcase.matters.models import EthicalWall, Matter, MatterMember, MatterParty, PartyReach
from lexcase.matters.party_links import backfill_reach
from lexcase.matters.selectors import parties_page, parties_visible_to
from lexcase.matters.services import matter_party_add
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.services import party_create, party_update

pytestmark = pytest.mark.django_db


def rows() -> set[tuple[str, str, str, str, int]]:
    return set(
        PartyReach.objects.values_list("user__username", "party__name", "name", "kind", "links")
    )


def rebuilt() -> set[tuple[str, str, str, str, int]]:
    """What the rows should be: counted from memberships x links here, not by the triggers."""
    expected: dict[tuple[str, str, str, str], int] = {}
    for m in MatterMember.objects.select_related("user"):
        for link in MatterParty.objects.filter(matter_id=m.matter_id).select_related("party"):
            p = link.party
            key = (m.user.username, p.name, p.name, p.kind)
            expected[key] = expected.get(key, 0) + 1
    return {(*k, n) for k, n in expected.items()}


def test_the_firm_as_built_has_exactly_its_pairs(firm):
    assert rows() == rebuilt()
    assert ("lead", "李秘", "李秘", "person", 1) in rows()
    assert [r for r in rows() if r[0] == "outsider"] == []


def test_links_added_and_removed_are_counted_per_matter_and_role(firm):
    party = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="张三")
    matter_party_add(actor=firm.lead, matter=firm.matter, party=party, role="third_party")
    # The same party twice on one matter (two roles) and once on the confidential one.
    MatterParty.objects.create(matter=firm.matter, party=party, role="related")
    MatterParty.objects.create(matter=firm.confidential, party=party, role="related")
    assert rows() == rebuilt()
    assert ("lead", "张三", "张三", "person", 3) in rows()
    assert ("assistant", "张三", "张三", "person", 2) in rows()
    MatterParty.objects.filter(matter=firm.matter, party=party).delete()
    assert rows() == rebuilt()
    assert {r[0] for r in rows() if r[1] == "张三"} == {"lead", "partner"}
    MatterParty.objects.filter(party=party).delete()
    assert [r for r in rows() if r[1] == "张三"] == []


def test_memberships_added_moved_and_removed(firm):
    MatterMember.objects.create(matter=firm.matter, user=firm.outsider, role="member")
    assert ("outsider", "王伟", "王伟", "person", 1) in rows()
    member = MatterMember.objects.get(matter=firm.matter, user=firm.outsider)
    member.matter = firm.confidential  # moved to another matter
    member.save()
    assert rows() == rebuilt()
    assert {r[1] for r in rows() if r[0] == "outsider"} == {"李秘"}
    member.user = firm.finance  # given to someone else
    member.save()
    assert rows() == rebuilt()
    assert [r for r in rows() if r[0] == "outsider"] == []
    MatterMember.objects.filter(user=firm.finance).delete()
    assert rows() == rebuilt()
    assert [r for r in rows() if r[0] == "finance"] == []


def test_a_link_moved_to_another_party_or_matter(firm):
    link = MatterParty.objects.get(matter=firm.matter, party=firm.opposing_party)
    fresh = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="赵六")
    link.party = fresh
    link.save()
    assert rows() == rebuilt()
    assert [r for r in rows() if r[1] == "王伟"] == []
    link.matter = firm.confidential
    link.save()
    assert rows() == rebuilt()
    assert {r[0] for r in rows() if r[1] == "赵六"} == {"lead", "partner"}


def test_a_rename_or_a_new_kind_is_copied(firm):
    party = Party.objects.get(pk=firm.opposing_party.pk)
    party_update(actor=firm.lead, party=party, version=party.version, name="王伟伟")
    assert rows() == rebuilt()
    assert ("assistant", "王伟伟", "王伟伟", "person", 1) in rows()
    Party.objects.filter(pk=party.pk).update(kind=PartyKind.ORGANIZATION)
    assert ("assistant", "王伟伟", "王伟伟", "organization", 1) in rows()
    page = parties_page(user=firm.assistant, kind=PartyKind.ORGANIZATION)
    assert [p.name for p in page.items] == ["北京华泰科技有限公司", "王伟伟"]


def test_deleting_a_matter_removes_its_pairs(firm):
    MatterParty.objects.create(matter=firm.confidential, party=firm.opposing_party, role="related")
    Matter.objects.filter(pk=firm.matter.pk).delete()  # cascades to members and links
    assert rows() == rebuilt()
    assert {r[1] for r in rows()} == {"李秘", "王伟"}
    assert {r[0] for r in rows()} == {"lead", "partner"}


def test_raw_sql_and_bulk_writes_are_followed(firm):
    bulk = Party.objects.create(kind=PartyKind.PERSON, name="批量", name_normalized="批量")
    MatterParty.objects.bulk_create([MatterParty(matter=firm.matter, party=bulk, role="related")])
    MatterMember.objects.bulk_create(
        [MatterMember(matter=firm.confidential, user=firm.outsider, role="member")]
    )
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO matters_matterparty (matter_id, party_id, role, standing) "
            "VALUES (%s, %s, %s, %s)",
            [firm.confidential.pk, bulk.pk, "related", ""],
        )
    assert rows() == rebuilt()
    assert ("outsider", "批量", "批量", "person", 1) in rows()
    assert ("lead", "批量", "批量", "person", 2) in rows()


def test_backfill_rebuilds_lost_rows(firm):
    PartyReach.objects.all().delete()
    PartyReach.objects.create(
        user=firm.outsider, party=firm.client_party, name="x", kind="x", links=9
    )
    backfill_reach(connection)
    assert rows() == rebuilt()


def test_a_stale_row_never_shows_a_party_the_gate_hides(firm):
    """Rows are only candidates: walls, lost memberships and inactive users are the gate's."""
    EthicalWall.objects.create(matter=firm.confidential, user=firm.assistant, reason="conflict")
    PartyReach.objects.create(
        user=firm.assistant,
        party=Party.objects.get(name="李秘"),
        name="李秘",
        kind="person",
        links=1,
    )
    PartyReach.objects.create(
        user=firm.outsider, party=firm.client_party, name=firm.client_party.name, kind="x", links=1
    )
    for user in (firm.assistant, firm.outsider, firm.inactive):
        expected = [p.pk for p in parties_visible_to(user).order_by("name", "id")]
        assert [p.pk for p in parties_page(user=user).items] == expected, user.username
        # A search takes its candidates from the same rows (probed per matching party).
        for q in ("李秘", "华泰", "王伟"):
            found = [p.pk for p in parties_page(user=user, q=q).items]
            assert found == [
                p.pk for p in parties_visible_to(user).filter(name__contains=q).order_by("name")
            ], (user.username, q)
    assert [p.name for p in parties_page(user=firm.assistant).items] == [
        "北京华泰科技有限公司",
        "王伟",
    ]
    assert parties_page(user=firm.outsider).items == []
    assert parties_page(user=firm.inactive).items == []
