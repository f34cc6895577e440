"""The dashboard's review, satisfaction and fee sections (registered by `web`) against a
hand-computed fixture, the gate on each of them (page, export, API), and the dashboard's
query count, which must not grow with the firm."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from lexcase.accounts.models import Role, Team
from lexcase.accounts.services import api_token_create
from lexcase.billing.models import Bill, Payment, PaymentAllocation
from lexcase.calendar.models import Deadline
from lexcase.insights.selectors import FIRM, PERSONAL, InsightFilters, dashboard
from lexcase.matters.models import EthicalWall, Matter, MatterMember
from lexcase.parties.models import Party
from lexcase.reviews.models import Review, ReviewFollowUp, SatisfactionSurvey
from lexcase.testing import client_for, make_user
from lexcase.todos.models import Task

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)
PERIOD = InsightFilters(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))


def at(d: date, hour: int = 12) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def mk(number: str, *, lead, partner=None, confidential=False) -> Matter:
    m = Matter.objects.create(
        number=number,
        title=number,
        matter_type="civil",
        status="open",
        priority="P2",
        confidential=confidential,
        opened_on=date(2026, 1, 5),
    )
    MatterMember.objects.create(matter=m, user=lead, role="lead")
    if partner:
        MatterMember.objects.create(matter=m, user=partner, role="responsible_partner")
    return m


def done(m, day, score, findings="", kind="periodic") -> Review:
    return Review.objects.create(
        matter=m,
        kind=kind,
        status="done",
        due_on=day,
        score=score,
        findings=findings,
        completed_at=at(day),
    )


def survey(m, day, overall, responsiveness, clarity, occasion="closing") -> None:
    s = SatisfactionSurvey.objects.create(
        matter=m,
        occasion=occasion,
        overall=overall,
        responsiveness=responsiveness,
        clarity=clarity,
    )
    SatisfactionSurvey.objects.filter(pk=s.pk).update(created_at=at(day))


def bill(m, client, number, issued, total, paid=Decimal(0), status=None, **extra) -> Bill:
    status = status or ("paid" if paid == total else "partly_paid" if paid else "issued")
    year = issued.year if issued else None
    return Bill.objects.create(
        matter=m,
        client=client,
        number=number,
        year=year if number else None,
        seq=int(number[-3:]) if number else None,
        status=status,
        issued_on=issued,
        total=Decimal(total),
        paid=Decimal(paid),
        **extra,
    )


@pytest.fixture
def office(db):
    team = Team.objects.create(name="诉讼一部")
    partner = make_user("p", Role.PARTNER, team=team)
    lawyer = make_user("l", Role.LAWYER, team=team)
    m1 = mk("M1", lead=lawyer, partner=partner)
    secret = mk("S", lead=lawyer, confidential=True)  # the partner is not on it
    # Reviews on M1: three finished in the period (4, 2 with findings, 5 with findings), one
    # before it, one open past due and escalated; two follow-ups on the one scored 2.
    done(m1, date(2026, 2, 10), 4)
    low = done(m1, date(2026, 3, 10), 2, "证据目录未归档")
    done(m1, date(2026, 5, 1), 5, "卷宗完整", kind="closing")
    done(m1, date(2025, 12, 1), 3, "上年问题")
    Review.objects.create(
        matter=m1, kind="periodic", status="due", due_on=date(2026, 6, 1), escalated_at=NOW
    )
    ReviewFollowUp.objects.create(review=low, title="补充证据目录")
    ReviewFollowUp.objects.create(review=low, title="登记举证期限")
    # On the confidential matter: one finished (1, findings) and one open past due.
    done(secret, date(2026, 4, 1), 1, "保密案件的问题")
    Review.objects.create(matter=secret, kind="periodic", status="due", due_on=date(2026, 6, 2))
    # Surveys: M1 at closing (2, 1, 3: low) and mid-matter (5, 5, 5); the secret one (1, 1, 1).
    survey(m1, date(2026, 5, 2), 2, 1, 3)
    survey(m1, date(2026, 3, 2), 5, 5, 5, occasion="mid")
    survey(m1, date(2025, 11, 2), 1, 1, 1, occasion="mid")  # before the period
    survey(secret, date(2026, 4, 2), 1, 1, 1)
    # Fees on M1: ¥1,000 billed in February, paid; ¥500.50 in March, ¥200 paid; a draft and a
    # void bill and one issued before the period never count. Received: ¥1,000 in February,
    # ¥200 in March less a ¥50 refund; a payment tied to no matter is not counted.
    client = Party.objects.create(name="甲公司")
    bill(m1, client, "2026-001", date(2026, 2, 10), "1000.00", Decimal("1000.00"))
    bill(m1, client, "2026-002", date(2026, 3, 5), "500.50", Decimal("200.00"))
    bill(m1, client, None, None, "800.00", status="draft")
    bill(m1, client, "2026-003", date(2026, 4, 5), "700.00", status="void", void_reason="开错")
    bill(m1, client, "2025-009", date(2025, 12, 20), "900.00")
    bill(secret, client, "2026-004", date(2026, 4, 8), "300.00", Decimal("300.00"))
    pay = {"client": client, "method": "bank", "payer": "甲公司"}
    Payment.objects.create(matter=m1, received_on=date(2026, 2, 20), amount=1000, **pay)
    Payment.objects.create(matter=m1, received_on=date(2026, 3, 25), amount=200, refunded=50, **pay)
    Payment.objects.create(matter=None, received_on=date(2026, 3, 26), amount=999, **pay)
    Payment.objects.create(matter=secret, received_on=date(2026, 4, 9), amount=300, **pay)
    return {"partner": partner, "lawyer": lawyer, "m1": m1, "secret": secret, "team": team}


def board(user, kind=FIRM):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        b = dashboard(user=user, kind=kind, filters=PERIOD)
    return {f["name"]: f["value"] for f in b.figures()}, {s.name: s for s in b.sections}


def test_review_scores_and_findings(office):
    figs, sections = board(office["partner"])
    assert figs["reviews.done"] == 3
    assert figs["reviews.mean_score"] == pytest.approx(11 / 3, abs=0.01)
    assert figs["reviews.findings_share"] == pytest.approx(2 / 3)
    assert figs["reviews.follow_ups"] == 2
    assert figs["reviews.overdue"] == 1
    rows = {r[0]: r[1:] for r in sections["reviews"].rows}
    assert rows["Periodic review"] == [2, 3.0, 1, 1, 1]
    assert rows["Closing review"] == [1, 5.0, 1, 0, 0]
    assert rows["Stage review"] == [0, None, 0, 0, 0]
    assert [r[1] for r in sections["review_score_distribution"].rows] == [0, 1, 0, 1, 1]
    latest = sections["review_findings"].rows
    assert [(r[0], r[1], r[3], r[4]) for r in latest] == [
        ("M1", "2026-05-01", 5, "卷宗完整"),
        ("M1", "2026-03-10", 2, "证据目录未归档"),
    ]


def test_lawyer_counts_the_confidential_reviews_they_are_on(office):
    figs, sections = board(office["lawyer"], PERSONAL)
    assert (figs["reviews.done"], figs["reviews.overdue"]) == (4, 2)
    assert figs["reviews.mean_score"] == pytest.approx(3.0)
    assert "保密案件的问题" in [r[4] for r in sections["review_findings"].rows]


def test_client_satisfaction(office):
    figs, sections = board(office["partner"])
    # M1: closing (2, 1, 3) and mid (5, 5, 5); the 2025 answer is outside the period.
    assert (figs["satisfaction.answers"], figs["satisfaction.low"]) == (2, 1)
    assert figs["satisfaction.overall_mean"] == pytest.approx(3.5)
    rows = {r[0]: r[1:] for r in sections["satisfaction"].rows}
    assert rows["At closing"] == [1, 2.0, 1.0, 3.0, 1]
    assert rows["During the matter"] == [1, 5.0, 5.0, 5.0, 0]
    lawyer, _ = board(office["lawyer"], PERSONAL)
    assert (lawyer["satisfaction.answers"], lawyer["satisfaction.low"]) == (3, 2)


def test_fees_billed_and_collected(office):
    figs, sections = board(office["partner"])
    assert figs["fees.billed"] == 1500.50
    assert figs["fees.collected"] == 1150.00
    assert figs["fees.collection_rate"] == pytest.approx(1200 / 1500.50)
    rows = {r[0]: r[1:] for r in sections["fees"].rows}
    assert rows["2026-02"] == [1, 1000.0, 1000.0, 1000.0]
    assert rows["2026-03"] == [1, 500.5, 200.0, 150.0]
    assert rows["2026-04"] == [0, 0.0, 0.0, 0.0]  # void and confidential bills left out
    assert len(sections["fees"].rows) == 6
    lawyer, _ = board(office["lawyer"], PERSONAL)
    assert (lawyer["fees.billed"], lawyer["fees.collected"]) == (1800.50, 1450.00)


def test_the_page_shows_fees_as_money(office):
    """The managing partner's dashboard showed 律师费开票 ¥ 444100.0 and rows of 120000.0:
    the API's floats as Python prints them. The page groups thousands and keeps the fen."""
    with time_machine.travel(NOW, tick=False):
        page = client_for(office["partner"]).get(
            "/insights/?date_from=2026-01-01&date_to=2026-06-30"
        )
    html = page.content.decode()
    tiles = re.findall(r'data-figure="(fees\.\w+)"><div class="tile-value">([^<]*)</div>', html)
    assert tiles == [
        ("fees.billed", "1,500.50"),
        ("fees.collected", "1,150.00"),
        ("fees.collection_rate", "80%"),
    ]
    section = html.split('id="kpi-fees"')[1].split("</section>")[0]
    rows = re.findall(r"<tr><td>(2026-0[23])</td>((?:<td>[^<]*</td>)+)</tr>", section)
    assert [(m, re.findall(r"<td>([^<]*)</td>", cells)) for m, cells in rows] == [
        ("2026-02", ["1", "1,000.00", "1,000.00", "1,000.00"]),
        ("2026-03", ["1", "500.50", "200.00", "150.00"]),
    ]
    assert re.findall(r'class="ichart-value">([^<]*)<', section)[1:3] == ["1,000", "501"]


