from __future__ import annotations

from decimal import Decimal

import pytest

from lexcase.insights.stats import amount_band, court_level, median, side_of, wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Published values (Newcombe 1998, Table I; Brown, Cai & DasGupta 2001).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Symmetric and boundary cases.
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_matches_known_values(k, n, low, high):
    got = wilson(k, n)
    assert (round(got[0], 4), round(got[1], 4)) == (low, high)


def test_wilson_refuses_impossible_counts():
    with pytest.raises(ValueError):
        wilson(11, 10)
    assert wilson(0, 0) == (0.0, 1.0)


def test_median():
    assert median([]) is None
    assert median([3, 1, 2]) == 2.0
    assert median([60, 90]) == 75.0


def test_bands_levels_sides():
    assert [amount_band(v) for v in (None, 99_999, 100_000, Decimal("999999.99"), 10**7)] == [
        "",
        "lt100k",
        "100k-1m",
        "100k-1m",
        "ge10m",
    ]
    assert court_level("北京市朝阳区人民法院") == "basic"
    assert court_level("北京市第三中级人民法院") == "intermediate"
    assert court_level("上海市高级人民法院") == "high"
    assert court_level("最高人民法院第一巡回法庭") == "supreme"
    assert court_level("北京仲裁委员会") == "arbitration"
    assert court_level("") == ""
    assert [side_of(s) for s in ("原告", "被上诉人", "第三人", "")] == [
        "claimant",
        "respondent",
        "",
        "",
    ]
