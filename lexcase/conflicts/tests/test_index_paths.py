"""Every path that writes a name, an alias, an identifier, a relation, a matter's status or a
staff relative is found by the next conflict check (律师法 Art. 39-41, 律师执业行为规范 Art.
51-52: a missed conflict is the worst bug this product can have).

Each test writes through the path the firm uses (a service, the API, the importer) and asks a
fresh check (`conflicts.verdicts.conflict_check`, what intake, the ad-hoc page and the API
run) for the name, alias or number written."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.conflicts.engine import QueryParty, staff_relative_add
from lexcase.conflicts.tests.world import make_matter, make_party
from lexcase.conflicts.verdicts import conflict_check
from lexcase.matters.importing import import_file
from lexcase.matters.models import Matter, MatterParty
from lexcase.matters.services import (
    PartyLink,
    matter_archive,
    matter_close,
    matter_create,
    matter_reopen,
    party_find_or_create,
)
from lexcase.parties.models import Party
from lexcase.parties.services import party_relation_add, party_update

pytestmark = pytest.mark.django_db

YUANDA_CODE = "91110105MA01ABCD13"
LINA_ID = "440305199203150027"


def hits(name: str = "", kind: str = "organization", **identifiers: str):
    """The hits of a fresh check of one opposing party."""
    query = QueryParty(name=name, kind=kind, role="opposing", **identifiers)
    return conflict_check([query]).hits


def party_hit(party: Party, name: str = "", kind: str = "organization", **ids: str) -> set[str]:
    """How a fresh check for `name` (or the identifiers) matched `party`: the matched_on of
    every hit on it or through it (empty: missed)."""
    return {
        h.matched_on for h in hits(name, kind, **ids) if party.pk in (h.party_id, h.via_party_id)
    }


def _import(doc: dict, actor) -> None:
    report = import_file(
        path_or_file=io.BytesIO(json.dumps(doc, ensure_ascii=False).encode()),
        filename="old.json",
        actor=actor,
    )
    assert report.ok, report.errors


def _matter_doc(number: str, *parties: dict) -> dict:
    return {
        "number": number,
        "title": "历史案件",
        "matter_type": "civil",
        "status": "closed",
        "opened_on": "2015-03-01",
        "closed_on": "2016-05-01",
        "parties": list(parties),
    }


# -- parties created ------------------------------------------------------------------------


def test_a_party_created_by_import_is_found_by_name_alias_and_identifier(firm):
    _import(
        {
            "matters": [
                _matter_doc(
                    "2015-民-0901",
                    {
                        "name": "北京远大建设集团有限公司",
                        "kind": "organization",
                        "role": "opposing",
                        "credit_code": YUANDA_CODE,
                        "aliases": ["远大集团"],
                    },
                )
            ]
        },
        firm.admin,
    )
    party = Party.objects.get(credit_code=YUANDA_CODE)
    assert "name" in party_hit(party, "北京远大建设集团有限公司")
    assert party_hit(party, "远大集团")
    assert "id" in party_hit(party, credit_code=YUANDA_CODE)


def test_an_imported_name_of_an_existing_party_is_found(firm):
    """A file row whose identifier is an existing party's links to it (docs/import.md); the
    name and aliases the firm's old files used for it must still be found by a check."""
    existing = make_party(firm.lead, "北京远大建设集团有限公司", credit_code=YUANDA_CODE)
    _import(
        {
            "matters": [
                _matter_doc(
                    "2015-民-0902",
                    {
                        "name": "北京京城建工有限责任公司",
                        "kind": "organization",
                        "role": "opposing",
                        "credit_code": YUANDA_CODE,
                        "aliases": ["京远建工"],
                    },
                )
            ]
        },
        firm.admin,
    )
    assert Party.objects.filter(credit_code=YUANDA_CODE).count() == 1
    assert party_hit(existing, "北京京城建工有限责任公司") & {"name", "alias"}
    assert party_hit(existing, "京远建工")


def test_a_second_name_of_one_party_within_a_file_is_found(firm):
    """One person under two names in two rows (a former name): one party, both found."""
    _import(
        {
            "matters": [
                _matter_doc(
                    "2015-民-0903",
                    {"name": "李娜", "kind": "person", "role": "opposing", "id_number": LINA_ID},
                ),
                _matter_doc(
                    "2015-民-0904",
                    {"name": "李静", "kind": "person", "role": "opposing", "id_number": LINA_ID},
                ),
            ]
        },
        firm.admin,
    )
    party = Party.objects.get(name="李娜")
    assert MatterParty.objects.filter(party=party).count() == 2
    assert party_hit(party, "李静", "person") & {"name", "alias"}


