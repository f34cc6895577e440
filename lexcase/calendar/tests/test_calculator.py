"""Tests for the pure deadline calculator and the rule library (no Django, no database).

Expected dates were worked out by hand from the statutes and the State Council holiday
notices as encoded in chinesecalendar 1.11 (2004-2026); 2027+ has no data and is provisional.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexcase.calendar.calculator import (
    MemoryCalendar,
    Result,
    compute,
    is_rest_day,
    memory_calendar_from_chinesecalendar,
    naive_due_date,
    validate_rule,
)
from lexcase.calendar.rules_data import (
    LAWS,
    RULES,
    RULESET_VERSION,
    SERVED_KINDS,
    UNITS,
    Rule,
    chinese_numeral,
    rules_for_served_kind,
)

# Built once: the package data is static, and every test only reads it.
CAL = memory_calendar_from_chinesecalendar()

APPEAL_JUDGMENT = RULES["civil.appeal.judgment"]
APPEAL_RULING = RULES["civil.appeal.ruling"]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# ---------------------------------------------------------------- docs/domain.md §1.1 examples


def test_compute_judgment_appeal_national_day_moves_to_october_9() -> None:
    result = compute(APPEAL_JUDGMENT, date(2025, 9, 16), CAL)
    assert result.raw_end == date(2025, 10, 1)
    assert result.due_date == date(2025, 10, 9)
    assert result.rolled is True
    assert result.provisional is False


def test_compute_ruling_appeal_spring_festival_moves_to_february_24() -> None:
    result = compute(APPEAL_RULING, date(2026, 2, 10), CAL)
    assert result.raw_end == date(2026, 2, 20)
    assert result.due_date == date(2026, 2, 24)
    assert result.rolled is True
    assert result.provisional is False


def test_compute_judgment_appeal_adjusted_working_saturday_does_not_move() -> None:
    result = compute(APPEAL_JUDGMENT, date(2026, 1, 30), CAL)
    assert result.raw_end == date(2026, 2, 14)
    assert result.due_date == date(2026, 2, 14)
    assert result.rolled is False
    assert result.provisional is False


def test_compute_retrial_missing_corresponding_day_ends_at_month_end() -> None:
    result = compute(RULES["civil.retrial"], date(2025, 8, 31), CAL)
    assert result.raw_end == date(2026, 2, 28)
    assert result.due_date == date(2026, 2, 28)
    assert result.rolled is False
    assert result.provisional is False


def test_compute_enforcement_two_years_ends_on_working_day() -> None:
    result = compute(RULES["civil.enforcement"], date(2024, 12, 31), CAL)
    assert result.raw_end == date(2026, 12, 31)
    assert result.due_date == date(2026, 12, 31)
    assert result.rolled is False
    assert result.provisional is False


def test_compute_judgment_appeal_into_2027_is_provisional() -> None:
    result = compute(APPEAL_JUDGMENT, date(2026, 12, 20), CAL)
    assert result.raw_end == date(2027, 1, 4)
    assert result.due_date == date(2027, 1, 4)
    assert result.rolled is False
    assert result.provisional is True
    assert result.unpublished_years == (2027,)
    assert "2027年放假安排尚未公布，届满日可能变动；本结果仅按周末顺延。" in result.explanation


# ---------------------------------------------------------------- every rule, fixed trigger

# Trigger Saturday 2025-09-20. 2025 National Day: rest 10/1-10/8, work Sun 9/28 and Sat
# 10/11. 2026 National Day: work Sun 9/20. Hence +15 d = Sun 10/5 -> Thu 10/9.
TRIGGER = date(2025, 9, 20)
EXPECTED_FROM_TRIGGER: dict[str, tuple[date, date, bool]] = {
    # rule id: (raw last day, due date, provisional)
    "civil.answer": (date(2025, 10, 5), date(2025, 10, 9), False),
    "civil.answer.no_domicile": (date(2025, 10, 20), date(2025, 10, 20), False),
    "civil.appeal.judgment": (date(2025, 10, 5), date(2025, 10, 9), False),
    "civil.appeal.ruling": (date(2025, 9, 30), date(2025, 9, 30), False),
    "civil.appeal.no_domicile": (date(2025, 10, 20), date(2025, 10, 20), False),
    "civil.appeal_answer": (date(2025, 10, 5), date(2025, 10, 9), False),
    "civil.retrial": (date(2026, 3, 20), date(2026, 3, 20), False),
    "civil.enforcement": (date(2027, 9, 20), date(2027, 9, 20), True),
    "civil.payment_order_objection": (date(2025, 10, 5), date(2025, 10, 9), False),
    "civil.enforcement_objection.review": (date(2025, 9, 30), date(2025, 9, 30), False),
    "civil.third_party_objection.suit": (date(2025, 10, 5), date(2025, 10, 9), False),
    "criminal.appeal.judgment": (date(2025, 9, 30), date(2025, 9, 30), False),
    "criminal.appeal.ruling": (date(2025, 9, 25), date(2025, 9, 25), False),
    "criminal.victim_protest_request": (date(2025, 9, 25), date(2025, 9, 25), False),
    "admin.appeal.judgment": (date(2025, 10, 5), date(2025, 10, 9), False),
    "admin.appeal.ruling": (date(2025, 9, 30), date(2025, 9, 30), False),
    "admin.suit": (date(2026, 3, 20), date(2026, 3, 20), False),
    "admin.suit_after_reconsideration": (date(2025, 10, 5), date(2025, 10, 9), False),
    "admin.answer": (date(2025, 10, 5), date(2025, 10, 9), False),
    "admin.reconsideration": (date(2025, 11, 19), date(2025, 11, 19), False),
    # 5 working days after Sat 9/20: Mon 9/22 .. Fri 9/26 (Sun 9/21 is a rest day).
    "admin.reconsideration_acceptance": (date(2025, 9, 26), date(2025, 9, 26), False),
    # Sun 2026-09-20 is a 调休上班 day (National Day 2026), so it does not move.
    "labor.arbitration_limitation": (date(2026, 9, 20), date(2026, 9, 20), False),
    "labor.answer": (date(2025, 9, 30), date(2025, 9, 30), False),
    "labor.suit_after_award": (date(2025, 10, 5), date(2025, 10, 9), False),
    "labor.worker_suit_after_final_award": (date(2025, 10, 5), date(2025, 10, 9), False),
    "labor.set_aside_final_award": (date(2025, 10, 20), date(2025, 10, 20), False),
    "arbitration.set_aside": (date(2026, 3, 20), date(2026, 3, 20), False),
    # 3 months ends Sat 2025-12-20 -> Mon 12-22.
    "arbitration.set_aside.2025": (date(2025, 12, 20), date(2025, 12, 22), False),
    # Expiries of freezes and seizures never move (rolls_over=False), so never provisional.
    "civil.preservation.deposit": (date(2026, 9, 20), date(2026, 9, 20), False),
    "civil.preservation.movable": (date(2027, 9, 20), date(2027, 9, 20), False),
    "civil.preservation.property": (date(2028, 9, 20), date(2028, 9, 20), False),
    "limitation.general": (date(2028, 9, 20), date(2028, 9, 20), True),
    "limitation.international_sale": (date(2029, 9, 20), date(2029, 9, 20), True),
}


def test_rule_table_expected_dates_cover_every_rule() -> None:
    assert set(EXPECTED_FROM_TRIGGER) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_FROM_TRIGGER))
def test_compute_every_rule_from_fixed_trigger(rule_id: str) -> None:
    result = compute(RULES[rule_id], TRIGGER, CAL)
    assert (result.raw_end, result.due_date, result.provisional) == EXPECTED_FROM_TRIGGER[rule_id]
    assert result.rule_id == rule_id
    assert result.trigger_date == TRIGGER
    assert naive_due_date(RULES[rule_id], TRIGGER, CAL) == result.due_date


# ---------------------------------------------------------------- the rule library

REQUIRED: dict[str, tuple[int, str, str, str]] = {
    # id: (period, unit, law, article)
    "civil.answer": (15, "calendar_days", "民事诉讼法", "128"),
    "civil.appeal.judgment": (15, "calendar_days", "民事诉讼法", "171"),
    "civil.appeal.ruling": (10, "calendar_days", "民事诉讼法", "171"),
    "civil.appeal.no_domicile": (30, "calendar_days", "民事诉讼法", "286"),
    "civil.retrial": (6, "months", "民事诉讼法", "216"),
    "civil.enforcement": (2, "years", "民事诉讼法", "250"),
    "civil.payment_order_objection": (15, "calendar_days", "民事诉讼法", "227"),
    "criminal.appeal.judgment": (10, "calendar_days", "刑事诉讼法", "230"),
    "criminal.appeal.ruling": (5, "calendar_days", "刑事诉讼法", "230"),
    "admin.appeal.judgment": (15, "calendar_days", "行政诉讼法", "85"),
    "admin.appeal.ruling": (10, "calendar_days", "行政诉讼法", "85"),
    "admin.suit": (6, "months", "行政诉讼法", "46"),
    "admin.suit_after_reconsideration": (15, "calendar_days", "行政诉讼法", "45"),
    "admin.reconsideration": (60, "calendar_days", "行政复议法", "20"),
    "labor.arbitration_limitation": (1, "years", "劳动争议调解仲裁法", "27"),
    "labor.suit_after_award": (15, "calendar_days", "劳动争议调解仲裁法", "50"),
    "labor.set_aside_final_award": (30, "calendar_days", "劳动争议调解仲裁法", "49"),
    "arbitration.set_aside": (6, "months", "仲裁法", "59"),
    "arbitration.set_aside.2025": (3, "months", "仲裁法", "72"),
    "civil.preservation.deposit": (1, "years", "民诉法解释", "485"),
    "civil.preservation.movable": (2, "years", "民诉法解释", "485"),
    "civil.preservation.property": (3, "years", "民诉法解释", "485"),
    "limitation.general": (3, "years", "民法典", "188"),
    "limitation.international_sale": (4, "years", "民法典", "594"),
}


@pytest.mark.parametrize("rule_id", sorted(REQUIRED))
def test_rules_required_rule_has_statutory_period(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert (rule.period, rule.unit, rule.law, rule.article) == REQUIRED[rule_id]


def test_rules_version_is_2026_2() -> None:
    assert RULESET_VERSION == "2026.2"


def test_rules_ids_match_dict_keys() -> None:
    assert [rule.id for rule in RULES.values()] == list(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rules_data_is_well_formed(rule_id: str) -> None:
    rule = RULES[rule_id]
    validate_rule(rule)
    assert rule.unit in UNITS
    assert (rule.law, rule.law_version) in LAWS
    assert rule.article.isdigit()
    assert set(rule.served_kinds) <= set(SERVED_KINDS)
    assert rule.family in {"civil", "criminal", "admin", "labor", "arbitration", "limitation"}
    assert rule.name_zh and rule.name_en and rule.trigger_zh and rule.trigger_en


def test_rules_citation_zh_names_law_version_and_article() -> None:
    assert APPEAL_JUDGMENT.citation_zh == "《中华人民共和国民事诉讼法》（2023年修正）第一百七十一条"
    assert RULES["admin.reconsideration"].citation_zh == (
        "《中华人民共和国行政复议法》（2023年修订）第二十条"
    )
    assert RULES["limitation.general"].citation_zh == "《中华人民共和国民法典》第一百八十八条"


def test_rules_citation_en_names_law_version_and_article() -> None:
    assert (
        APPEAL_JUDGMENT.citation_en == "Civil Procedure Law of the PRC (2023 amendment), Art. 171"
    )
    assert RULES["labor.set_aside_final_award"].citation_en == (
        "Labour Dispute Mediation and Arbitration Law of the PRC, Art. 49"
    )


def test_rules_arbitration_set_aside_versioned_by_the_day_the_award_was_received() -> None:
    old, new = RULES["arbitration.set_aside"], RULES["arbitration.set_aside.2025"]
    assert (old.period, old.unit, new.period, new.unit) == (6, "months", 3, "months")
    assert (old.applies_to(date(2026, 2, 28)), old.applies_to(date(2026, 3, 1))) == (True, False)
    assert (new.applies_to(date(2026, 2, 28)), new.applies_to(date(2026, 3, 1))) == (False, True)
    assert new.citation_zh == "《中华人民共和国仲裁法》（2025年修订）第七十二条"


def test_rules_civil_judgment_appeal_not_applicable_lists_final_first_instance() -> None:
    text = APPEAL_JUDGMENT.not_applicable_zh
    assert "小额诉讼" in text and "特别程序" in text and "最高人民法院" in text


def test_rules_for_served_kind_judgment_civil_family() -> None:
    ids = [rule.id for rule in rules_for_served_kind("judgment", ("civil",))]
    assert ids == [
        "civil.appeal.judgment",
        "civil.appeal.no_domicile",
        "civil.retrial",
        "civil.enforcement",
    ]


def test_rules_for_served_kind_reconsideration_decision() -> None:
    ids = [rule.id for rule in rules_for_served_kind("reconsideration_decision")]
    assert ids == ["admin.suit_after_reconsideration"]


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (45, "四十五"),
        (105, "一百零五"),
        (110, "一百一十"),
        (171, "一百七十一"),
        (202, "二百零二"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1260, "一千二百六十"),
    ],
)
def test_chinese_numeral_article_numbers(number: int, text: str) -> None:
    assert chinese_numeral(number) == text


def test_chinese_numeral_zero_rejected() -> None:
    with pytest.raises(ValueError):
        chinese_numeral(0)


# ---------------------------------------------------------------- counting details


def test_compute_custody_style_no_rollover_keeps_raw_holiday() -> None:
    custody = dataclasses.replace(RULES["criminal.appeal.judgment"], rolls_over=False)
    result = compute(custody, date(2025, 9, 21), CAL)
    assert result.raw_end == date(2025, 10, 1)
    assert result.due_date == date(2025, 10, 1)
    assert result.rolled is False
    assert (
        "本期间最后一日遇节假日不顺延（如在押期间），届满日即为2025-10-01。" in result.explanation
    )


def test_compute_custody_style_in_unpublished_year_is_not_provisional() -> None:
    # No holiday notice can move a period that never rolls over.
    custody = dataclasses.replace(RULES["criminal.appeal.judgment"], rolls_over=False)
    result = compute(custody, date(2026, 12, 22), CAL)
    assert result.due_date == date(2027, 1, 1)
    assert result.provisional is False


def test_compute_month_end_january_31_plus_one_month_is_february_28() -> None:
    rule = dataclasses.replace(RULES["civil.retrial"], period=1)
    result = compute(rule, date(2025, 1, 31), CAL)
    assert result.raw_end == date(2025, 2, 28)
    assert result.due_date == date(2025, 2, 28)
    assert any("民法典第二百零二条" in line for line in result.explanation)


def test_compute_month_end_january_31_plus_one_month_leap_year_is_february_29() -> None:
    rule = dataclasses.replace(RULES["civil.retrial"], period=1)
    result = compute(rule, date(2024, 1, 31), CAL)
    assert result.raw_end == date(2024, 2, 29)
    assert result.due_date == date(2024, 2, 29)


def test_compute_year_from_leap_day_ends_february_28() -> None:
    rule = dataclasses.replace(RULES["labor.arbitration_limitation"], period=1)
    assert compute(rule, date(2024, 2, 29), CAL).raw_end == date(2025, 2, 28)


def test_compute_month_corresponding_day_exists() -> None:
    # 3 months from 2014-05-28 ends 2014-08-28 (the SPC example quoted in docs/domain.md §1.1).
    rule = dataclasses.replace(RULES["civil.retrial"], period=3)
    result = compute(rule, date(2014, 5, 28), CAL)
    assert result.raw_end == date(2014, 8, 28)
    assert result.due_date == date(2014, 8, 28)


def test_compute_working_days_across_national_day_counts_adjusted_saturday() -> None:
    # From Mon 2025-09-29: Tue 9/30 (1), 10/1-10/8 rest, Thu 10/9 (2), Fri 10/10 (3),
    # Sat 10/11 调休上班 (4), Sun 10/12 rest, Mon 10/13 (5).
    result = compute(RULES["admin.reconsideration_acceptance"], date(2025, 9, 29), CAL)
    assert result.raw_end == date(2025, 10, 13)
    assert result.due_date == date(2025, 10, 13)
    assert result.rolled is False


def test_compute_working_days_across_spring_festival() -> None:
    # From Fri 2026-02-13: Sat 2/14 调休上班 (1), 2/15-2/23 rest, 2/24 (2) .. 2/27 (5).
    result = compute(RULES["admin.reconsideration_acceptance"], date(2026, 2, 13), CAL)
    assert result.due_date == date(2026, 2, 27)


def test_compute_working_days_into_unpublished_year_is_provisional() -> None:
    result = compute(RULES["admin.reconsideration_acceptance"], date(2026, 12, 29), CAL)
    # Wed 12/30 (1), Thu 12/31 (2), Fri 2027-01-01 (3, no data: weekday), Mon 1/4 (4), 1/5 (5).
    assert result.due_date == date(2027, 1, 5)
    assert result.provisional is True
    assert "2027年放假安排尚未公布，届满日可能变动；本结果仅将周末视为休息日。" in (
        result.explanation
    )


def test_compute_provisional_weekend_roll_names_earliest_possible_date() -> None:
    result = compute(APPEAL_RULING, date(2026, 12, 23), CAL)
    assert result.raw_end == date(2027, 1, 2)
    assert result.due_date == date(2027, 1, 4)
    assert result.provisional is True
    assert "如该周末被调整为上班日，届满日最早可能为2027-01-02。" in result.explanation


def test_compute_roll_from_published_into_unpublished_year_is_provisional() -> None:
    cal = MemoryCalendar(entries={date(2026, 12, 31): "rest"}, published_years={2026})
    rule = dataclasses.replace(APPEAL_RULING, period=1)
    result = compute(rule, date(2026, 12, 30), cal)
    assert result.raw_end == date(2026, 12, 31)
    assert result.due_date == date(2027, 1, 1)
    assert result.provisional is True
    assert result.unpublished_years == (2027,)


def test_compute_unpublished_fixed_holiday_is_not_assumed() -> None:
    # Weekends only for 2027: Fri 2027-10-01 counts as a working day (earliest plausible).
    result = compute(APPEAL_RULING, date(2027, 9, 21), CAL)
    assert result.due_date == date(2027, 10, 1)
    assert result.provisional is True


def test_compute_holidays_inside_period_are_not_deducted() -> None:
    # 10 days from 2025-09-28 crosses the whole 8-day National Day break: still 10/8 -> 10/9.
    result = compute(APPEAL_RULING, date(2025, 9, 28), CAL)
    assert result.raw_end == date(2025, 10, 8)
    assert result.due_date == date(2025, 10, 9)


def test_compute_period_zero_on_working_day_is_identity() -> None:
    rule = dataclasses.replace(APPEAL_JUDGMENT, period=0)
    result = compute(rule, date(2025, 9, 16), CAL)
    assert (result.raw_end, result.due_date, result.rolled) == (
        date(2025, 9, 16),
        date(2025, 9, 16),
        False,
    )


def test_compute_result_records_versions() -> None:
    result = compute(APPEAL_JUDGMENT, date(2025, 9, 16), CAL)
    assert result.ruleset_version == "2026.2"
    assert result.law_version == "2023"


# ---------------------------------------------------------------- explanations


def test_explanation_zh_contains_citation_dates_and_holiday() -> None:
    result = compute(APPEAL_JUDGMENT, date(2025, 9, 16), CAL, lang="zh")
    assert result.citation == "《中华人民共和国民事诉讼法》（2023年修正）第一百七十一条"
    assert result.explanation == [
        "依据：《中华人民共和国民事诉讼法》（2023年修正）第一百七十一条（民事判决上诉期，15日）。",
        "起算：判决书送达之日（2025-09-16）不计入，期间自次日起算。",
        "15日期间的最后一日为2025-10-01；期间内的节假日不予扣除。",
        "2025-10-01为法定休假日（国庆节），顺延至其后第一个工作日2025-10-09。",
        "届满日：2025-10-09。",
    ]


def test_explanation_en_contains_citation_dates_and_holiday() -> None:
    result = compute(APPEAL_JUDGMENT, date(2025, 9, 16), CAL, lang="en")
    text = "\n".join(result.explanation)
    assert result.citation == "Civil Procedure Law of the PRC (2023 amendment), Art. 171"
    assert result.citation in text
    assert "2025-09-16" in text
    assert "2025-10-01 is a statutory rest day (National Day)" in text
    assert result.explanation[-1] == "Deadline: 2025-10-09."


def test_explanation_zh_adjusted_working_saturday() -> None:
    result = compute(APPEAL_JUDGMENT, date(2026, 1, 30), CAL)
    assert "2026-02-14虽为星期六，但系调休上班日（春节调休），不顺延。" in result.explanation


def test_explanation_zh_weekend_roll_names_weekday() -> None:
    # 10 days from 2025-06-18 is Sat 6/28 -> Mon 6/30.
    result = compute(APPEAL_RULING, date(2025, 6, 18), CAL)
    assert "2025-06-28为星期六（休息日），顺延至其后第一个工作日2025-06-30。" in (
        result.explanation
    )


def test_explanation_en_provisional_warns() -> None:
    result = compute(APPEAL_JUDGMENT, date(2026, 12, 20), CAL, lang="en")
    assert (
        "The 2027 holiday schedule has not been published, so the deadline may change; "
        "only weekends were applied." in result.explanation
    )


# ---------------------------------------------------------------- validation


def test_compute_unknown_unit_raises_value_error() -> None:
    rule = dataclasses.replace(APPEAL_JUDGMENT, unit="weeks")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        compute(rule, date(2025, 9, 16), CAL)


def test_compute_negative_period_raises_value_error() -> None:
    rule = dataclasses.replace(APPEAL_JUDGMENT, period=-1)
    with pytest.raises(ValueError):
        compute(rule, date(2025, 9, 16), CAL)


def test_compute_bool_period_raises_value_error() -> None:
    rule = dataclasses.replace(APPEAL_JUDGMENT, period=True)
    with pytest.raises(ValueError):
        compute(rule, date(2025, 9, 16), CAL)


def test_compute_datetime_trigger_raises_type_error() -> None:
    with pytest.raises(TypeError):
        compute(APPEAL_JUDGMENT, datetime(2025, 9, 16, 10, 0), CAL)


def test_compute_string_trigger_raises_type_error() -> None:
    with pytest.raises(TypeError):
        compute(APPEAL_JUDGMENT, "2025-09-16", CAL)  # type: ignore[arg-type]


def test_compute_unknown_lang_raises_value_error() -> None:
    with pytest.raises(ValueError):
        compute(APPEAL_JUDGMENT, date(2025, 9, 16), CAL, lang="fr")


def test_memory_calendar_bad_kind_raises_value_error() -> None:
    with pytest.raises(ValueError):
        MemoryCalendar(entries={date(2026, 1, 1): "holiday"}, published_years={2026})


def test_memory_calendar_copies_inputs() -> None:
    entries = {date(2026, 1, 1): "rest"}
    cal = MemoryCalendar(entries=entries, published_years={2026})
    entries[date(2026, 1, 2)] = "rest"
    assert cal.day_kind(date(2026, 1, 2)) is None


# ---------------------------------------------------------------- holiday data


def test_is_rest_day_plain_weekend() -> None:
    assert is_rest_day(CAL, date(2025, 6, 28)) is True


def test_is_rest_day_adjusted_working_saturday() -> None:
    assert is_rest_day(CAL, date(2026, 2, 14)) is False


def test_is_rest_day_in_lieu_weekday() -> None:
    assert is_rest_day(CAL, date(2026, 2, 20)) is True


def test_is_rest_day_unpublished_year_weekday_holiday_not_assumed() -> None:
    assert is_rest_day(CAL, date(2027, 10, 1)) is False
    assert is_rest_day(CAL, date(2027, 10, 2)) is True


def test_chinesecalendar_published_years_2004_to_2026() -> None:
    assert CAL.published_years == frozenset(range(2004, 2027))
    assert CAL.year_published(2027) is False


def test_chinesecalendar_entries_are_exceptions_only() -> None:
    assert all(d.weekday() < 5 for d, kind in CAL.entries.items() if kind == "rest")
    assert all(d.weekday() >= 5 for d, kind in CAL.entries.items() if kind == "work")
    assert CAL.day_name(date(2025, 10, 1)) == "国庆节"
    assert CAL.day_name(date(2025, 10, 4)) == "国庆节"  # weekend inside the break: name only
    assert CAL.day_kind(date(2025, 10, 4)) is None


def test_chinesecalendar_agrees_with_package_every_day() -> None:
    for d in _days(date(2004, 1, 1), date(2026, 12, 31)):
        assert is_rest_day(CAL, d) is not chinese_calendar.is_workday(d)


# ---------------------------------------------------------------- properties

TRIGGERS = st.dates(min_value=date(2004, 1, 1), max_value=date(2027, 12, 31))
PERIODS = {
    "calendar_days": st.integers(0, 400),
    "working_days": st.integers(0, 40),
    "months": st.integers(0, 36),
    "years": st.integers(0, 5),
}
SYNTHETIC_RULES = st.sampled_from(UNITS).flatmap(
    lambda unit: st.builds(
        lambda period, rolls: dataclasses.replace(
            APPEAL_JUDGMENT, id=f"test.{unit}", unit=unit, period=period, rolls_over=rolls
        ),
        PERIODS[unit],
        st.booleans(),
    )
)
ANY_RULE = st.one_of(st.sampled_from(list(RULES.values())), SYNTHETIC_RULES)


def _expected_examined(rule: Rule, trigger: date, result: Result) -> list[date]:
    """Days whose holiday status the due date depends on, derived independently of compute."""
    days: list[date] = []
    if rule.unit == "working_days" and result.raw_end > trigger:
        days += _days(trigger + timedelta(days=1), result.raw_end)
    if rule.rolls_over:
        days += _days(result.raw_end, result.due_date)
    return days


@settings(max_examples=1000, deadline=None)
@given(rule=ANY_RULE.filter(lambda r: r.rolls_over), trigger=TRIGGERS)
def test_property_due_date_never_rest_day_when_rolling(rule: Rule, trigger: date) -> None:
    assert is_rest_day(CAL, compute(rule, trigger, CAL).due_date) is False


@settings(max_examples=1000, deadline=None)
@given(rule=ANY_RULE, trigger=TRIGGERS)
def test_property_due_date_not_before_raw_end(rule: Rule, trigger: date) -> None:
    result = compute(rule, trigger, CAL)
    assert result.due_date >= result.raw_end >= trigger
    assert result.rolled == (result.due_date != result.raw_end)


@settings(max_examples=1000, deadline=None)
@given(rule=ANY_RULE, trigger=TRIGGERS)
def test_property_agrees_with_naive(rule: Rule, trigger: date) -> None:
    assert compute(rule, trigger, CAL).due_date == naive_due_date(rule, trigger, CAL)


@settings(max_examples=1000, deadline=None)
@given(rule=ANY_RULE, trigger=TRIGGERS)
def test_property_provisional_iff_examined_day_unpublished(rule: Rule, trigger: date) -> None:
    result = compute(rule, trigger, CAL)
    raw = naive_due_date(dataclasses.replace(rule, rolls_over=False), trigger, CAL)
    assert result.raw_end == raw
    unpublished = sorted(
        {d.year for d in _expected_examined(rule, trigger, result) if d.year > 2026}
    )
    assert result.provisional == bool(unpublished)
    assert list(result.unpublished_years) == unpublished


@settings(max_examples=1000, deadline=None)
@given(trigger=TRIGGERS, rolls=st.booleans())
def test_property_period_zero_moves_only_rest_day(trigger: date, rolls: bool) -> None:
    rule = dataclasses.replace(APPEAL_JUDGMENT, period=0, rolls_over=rolls)
    result = compute(rule, trigger, CAL)
    assert result.raw_end == trigger
    if not rolls or not is_rest_day(CAL, trigger):
        assert result.due_date == trigger
    else:
        assert result.due_date > trigger
        assert all(is_rest_day(CAL, d) for d in _days(trigger, result.due_date)[:-1])
        assert is_rest_day(CAL, result.due_date) is False


SMALL_WINDOW = st.dates(min_value=date(2030, 1, 1), max_value=date(2030, 3, 31))
RANDOM_CALENDARS = st.builds(
    lambda entries, years: MemoryCalendar(entries=entries, published_years=years),
    st.dictionaries(SMALL_WINDOW, st.sampled_from(["rest", "work"]), max_size=40),
    st.sets(st.sampled_from([2029, 2030, 2031])),
)


@settings(max_examples=1000, deadline=None)
@given(
    rule=SYNTHETIC_RULES,
    trigger=st.dates(min_value=date(2029, 12, 1), max_value=date(2030, 3, 31)),
    cal=RANDOM_CALENDARS,
)
def test_property_agrees_with_naive_on_random_calendars(
    rule: Rule, trigger: date, cal: MemoryCalendar
) -> None:
    result = compute(rule, trigger, cal)
    assert result.due_date == naive_due_date(rule, trigger, cal)
    if rule.rolls_over:
        assert is_rest_day(cal, result.due_date) is False
