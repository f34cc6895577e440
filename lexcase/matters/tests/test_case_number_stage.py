"""A new 案号's stage comes from its type code when the code tells one (民初 → 一审,
民终 → 二审, 民申 → 再审, 执 → 执行); before, the form defaulted to the matter's current stage
and a 民初 number was tagged 二审."""

from __future__ import annotations

import pytest

from lexcase.matters.case_numbers import stage_for_type_code
from lexcase.matters.models import CourtCaseNumber, Matter
from lexcase.matters.services import matter_case_number_add
from lexcase.testing import client_for


def test_the_type_codes_tell_their_stage_and_the_firm_adds_its_own():
    assert [stage_for_type_code(c) for c in ("民初", "民终", "民申", "刑再", "行终", "执异")] == [
        "first_instance",
        "second_instance",
        "retrial",
        "retrial",
        "second_instance",
        "enforcement",
    ]
    assert (stage_for_type_code("民特"), stage_for_type_code("民辖终")) == (None, None)
    assert stage_for_type_code("民辖终", {"民辖终": "second_instance"}) == "second_instance"


@pytest.mark.django_db
def test_a_first_instance_number_on_a_matter_in_second_instance_is_tagged_first_instance(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(stage="second_instance")
    client = client_for(firm.lead)
    page = client.get(f"/matters/{firm.matter.pk}/forms/case-number/").content.decode()
    assert '<option value="" selected>按案号判断</option>' in page
    for number in ("（2024）京0105民初12345号", "（2025）京03知民终77号", "（2025）京0105民特9号"):
        client.post(f"/matters/{firm.matter.pk}/case-numbers/", {"number": number, "stage": ""})
    rows = CourtCaseNumber.objects.filter(matter=firm.matter).order_by("pk")
    assert list(rows.values_list("number", "stage")) == [
        ("（2024）京0105民初12345号", "first_instance"),
        ("（2025）京03知民终77号", "second_instance"),
        # 民特 tells no stage: the matter's current one.
        ("（2025）京0105民特9号", "second_instance"),
    ]


@pytest.mark.django_db
def test_a_stage_the_lawyer_chooses_is_kept_and_the_setting_adds_codes(firm, settings):
    settings.LEXCASE_CASE_NUMBER_STAGES = {"民特": "first_instance"}
    chosen = matter_case_number_add(
        actor=firm.lead, matter=firm.matter, number="（2024）京0105民初1号", stage="retrial"
    )
    special = matter_case_number_add(
        actor=firm.lead, matter=firm.matter, number="（2024）京0105民特2号"
    )
    assert (chosen.stage, special.stage) == ("retrial", "first_instance")


@pytest.mark.django_db
def test_adding_a_case_number_says_what_was_added(firm):
    """The message named nothing (已保存。): it names the number as stored and its stage."""
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/case-numbers/",
        {"number": "(2026)京0105民初123号", "stage": ""},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "已添加案号 （2026）京0105民初123号，阶段：一审。" in texts
    assert "已保存。" not in texts
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/matters/{firm.matter.pk}/case-numbers/",
        {"number": "（2026）京0105民终9号", "stage": ""},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "Case number （2026）京0105民终9号 added, stage: Second instance." in texts
