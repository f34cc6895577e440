"""Tests for resident ID number and unified social credit code validation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexcase.parties.identifiers import (
    CREDIT_CODE_CHARSET,
    IdentifierError,
    credit_code_check_char,
    id_number_check_char,
    mask_identifier,
    mask_identifiers_in,
    mask_identifiers_in_query,
    validate_credit_code,
    validate_id_number,
)

# The worked example from GB 11643-1999 and its pre-1999 15-digit form.
GB_EXAMPLE_ID = "11010519491231002X"
GB_EXAMPLE_ID_15 = "110105491231002"
VALID_CREDIT_CODES = [
    "91350200776049653A",
    "91440101MA5CJQ4N59",
    "913502000728319549",
    "123502001549897397",
]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def _error_code(validator: Callable[[str], str], value: str) -> str:
    with pytest.raises(IdentifierError) as excinfo:
        validator(value)
    return excinfo.value.code


# --- resident ID number -------------------------------------------------------------------


def test_validate_id_number_gb_example_accepted() -> None:
    assert validate_id_number(GB_EXAMPLE_ID) == GB_EXAMPLE_ID


def test_validate_id_number_lowercase_x_uppercased() -> None:
    assert validate_id_number("11010519491231002x") == GB_EXAMPLE_ID


def test_validate_id_number_digit_check_char_accepted() -> None:
    assert validate_id_number("440524188001010014") == "440524188001010014"


def test_validate_id_number_spaces_stripped() -> None:
    assert validate_id_number(" 110105 19491231 002X ") == GB_EXAMPLE_ID


def test_validate_id_number_ideographic_space_and_fullwidth_stripped() -> None:
    assert validate_id_number("１１０１０５\u300019491231002ｘ") == GB_EXAMPLE_ID


def test_validate_id_number_15_digits_converted() -> None:
    assert validate_id_number(GB_EXAMPLE_ID_15) == GB_EXAMPLE_ID


def test_validate_id_number_15_digits_with_letter_rejected() -> None:
    assert _error_code(validate_id_number, "11010549123100X") == "format"


def test_validate_id_number_15_digits_bad_birth_date_rejected() -> None:
    assert _error_code(validate_id_number, "110105490231002") == "birth_date"


def test_validate_id_number_wrong_check_digit_rejected() -> None:
    assert _error_code(validate_id_number, "110105194912310021") == "checksum"


def test_validate_id_number_wrong_check_digit_message() -> None:
    with pytest.raises(IdentifierError, match=r"^ID number check digit is wrong\.$"):
        validate_id_number("110105194912310021")


def test_validate_id_number_identifier_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        validate_id_number("110105194912310021")


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002X1", "12345"])
def test_validate_id_number_wrong_length_rejected(value: str) -> None:
    assert _error_code(validate_id_number, value) == "length"


def test_validate_id_number_wrong_length_message() -> None:
    with pytest.raises(IdentifierError, match=r"^ID number must have 18 characters\.$"):
        validate_id_number("1101051949123100")


@pytest.mark.parametrize(
    "value",
    ["11010519491231002A", "1101051949123100X2", "X10105194912310021", "11010519491231.02X"],
)
def test_validate_id_number_bad_characters_rejected(value: str) -> None:
    assert _error_code(validate_id_number, value) == "format"


@pytest.mark.parametrize(
    "birth",
    [
        "19490230",  # 30 February
        "19491301",  # month 13
        "19490000",  # month 0, day 0
        "19490431",  # 31 April
        "19000229",  # 1900 is not a leap year
        "17991231",  # before 1800
        "00000101",
    ],
)
def test_validate_id_number_invalid_birth_date_rejected(birth: str) -> None:
    first17 = "110105" + birth + "002"
    value = first17 + id_number_check_char(first17)
    assert _error_code(validate_id_number, value) == "birth_date"


def test_validate_id_number_future_birth_date_rejected() -> None:
    tomorrow = date.today() + timedelta(days=1)
    first17 = "110105" + tomorrow.strftime("%Y%m%d") + "002"
    value = first17 + id_number_check_char(first17)
    assert _error_code(validate_id_number, value) == "birth_date"


def test_validate_id_number_birth_date_today_accepted() -> None:
    first17 = "110105" + date.today().strftime("%Y%m%d") + "002"
    value = first17 + id_number_check_char(first17)
    assert validate_id_number(value) == value


def test_validate_id_number_leap_day_accepted() -> None:
    first17 = "11010520000229002"
    value = first17 + id_number_check_char(first17)
    assert validate_id_number(value) == value


def test_validate_id_number_unknown_address_code_accepted() -> None:
    first17 = "99999919800101123"
    value = first17 + id_number_check_char(first17)
    assert validate_id_number(value) == value


def test_id_number_check_char_gb_example() -> None:
    assert id_number_check_char(GB_EXAMPLE_ID[:17]) == "X"


@pytest.mark.parametrize("value", ["", "1101051949123100", "1101051949123100A"])
def test_id_number_check_char_bad_input_rejected(value: str) -> None:
    assert _error_code(id_number_check_char, value) == "format"


birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=date.today())
digit_strings = st.text(alphabet="0123456789", min_size=17, max_size=17)


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> str:
    address = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = address + draw(birth_dates).strftime("%Y%m%d") + sequence
    return first17 + id_number_check_char(first17)


@given(digit_strings)
def test_id_number_check_char_satisfies_iso_7064_for_any_digits(first17: str) -> None:
    # ISO 7064 MOD 11-2: the weighted sum including the check value (X = 10) is 1 mod 11.
    check = id_number_check_char(first17)
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    assert (total + (10 if check == "X" else int(check))) % 11 == 1


@given(valid_id_numbers())
def test_validate_id_number_any_computed_check_char_accepted(value: str) -> None:
    assert validate_id_number(value) == value


@given(valid_id_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_validate_id_number_any_single_substitution_rejected(
    value: str, position: int, replacement: str
) -> None:
    if value[position] == replacement:
        replacement = "0" if replacement != "0" else "1"
    changed = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(IdentifierError):
        validate_id_number(changed)


# --- unified social credit code -----------------------------------------------------------


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_validate_credit_code_known_codes_accepted(code: str) -> None:
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_credit_code_check_char_known_codes_match(code: str) -> None:
    assert credit_code_check_char(code[:17]) == code[17]


def test_validate_credit_code_lowercase_and_spaces_normalised() -> None:
    assert validate_credit_code(" 91440101ma5cjq4n59\u3000") == "91440101MA5CJQ4N59"


def test_validate_credit_code_letters_in_leading_positions_accepted() -> None:
    first17 = "Y1350200776049653"
    code = first17 + credit_code_check_char(first17)
    assert validate_credit_code(code) == code


def test_validate_credit_code_check_value_31_maps_to_zero() -> None:
    # All zeros sum to 0, so 31 - 0 = 31, which the standard maps to "0".
    assert credit_code_check_char("0" * 17) == "0"
    assert validate_credit_code("0" * 18) == "0" * 18


@pytest.mark.parametrize(
    "code",
    ["91350200776049653B", "91440101MA5CJQ4N58", "913502000728319540", "123502001549897398"],
)
def test_validate_credit_code_wrong_check_char_rejected(code: str) -> None:
    assert _error_code(validate_credit_code, code) == "checksum"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_validate_credit_code_excluded_letter_rejected(letter: str) -> None:
    code = "91440101MA5CJQ4N5" + letter
    assert _error_code(validate_credit_code, code) == "format"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_validate_credit_code_excluded_letter_in_body_rejected(letter: str) -> None:
    code = "91440101M" + letter + "5CJQ4N59"
    assert _error_code(validate_credit_code, code) == "format"


@pytest.mark.parametrize("code", ["91440101MA5CJQ4N5.", "9144010１MA5CJQ4N5é"])
def test_validate_credit_code_punctuation_rejected(code: str) -> None:
    assert _error_code(validate_credit_code, code) == "format"


@pytest.mark.parametrize(
    ("validator", "typed", "expected"),
    [
        (validate_id_number, "110105-19491231-002x", "11010519491231002X"),
        (validate_id_number, "110105－19491231－002X", "11010519491231002X"),
        (validate_id_number, "110105\u201019491231\u2013002X", "11010519491231002X"),
        (validate_credit_code, "91440101-MA5CJQ4N-59", "91440101MA5CJQ4N59"),
    ],
)
def test_a_number_typed_in_groups_with_dashes_is_read(
    validator: Callable[[str], str], typed: str, expected: str
) -> None:
    """Dashes are never part of an ID number or a credit code: typed in groups with them,
    the number is the same number (a conflict check by it finds the party)."""
    assert validator(typed) == expected


@pytest.mark.parametrize("code", ["", "91440101MA5CJQ4N5", "91440101MA5CJQ4N590"])
def test_validate_credit_code_wrong_length_rejected(code: str) -> None:
    assert _error_code(validate_credit_code, code) == "length"


@pytest.mark.parametrize("value", ["", "9144010", "91440101MA5CJQ4NI"])
def test_credit_code_check_char_bad_input_rejected(value: str) -> None:
    assert _error_code(credit_code_check_char, value) == "format"


credit_bodies = st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17)


@given(credit_bodies)
def test_credit_code_check_char_satisfies_mod_31_for_any_body(first17: str) -> None:
    check = credit_code_check_char(first17)
    total = sum(
        CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True)
    )
    assert (total + CREDIT_CODE_CHARSET.index(check)) % 31 == 0


@given(credit_bodies)
def test_validate_credit_code_any_computed_check_char_accepted(first17: str) -> None:
    code = first17 + credit_code_check_char(first17)
    assert validate_credit_code(code) == code


@given(
    credit_bodies,
    st.integers(min_value=0, max_value=17),
    st.sampled_from(CREDIT_CODE_CHARSET),
)
def test_validate_credit_code_any_single_substitution_rejected(
    first17: str, position: int, replacement: str
) -> None:
    code = first17 + credit_code_check_char(first17)
    if code[position] == replacement:
        replacement = "0" if replacement != "0" else "1"
    changed = code[:position] + replacement + code[position + 1 :]
    assert _error_code(validate_credit_code, changed) == "checksum"


# --- masking -------------------------------------------------------------------------------


def test_mask_identifier_id_number_keeps_first_3_and_last_4() -> None:
    assert mask_identifier(GB_EXAMPLE_ID) == "110***********002X"


def test_mask_identifier_credit_code_keeps_first_3_and_last_4() -> None:
    assert mask_identifier("91440101MA5CJQ4N59") == "914***********4N59"


def test_mask_identifier_eight_characters_masks_one() -> None:
    assert mask_identifier("12345678") == "123*5678"


def test_mask_identifier_short_value_keeps_last_2() -> None:
    assert mask_identifier("1234567") == "*****67"


def test_mask_identifier_two_characters_fully_masked() -> None:
    assert mask_identifier("12") == "**"


def test_mask_identifier_empty_stays_empty() -> None:
    assert mask_identifier("") == ""


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证11010519491231002X的人", "身份证110***********002X的人"),
        ("1101 0519-4912 3100 2x", "110***********002x"),
        ("身份证 110105 19491231 002X。", "身份证 110***********002X。"),
        ("110105\u200b19491231002X", "110***********002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "110***********002X"),
        ("legacy 110105491231002.", "legacy 110********1002."),
        ("q: 91440101MA5CJQ4N59,", "q: 914***********4N59,"),
        # Not identifiers: other digit runs, dates, phone numbers, plain capitals.
        ("12345678901234567890", "12345678901234567890"),
        ("2024-01-01 13800138000", "2024-01-01 13800138000"),
        ("ABCDEFGHJKLMNPQRTU", "ABCDEFGHJKLMNPQRTU"),
        ("", ""),
    ],
)
def test_mask_identifiers_in_text(text, masked):
    assert mask_identifiers_in(text) == masked


def test_mask_identifiers_in_query_decodes_first():
    assert mask_identifiers_in_query("q=110105+19491231+002X&kind=") == "q=110***********002X&kind="
    assert mask_identifiers_in_query("q=%311010519491231002X") == "q=110***********002X"
    assert mask_identifiers_in_query("q=%E7%8E%8B&after=x") == "q=%E7%8E%8B&after=x"
