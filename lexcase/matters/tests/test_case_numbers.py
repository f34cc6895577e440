"""Tests for the pure-Python court case number (案号) parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexcase.matters.case_numbers import (
    MAX_SEQ,
    MIN_YEAR,
    PROVINCE_CODES,
    SPECIAL_CODES,
    SUPREME_COURT_CODE,
    TYPE_CODES,
    CaseNumber,
    CaseNumberError,
    max_year,
    parse_case_number,
)


def _error_code(text: str) -> str:
    with pytest.raises(CaseNumberError) as excinfo:
        parse_case_number(text)
    return excinfo.value.code


def test_parse_basic_court_example() -> None:
    parsed = parse_case_number("（2024）京0105民初12345号")
    assert parsed == CaseNumber(year=2024, court="京0105", special="", type_code="民初", seq=12345)
    assert parsed.canonical == "（2024）京0105民初12345号"
    assert parsed.type_label == "civil first instance"
    assert parsed.court_level == "basic"


def test_parse_ascii_brackets_canonicalised() -> None:
    parsed = parse_case_number("(2024)京0105民初12345号")
    assert parsed.canonical == "（2024）京0105民初12345号"


def test_parse_supreme_court_tortoise_brackets() -> None:
    parsed = parse_case_number("〔2023〕最高法民申1号")
    assert parsed == CaseNumber(year=2023, court="最高法", special="", type_code="民申", seq=1)
    assert parsed.canonical == "（2023）最高法民申1号"
    assert parsed.court_level == "supreme"


def test_parse_square_brackets_canonicalised() -> None:
    assert parse_case_number("[2023]沪01民终7号").canonical == "（2023）沪01民终7号"


def test_parse_intermediate_ip_court_two_digits() -> None:
    parsed = parse_case_number("（2023）京73民初100号")
    assert parsed == CaseNumber(year=2023, court="京73", special="", type_code="民初", seq=100)
    assert parsed.court_level == "intermediate"


def test_parse_special_trial_code_between_court_and_type() -> None:
    parsed = parse_case_number("（2022）粤03知民终5号")
    assert parsed == CaseNumber(year=2022, court="粤03", special="知", type_code="民终", seq=5)
    assert parsed.canonical == "（2022）粤03知民终5号"


def test_parse_supreme_court_with_special_code() -> None:
    parsed = parse_case_number("（2019）最高法知民终1号")
    assert (parsed.court, parsed.special, parsed.type_code) == ("最高法", "知", "民终")


def test_parse_high_court_province_only() -> None:
    parsed = parse_case_number("（2021）浙执监3号")
    assert (parsed.court, parsed.type_code, parsed.court_level) == ("浙", "执监", "high")


def test_parse_longest_type_code_preferred() -> None:
    assert parse_case_number("（2021）苏01民辖终9号").type_code == "民辖终"
    assert parse_case_number("（2021）苏0102执恢9号").type_code == "执恢"
    assert parse_case_number("（2021）苏0102执9号").type_code == "执"


def test_parse_whitespace_and_fullwidth_digits_normalised() -> None:
    parsed = parse_case_number(" （２０２４） 京０１０５ 民初 １２３４５ 号\n")
    assert parsed.canonical == "（2024）京0105民初12345号"


def test_parse_mixed_bracket_pair_accepted() -> None:
    assert parse_case_number("(2024）京0105民初1号").canonical == "（2024）京0105民初1号"


def test_parse_leading_zeros_in_number_dropped() -> None:
    assert parse_case_number("（2024）京0105民初007号").seq == 7


def test_parse_xpcc_court_code_accepted() -> None:
    assert parse_case_number("（2020）兵0101民初3号").court == "兵0101"


def test_parse_missing_hao_is_format_error() -> None:
    assert _error_code("（2024）京0105民初12345") == "format"


def test_parse_empty_string_is_format_error() -> None:
    assert _error_code("") == "format"


def test_parse_whitespace_only_is_format_error() -> None:
    assert _error_code("   ") == "format"


def test_parse_missing_brackets_is_format_error() -> None:
    assert _error_code("2024京0105民初12345号") == "format"


def test_parse_document_suffix_is_format_error() -> None:
    assert _error_code("（2024）京0105民初12345号之一") == "format"


def test_parse_non_digit_year_is_year_error() -> None:
    assert _error_code("（20A4）京0105民初12345号") == "year"


def test_parse_three_digit_year_is_year_error() -> None:
    assert _error_code("（024）京0105民初12345号") == "year"


def test_parse_year_before_range_is_year_error() -> None:
    assert _error_code("（1989）京0105民初1号") == "year"


def test_parse_year_after_next_year_is_year_error() -> None:
    assert _error_code(f"（{max_year() + 1}）京0105民初1号") == "year"


def test_parse_next_year_accepted() -> None:
    assert parse_case_number(f"（{max_year()}）京0105民初1号").year == max_year()


def test_parse_unknown_type_is_type_error() -> None:
    assert _error_code("（2024）京0105民X12号") == "type"


def test_parse_missing_type_and_number_is_type_error() -> None:
    assert _error_code("（2024）京0105号") == "type"


def test_parse_missing_type_merges_digits_into_court_error() -> None:
    # Without a type code the sequence digits run on from the court digits.
    assert _error_code("（2024）京0105 12号") == "court"


def test_parse_unknown_special_code_is_type_error() -> None:
    assert _error_code("（2024）京0105刑民初1号") == "type"


def test_parse_three_digit_court_is_court_error() -> None:
    assert _error_code("（2024）京010民初1号") == "court"


def test_parse_unknown_province_is_court_error() -> None:
    assert _error_code("（2024）X0105民初1号") == "court"


def test_parse_supreme_court_with_digits_is_court_error() -> None:
    assert _error_code("（2024）最高法01民初1号") == "court"


def test_parse_number_zero_is_number_error() -> None:
    assert _error_code("（2024）京0105民初0号") == "number"


def test_parse_missing_number_is_number_error() -> None:
    assert _error_code("（2024）京0105民初号") == "number"


def test_parse_nine_digit_number_is_number_error() -> None:
    assert _error_code("（2024）京0105民初123456789号") == "number"


def test_parse_trailing_junk_in_number_is_number_error() -> None:
    assert _error_code("（2024）京0105民初12a3号") == "number"


def test_parse_error_is_value_error_with_english_message() -> None:
    with pytest.raises(ValueError, match="Unknown case type code"):
        parse_case_number("（2024）京0105民X12号")


def test_type_codes_labels_non_empty() -> None:
    assert all(label.strip() for label in TYPE_CODES.values())


def test_type_codes_never_start_with_special_code() -> None:
    # Otherwise splitting 专门审判代字 from the type code would be ambiguous.
    assert not [code for code in TYPE_CODES if code[0] in SPECIAL_CODES]


_courts = st.one_of(
    st.just(SUPREME_COURT_CODE),
    st.builds(
        lambda province, digits: province + digits,
        st.sampled_from(sorted(PROVINCE_CODES)),
        st.one_of(st.just(""), st.from_regex(r"[0-9]{2}", fullmatch=True)),
    ),
    st.builds(
        lambda province, digits: province + digits,
        st.sampled_from(sorted(PROVINCE_CODES)),
        st.from_regex(r"[0-9]{4}", fullmatch=True),
    ),
)
_case_numbers = st.builds(
    CaseNumber,
    year=st.integers(MIN_YEAR, max_year()),
    court=_courts,
    special=st.sampled_from(["", *sorted(SPECIAL_CODES)]),
    type_code=st.sampled_from(sorted(TYPE_CODES)),
    seq=st.integers(1, MAX_SEQ),
)


@given(_case_numbers)
def test_parse_canonical_round_trips_components(case_number: CaseNumber) -> None:
    assert parse_case_number(case_number.canonical) == case_number


@given(
    _case_numbers,
    st.sampled_from(["()", "〔〕", "[]", "（）", "【】"]),
    st.sampled_from(["", " ", "\u3000"]),
)
def test_parse_canonical_is_idempotent(case_number: CaseNumber, brackets: str, gap: str) -> None:
    text = (
        f"{brackets[0]}{case_number.year}{brackets[1]}{gap}{case_number.court}{gap}"
        f"{case_number.special}{case_number.type_code}{gap}{case_number.seq}号"
    )
    canonical = parse_case_number(text).canonical
    assert canonical == case_number.canonical
    assert parse_case_number(canonical).canonical == canonical
