"""Dashboard sections of apps that insights may not import (the feature apps are independent:
contract `features`): review scores and findings, client satisfaction (reviews) and fees
billed and collected (billing). The composition layer reads them through those apps'
selectors, restricted to the dashboard's scope (the gate's matters, filtered), and registers
them with `insights.extensions` in `WebConfig.ready()`. Each costs a fixed number of queries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lexcase.billing.models import BillStatus, PaymentStatus
from lexcase.billing.selectors.receivables import payments_for
from lexcase.billing.selectors.shared import bills_of
from lexcase.insights.extensions import SectionContext, dashboard_source_register
from lexcase.insights.selectors import Figure, Section, per_month, period_bounds
from lexcase.insights.stats import month_starts, share
from lexcase.reviews.models import ReviewKind, SurveyOccasion
from lexcase.reviews.selectors import review_findings, review_scores, survey_scores


def _mean(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _money(value: Decimal | None) -> float:
    return float((value or Decimal(0)).quantize(Decimal("0.01")))


def review_sections(ctx: SectionContext) -> list[Section]:
    start, end = period_bounds(ctx.filters)
    by_kind = review_scores(matters=ctx.scope, start=start, end=end, today=ctx.today)
    follow_ups = by_kind.pop("_follow_ups")["count"]
    rows, dist = [], [0] * 5
    done = findings = overdue = escalated = 0
    score_sum = 0.0
    for kind in ReviewKind:
        r = by_kind.get(kind.value)
        if r is None:
            rows.append([str(kind.label), 0, None, 0, 0, 0])
            continue
        done += r["done"]
        findings += r["findings"]
        overdue += r["overdue"]
        escalated += r["escalated"]
        score_sum += float(r["mean"] or 0) * r["done"]
        for k in range(5):
            dist[k] += r[f"s{k + 1}"]
        rows.append(
            [
                str(kind.label),
                r["done"],
                _mean(r["mean"]),
                r["findings"],
                r["overdue"],
                r["escalated"],
            ]
        )
    mean = round(score_sum / done, 2) if done else None
    scores = Section(
        name="reviews",
        title=_("Review scores and findings"),
        definition=_(
            "Quality reviews (案件质量检查) finished in the period: how many, their mean score "
            "(1–5) and how many recorded findings; reviews still open past their due day "
            "today, and how many of those were escalated to the responsible partner."
        ),
        columns=[
            _("Review"),
            _("Finished"),
            _("Mean score"),
            _("With findings"),
            _("Overdue"),
            _("Escalated"),
        ],
        rows=rows,
        chart_column=2,
        figures=[
            Figure("reviews.done", _("Reviews finished"), done, "count"),
            Figure("reviews.mean_score", _("Mean review score"), mean, "score"),
            Figure(
                "reviews.findings_share", _("Reviews with findings"), share(findings, done), "share"
            ),
            Figure("reviews.follow_ups", _("Follow-up actions"), follow_ups, "count"),
            Figure("reviews.overdue", _("Reviews overdue"), overdue, "count"),
        ],
    )
    distribution = Section(
        name="review_score_distribution",
        title=_("Review scores"),
        definition=_("Reviews finished in the period by the score the reviewer gave (1–5)."),
        columns=[_("Score"), _("Reviews"), _("Share %")],
        rows=[[f"{k + 1}/5", n, _pct(share(n, done))] for k, n in enumerate(dist)],
    )
    kinds = dict(ReviewKind.choices)
    latest = Section(
        name="review_findings",
        title=_("Latest review findings"),
        definition=_(
            "The ten latest reviews finished in the period that recorded findings, with the "
            "score given."
        ),
        columns=[_("Matter"), _("Finished"), _("Review"), _("Score"), _("Findings")],
        rows=[
            [
                r["matter__number"],
                r["completed_at"].date().isoformat(),
                str(kinds.get(r["kind"], r["kind"])),
                r["score"],
                r["findings"][:120],
            ]
            for r in review_findings(matters=ctx.scope, start=start, end=end)
        ],
        chart_column=3,
        nowrap_columns=(0, 1),
    )
    return [scores, distribution, latest]


def satisfaction_section(ctx: SectionContext) -> list[Section]:
    start, end = period_bounds(ctx.filters)
    by_occasion = survey_scores(matters=ctx.scope, start=start, end=end)
    rows = []
    n = low = 0
    overall_sum = 0.0
    for occasion in SurveyOccasion:
        r = by_occasion.get(occasion.value)
        if r is None:
            rows.append([str(occasion.label), 0, None, None, None, 0])
            continue
        n += r["n"]
        low += r["low"]
        overall_sum += float(r["mean_overall"]) * r["n"]
        rows.append(
            [
                str(occasion.label),
                r["n"],
                _mean(r["mean_overall"]),
                _mean(r["mean_responsiveness"]),
                _mean(r["mean_clarity"]),
                r["low"],
            ]
        )
    return [
        Section(
            name="satisfaction",
            title=_("Client satisfaction"),
            definition=_(
                "Answers to the client satisfaction survey in the portal in the period: mean "
                "scores (1–5) and low overall scores (at or below the threshold that notifies "
                "the responsible partner)."
            ),
            columns=[
                _("Occasion"),
                _("Answers"),
                _("Overall"),
                _("Responsiveness"),
                _("Clarity of updates"),
                _("Low scores"),
            ],
            rows=rows,
            chart_column=2,
            figures=[
                Figure("satisfaction.answers", _("Survey answers"), n, "count"),
                Figure(
                    "satisfaction.overall_mean",
                    _("Mean satisfaction"),
                    round(overall_sum / n, 2) if n else None,
                    "score",
                ),
                Figure("satisfaction.low", _("Low satisfaction scores"), low, "count"),
            ],
        )
    ]


def fee_section(ctx: SectionContext) -> list[Section]:
    """Fees billed and collected on the dashboard's scope, through billing's selectors for a
    gated set of matters (`bills_of`, `payments_for`: the scope passed the confidentiality
    gate, which is inside the money gate for every reader; a payment also applied to a bill
    the reader may not see is left out)."""
    f = ctx.filters
    billed = per_month(
        bills_of(matters=ctx.scope).filter(
            status__in=(BillStatus.ISSUED, BillStatus.PARTLY_PAID, BillStatus.PAID),
            issued_on__gte=f.date_from,
            issued_on__lte=f.date_to,
        ),
        "issued_on",
        f,
        dates=True,
        n=Count("id"),
        total=Sum("total"),
        paid=Sum("paid"),
    )
    received = per_month(
        payments_for(matters=ctx.scope, user=ctx.user).filter(
            status=PaymentStatus.RECORDED,
            received_on__gte=f.date_from,
            received_on__lte=f.date_to,
        ),
        "received_on",
        f,
        dates=True,
        amount=Sum("amount"),
        refunded=Sum("refunded"),
    )
    rows = []
    t_bills, t_billed, t_paid, t_received = 0, Decimal(0), Decimal(0), Decimal(0)
    for ym in month_starts(
        (f.date_from.year, f.date_from.month), (f.date_to.year, f.date_to.month)
    ):
        b: Any = billed.get(ym) or {"n": 0, "total": None, "paid": None}
        p = received.get(ym) or {"amount": None, "refunded": None}
        got = (p["amount"] or Decimal(0)) - (p["refunded"] or Decimal(0))
        t_bills += b["n"]
        t_billed += b["total"] or 0
        t_paid += b["paid"] or 0
        t_received += got
        rows.append(
            [f"{ym[0]}-{ym[1]:02d}", b["n"], _money(b["total"]), _money(b["paid"]), _money(got)]
        )
    rate = float(t_paid / t_billed) if t_billed else None
    return [
        Section(
            name="fees",
            title=_("Fees billed and collected"),
            definition=_(
                "Bills issued in the period (not drafts or void bills) and their totals in yuan, "
                "how much of those bills has been paid so far, and fee payments received in the "
                "month less refunds (payments tied to a matter of this set). Only the money of "
                "matters whose money you may see."
            ),
            columns=[
                pgettext("period", "Month"),
                _("Bills issued"),
                _("Billed ¥"),
                _("Of it paid ¥"),
                _("Received ¥"),
            ],
            rows=rows,
            chart_column=2,
            money_columns=(2, 3, 4),
            figures=[
                Figure("fees.billed", _("Fees billed ¥"), _money(t_billed), "yuan"),
                Figure("fees.collected", _("Fees received ¥"), _money(t_received), "yuan"),
                Figure("fees.collection_rate", _("Billed in the period and paid"), rate, "share"),
            ],
        )
    ]


def register() -> None:

    dashboard_source_register(review_sections, order=10)
    dashboard_source_register(satisfaction_section, order=20)
    dashboard_source_register(fee_section, order=30)
