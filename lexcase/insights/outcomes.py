"""Outcome statistics for a matter (案件结果参考): base rates from the firm's own closed
matters like it, with the sample size, Wilson 95% intervals and the median duration, and
the most similar past matters the reader may open. Advisory, never a promise: below a
minimum sample it says there is not enough data instead of a number.

Which closed matters count in the rates depends on the reader's role: roles allowed
firm-wide aggregates (setting LEXCASE_INSIGHTS["outcome_firm_wide_roles"]) count every
non-confidential matter plus the confidential ones they are on; others only the matters
they can see. Walls always remove a matter. Below the minimum sample the count said is of
the like matters the reader can see, so a small group never tells of hidden ones. Similar
matters are listed only when the reader can see them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.insights.stats import (
    amount_band,
    bigrams,
    court_level,
    jaccard,
    median,
    side_of,
    wilson,
)
from lexcase.matters.models import (
    ClosingOutcome,
    EthicalWall,
    Matter,
    MatterClosing,
    MatterParty,
    PartyRole,
    Status,
)
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matters_visible_to

CLOSED = (Status.CLOSED, Status.ARCHIVED)
DEFAULTS: dict[str, Any] = {
    "outcome_min_sample": 10,
    "outcome_firm_wide_roles": ("admin", "partner", "lawyer"),
    "outcome_similar": 5,
}


def config() -> dict[str, Any]:
    configured = getattr(settings, "LEXCASE_INSIGHTS", {}) or {}
    return {key: configured.get(key, value) for key, value in DEFAULTS.items()}


@dataclass(frozen=True)
class Case:
    id: int
    number: str
    matter_type: str
    cause_id: int | None
    family_id: int | None  # the parent 案由, or the cause itself when it has none
    cause_name: str
    family_name: str
    court: str
    level: str
    band: str
    side: str
    outcome: str
    days: int | None
    text: frozenset[str]


def _annotated(qs: QuerySet[Matter]) -> QuerySet[Matter]:
    latest = MatterClosing.objects.filter(matter=OuterRef("pk")).order_by("-id")
    standing = (
        MatterParty.objects.filter(matter=OuterRef("pk"), role=PartyRole.CLIENT)
        .order_by("id")
        .values("standing")[:1]
    )
    return qs.annotate(
        outcome_kind=Subquery(latest.values("outcome_kind")[:1]),
        client_standing=Subquery(standing),
    )


_FIELDS = (
    "pk",
    "number",
    "matter_type",
    "cause_id",
    "cause__parent_id",
    "cause__name",
    "cause__parent__name",
    "court",
    "amount",
    "client_standing",
    "outcome_kind",
    "opened_on",
    "closed_on",
    "title",
    "summary",
)


def _case(row: tuple) -> Case:
    (pk, number, mtype, cause_id, parent_id, cause_name, parent_name, court, amount,
     standing, outcome, opened_on, closed_on, title, summary) = row  # fmt: skip
    days = (closed_on - opened_on).days if opened_on and closed_on else None
    return Case(
        id=pk,
        number=number,
        matter_type=mtype,
        cause_id=cause_id,
        family_id=parent_id or cause_id,
        cause_name=cause_name or "",
        family_name=parent_name or cause_name or "",
        court=court or "",
        level=court_level(court),
        band=amount_band(amount),
        side=side_of(standing or ""),
        outcome=outcome or "",
        days=days,
        text=bigrams(f"{title} {summary}"),
    )


def cases(qs: QuerySet[Matter]) -> list[Case]:
    return [_case(r) for r in _annotated(qs).values_list(*_FIELDS)]


def rate_set(user: User) -> tuple[QuerySet[Matter], bool]:
    """The matters whose outcomes may count in the reader's rates, and whether that is the
    firm-wide set."""
    visible = matters_visible_to(user)
    if not is_active_staff(user):
        return visible, False
    if getattr(user, "role", None) not in config()["outcome_firm_wide_roles"]:
        return visible, False
    walled = Exists(EthicalWall.objects.filter(matter=OuterRef("pk"), user=user))
    return visible | Matter.objects.filter(confidential=False).exclude(walled), True


# -- the statistics (pure: a target and a pool of closed cases) ---------------------------------

CRITERIA_LABELS = {
    "cause": lambda t: _("same cause of action (%(name)s)") % {"name": t.cause_name},
    "family": lambda t: _("same parent cause of action (%(name)s)") % {"name": t.family_name},
    "type": lambda t: _("same matter type"),
    "side": lambda t: _("client on the same side"),
    "level": lambda t: _("same court level"),
    "band": lambda t: _("same amount band"),
}


def _levels(t: Case) -> list[tuple[str, ...]]:
    if t.cause_id:
        levels = [
            ("cause", "side", "level", "band"),
            ("cause", "side", "level"),
            ("cause", "side"),
            ("cause",),
        ]
        if t.family_id != t.cause_id:
            levels += [("family", "side"), ("family",)]
    else:
        levels = [
            ("type", "side", "level", "band"),
            ("type", "side", "level"),
            ("type", "side"),
            ("type",),
        ]
    have = {"side": t.side, "level": t.level, "band": t.band}
    out: list[tuple[str, ...]] = []
    for level in levels:
        kept = tuple(c for c in level if have.get(c, True))
        if kept not in out:
            out.append(kept)
    return out


def _matches(c: Case, t: Case, criterion: str) -> bool:
    if criterion == "cause":
        return c.cause_id == t.cause_id
    if criterion == "family":
        return c.family_id is not None and c.family_id == t.family_id
    if criterion == "type":
        return c.matter_type == t.matter_type
    return getattr(c, criterion) == getattr(t, criterion)


def similarity(c: Case, t: Case) -> float:
    score = 0.0
    if t.cause_id and c.cause_id == t.cause_id:
        score += 0.3
    if t.family_id and c.family_id == t.family_id:
        score += 0.15
    if t.side and c.side == t.side:
        score += 0.15
    if t.level and c.level == t.level:
        score += 0.1
    if t.court and c.court == t.court:
        score += 0.05
    if t.band and c.band == t.band:
        score += 0.1
    return score + 0.15 * jaccard(c.text, t.text)


@dataclass
class OutcomeStats:
    n: int
    enough: bool
    min_n: int
    outcomes: dict[str, dict[str, float | int]]
    median_days: float | None
    criteria: tuple[str, ...]
    sample: list[Case]


def outcome_stats(target: Case, pool: Iterable[Case], *, min_n: int) -> OutcomeStats:
    """The narrowest set of like matters with at least `min_n` closed ones; the broadest
    set's size when none has enough."""
    pool = [
        c for c in pool if c.id != target.id and c.outcome and c.matter_type == target.matter_type
    ]
    chosen: list[Case] = []
    criteria: tuple[str, ...] = ()
    for level in _levels(target):
        sample = [c for c in pool if all(_matches(c, target, k) for k in level)]
        chosen, criteria = sample, level
        if len(sample) >= min_n:
            break
    n = len(chosen)
    if n < min_n:
        return OutcomeStats(n, False, min_n, {}, None, criteria, chosen)
    counts = Counter(c.outcome for c in chosen)
    outcomes = {}
    for kind in ClosingOutcome.values:
        k = counts.get(kind, 0)
        if not k:
            continue
        low, high = wilson(k, n)
        outcomes[kind] = {
            "count": k,
            "share": round(k / n, 4),
            "ci_low": round(low, 4),
            "ci_high": round(high, 4),
        }
    days = [c.days for c in chosen if c.days is not None]
    return OutcomeStats(n, True, min_n, outcomes, median(days), criteria, chosen)


