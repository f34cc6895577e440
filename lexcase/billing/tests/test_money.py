"""Money formatting: rounding once, the 大写 rules, thousands separators."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexcase.billing.money import capital, parse_amount, quantize, to_api, yuan


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", Decimal("0.01")),
        ("0.004", Decimal("0.00")),
        ("2.675", Decimal("2.68")),  # a float would give 2.67
        ("-0.005", Decimal("-0.01")),
        ("1", Decimal("1.00")),
        (Decimal("12345.6749"), Decimal("12345.67")),
        ("17,956,000", Decimal("17956000.00")),
    ],
)
def test_quantize_half_up_to_the_fen(value, expected):
    assert quantize(value) == expected


def test_floats_are_refused():
    with pytest.raises(TypeError):
        quantize(0.1)
    with pytest.raises(ValueError):
        quantize("abc")
    with pytest.raises(ValueError):
        quantize("NaN")


def test_parse_amount_takes_what_was_typed_or_refuses():
    assert parse_amount("480000") == Decimal("480000.00")
    assert parse_amount("0.01") == Decimal("0.01")
    with pytest.raises(ValueError, match="two decimal"):
        parse_amount("1.005")
    with pytest.raises(ValueError, match="greater than zero"):
        parse_amount("0")
    with pytest.raises(ValueError, match="greater than zero"):
        parse_amount("-5")
    assert parse_amount("0", positive=False) == Decimal("0.00")


def test_formats():
    assert yuan("17956000") == "¥17,956,000.00"
    assert yuan(Decimal("0.5")) == "¥0.50"
    assert yuan("-1000") == "-¥1,000.00"
    assert yuan("999.999") == "¥1,000.00"
    assert to_api(Decimal("480000")) == "480000.00"
    assert to_api("13800.005") == "13800.01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # The brief's and the PBoC rule's own examples.
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("10005", "壹万零伍元整"),
        ("100", "壹佰元整"),
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # Units and teens.
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("11", "壹拾壹元整"),
        ("20", "贰拾元整"),
        ("101", "壹佰零壹元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1100", "壹仟壹佰元整"),
        # Below one yuan: no 元.
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("0.55", "伍角伍分"),
        ("0.01", "壹分"),
        # 角 zero, 分 not.
        ("10.05", "壹拾元零伍分"),
        ("1.01", "壹元零壹分"),
        # 元位 zero with 角.
        ("10.50", "壹拾元零伍角"),
        ("1.50", "壹元伍角"),
        # Sections: 万 and 亿.
        ("10000", "壹万元整"),
        ("10010", "壹万零壹拾元整"),
        ("10100", "壹万零壹佰元整"),
        ("11000", "壹万壹仟元整"),
        ("100000", "壹拾万元整"),
        ("1000000", "壹佰万元整"),
        ("1000001", "壹佰万零壹元整"),
        ("10000000", "壹仟万元整"),
        ("10001000", "壹仟万壹仟元整"),
        ("10000100", "壹仟万零壹佰元整"),
        ("17956000", "壹仟柒佰玖拾伍万陆仟元整"),
        ("100000000", "壹亿元整"),
        ("100000005", "壹亿零伍元整"),
        ("100005000", "壹亿零伍仟元整"),
        ("100500000", "壹亿零伍拾万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000000", "壹万亿元整"),
        ("1234567890123.45", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
        ("99999999999999.99", "玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        # Rounded first, then spelled.
        ("0.005", "壹分"),
        ("99.995", "壹佰元整"),
        ("-5", "负伍元整"),
    ],
)
def test_capital(value, expected):
    assert capital(value) == expected


# An independent reader of 大写 amounts, to check the writer over random amounts.
_DIGIT_VALUE = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_section(text: str) -> int:
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[ch]
        else:
            total += digit * _SMALL_UNIT[ch]
            digit = 0
    return total + digit


def _read_integer(text: str) -> int:
    if "亿" in text:
        high, low = text.rsplit("亿", 1)
        return _read_integer(high) * 100_000_000 + _read_integer(low)
    if "万" in text:
        high, low = text.split("万", 1)
        return _read_section(high) * 10_000 + _read_section(low)
    return _read_section(text)


def _read(text: str) -> Decimal:
    whole, rest = text.split("元", 1) if "元" in text else ("", text)
    value = Decimal(_read_integer(whole))
    if m := re.search("(.)角", rest):
        value += Decimal(_DIGIT_VALUE[m.group(1)]) / 10
    if m := re.search("(.)分", rest):
        value += Decimal(_DIGIT_VALUE[m.group(1)]) / 100
    return value


@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_capital_reads_back_and_keeps_the_zero_rules(fen):
    amount = Decimal(fen) / 100
    text = capital(amount)
    assert _read(text) == amount
    assert "零零" not in text
    assert not re.search("零[万亿元角分整]", text) or text == "零元整"
    assert "拾" not in text or not re.search("(^|[^零壹贰叁肆伍陆柒捌玖])拾", text)
    assert text.endswith(("整", "角", "分"))
    assert text.endswith("整") == (fen % 100 == 0)
