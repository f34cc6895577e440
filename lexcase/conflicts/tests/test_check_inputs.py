"""What a person types into a conflict check finds the party the firm holds, whatever the
form the number or name is typed in (律师法 Art. 39, 律师执业行为规范 Art. 51-52: a missed
conflict is the worst bug this product can have).

The intake page, the ad-hoc check and a party joining a matter give each party one
"ID number / credit code" box, routed by the kind chosen; a foreign person's passport typed
there, or a credit code typed for a party marked as a person, is still that party's number."""

from __future__ import annotations

import pytest
from django.utils import translation

from lexcase.conflicts.engine import QueryParty
from lexcase.conflicts.models import ConflictCheck
from lexcase.conflicts.tests.world import make_matter, make_party
from lexcase.conflicts.verdicts import ABSOLUTE, conflict_check
from lexcase.matters.models import Matter
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

ID_X = "44030519920315102X"  # an 18-digit 身份证号 ending in X
CREDIT = "91350200776049653A"


def check(name: str = "", kind: str = "person", **ids: str):
    return conflict_check([QueryParty(name=name, kind=kind, role="client", **ids)]).hits


def matched(party, name: str = "", kind: str = "person", **ids: str) -> set[str]:
    return {h.matched_on for h in check(name, kind, **ids) if party.pk == h.party_id}


def test_an_id_number_typed_with_dashes_is_found(firm):
    party = make_party(firm.lead, "张三", "person", id_number=ID_X)
    make_matter(firm, [(party, "opposing")])
    assert matched(party, id_number="440305-19920315-102x") == {"id"}
    assert matched(party, id_number="440305－19920315－102X") == {"id"}  # full-width
    assert matched(party, id_number="440305\u201019920315\u2013102X") == {"id"}  # ‐ –


def test_a_credit_code_typed_with_dashes_is_found(firm):
    party = make_party(firm.lead, "厦门某某科技有限公司", credit_code=CREDIT)
    make_matter(firm, [(party, "opposing")])
    assert matched(party, kind="organization", credit_code="91350200-77604965-3a") == {"id"}


def test_a_party_is_stored_with_the_number_typed_with_dashes(firm):
    party = make_party(firm.lead, "李四", "person", id_number="440305-19920315-102x")
    assert party.id_number == ID_X


def test_a_passport_typed_in_the_id_number_box_is_found(firm):
    party = make_party(firm.lead, "John Smith", "person", passport="E12345678")
    make_matter(firm, [(party, "opposing")])
    assert matched(party, "某人", id_number="E12345678") == {"id"}


def test_a_passport_typed_in_the_id_number_box_does_not_clear_the_name_match(firm):
    """The same person holds an ID number and a passport: a check by name and passport (in
    the one box) is that person, not 'probably a different party'."""
    party = make_party(firm.lead, "王小明", "person", id_number=ID_X, passport="E12345678")
    make_matter(firm, [(party, "opposing")])
    hits = [h for h in check("王小明", id_number="E12345678") if h.party_id == party.pk]
    assert [(h.matched_on, h.verdict) for h in hits] == [("id", ABSOLUTE)]


def test_a_credit_code_typed_for_a_party_marked_as_a_person_is_found(firm):
    """A sole trader (个体工商户) has a credit code; the reviewer chose 'person'."""
    party = make_party(firm.lead, "厦门某某科技有限公司", credit_code=CREDIT)
    make_matter(firm, [(party, "opposing")])
    assert matched(party, "某人", "person", id_number=CREDIT) == {"id"}
    # An ID number typed in the credit-code box is not looked up as a credit code.
    assert "id" not in matched(party, "某公司", "organization", credit_code=ID_X)


def test_an_id_number_typed_for_a_party_marked_as_an_organisation_is_found(firm):
    party = make_party(firm.lead, "张三", "person", id_number=ID_X)
    make_matter(firm, [(party, "opposing")])
    assert matched(party, "某人", "organization", credit_code=ID_X.lower()) == {"id"}


# -- a number typed without a name --------------------------------------------------------


def test_an_intake_row_with_a_number_and_no_name_is_refused_not_dropped(firm):
    """The intake skipped a party row whose name was blank: the number typed in it was never
    checked, and the matter opened without that party."""
    matters = Matter.objects.count()
    data = {
        "title": "华泰科技诉远大贸易买卖合同纠纷",
        "matter_type": "civil",
        "priority": "P1",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-0-name": "北京华泰科技有限公司",
        "parties-0-kind": "organization",
        "parties-0-role": "client",
        "parties-1-name": "",
        "parties-1-kind": "person",
        "parties-1-role": "opposing",
        "parties-1-identifier": ID_X,
    }
    with translation.override("en"):
        response = client_for(firm.lead).post("/matters/new/", data)
    assert response.status_code == 422
    errors = response.context["parties"].forms[1].errors
    assert errors == {"name": ["Enter the name of the party with this number."]}
    assert Matter.objects.count() == matters


def test_an_adhoc_row_with_a_number_and_no_name_is_refused_not_dropped(firm):
    checks = ConflictCheck.objects.count()
    rows = [("张三", "person", "client", ""), ("", "person", "opposing", ID_X)]
    data = {"parties-TOTAL_FORMS": str(len(rows)), "parties-INITIAL_FORMS": "0"}
    for i, (name, kind, role, identifier) in enumerate(rows):
        data |= {
            f"parties-{i}-name": name,
            f"parties-{i}-kind": kind,
            f"parties-{i}-role": role,
            f"parties-{i}-identifier": identifier,
        }
    with translation.override("en"):
        response = client_for(firm.partner).post("/conflicts/check/", data)
    assert response.status_code == 422
    assert response.context["formset"].forms[1].errors == {
        "name": ["Enter the name of the party with this number."]
    }
    assert ConflictCheck.objects.count() == checks


# -- a Latin name in another order ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Smith John", "SMITH, John", "smith john", "Smith，John", "John Smith"]
)
def test_a_latin_name_typed_family_name_first_is_found(firm, typed):
    """Foreign names are written given-name first in one document and family-name first
    (often upper case, with a comma) in another: a passport, a court's party list."""
    party = make_party(firm.lead, "John Smith", "person")
    make_matter(firm, [(party, "opposing")])
    assert matched(party, typed) == {"name"}


def test_a_three_part_latin_name_in_another_order_is_found(firm):
    party = make_party(firm.lead, "Maria Del Carmen", "person")
    make_matter(firm, [(party, "opposing")])
    assert matched(party, "Carmen, Maria Del") == {"name"}


def test_a_chinese_name_is_not_reordered(firm):
    party = make_party(firm.lead, "三张", "person")
    make_matter(firm, [(party, "opposing")])
    assert "name" not in matched(party, "张三")


def test_a_four_part_latin_name_with_the_family_name_in_front_is_found(firm):
    party = make_party(firm.lead, "Juan Carlos Garcia Lopez", "person")
    make_matter(firm, [(party, "opposing")])
    assert matched(party, "GARCIA LOPEZ, Juan Carlos") == {"name"}
