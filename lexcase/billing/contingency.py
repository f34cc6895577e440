"""风险代理 (contingency fees): the tiered cap, the banned matters and the refused clauses.

Pure Python (no Django, no database), like the deadline calculator: the agreement service,
the contingency-check API and the agreement form call it with the firm's ban list (the
`ContingencyBan` table, seeded from `NATIONAL_BANS`) and show its steps.

The cap (关于进一步规范律师服务收费的意见, 司发通〔2021〕87号) works like tax brackets: each band
of the basis (the amount in dispute, or recovered or relieved) is charged at most its own rate,
and the sum caps the **total** fee under the agreement, fixed parts included:

    below ¥1M 18% · ¥1M–5M 15% · ¥5M–10M 12% · ¥10M–50M 9% · above ¥50M 6%

¥3M → 1M × 18% + 2M × 15% = ¥480,000.00. The 30% cap of 2006 (发改价格〔2006〕611号
Art. 13) is superseded and is not used anywhere.

Banned (611号 Arts. 11–12; 司发通〔2021〕87号): criminal, administrative, state-compensation
and group litigation; 婚姻/继承; claims for social-insurance or minimum-living-allowance
benefits; 赡养费/抚养费/扶养费/抚恤金/救济金/工伤赔偿; 劳动报酬. The civil ones are mapped to
the project's 案由 codes (`lexcase/matters/causes_data.py`); a cause is banned when it or an
ancestor is listed. 抚恤金, 救济金 and 最低生活保障 are paid by the state and have no civil
案由: such claims are administrative matters, banned by type.

Clauses (司发通〔2021〕87号): a contingency agreement may not restrict or penalise the client's
appeal, withdrawal, mediation or settlement. An agreement records its special terms as text
(`FeeAgreement.terms`), and `restrictive_clauses` scans it for the phrasings listed in
`_RESTRICTING` / `_PENALISING`: a guard against the usual wording, not proof of a clean
contract (the partner approving the agreement still reads it). Flags the lawyer would have
to tick ("this contract penalises settlement: yes/no") were rejected: nobody ticks yes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from lexcase.billing.money import parse_amount, percent, quantize, yuan, yuan_exact
from lexcase.matters.causes_data import CAUSES_2020, CauseRow

__all__ = [
    "CAP_BANDS",
    "CAP_CITATION",
    "CLAUSE_CITATION",
    "NATIONAL_BANS",
    "STATE_COMPENSATION",
    "Ban",
    "CapResult",
    "banned_by",
    "contingency_cap",
    "contingency_check",
    "contingency_total",
    "restrictive_clauses",
]

Lang = Literal["zh", "en"]

CAP_CITATION = "《关于进一步规范律师服务收费的意见》（司发通〔2021〕87号）"
BAN_CITATION = "《律师服务收费管理办法》（发改价格〔2006〕611号）第十二条；" + CAP_CITATION
CIVIL_BAN_CITATION = "《律师服务收费管理办法》（发改价格〔2006〕611号）第十一条；" + CAP_CITATION
CLAUSE_CITATION = CAP_CITATION

# The project's matter types have no state-compensation type (国家赔偿 cases are handled as
# administrative or judicial-compensation proceedings); the check accepts this key too.
STATE_COMPENSATION = "state_compensation"

_M = Decimal(1_000_000)


@dataclass(frozen=True)
class Band:
    lower: Decimal
    upper: Decimal | None  # None: no upper bound
    rate: Decimal  # a fraction: 0.18


CAP_BANDS: tuple[Band, ...] = (
    Band(Decimal(0), _M, Decimal("0.18")),
    Band(_M, 5 * _M, Decimal("0.15")),
    Band(5 * _M, 10 * _M, Decimal("0.12")),
    Band(10 * _M, 50 * _M, Decimal("0.09")),
    Band(50 * _M, None, Decimal("0.06")),
)


BanKind = Literal["matter_type", "cause", "group_litigation"]


@dataclass(frozen=True)
class Ban:
    """One entry of the ban list. `kind` is "matter_type" (key: a matter type), "cause"
    (key: a 案由 code; its descendants are banned too) or "group_litigation" (key ignored)."""

    kind: BanKind
    key: str
    label_zh: str
    label_en: str
    citation: str


NATIONAL_BANS: tuple[Ban, ...] = (
    Ban("matter_type", "criminal", "刑事诉讼案件", "criminal cases", BAN_CITATION),
    Ban("matter_type", "administrative", "行政诉讼案件", "administrative cases", BAN_CITATION),
    Ban("matter_type", STATE_COMPENSATION, "国家赔偿案件", "state compensation", BAN_CITATION),
    Ban("group_litigation", "", "群体性诉讼案件", "group litigation", BAN_CITATION),
    # Art. 11 (一) 婚姻、继承案件: the whole of part two of the 案由 list.
    Ban("cause", "P02", "婚姻、继承案件", "marriage and succession cases", CIVIL_BAN_CITATION),
    # (三) 赡养费、抚养费、扶养费 (already inside P02; listed so the reason is specific).
    Ban("cause", "P02.01.09.01", "请求给付抚养费", "claims for child support", CIVIL_BAN_CITATION),
    Ban("cause", "P02.01.10", "请求给付扶养费", "claims for spousal support", CIVIL_BAN_CITATION),
    Ban("cause", "P02.01.11", "请求给付赡养费", "claims for parental support", CIVIL_BAN_CITATION),
    # (二) 社会保险待遇, (三) 工伤赔偿.
    Ban(
        "cause",
        "P06.01.02",
        "请求给予社会保险待遇",
        "claims for social-insurance benefits",
        CIVIL_BAN_CITATION,
    ),
    Ban(
        "cause",
        "P06.01.02.02",
        "请求给付工伤赔偿",
        "claims for work-injury compensation",
        CIVIL_BAN_CITATION,
    ),
    # (四) 劳动报酬.
    Ban(
        "cause",
        "P06.01.01.03",
        "请求支付劳动报酬",
        "claims for wages (labour remuneration)",
        CIVIL_BAN_CITATION,
    ),
)


# -- the cap -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapResult:
    cap: Decimal  # rounded half-up to the fen
    steps: list[str] = field(default_factory=list)  # one per band reached, then the total


def contingency_cap(basis: Decimal | int | str, *, lang: str = "zh") -> CapResult:
    """The most a contingency agreement may charge in total on `basis` (> 0), with each
    band's part × rate in the reader's language ("zh" or "en")."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    amount = parse_amount(basis)
    zh = lang == "zh"
    steps: list[str] = []
    total = Decimal(0)
    for band in CAP_BANDS:
        if amount <= band.lower:
            break
        top = amount if band.upper is None else min(amount, band.upper)
        part = top - band.lower
        product = part * band.rate
        total += product
        if band.upper is None:
            where = f"超过 {yuan(band.lower)} 的部分" if zh else f"Part above {yuan(band.lower)}"
        elif band.lower == 0:
            where = f"不超过 {yuan(band.upper)} 的部分" if zh else f"Part up to {yuan(band.upper)}"
        else:
            where = (
                f"{yuan(band.lower)} 至 {yuan(band.upper)} 的部分"
                if zh
                else f"Part from {yuan(band.lower)} to {yuan(band.upper)}"
            )
        colon = "：" if zh else ": "
        steps.append(f"{where}{colon}{yuan(part)} × {percent(band.rate)} = {yuan_exact(product)}")
    cap = quantize(total)
    if zh:
        steps.append(f"收费上限（各部分合计，四舍五入到分）：{yuan(cap)}")
    else:
        steps.append(f"Cap (sum of the parts, rounded half-up to the fen): {yuan(cap)}")
    return CapResult(cap=cap, steps=steps)


