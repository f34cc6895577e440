"""诉讼费 for property claims at every band boundary, halving, steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lexcase.billing.court_fee import court_fee


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("0.01", "50.00"),
        ("5000", "50.00"),
        ("10000", "50.00"),
        ("10000.01", "50.00"),  # + 0.00025
        ("10001", "50.03"),  # 50.025, half up
        ("100000", "2300.00"),
        ("150000", "3300.00"),
        ("200000", "4300.00"),
        ("500000", "8800.00"),
        ("1000000", "13800.00"),  # the figure everyone quotes
        ("2000000", "22800.00"),
        ("5000000", "46800.00"),
        ("10000000", "81800.00"),
        ("20000000", "141800.00"),
        ("30000000", "191800.00"),
    ],
)
def test_fee_at_every_band_boundary_and_between(amount, fee):
    assert court_fee(amount).fee == Decimal(fee)


@pytest.mark.parametrize("procedure", ["simplified", "mediation", "withdrawal"])
def test_halved(procedure):
    assert court_fee("1000000", procedure=procedure).fee == Decimal("6900.00")
    assert court_fee("10000", procedure=procedure).fee == Decimal("25.00")


def test_rounded_once_after_halving():
    # 50.025 / 2 = 25.0125 → 25.01 (rounding before halving would give 25.02).
    assert court_fee("10001", procedure="simplified").fee == Decimal("25.01")


def test_steps_in_chinese():
    assert court_fee("1000000", procedure="simplified").steps == [
        "不超过 ¥10,000.00 的部分：¥50.00",
        "¥10,000.00 至 ¥100,000.00 的部分：¥90,000.00 × 2.5% = ¥2,250.00",
        "¥100,000.00 至 ¥200,000.00 的部分：¥100,000.00 × 2% = ¥2,000.00",
        "¥200,000.00 至 ¥500,000.00 的部分：¥300,000.00 × 1.5% = ¥4,500.00",
        "¥500,000.00 至 ¥1,000,000.00 的部分：¥500,000.00 × 1% = ¥5,000.00",
        "合计 ¥13,800.00；适用简易程序审理，减半交纳（第十六条）：¥6,900.00",
        "应交案件受理费（四舍五入到分）：¥6,900.00",
    ]


def test_steps_in_english_above_20m():
    steps = court_fee("30000000", lang="en").steps
    assert steps[0] == "Up to ¥10,000.00: ¥50.00 flat"
    assert steps[-2] == "Part above ¥20,000,000.00: ¥10,000,000.00 × 0.5% = ¥50,000.00"
    assert steps[-1] == "Acceptance fee (rounded half-up to the fen): ¥191,800.00"
    assert len(steps) == 11


@pytest.mark.parametrize("bad", ["0", "-100", "1.234"])
def test_bad_amount(bad):
    with pytest.raises(ValueError):
        court_fee(bad)


def test_unknown_procedure():
    with pytest.raises(ValueError, match="procedure"):
        court_fee("100", procedure="summary")
