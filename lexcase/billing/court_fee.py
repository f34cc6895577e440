"""诉讼费 (court acceptance fee) for property claims, with the steps shown.

Pure Python (no Django). 《诉讼费用交纳办法》 (国务院令第481号, 2007) Art. 13 (一): the
acceptance fee of a property case is progressive over the amount claimed:

    ≤ ¥10,000: ¥50 · to 100k 2.5% · to 200k 2% · to 500k 1.5% · to 1M 1% · to 2M 0.9%
    · to 5M 0.8% · to 10M 0.7% · to 20M 0.6% · above 0.5%

¥1M → 50 + 2,250 + 2,000 + 4,500 + 5,000 = ¥13,800. Halved (Art. 16) under 简易程序, and
(Art. 15) when the case ends by mediation or the plaintiff withdraws. Computed exactly and
rounded half-up to the fen once, after halving.

Non-property cases (离婚, 人格权, 知识产权 without an amount, labour cases ¥10 …) have fixed
fees and are not computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from lexcase.billing.money import parse_amount, percent, quantize, yuan, yuan_exact

__all__ = ["COURT_FEE_BANDS", "COURT_FEE_CITATION", "PROCEDURES", "CourtFee", "court_fee"]

COURT_FEE_CITATION = "《诉讼费用交纳办法》第十三条、第十五条、第十六条"

FLAT_LIMIT = Decimal(10_000)
FLAT_FEE = Decimal(50)

# (upper bound of the band, rate); each band starts where the previous one ended.
COURT_FEE_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(100_000), Decimal("0.025")),
    (Decimal(200_000), Decimal("0.02")),
    (Decimal(500_000), Decimal("0.015")),
    (Decimal(1_000_000), Decimal("0.01")),
    (Decimal(2_000_000), Decimal("0.009")),
    (Decimal(5_000_000), Decimal("0.008")),
    (Decimal(10_000_000), Decimal("0.007")),
    (Decimal(20_000_000), Decimal("0.006")),
    (None, Decimal("0.005")),
)

Procedure = Literal["ordinary", "simplified", "mediation", "withdrawal"]
# Why each procedure halves the fee (empty: it does not).
PROCEDURES: dict[str, tuple[str, str]] = {
    "ordinary": ("", ""),
    "simplified": (
        "适用简易程序审理，减半交纳（第十六条）",
        "simplified procedure: halved (Art. 16)",
    ),
    "mediation": ("以调解方式结案，减半交纳（第十五条）", "ended by mediation: halved (Art. 15)"),
    "withdrawal": (
        "当事人申请撤诉，减半交纳（第十五条）",
        "withdrawn by the plaintiff: halved (Art. 15)",
    ),
}


@dataclass(frozen=True)
class CourtFee:
    fee: Decimal
    steps: list[str] = field(default_factory=list)
    citation: str = COURT_FEE_CITATION


def court_fee(
    amount: Decimal | int | str, *, procedure: str = "ordinary", lang: str = "zh"
) -> CourtFee:
    """The acceptance fee of a property claim of `amount` (> 0); `ValueError` for a bad
    amount or an unknown procedure."""
    if procedure not in PROCEDURES:
        raise ValueError("unknown procedure")
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    claim = parse_amount(amount)
    zh = lang == "zh"
    colon = "：" if zh else ": "
    steps = [
        (f"不超过 {yuan(FLAT_LIMIT)} 的部分{colon}{yuan(FLAT_FEE)}")
        if zh
        else f"Up to {yuan(FLAT_LIMIT)}{colon}{yuan(FLAT_FEE)} flat"
    ]
    total = FLAT_FEE
    lower = FLAT_LIMIT
    for upper, rate in COURT_FEE_BANDS:
        if claim <= lower:
            break
        top = claim if upper is None else min(claim, upper)
        part = top - lower
        product = part * rate
        total += product
        if upper is None:
            where = f"超过 {yuan(lower)} 的部分" if zh else f"Part above {yuan(lower)}"
        else:
            where = (
                f"{yuan(lower)} 至 {yuan(upper)} 的部分"
                if zh
                else f"Part from {yuan(lower)} to {yuan(upper)}"
            )
        steps.append(f"{where}{colon}{yuan(part)} × {percent(rate)} = {yuan_exact(product)}")
        if upper is None:
            break
        lower = upper
    halving_zh, halving_en = PROCEDURES[procedure]
    if halving_zh:
        steps.append(
            f"合计 {yuan_exact(total)}；{halving_zh}：{yuan_exact(total / 2)}"
            if zh
            else f"Total {yuan_exact(total)}; {halving_en}: {yuan_exact(total / 2)}"
        )
        total = total / 2
    fee = quantize(total)
    steps.append(
        f"应交案件受理费（四舍五入到分）：{yuan(fee)}"
        if zh
        else f"Acceptance fee (rounded half-up to the fen): {yuan(fee)}"
    )
    return CourtFee(fee=fee, steps=steps)