def test_a_party_created_through_the_api_is_found(firm):
    _token, raw = api_token_create(user=firm.lead, name="t")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/api/v1/parties",
        {
            "kind": "organization",
            "name": "杭州云栖数据有限公司",
            "credit_code": YUANDA_CODE,
            "aliases": ["云栖数据"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    party = Party.objects.get(pk=response.json()["id"])
    assert "name" in party_hit(party, "杭州云栖数据有限公司")
    assert party_hit(party, "云栖数据")
    assert party_hit(party, "云栖")  # the trade name's substring
    assert "id" in party_hit(party, credit_code=YUANDA_CODE)


def test_a_party_created_at_intake_is_found(firm):
    party = party_find_or_create(actor=firm.lead, kind="person", name="赵小明", identifier=LINA_ID)
    matter_create(
        actor=firm.lead,
        title="赵小明劳动争议",
        matter_type="labor_arbitration",
        parties=[PartyLink(party=party, role="client")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    assert "name" in party_hit(party, "赵小明", "person")
    assert party_hit(party, "赵小朋", "person")  # one character off
    assert "id" in party_hit(party, kind="person", id_number=LINA_ID)


# -- parties changed ------------------------------------------------------------------------


def test_a_renamed_party_is_found_by_its_new_name(firm):
    party = make_party(firm.lead, "上海汇通物流有限公司")
    make_matter(firm, [(party, "client")])
    party = party_update(
        actor=firm.lead, party=party, version=party.version, name="上海腾汇供应链有限公司"
    )
    assert "name" in party_hit(party, "上海腾汇供应链有限公司")
    assert party_hit(party, "腾汇")


def test_a_renamed_party_is_still_found_by_its_former_name(firm):
    """The name on the firm's old files and judgments stays an alias ("Aliases and former
    names"); an editor who corrected a typo removes it in a second edit."""
    party = make_party(firm.lead, "上海汇通物流有限公司")
    make_matter(firm, [(party, "opposing")])
    party = party_update(
        actor=firm.lead, party=party, version=party.version, name="上海腾飞供应链有限公司"
    )
    assert list(party.aliases.values_list("name", flat=True)) == ["上海汇通物流有限公司"]
    assert "alias" in party_hit(party, "上海汇通物流有限公司")
    # Spaces, brackets or full-width forms are the same name: nothing to keep.
    party = party_update(
        actor=firm.lead, party=party, version=party.version, name="上海腾飞供应链 有限公司"
    )
    assert list(party.aliases.values_list("name", flat=True)) == ["上海汇通物流有限公司"]
    # Removed on purpose (the name unchanged): gone.
    party = party_update(actor=firm.lead, party=party, version=party.version, aliases=[])
    assert not party_hit(party, "上海汇通物流有限公司") & {"name", "alias"}


def test_an_alias_added_is_found_and_one_removed_is_not(firm):
    party = make_party(firm.lead, "上海汇通物流有限公司")
    party = party_update(actor=firm.lead, party=party, version=party.version, aliases=["汇通快运"])
    assert party_hit(party, "汇通快运")
    party = party_update(actor=firm.lead, party=party, version=party.version, aliases=[])
    assert not party_hit(party, "汇通快运") & {"alias"}


def test_a_changed_identifier_is_found(firm):
    party = make_party(firm.lead, "王小二", "person")
    party = party_update(actor=firm.lead, party=party, version=party.version, id_number=LINA_ID)
    assert "id" in party_hit(party, kind="person", id_number=LINA_ID)


def test_a_relation_added_is_found_through_the_related_party(firm):
    parent = make_party(firm.lead, "远大控股集团有限公司")
    child = make_party(firm.lead, "北京远大建设集团有限公司")
    make_matter(firm, [(child, "client")])
    party_relation_add(actor=firm.lead, source=parent, target=child, kind="parent")
    found = hits("远大控股集团有限公司")
    assert any(h.via_party_id == child.pk or h.party_id == child.pk for h in found), found


# -- matters' status ------------------------------------------------------------------------


def test_a_party_of_a_closed_reopened_and_archived_matter_is_found(firm):
    party = make_party(firm.lead, "深圳市大疆创新科技有限公司")
    matter = make_matter(firm, [(party, "opposing")])

    def found() -> set[int | None]:
        return {h.matter_id for h in hits("深圳市大疆创新科技有限公司") if h.party_id == party.pk}

    assert matter.pk in found()
    matter = matter_close(actor=firm.partner, matter=matter)
    assert matter.pk in found()
    matter = matter_reopen(actor=firm.partner, matter=matter)
    assert matter.pk in found()
    matter = matter_close(actor=firm.partner, matter=matter)
    matter = matter_archive(actor=firm.partner, matter=matter)
    assert Matter.objects.get(pk=matter.pk).status == "archived"
    assert matter.pk in found()


# -- staff relatives ------------------------------------------------------------------------


def test_a_staff_relative_added_is_found_by_name_typo_and_identifier(firm):
    relative = staff_relative_add(
        user=firm.outsider, name="林小芳", relation="spouse", id_number=LINA_ID
    )

    def found(name: str = "", **ids: str) -> bool:
        return any(h.relative_id == relative.pk for h in hits(name, "person", **ids))

    assert found("林小芳")
    assert found("林晓芳")  # one character off
    assert found(id_number=LINA_ID)