def test_a_walled_matters_money_tasks_and_reviews_are_never_counted(office):
    """The partner's firm view reads rows as `matter NOT IN (hidden)`: a matter they are
    walled off (not confidential, so otherwise theirs to see) adds nothing to any figure."""
    before, before_sections = board(office["partner"])
    client = Party.objects.get(name="甲公司")
    walled = mk("W", lead=office["lawyer"])
    EthicalWall.objects.create(matter=walled, user=office["partner"], reason="对方旧客户")
    bill(walled, client, "2026-050", date(2026, 2, 11), "5000.00", Decimal("5000.00"))
    Payment.objects.create(
        matter=walled, client=client, received_on=date(2026, 2, 12), amount=5000,
        method="bank", payer="甲公司",
    )  # fmt: skip
    Task.objects.create(
        matter=walled, title="任务", status="done", completed_at=at(date(2026, 2, 3))
    )
    Task.objects.create(
        matter=walled, kind="sla", title="SLA", priority="P2", status="done",
        due_at=at(date(2026, 1, 6)), completed_at=at(date(2026, 1, 6), 9),
    )  # fmt: skip
    Deadline.objects.create(matter=walled, title="期限", due_date=date(2026, 3, 1), status="open")
    done(walled, date(2026, 2, 12), 1, "隔离案件的问题")
    survey(walled, date(2026, 2, 13), 1, 1, 1)
    after, sections = board(office["partner"])
    assert after == before
    assert after["fees.billed"] == 1500.50
    for name in ("workload", "sla", "deadlines", "review_findings", "fees", "open_by_type"):
        assert sections[name].rows == before_sections[name].rows, name
    # The lawyer on it counts all of it (the rows are real and in the period).
    lawyer, lawyer_sections = board(office["lawyer"], PERSONAL)
    assert lawyer["fees.billed"] == 1800.50 + 5000
    assert lawyer["deadlines.judged"] == 1
    assert lawyer["reviews.done"] == 5
    assert sum(r[4] for r in lawyer_sections["workload"].rows) == 2  # the task and the SLA