def contingency_total(
    *,
    basis: Decimal | None,
    rate_percent: Decimal | None = None,
    success_fee: Decimal | None = None,
    fixed: Decimal | None = None,
) -> Decimal:
    """The total an agreement charges on `basis`: its fixed part, a fixed success fee and the
    contingent percentage of the basis, rounded once."""
    total = (fixed or Decimal(0)) + (success_fee or Decimal(0))
    if rate_percent:
        total += (basis or Decimal(0)) * rate_percent / 100
    return quantize(total)


# -- the ban list ---------------------------------------------------------------------------


def _cause_index(causes: Iterable[CauseRow]) -> tuple[dict[str, str | None], dict[str, str]]:
    parents: dict[str, str | None] = {}
    by_name: dict[str, str] = {}
    for code, name, parent in causes:
        parents[code] = parent
        by_name[name] = code
    return parents, by_name


_PARENTS_2020, _CODES_BY_NAME_2020 = _cause_index(CAUSES_2020)


def _resolve_cause(cause: str, causes: Sequence[CauseRow] | None) -> tuple[str, dict]:
    parents, by_name = (
        (_PARENTS_2020, _CODES_BY_NAME_2020) if causes is None else _cause_index(causes)
    )
    cause = cause.strip()
    if cause in parents:
        return cause, parents
    if cause in by_name:
        return by_name[cause], parents
    raise ValueError("unknown cause of action")