# -- for one matter and one reader --------------------------------------------------------------


def _pool_query(target: Case, base: QuerySet[Matter]) -> QuerySet[Matter]:
    qs = base.filter(status__in=CLOSED, matter_type=target.matter_type).exclude(pk=target.id)
    if target.cause_id:
        family = target.family_id
        qs = qs.filter(cause_id__isnull=False).filter(cause__parent_id=family) | qs.filter(
            cause_id__in=[target.cause_id, family]
        )
    return qs


def matter_outcome_stats(*, user: User, matter: Matter) -> dict[str, Any]:
    """The API's and the page's answer for a matter the gate already admitted `user` to."""
    cfg = config()
    target = cases(Matter.objects.filter(pk=matter.pk))[0]
    base, firm_wide = rate_set(user)
    pool = cases(_pool_query(target, base))
    stats = outcome_stats(target, pool, min_n=int(cfg["outcome_min_sample"]))
    candidates = sorted(
        (c for c in pool if c.outcome), key=lambda c: (-similarity(c, target), -c.id)
    )[: 10 * int(cfg["outcome_similar"])]
    visible = set(
        matters_visible_to(user)
        .filter(pk__in=[c.id for c in candidates])
        .values_list("pk", flat=True)
    )
    similar = [
        {
            "matter_id": c.id,
            "number": c.number,
            "outcome": c.outcome,
            "score": round(similarity(c, target), 3),
        }
        for c in candidates
        if c.id in visible
    ][: int(cfg["outcome_similar"])]
    criteria_text = "; ".join(CRITERIA_LABELS[k](target) for k in stats.criteria)
    n, counted_firm_wide = stats.n, firm_wide
    if firm_wide and not stats.enough:
        # Below the minimum sample no rate is shown, and the firm-wide count of so few
        # matters would tell the reader how many like matters hidden from them exist: only
        # those the reader can see are counted (a partner's count does not change).
        n = (
            matters_visible_to(user)
            .filter(pk__in=[c.id for c in stats.sample])
            .values("pk")
            .count()
        )
        counted_firm_wide = False
    counted = (
        _("closed non-confidential matters of the firm plus the confidential ones you are on")
        if counted_firm_wide
        else _("closed matters you can see")
    )
    if stats.enough:
        basis = _("%(n)d %(set)s with: %(criteria)s.") % {
            "n": n,
            "set": counted,
            "criteria": criteria_text,
        }
    else:
        basis = _(
            "Not enough data: %(n)d %(set)s with: %(criteria)s (at least %(min)d needed)."
        ) % {"n": n, "set": counted, "criteria": criteria_text, "min": stats.min_n}
    return {
        "n": n,
        "enough": stats.enough,
        "min_n": stats.min_n,
        "outcomes": stats.outcomes,
        "median_days": stats.median_days,
        "similar": similar,
        "basis": basis,
        "criteria": list(stats.criteria),
        "firm_wide": firm_wide,
    }


