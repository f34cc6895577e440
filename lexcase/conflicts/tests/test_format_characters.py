"""Names and identifiers with Unicode format characters (category Cf) and spaces (issue 18
item 4, issue 14, issue 16 item 6): stripped when stored and when normalised, so the conflict
check finds them, and a display name cannot be spoofed with U+202E."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps

from lexcase.conflicts.engine import QueryParty, find_candidates, index_party
from lexcase.conflicts.models import PartyKey, StaffRelative
from lexcase.conflicts.services import staff_relative_create
from lexcase.parties.identifiers import (
    normalize_identifier,
    validate_credit_code,
    validate_id_number,
)
from lexcase.parties.models import Party, PartyAlias
from lexcase.parties.names import clean_display_name, name_keys, normalize_name
from lexcase.parties.services import party_create, party_update
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

ID_NUMBER = "110101199003071233"
ID_NUMBER_X = "11010119900307109X"
CREDIT_CODE = "91110108MA01ABCD2H"

# (stored or typed with format characters, the plain spelling)
FORMATTED_NAMES = [
    ("冯\u2066陈褚\u2069", "冯陈褚"),  # bidi isolates (LRI … PDI)
    ("冯\u202e陈褚", "冯陈褚"),  # right-to-left override
    ("冯\u00ad陈褚", "冯陈褚"),  # soft hyphen
    ("\u2067冯陈\u200e褚\u2069", "冯陈褚"),  # RLI, left-to-right mark
]


@pytest.mark.parametrize(("formatted", "plain"), FORMATTED_NAMES)
def test_normalised_keys_drop_format_characters(formatted, plain):
    assert normalize_name(formatted) == plain
    assert name_keys(formatted, kind="organization") == name_keys(plain, kind="organization")
    assert clean_display_name(f" {formatted}  甲 ") == f"{plain} 甲"


def exact_hits(name: str, kind: str = "person", **identifiers: str) -> list[tuple[int, str]]:
    found = find_candidates(QueryParty(name=name, kind=kind, role="client", **identifiers))
    return [(c.party_id, c.matched_on) for c in found if c.score == 100]


@pytest.mark.parametrize(("formatted", "plain"), FORMATTED_NAMES)
def test_stored_name_with_format_characters_is_found_by_the_plain_name(firm, formatted, plain):
    party = party_create(actor=firm.lead, kind="person", name=formatted)
    assert party.name == plain  # stored without them: U+202E cannot spoof the display
    assert exact_hits(plain) == [(party.pk, "name")]


@pytest.mark.parametrize(("formatted", "plain"), FORMATTED_NAMES)
def test_query_with_format_characters_finds_the_plain_name(firm, formatted, plain):
    party = party_create(actor=firm.lead, kind="person", name=plain)
    assert exact_hits(formatted) == [(party.pk, "name")]


def test_organisation_and_alias_with_format_characters(firm):
    party = party_create(
        actor=firm.lead,
        kind="organization",
        name="深圳\u202e华\u00ad强电子有限公司",
        aliases=["华\u2066强\u2069集团"],
    )
    assert party.name == "深圳华强电子有限公司"
    assert list(party.aliases.values_list("name", flat=True)) == ["华强集团"]
    assert exact_hits("深圳华强电子有限公司", kind="organization") == [(party.pk, "name")]
    found = find_candidates(QueryParty(name="华强集团", kind="organization", role="client"))
    assert [(c.party_id, c.matched_on, c.score) for c in found][:1] == [(party.pk, "alias", 98)]


def test_update_strips_format_characters(firm):
    party = party_create(actor=firm.lead, kind="person", name="冯陈褚")
    party = party_update(
        actor=firm.lead, party=party, version=party.version, name="冯\u202e陈褚\u2069"
    )
    assert party.name == "冯陈褚"


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "110101 199003071233",
        "110101　19900307 1233",  # ideographic space from a Chinese IME
        "110101\u2066199003071233\u2069",
        "\u202d110101199003071233",
        "110101\u00ad199003071233",
        "110101\u200b199003071233",
    ],
)
def test_id_number_with_spaces_or_format_characters(firm, typed):
    assert validate_id_number(typed) == ID_NUMBER
    assert normalize_identifier(typed) == ID_NUMBER
    party = party_create(actor=firm.lead, kind="person", name="张建国", id_number=typed)
    assert party.id_number == ID_NUMBER
    assert exact_hits("某人", id_number=typed) == [(party.pk, "id")]


def test_credit_code_with_format_characters(firm):
    assert validate_credit_code("9111 0108\u2066ma01abcd2h\u2069") == CREDIT_CODE
    party = party_create(
        actor=firm.lead, kind="organization", name="某公司", credit_code=CREDIT_CODE
    )
    typed = "\u202e91110108 MA01ABCD2H"
    assert exact_hits("另一公司", kind="organization", credit_code=typed) == [(party.pk, "id")]


def test_invalid_identifier_still_matches_when_stored_unchecked(firm):
    """An identifier imported unchecked (wrong check digit) is still matched as typed, once
    spaces and format characters are gone."""
    party = Party.objects.create(kind="person", name="旧数据", id_number="110101199003071234")
    index_party(party)
    assert exact_hits("某人", id_number="110101 1990\u2066030712\u206934") == [(party.pk, "id")]


def test_passport_is_stored_and_matched_without_spaces_or_format_characters(firm):
    party = party_create(
        actor=firm.lead, kind="person", name="John Smith", passport=" e1234\u200b5678 "
    )
    assert party.passport == "E12345678"
    assert exact_hits("某人", passport="E 1234 5678") == [(party.pk, "id")]


# --- lowercase x (issue 16 item 6) ----------------------------------------------------------


def test_lowercase_x_is_accepted_and_normalised(firm):
    assert validate_id_number("11010119900307109x") == ID_NUMBER_X
    assert normalize_identifier("110101 19900307109x") == ID_NUMBER_X
    party = party_create(
        actor=firm.lead, kind="person", name="李建华", id_number="11010119900307109x"
    )
    assert party.id_number == ID_NUMBER_X
    assert exact_hits("某人", id_number="110101 19900307109x") == [(party.pk, "id")]


def test_relative_with_spaced_lowercase_id_number(firm):
    relative = staff_relative_create(
        actor=firm.lead,
        user=firm.lead,
        name="冯\u202e小红",
        relation="spouse",
        id_number="110101 19900307109x",
    )
    assert (relative.name, relative.id_number) == ("冯小红", ID_NUMBER_X)
    found = find_candidates(
        QueryParty(name="某人", kind="person", role="opposing", id_number=ID_NUMBER_X)
    )
    assert [(c.relative_id, c.matched_on) for c in found] == [(relative.pk, "id")]


def adhoc(user, name: str, identifier: str):
    return client_for(user).post(
        "/conflicts/check/",
        {
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "20",
            "parties-0-name": name,
            "parties-0-kind": "person",
            "parties-0-role": "client",
            "parties-0-identifier": identifier,
        },
    )


@pytest.mark.parametrize(
    "typed", ["110101 199003071233", "110101　1990 0307 1233", "110101\u2066199003071233\u2069"]
)
def test_adhoc_page_accepts_a_spaced_id_number(firm, typed):
    party = party_create(actor=firm.lead, kind="person", name="张建国", id_number=ID_NUMBER)
    response = adhoc(firm.lead, "某人", typed)
    assert response.status_code == 200
    assert [f.errors for f in response.context["formset"].forms] == [{}]
    hits = response.context["conflict_hits"]
    assert [(h["party_id"], h["matched_on"]) for h in hits] == [(party.pk, "id")]


def test_adhoc_page_accepts_lowercase_x(firm):
    party = party_create(actor=firm.lead, kind="person", name="李建华", id_number=ID_NUMBER_X)
    response = adhoc(firm.lead, "某人", "110101 19900307109x")
    hits = response.context["conflict_hits"]
    assert [(h["party_id"], h["matched_on"]) for h in hits] == [(party.pk, "id")]


def test_relatives_page_accepts_a_spaced_id_number(firm):
    response = client_for(firm.lead).post(
        "/conflicts/relatives/",
        {
            "relative-name": "冯小红",
            "relative-kind": "person",
            "relative-relation": "spouse",
            "relative-id_number": "110101 19900307109x",
        },
    )
    assert response.status_code == 302
    assert StaffRelative.objects.get(user=firm.lead).id_number == ID_NUMBER_X


def test_intake_form_accepts_a_spaced_id_number(firm):
    party = party_create(actor=firm.lead, kind="person", name="张建国", id_number=ID_NUMBER)
    response = client_for(firm.lead).post(
        "/matters/new/",
        {
            "title": "空格身份证号",
            "matter_type": "civil",
            "priority": "P2",
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "10",
            "parties-0-name": "张建国",
            "parties-0-kind": "person",
            "parties-0-role": "client",
            "parties-0-identifier": "110101 1990 0307 1233",
        },
    )
    assert response.status_code == 302
    matter_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert list(
        Party.objects.filter(matter_links__matter_id=matter_id).values_list("pk", flat=True)
    ) == [party.pk]


# --- existing rows: the migration cleans them and rebuilds their index rows -----------------


def test_migration_cleans_existing_rows_and_reindexes_them(firm):
    """Rows written before the fix (format characters in the name, alias, identifiers and a
    staff relative) are cleaned, their keys recomputed and the index rebuilt for them."""
    migration = importlib.import_module("lexcase.conflicts.migrations.0004_strip_format_characters")
    old_keys = {"normalized": "冯\u202e陈褚", "core": "冯\u202e陈褚", "trade": "冯\u202e陈褚"}
    party = Party.objects.create(
        kind="person",
        name="冯\u202e陈褚",
        name_normalized=old_keys["normalized"],
        name_core=old_keys["core"],
        name_trade=old_keys["trade"],
        passport="e 1234\u200b5678",
    )
    PartyAlias.objects.create(party=party, name="冯\u00ad老三", name_normalized="冯\u00ad老三")
    PartyAlias.objects.create(party=party, name="冯老三", name_normalized="冯老三")
    PartyAlias.objects.create(party=party, name="冯陈\u2066褚", name_normalized="冯陈\u2066褚")
    index_party(party)
    relative = StaffRelative.objects.create(
        user=firm.lead, name="冯\u2066小红\u2069", relation="spouse"
    )
    untouched = party_create(actor=firm.lead, kind="person", name="王小明")
    before = {(k.key_type, k.value) for k in PartyKey.objects.filter(party=untouched)}
    assert exact_hits("冯陈褚") == []

    migration.strip_format_characters(global_apps, None)

    party.refresh_from_db()
    assert (party.name, party.name_normalized, party.passport) == ("冯陈褚", "冯陈褚", "E12345678")
    # One alias became a duplicate of another, one the party's own name: both go.
    assert list(party.aliases.values_list("name", "name_normalized")) == [("冯老三", "冯老三")]
    relative.refresh_from_db()
    assert relative.name == "冯小红"
    assert exact_hits("冯陈褚") == [(party.pk, "name")]
    assert exact_hits("某人", passport="E12345678") == [(party.pk, "id")]
    found = find_candidates(QueryParty(name="冯小红", kind="person", role="opposing"))
    assert [(c.relative_id, c.matched_on) for c in found][:1] == [(relative.pk, "name")]
    assert {(k.key_type, k.value) for k in PartyKey.objects.filter(party=untouched)} == before