def banned_by(
    *,
    matter_type: str,
    cause: str | None = None,
    group_litigation: bool = False,
    bans: Iterable[Ban] = NATIONAL_BANS,
    causes: Sequence[CauseRow] | None = None,
) -> Ban | None:
    """The ban that refuses contingency here, or None. `cause` is a 案由 code or name of the
    project's list (`ValueError` if it is neither); the most specific listed cause wins."""
    bans = list(bans)
    for ban in bans:
        if ban.kind == "matter_type" and ban.key == matter_type:
            return ban
    if group_litigation:
        for ban in bans:
            if ban.kind == "group_litigation":
                return ban
    if cause:
        code, parents = _resolve_cause(cause, causes)
        by_code = {ban.key: ban for ban in bans if ban.kind == "cause"}
        node: str | None = code
        while node is not None:
            if node in by_code:
                return by_code[node]
            node = parents.get(node)
    return None


def contingency_check(
    amount: Decimal | int | str,
    matter_type: str,
    cause: str | None = None,
    group_litigation: bool = False,
    *,
    bans: Iterable[Ban] = NATIONAL_BANS,
    causes: Sequence[CauseRow] | None = None,
    lang: str = "zh",
) -> dict:
    """May this matter have a contingency fee, and up to what total?

    → ``{"allowed": bool, "cap": Decimal | None, "reason": str, "citation": str,
    "steps": [str]}``. `ValueError` for an amount that is not > 0 with at most two decimals
    or a cause not in the list."""
    zh = lang == "zh"
    parse_amount(amount)
    ban = banned_by(
        matter_type=matter_type,
        cause=cause,
        group_litigation=group_litigation,
        bans=bans,
        causes=causes,
    )
    if ban is not None:
        label = ban.label_zh if zh else ban.label_en
        reason = (
            f"{label}不得实行风险代理收费。"
            if zh
            else f"Contingency fees are not allowed for {label}."
        )
        return {
            "allowed": False,
            "cap": None,
            "reason": reason,
            "citation": ban.citation,
            "steps": [],
        }
    result = contingency_cap(amount, lang=lang)
    reason = (
        f"可以实行风险代理收费；全部收费（含固定部分）合计不得超过 {yuan(result.cap)}。"
        if zh
        else "Contingency fees are allowed; the total of all fixed and contingent parts may "
        f"not exceed {yuan(result.cap)}."
    )
    return {
        "allowed": True,
        "cap": result.cap,
        "reason": reason,
        "citation": CAP_CITATION,
        "steps": result.steps,
    }


# -- clauses restricting or penalising the client's procedural choices ----------------------

_CHOICES = "上诉|撤诉|撤回起诉|撤回仲裁|撤回申请|撤回|调解|和解"
# "不得/不能/禁止/限制 … 上诉": a restriction of the client's choice…
_RESTRICTING = re.compile(
    rf"(不得|不能|不准|不可|禁止|限制|无权|须经[^。；;，,]{{0,8}}同意方可|未经[^。；;，,]{{0,8}}同意)"
    rf"[^。；;，,]{{0,10}}({_CHOICES})"
)
# …unless it restricts the lawyer from obstructing the client (a protection, not a penalty).
_PROTECTING = re.compile("阻碍|阻止|干涉|妨碍|影响|强迫|诱导")
# "撤诉 … 视为胜诉 / 仍应按 … 支付 / 违约金": a penalty on the choice.
_PENALISING = re.compile(
    rf"({_CHOICES})[^。；;]{{0,20}}"
    r"(视为[^。；;，,]{0,6}(胜诉|回款|执行到位|成功)|仍(应|须|需|按)[^。；;]{0,12}(支付|收取|计收|计付)"
    r"|全额(支付|收取)|违约金|罚款|罚金|赔偿[^。；;，,]{0,4}损失"
    r"|按[^。；;，,]{0,8}(胜诉|诉讼请求|标的额?|诉请)[^。；;，,]{0,6}(支付|收取|计收|计付))"
)


def restrictive_clauses(text: str) -> list[str]:
    """The passages of `text` that restrict or penalise the client's appeal, withdrawal,
    mediation or settlement (empty: none of the listed phrasings)."""
    found: list[str] = []
    for sentence in re.split(r"[。；;\n]", text or ""):
        for match in _RESTRICTING.finditer(sentence):
            if not _PROTECTING.search(match.group(0)):
                found.append(match.group(0))
        found.extend(match.group(0) for match in _PENALISING.finditer(sentence))
    return found