# -- leave-one-out calibration (bench/outcome_calibration.py) ----------------------------------


def loo_calibration(pool: list[Case], *, min_n: int, bins: int = 10) -> dict[str, Any]:
    """Each closed matter in turn is the target and the others the history: the predicted
    share of every outcome against whether it happened, binned by prediction; with the
    multi-class Brier score against the firm-wide base rate (same type) as the baseline."""
    kinds = list(ClosingOutcome.values)
    table = [{"n": 0, "predicted": 0.0, "observed": 0} for _ in range(bins)]
    brier = base_brier = 0.0
    judged = skipped = 0
    by_type: dict[str, Counter] = {}
    for c in pool:
        by_type.setdefault(c.matter_type, Counter())[c.outcome] += 1
    for target in pool:
        stats = outcome_stats(target, pool, min_n=min_n)
        if not stats.enough:
            skipped += 1
            continue
        judged += 1
        base = by_type[target.matter_type].copy()
        base[target.outcome] -= 1
        base_n = sum(base.values())
        for kind in kinds:
            p = stats.outcomes.get(kind, {}).get("share", 0.0)
            hit = 1 if target.outcome == kind else 0
            cell = table[min(bins - 1, int(p * bins))]
            cell["n"] += 1
            cell["predicted"] += p
            cell["observed"] += hit
            brier += (p - hit) ** 2
            q = base[kind] / base_n if base_n else 0.0
            base_brier += (q - hit) ** 2
    rows = [
        {
            "bin": f"{i / bins:.1f}–{(i + 1) / bins:.1f}",
            "n": cell["n"],
            "mean_predicted": round(cell["predicted"] / cell["n"], 3) if cell["n"] else None,
            "observed": round(cell["observed"] / cell["n"], 3) if cell["n"] else None,
        }
        for i, cell in enumerate(table)
    ]
    return {
        "matters": len(pool),
        "judged": judged,
        "not_enough_data": skipped,
        "brier": round(brier / judged, 4) if judged else None,
        "baseline_brier": round(base_brier / judged, 4) if judged else None,
        "bins": rows,
    }
