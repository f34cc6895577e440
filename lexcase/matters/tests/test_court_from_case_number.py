"""The court proposed from a 案号's court code (issue 16 item 17)."""

from __future__ import annotations

import pytest

from lexcase.matters.case_numbers import court_name_for, parse_case_number
from lexcase.matters.courts_data import COURT_CODES, COURT_CODES_SOURCE
from lexcase.matters.models import Matter
from lexcase.matters.services import matter_case_number_add


def test_the_table_decodes_supreme_high_intermediate_and_basic_courts():
    assert court_name_for("京0105") == "北京市朝阳区人民法院"
    assert court_name_for("京01") == "北京市第一中级人民法院"
    assert court_name_for("京") == "北京市高级人民法院"
    assert court_name_for("最高法") == "最高人民法院"
    assert court_name_for("沪0115") == "上海市浦东新区人民法院"
    assert "法院代字表" in COURT_CODES_SOURCE
    # Every code is one the parser accepts.
    for code in COURT_CODES:
        assert parse_case_number(f"（2024）{code}民初1号").court == code


def test_unknown_codes_are_not_guessed_and_the_firm_adds_its_own():
    assert court_name_for("京0199") is None
    assert court_name_for("冀0102") is None
    assert (
        court_name_for("冀0102", {"冀0102": "石家庄市长安区人民法院"}) == "石家庄市长安区人民法院"
    )


@pytest.mark.django_db
def test_adding_a_case_number_proposes_the_court_only_when_empty(firm, settings):
    matter = firm.matter
    Matter.objects.filter(pk=matter.pk).update(court="")
    matter.refresh_from_db()
    version = matter.version
    matter_case_number_add(
        actor=firm.lead, matter=matter, number="（2024）京0105民初12345号", stage="first_instance"
    )
    matter.refresh_from_db()
    assert matter.court == "北京市朝阳区人民法院"
    assert matter.version == version + 1
    # Already set: a second-instance number does not replace it.
    matter_case_number_add(
        actor=firm.lead, matter=matter, number="（2025）京03民终77号", stage="second_instance"
    )
    matter.refresh_from_db()
    assert matter.court == "北京市朝阳区人民法院"


@pytest.mark.django_db
def test_an_unknown_court_code_leaves_the_court_to_the_lawyer(firm, settings):
    matter = firm.matter
    Matter.objects.filter(pk=matter.pk).update(court="")
    matter.refresh_from_db()
    matter_case_number_add(
        actor=firm.lead, matter=matter, number="（2024）冀0102民初5号", stage="first_instance"
    )
    matter.refresh_from_db()
    assert matter.court == ""
    settings.LEXCASE_COURT_CODES = {"冀0103": "石家庄市桥西区人民法院"}
    matter_case_number_add(
        actor=firm.lead, matter=matter, number="（2024）冀0103民初6号", stage="first_instance"
    )
    matter.refresh_from_db()
    assert matter.court == "石家庄市桥西区人民法院"