def test_a_payment_also_applied_to_a_hidden_bill_is_never_counted(office):
    """A payment sent for M1 that also paid the confidential matter's bill is that matter's
    money too: the partner (not on it) collects nothing of it, the lawyer on both all of it."""
    before, before_sections = board(office["partner"])
    lawyer_before, _ = board(office["lawyer"], PERSONAL)
    client = Party.objects.get(name="甲公司")
    secret_bill = Bill.objects.get(number="2026-004")
    both = Payment.objects.create(
        matter=office["m1"], client=client, received_on=date(2026, 4, 10), amount=700,
        allocated=300, method="bank", payer="乙担保公司",
    )  # fmt: skip
    PaymentAllocation.objects.create(
        payment=both, bill=secret_bill, amount=300, allocated_on=date(2026, 4, 10)
    )
    after, sections = board(office["partner"])
    assert (after["fees.collected"], sections["fees"].rows) == (
        before["fees.collected"],
        before_sections["fees"].rows,
    )
    lawyer, _ = board(office["lawyer"], PERSONAL)
    assert lawyer["fees.collected"] == lawyer_before["fees.collected"] + 700


def _sheet_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content))
    return "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
    )


def test_page_export_and_api_never_show_the_hidden_matter(office):
    q = "date_from=2026-01-01&date_to=2026-06-30"
    c = client_for(office["partner"])
    _t, raw = api_token_create(user=office["partner"], name="t")
    with time_machine.travel(NOW, tick=False):
        page = c.get(f"/insights/?{q}")
        export = c.get(f"/insights/export.xlsx?{q}")
        api = Client(headers={"Authorization": f"Bearer {raw}"}).get(
            "/api/v1/insights/kpis?from=2026-01-01&to=2026-06-30"
        )
    html = page.content.decode()
    assert page.status_code == 200
    for section in ("reviews", "review_findings", "satisfaction", "fees"):
        assert f'id="kpi-{section}"' in html
    assert "卷宗完整" in html and "保密案件的问题" not in html
    text = _sheet_text(export.content)
    assert "卷宗完整" in text and "保密案件的问题" not in text
    assert "fees.billed" in text
    names = {f["name"]: f["value"] for f in api.json()["figures"]}
    assert names["reviews.done"] == 3 and names["fees.billed"] == 1500.5


