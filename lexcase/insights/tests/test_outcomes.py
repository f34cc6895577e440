"""Outcome statistics: the set that counts, the narrowing, "not enough data", the similar list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation

from lexcase.accounts.models import Role, User
from lexcase.insights.outcomes import cases, loo_calibration, matter_outcome_stats, outcome_stats
from lexcase.matters.models import (
    CaseCause,
    EthicalWall,
    Matter,
    MatterClosing,
    MatterMember,
    MatterParty,
)
from lexcase.parties.models import Party
from lexcase.testing import client_for, make_user
from lexcase.web.demo import demo_generate


def closed(number, cause, outcome, *, lead, standing="原告", confidential=False, days=100,
           court="北京市朝阳区人民法院", amount=500_000,
           summary="借款到期未还") -> Matter:  # fmt: skip
    opened = date(2025, 1, 1)
    m = Matter.objects.create(
        number=number, title=number, matter_type="civil", cause=cause, status="closed",
        confidential=confidential, opened_on=opened, closed_on=opened + timedelta(days=days),
        court=court, amount=amount, summary=summary,
    )  # fmt: skip
    MatterMember.objects.create(matter=m, user=lead, role="lead")
    MatterParty.objects.create(
        matter=m, party=Party.objects.create(name=f"客户{number}"), role="client", standing=standing
    )
    MatterClosing.objects.create(
        matter=m, closed_on=m.closed_on, outcome_kind=outcome, archive_deadline=m.closed_on
    )
    return m


@pytest.fixture
def history(db):
    parent = CaseCause.objects.create(version="t", code="P", name="合同纠纷")
    loan = CaseCause.objects.create(version="t", code="P1", name="民间借贷纠纷", parent=parent)
    sale = CaseCause.objects.create(version="t", code="P2", name="买卖合同纠纷", parent=parent)
    partner = make_user("p", Role.PARTNER)
    lawyer = make_user("l", Role.LAWYER)
    assistant = make_user("a", Role.ASSISTANT)
    other = make_user("o", Role.LAWYER)
    n = 0
    made = {}
    for outcome, count in (("won", 6), ("lost", 3), ("settled", 3)):
        for _ in range(count):
            n += 1
            made[n] = closed(f"H{n}", loan, outcome, lead=other, days=60 + 10 * n)
    secret = closed("HS", loan, "lost", lead=other, confidential=True)
    mine = closed("HM", loan, "won", lead=lawyer)
    for i in range(4):
        closed(f"SA{i}", sale, "settled", lead=other)
    target = Matter.objects.create(
        number="T1", title="张三诉李四民间借贷纠纷", matter_type="civil", cause=loan,
        status="open", court="北京市海淀区人民法院", amount=300_000, summary="借款到期未还",
    )  # fmt: skip
    MatterMember.objects.create(matter=target, user=lawyer, role="lead")
    MatterMember.objects.create(matter=target, user=assistant, role="assistant")
    MatterParty.objects.create(
        matter=target, party=Party.objects.create(name="张三"), role="client", standing="原告"
    )
    return {"partner": partner, "lawyer": lawyer, "assistant": assistant, "target": target,
            "secret": secret, "mine": mine, "made": made, "sale": sale}  # fmt: skip


def test_partner_rates_count_visible_matters_with_wilson_intervals(history):
    stats = matter_outcome_stats(user=history["partner"], matter=history["target"])
    # 12 + the lawyer's own (non-confidential) one = 13; the confidential one is not counted.
    assert (stats["n"], stats["enough"], stats["firm_wide"]) == (13, True, True)
    assert stats["criteria"] == ["cause", "side", "level", "band"]
    assert stats["outcomes"]["won"] == {
        "count": 7,
        "share": 0.5385,
        "ci_low": 0.2914,
        "ci_high": 0.7679,
    }
    assert stats["outcomes"]["lost"]["count"] == 3
    assert set(stats["outcomes"]) == {"won", "lost", "settled"}
    # Durations 70..180 by tens (12) and 100 → median of 13 values.
    assert stats["median_days"] == 120.0
    # The partner sees every non-confidential matter: five listed, the secret one never.
    assert len(stats["similar"]) == 5
    assert "HS" not in {s["number"] for s in stats["similar"]}


def test_the_median_duration_reads_as_days(history):
    """The matter page said 中位办案周期: 120.0 天数 (a float and the word of a column
    heading); it says 120 天, and 120 days in English."""
    url = f"/matters/{history['target'].pk}/outcome-stats/"
    page = client_for(history["partner"]).get(url).content.decode()
    assert "<p>中位办案周期: 120 天</p>" in page
    client = client_for(history["partner"])
    client.cookies["django_language"] = "en"  # the firm default is Chinese
    assert "<p>Median duration: 120 days</p>" in client.get(url).content.decode()


def test_lawyer_lists_only_matters_they_can_open(history):
    stats = matter_outcome_stats(user=history["lawyer"], matter=history["target"])
    assert (stats["n"], stats["firm_wide"]) == (13, True)
    assert [s["number"] for s in stats["similar"]] == ["HM"]


def test_role_without_firm_wide_rates_has_not_enough_data(history, settings):
    # Assistants are not in the default firm-wide roles: only what they can see counts.
    stats = matter_outcome_stats(user=history["assistant"], matter=history["target"])
    assert (stats["n"], stats["enough"], stats["firm_wide"]) == (0, False, False)
    assert stats["outcomes"] == {}
    assert stats["median_days"] is None
    assert "Not enough data" in stats["basis"] or "数据不足" in stats["basis"]


def test_minimum_sample_narrows_and_falls_back(history, settings):
    settings.LEXCASE_INSIGHTS = {"outcome_min_sample": 14}
    stats = matter_outcome_stats(user=history["partner"], matter=history["target"])
    # Never 14 with the same cause: falls back to the parent cause, which adds 4 sales.
    assert (stats["n"], stats["criteria"]) == (17, ["family", "side"])
    settings.LEXCASE_INSIGHTS = {"outcome_min_sample": 30}
    stats = matter_outcome_stats(user=history["partner"], matter=history["target"])
    assert (stats["n"], stats["enough"], stats["criteria"]) == (17, False, ["family"])


def test_walled_matter_never_counts(history):
    made = history["made"]
    EthicalWall.objects.create(matter=made[1], user=history["partner"], reason="x")
    stats = matter_outcome_stats(user=history["partner"], matter=history["target"])
    assert stats["n"] == 12
    assert made[1].pk not in {s["matter_id"] for s in stats["similar"]}


def test_leave_one_out_excludes_the_target(history):
    pool = cases(Matter.objects.filter(status="closed"))
    one = next(c for c in pool if c.number == "HM")
    stats = outcome_stats(one, pool, min_n=10)
    assert stats.n == 13  # 12 + the confidential one, not itself
    report = loo_calibration(pool, min_n=10)
    assert report["matters"] == 18
    assert report["judged"] + report["not_enough_data"] == 18
    assert sum(b["n"] for b in report["bins"]) == report["judged"] * 7


def test_demo_firm_has_closed_history_with_outcomes(db):
    demo_generate(matters=30, seed=7)
    closed_matters = Matter.objects.filter(status__in=("closed", "archived"))
    assert closed_matters.count() >= 240
    assert MatterClosing.objects.count() == closed_matters.count()
    lawyer = User.objects.get(username="lawyer")
    history = [m for m in closed_matters.filter(cause__name="民间借贷纠纷")[:1]]
    stats = matter_outcome_stats(user=lawyer, matter=history[0])
    assert stats["enough"] is True


def test_not_enough_data_counts_only_what_the_reader_can_see(history, settings):
    # Below the minimum sample no rate is shown, so the count must not reveal how many
    # matters hidden from the reader share the cause: a lawyer on one of the 17 like
    # matters learns of that one only (the partner sees every non-confidential one).
    settings.LEXCASE_INSIGHTS = {"outcome_min_sample": 30}
    with translation.override("en"):
        stats = matter_outcome_stats(user=history["lawyer"], matter=history["target"])
        partner = matter_outcome_stats(user=history["partner"], matter=history["target"])
    assert (stats["n"], stats["enough"], stats["criteria"], stats["outcomes"]) == (
        1,
        False,
        ["family"],
        {},
    )
    assert stats["basis"] == (
        "Not enough data: 1 closed matters you can see with: same parent cause of action"
        " (合同纠纷) (at least 30 needed)."
    )
    assert (partner["n"], partner["enough"], partner["criteria"]) == (17, False, ["family"])
