"""`Party.on_matter` ("on at least one matter") follows the links whoever writes them, and the
directory of a reader who does not see every open file is built from the parties on no matter
plus those of the reader's own matters (`PartyReach`), every row proven by the gate (issue 18
item 6)."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lexcase.conflicts.engine import index_parties
from lexcase.matters import selectors
from lexcase.matters.importing import import_file
from lexcase.matters.models import EthicalWall, Matter, MatterMember, MatterParty
from lexcase.matters.party_links import backfill
from lexcase.matters.selectors import parties_page, parties_search, parties_visible_to
from lexcase.matters.services import PartyLink, matter_create, matter_party_add
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.names import normalize_name
from lexcase.parties.services import party_create, party_update

pytestmark = pytest.mark.django_db


def flag(party: Party) -> bool:
    return Party.objects.values_list("on_matter", flat=True).get(pk=party.pk)


def test_a_new_party_is_on_no_matter_and_a_link_sets_the_flag(firm):
    fresh = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="张三")
    assert flag(fresh) is False
    matter_party_add(actor=firm.lead, matter=firm.matter, party=fresh, role="third_party")
    assert flag(fresh) is True
    # matter_create links its parties too.
    other = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="赵六")
    matter_create(
        actor=firm.lead,
        title="赵六咨询",
        matter_type="consultation",
        parties=[PartyLink(party=other, role="client")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    assert flag(other) is True
    assert (flag(firm.client_party), flag(firm.opposing_party)) == (True, True)


def test_removing_links_clears_the_flag_only_with_the_last_one(firm):
    party = firm.client_party
    MatterParty.objects.create(matter=firm.confidential, party=party, role="third_party")
    MatterParty.objects.filter(matter=firm.matter, party=party).delete()
    assert flag(party) is True  # still on the confidential matter
    MatterParty.objects.filter(party=party).delete()
    assert flag(party) is False
    # Moving a link to another party moves the flag.
    link = MatterParty.objects.get(matter=firm.matter, party=firm.opposing_party)
    link.party = party
    link.save()
    assert (flag(party), flag(firm.opposing_party)) == (True, False)


def test_deleting_a_matter_clears_the_flag_of_parties_left_on_none(firm):
    shared = firm.opposing_party
    MatterParty.objects.create(matter=firm.confidential, party=shared, role="third_party")
    Matter.objects.filter(pk=firm.matter.pk).delete()  # cascades to its links
    assert flag(firm.client_party) is False  # was only on the deleted matter
    assert flag(shared) is True  # still on the confidential one
    # A party on no matter is everyone's again.
    assert [p.name for p in parties_page(user=firm.outsider).items] == ["北京华泰科技有限公司"]


def test_bulk_loads_and_the_importer_set_the_flag(firm):
    bulk = Party.objects.create(kind=PartyKind.PERSON, name="批量", name_normalized="批量")
    MatterParty.objects.bulk_create([MatterParty(matter=firm.matter, party=bulk, role="related")])
    assert flag(bulk) is True
    raw = Party.objects.create(kind=PartyKind.PERSON, name="手写", name_normalized="手写")
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO matters_matterparty (matter_id, party_id, role, standing) "
            "VALUES (%s, %s, %s, %s)",
            [firm.confidential.pk, raw.pk, "related", ""],
        )
    assert flag(raw) is True
    doc = {
        "matters": [
            {
                "title": "李娜劳动争议仲裁",
                "matter_type": "labor_arbitration",
                "status": "closed",
                "opened_on": "2021-06-18",
                "closed_on": "2022-01-10",
                "parties": [
                    {"name": "李娜", "kind": "person", "role": "client"},
                    {"name": "王伟", "kind": "person", "role": "opposing"},
                ],
            }
        ]
    }
    data = io.BytesIO(json.dumps(doc, ensure_ascii=False).encode())
    report = import_file(path_or_file=data, filename="history.json", actor=firm.admin)
    assert report.ok, report.errors
    imported = Party.objects.get(name="李娜")
    assert flag(imported) is True


def test_saving_a_party_never_writes_the_flag_back(firm):
    stale = Party.objects.get(pk=firm.client_party.pk)
    MatterParty.objects.filter(party=stale).delete()
    assert flag(stale) is False
    stale.on_matter = True  # loaded before the link went
    party_update(actor=firm.lead, party=stale, version=stale.version, phone="010-1234")
    assert flag(stale) is False
    fresh = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="张三")
    matter_party_add(actor=firm.lead, matter=firm.matter, party=fresh, role="third_party")
    party_update(actor=firm.lead, party=fresh, version=fresh.version, phone="010-5678")
    assert flag(fresh) is True  # the in-memory False was not written


def test_backfill_sets_the_flag_from_the_links(firm):
    Party.objects.update(on_matter=False)
    fresh = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="张三")
    Party.objects.filter(pk=fresh.pk).update(on_matter=True)
    assert backfill(connection) == 4  # three linked parties set, the fresh one cleared
    assert dict(Party.objects.values_list("name", "on_matter")) == {
        "北京华泰科技有限公司": True,
        "王伟": True,
        "李秘": True,
        "张三": False,
    }


def _force_path(monkeypatch, windows: str) -> None:
    """One window holds the page (the usual case), or a page needs many windows of one
    candidate, then four, ... (each starting after the last candidate of the one before)."""
    if windows == "many":
        monkeypatch.setattr(selectors, "WINDOW_SLACK", 0.001)


@pytest.mark.parametrize("windows", ["one", "many"])
def test_a_stale_flag_never_shows_a_party_of_a_hidden_matter(firm, monkeypatch, windows):
    _force_path(monkeypatch, windows)
    Party.objects.update(on_matter=False)  # as if the triggers had been lost
    for user in (firm.outsider, firm.assistant, firm.walled, firm.admin):
        names = {p.name for p in parties_page(user=user).items}
        assert "李秘" not in names
        assert parties_page(user=user, q="李秘").items == []  # a search's candidates too
    assert [p.name for p in parties_page(user=firm.outsider).items] == []
    assert [p.name for p in parties_page(user=firm.walled).items] == []
    assert [p.name for p in parties_page(user=firm.outsider, q="王伟").items] == []


def _add_parties(firm, n: int) -> None:
    def party(name: str) -> Party:
        return Party(kind=PartyKind.PERSON, name=name, name_normalized=normalize_name(name))

    fresh = Party.objects.bulk_create(party(f"新{i:03d}") for i in range(n))
    linked = Party.objects.bulk_create(party(f"甲{i:03d}") for i in range(n))
    hidden = Party.objects.bulk_create(party(f"乙{i:03d}") for i in range(n))
    MatterParty.objects.bulk_create(
        [MatterParty(matter=firm.matter, party=p, role="related") for p in linked]
        + [MatterParty(matter=firm.confidential, party=p, role="related") for p in hidden]
    )
    index_parties([p.pk for p in fresh + linked + hidden])  # the search starts from the grams


@pytest.mark.parametrize("windows", ["one", "many"])
def test_pages_hold_exactly_the_visible_parties_in_name_order(firm, monkeypatch, windows):
    _force_path(monkeypatch, windows)
    _add_parties(firm, 70)
    # A member walled off their own matter: PartyReach still lists its parties, the gate not.
    MatterMember.objects.create(matter=firm.confidential, user=firm.assistant, role="assistant")
    EthicalWall.objects.create(matter=firm.confidential, user=firm.assistant, reason="conflict")
    for user in (
        firm.admin,
        firm.partner,
        firm.lead,
        firm.assistant,
        firm.outsider,
        firm.walled,
        firm.partner_other,
        firm.finance,
    ):
        expected = [p.pk for p in parties_visible_to(user).order_by("name", "id")]
        seen, cursor = [], ""
        while True:
            page = parties_page(user=user, cursor=cursor, size=30)
            seen += [p.pk for p in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == expected, user.username
        assert [p.pk for p in parties_search(user=user)] == expected  # the export: no limit
        # The search and kind filters and the API's limit keep the same set.
        for q in ("甲", "新00", "华泰", "李秘"):
            by_search = [p.pk for p in parties_search(user=user, q=q, limit=200)[:200]]
            assert by_search == [
                p.pk
                for p in parties_visible_to(user).order_by("name", "id")
                if q in p.name_normalized
            ], (user.username, q)
        orgs = [p.pk for p in parties_page(user=user, kind=PartyKind.ORGANIZATION).items]
        assert orgs == [
            p.pk for p in parties_visible_to(user).filter(kind="organization").order_by("name")
        ]


def test_a_narrow_readers_directory_queries_do_not_grow(firm):
    def queries(user) -> int:
        parties_page(user=user)
        with CaptureQueriesContext(connection) as ctx:
            assert parties_page(user=user).items
        return len(ctx.captured_queries)

    party_create(actor=firm.lead, kind=PartyKind.PERSON, name="张三")
    few = {u.username: queries(u) for u in (firm.outsider, firm.assistant)}
    _add_parties(firm, 120)
    MatterMember.objects.create(matter=firm.confidential, user=firm.assistant, role="assistant")
    many = {u.username: queries(u) for u in (firm.outsider, firm.assistant)}
    assert many == few


def test_a_compiled_page_query_serves_each_reader_their_own_rows(firm):
    """The directory's queries are compiled once per form and kept; the reader, cursor and
    terms are bound at each call (issue 18 item 6: the ORM's compile cost was most of a page)."""
    _add_parties(firm, 40)
    selectors._COMPILED.clear()
    for user in (firm.lead, firm.outsider, firm.assistant, firm.partner, firm.partner_other):
        expected = [p.pk for p in parties_visible_to(user).order_by("name", "id")]
        first = parties_page(user=user, size=25)
        second = parties_page(user=user, size=25, cursor=first.next_cursor or "")
        assert [p.pk for p in first.items + second.items] == expected[:50], user.username
        found = [p.pk for p in parties_page(user=user, q="甲01").items]
        assert found == [
            p.pk for p in parties_visible_to(user).order_by("name", "id") if "甲01" in p.name
        ], user.username
    shapes = {key[1] for key in selectors._COMPILED}
    assert shapes <= {"walk", "window", "counts"}
    # A placeholder without a value is refused, never sent to the database.
    with pytest.raises(RuntimeError):
        selectors._bind(("\x00nothing\x00",), {})
    with pytest.raises(KeyError):
        selectors._bind((selectors._USER,), {})
