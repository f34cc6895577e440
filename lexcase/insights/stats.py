"""Pure statistics for the dashboards and outcome statistics (no database)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

# The two-sided 95% normal quantile, to the precision the published tables use.
Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (Wilson 1927). Unlike the normal
    approximation it stays inside [0, 1] and is honest at 0/n and n/n, which small firm
    samples hit all the time."""
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise ValueError("k must be between 0 and n")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def median(values: Sequence[float | int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Amount bands in 元 (amount in dispute): the firm's usual fee and court-fee steps.
AMOUNT_BANDS: tuple[tuple[str, Decimal | None], ...] = (
    ("lt100k", Decimal(100_000)),
    ("100k-1m", Decimal(1_000_000)),
    ("1m-10m", Decimal(10_000_000)),
    ("ge10m", None),
)


def amount_band(amount: Decimal | int | None) -> str:
    if amount is None:
        return ""
    amount = Decimal(amount)
    for code, upper in AMOUNT_BANDS:
        if upper is None or amount < upper:
            return code
    return ""


def court_level(court: str) -> str:
    """The level of a court (or an arbitral body) read from its name: 最高 / 高级 / 中级 /
    基层; arbitration commissions are their own level."""
    name = (court or "").strip()
    if not name:
        return ""
    if "仲裁" in name:
        return "arbitration"
    if "最高人民法院" in name:
        return "supreme"
    if "高级人民法院" in name:
        return "high"
    if "中级人民法院" in name or "知识产权法院" in name or "金融法院" in name:
        return "intermediate"
    if "法院" in name or "法庭" in name:
        return "basic"
    return "other"


# 诉讼地位 of the client: the side that brings the claim or the side that answers it.
CLAIMANT = frozenset(
    {"原告", "申请人", "上诉人", "申请执行人", "再审申请人", "起诉人", "自诉人", "反诉被告"}
)
RESPONDENT = frozenset(
    {"被告", "被申请人", "被上诉人", "被执行人", "被申请执行人", "被告人", "犯罪嫌疑人", "反诉原告"}
)


def side_of(standing: str) -> str:
    standing = (standing or "").strip()
    if standing in CLAIMANT:
        return "claimant"
    if standing in RESPONDENT:
        return "respondent"
    return ""


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams: Chinese text has no spaces, and two characters carry a word."""
    chars = [c for c in (text or "") if not c.isspace() and c not in "，。、；：,.;:()（）"]
    return frozenset(a + b for a, b in itertools.pairwise(chars))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def month_starts(first: Iterable[int], last: Iterable[int]) -> list[tuple[int, int]]:
    """(year, month) from `first` to `last` inclusive, each given as (year, month)."""
    y, m = first
    ly, lm = last
    out = []
    while (y, m) <= (ly, lm):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