def _count(user, kind) -> int:
    with (
        time_machine.travel(NOW, tick=False),
        CaptureQueriesContext(connection) as ctx,
    ):
        dashboard(user=user, kind=kind, filters=PERIOD)
    return len(ctx.captured_queries)


def test_the_dashboard_costs_the_same_number_of_queries_at_any_size(office):
    """bench/dashboard.py measures this at 100k matters; here a small firm grows tenfold."""
    before = {kind: _count(office["lawyer"], kind) for kind in (FIRM, PERSONAL)}
    before_partner = _count(office["partner"], FIRM)
    client = Party.objects.get(name="甲公司")
    for i in range(20):
        m = mk(f"N{i}", lead=office["lawyer"], partner=office["partner"], confidential=i % 5 == 0)
        done(m, date(2026, 2, 1 + i), 1 + i % 5, "问题" if i % 2 else "")
        Review.objects.create(matter=m, kind="periodic", status="due", due_on=date(2026, 6, 1))
        survey(m, date(2026, 3, 1 + i), 1 + i % 5, 3, 4)
        bill(m, client, f"2026-{100 + i:03d}", date(2026, 2, 1 + i), "100.00", Decimal("50.00"))
        Payment.objects.create(
            matter=m, client=client, received_on=date(2026, 3, 1), amount=50, method="bank",
            payer="甲",
        )  # fmt: skip
    after = {kind: _count(office["lawyer"], kind) for kind in (FIRM, PERSONAL)}
    assert after == before
    assert _count(office["partner"], FIRM) == before_partner
    assert before_partner <= 20


def test_matter_numbers_stay_on_one_line_and_the_period_takes_a_chinese_colon(office):
    """The walk-through saw 2026-民-0001 wrapped after its hyphen in 最新检查问题 and
    "期间: 2026-01-01 – …" with an ASCII colon in Chinese text."""
    with time_machine.travel(NOW, tick=False):
        page = client_for(office["partner"]).get(
            "/insights/?date_from=2026-01-01&date_to=2026-06-30"
        )
    html = page.content.decode()
    section = html.split('id="kpi-review_findings"')[1].split("</section>")[0]
    assert re.findall(r"<tr><td([^>]*)>M1</td><td([^>]*)>2026-05-01</td>", section) == [
        (' class="nowrap"', ' class="nowrap"')
    ]
    assert '<span class="muted">· 期间：2026-01-01 – 2026-06-30</span>' in html
