"""Each dashboard figure against a hand-computed fixture, and the gate on every figure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from lexcase.accounts.models import PracticeArea, Role, Team
from lexcase.calendar.models import Deadline
from lexcase.calendar.services import deadline_complete
from lexcase.comms.models import Communication
from lexcase.insights.selectors import FIRM, PERSONAL, InsightFilters, dashboard
from lexcase.matters.models import (
    EthicalWall,
    Matter,
    MatterMember,
    MatterParty,
    PartyRole,
)
from lexcase.parties.models import Party
from lexcase.testing import make_user
from lexcase.todos.models import Task

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)
PERIOD = InsightFilters(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))


def at(d: date, hour: int = 12) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def mk(number, *, lead, partner=None, status="open", priority="P2", confidential=False,
       created=date(2026, 2, 1), opened=date(2026, 2, 1), closed=None, mtype="civil",
       court="", area=None) -> Matter:  # fmt: skip
    m = Matter.objects.create(
        number=number, title=number, matter_type=mtype, status=status, priority=priority,
        confidential=confidential, opened_on=opened, closed_on=closed, court=court,
        practice_area=area,
    )  # fmt: skip
    Matter.objects.filter(pk=m.pk).update(created_at=at(created))
    MatterMember.objects.create(matter=m, user=lead, role="lead")
    if partner:
        MatterMember.objects.create(matter=m, user=partner, role="responsible_partner")
    return m


def deadline(m, due, status, done_on=None):
    return Deadline.objects.create(
        matter=m,
        title="期限",
        due_date=due,
        status=status,
        completed_at=at(done_on, 18) if done_on else None,
    )


@pytest.fixture
def office(db):
    team_a, team_b = Team.objects.create(name="诉讼一部"), Team.objects.create(name="非诉部")
    area = PracticeArea.objects.create(code="lit", name="争议解决")
    partner = make_user("p", Role.PARTNER, team=team_a)
    lawyer = make_user("l", Role.LAWYER, team=team_a)
    other = make_user("o", Role.LAWYER, team=team_b)
    walled = make_user("w", Role.PARTNER)
    m1 = mk("M1", lead=lawyer, partner=partner, priority="P1", area=area)
    m3 = mk("M3", lead=other, created=date(2026, 3, 1), opened=date(2026, 3, 1))
    m4 = mk("M4", lead=other, status="intake", opened=None, created=date(2026, 4, 1))
    secret = mk("S", lead=lawyer, confidential=True)  # partner is not on it
    EthicalWall.objects.create(matter=m1, user=walled, reason="对方旧客户")
    # Deadlines on M1: 3 done on time, 1 done late, 1 open past due, 1 not yet due.
    deadline(m1, date(2026, 3, 10), "done", date(2026, 3, 9))
    deadline(m1, date(2026, 3, 20), "done", date(2026, 3, 20))
    deadline(m1, date(2026, 4, 1), "done", date(2026, 3, 1))
    deadline(m1, date(2026, 4, 10), "done", date(2026, 4, 12))
    deadline(m1, date(2026, 5, 1), "missed")
    deadline(m1, date(2026, 6, 20), "open")
    deadline(m1, date(2025, 12, 1), "missed")  # before the period
    deadline(m1, date(2026, 5, 2), "dismissed")  # never a deadline
    # On the confidential matter (the partner does not see it): two missed.
    deadline(secret, date(2026, 5, 5), "missed")
    deadline(secret, date(2026, 5, 6), "done", date(2026, 5, 7))
    # SLA tasks: P1 met; P2 done late and P2 open past due; P3 not yet due.
    Task.objects.create(matter=m1, kind="sla", title="SLA", priority="P1", status="done",
                        due_at=at(date(2026, 2, 2)),
                        completed_at=at(date(2026, 2, 2), 9))  # fmt: skip
    Task.objects.create(matter=m3, kind="sla", title="SLA", priority="P2", status="done",
                        due_at=at(date(2026, 3, 8)), completed_at=at(date(2026, 3, 9)))  # fmt: skip
    Task.objects.create(matter=m4, kind="sla", title="SLA", priority="P2", status="todo",
                        due_at=at(date(2026, 6, 1)))  # fmt: skip
    Task.objects.create(matter=secret, kind="sla", title="SLA", priority="P3", status="todo",
                        due_at=at(date(2026, 6, 30)))  # fmt: skip
    # Client updates: M1 (P1, every 3 days) called yesterday; M3 (P2, 14 days) last called
    # 20 days ago (due); the secret matter (P2) 40 days ago (overdue).
    Communication.objects.create(matter=m1, occurred_at=NOW - timedelta(days=1),
                                 channel="phone", direction="outbound", summary="进展")  # fmt: skip
    Communication.objects.create(matter=m3, occurred_at=NOW - timedelta(days=20),
                                 channel="phone", direction="outbound", summary="进展")  # fmt: skip
    Communication.objects.create(matter=secret, occurred_at=NOW - timedelta(days=40),
                                 channel="phone", direction="outbound", summary="进展")  # fmt: skip
    # Closed: 60 and 90 days, at two courts.
    mk("C1", lead=lawyer, status="closed", opened=date(2026, 1, 2), closed=date(2026, 3, 3),
       court="北京市朝阳区人民法院", created=date(2025, 12, 30))  # fmt: skip
    mk("C2", lead=other, status="closed", opened=date(2026, 1, 5), closed=date(2026, 4, 5),
       court="北京市海淀区人民法院", created=date(2025, 12, 30))  # fmt: skip
    # A consultation whose party became the client of M3 afterwards; another that did not.
    party, stranger = Party.objects.create(name="甲公司"), Party.objects.create(name="乙")
    c = mk("Q1", lead=other, status="closed", mtype="consultation", created=date(2026, 2, 20),
           opened=None, closed=date(2026, 2, 20))  # fmt: skip
    q2 = mk("Q2", lead=other, status="closed", mtype="consultation", created=date(2026, 2, 21),
            opened=None, closed=date(2026, 2, 21))  # fmt: skip
    MatterParty.objects.create(matter=c, party=party, role=PartyRole.CLIENT)
    MatterParty.objects.create(matter=q2, party=stranger, role=PartyRole.CLIENT)
    MatterParty.objects.create(matter=m3, party=party, role=PartyRole.CLIENT)
    return {"partner": partner, "lawyer": lawyer, "other": other, "walled": walled,
            "team_a": team_a, "team_b": team_b, "area": area}  # fmt: skip


def figures(user, kind=FIRM, filters=PERIOD):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        board = dashboard(user=user, kind=kind, filters=filters)
    return {f["name"]: f["value"] for f in board.figures()}, {s.name: s for s in board.sections}


def test_deadlines_met_vs_missed(office):
    figs, sections = figures(office["partner"])
    # 3 on time, 1 late, 1 open past due → met 3/5, missed 2/5; the one not yet due waits.
    assert (figs["deadlines.met"], figs["deadlines.missed"], figs["deadlines.judged"]) == (3, 2, 5)
    assert figs["deadlines.met_share"] == 3 / 5
    assert sections["deadlines"].rows[3][1] == 1


def test_lawyer_personal_counts_the_confidential_matter_they_are_on(office):
    figs, _ = figures(office["lawyer"], PERSONAL)
    # M1's 3/5 plus the secret matter's one open past due and one done late.
    assert (figs["deadlines.met"], figs["deadlines.missed"]) == (3, 4)


def test_walled_partner_counts_nothing_of_the_walled_matter(office):
    figs, _ = figures(office["walled"])
    assert (figs["deadlines.met"], figs["deadlines.missed"]) == (0, 0)


def test_sla_compliance_per_priority(office):
    figs, sections = figures(office["partner"])
    assert figs["sla.P1.compliance"] == 1.0
    assert figs["sla.P2.compliance"] == 0.0
    assert figs["sla.P3.compliance"] is None  # the P3 task is on the confidential matter
    assert figs["sla.compliance"] == 1 / 3
    assert sections["sla"].rows[1][1:5] == [0, 1, 1, 0]
    lawyer, _ = figures(office["lawyer"], PERSONAL)
    assert (lawyer["sla.P1.compliance"], lawyer["sla.P3.compliance"]) == (1.0, None)


def test_client_update_cadence(office):
    figs, sections = figures(office["partner"])
    # Open matters the partner sees: M1 (within) and M3 (due); M4 is an intake.
    assert figs["client_updates.compliance"] == 1 / 2
    assert sections["client_updates"].rows[1][1:4] == [0, 1, 0]
    lawyer, lsections = figures(office["lawyer"], PERSONAL)
    assert lsections["client_updates"].rows[1][1:4] == [0, 0, 1]  # the secret one: overdue
    assert lawyer["client_updates.compliance"] == 1 / 2


def test_intake_and_consultation_conversion(office):
    figs, _ = figures(office["partner"])
    # M1, M3, M4 registered in the period (C1, C2 in December); M1 and M3 opened.
    assert (figs["intake.registered"], figs["intake.opened"]) == (3, 2)
    assert (figs["consultations.count"], figs["consultations.conversion"]) == (2, 0.5)


def test_open_matters_by_type_priority_area(office):
    _figs, sections = figures(office["partner"])
    assert sections["open_by_priority"].rows == [
        ["P1 Urgent", 1],
        ["P2 Important", 1],
        ["P3 Normal", 0],
    ]
    assert sections["open_by_area"].rows == [["争议解决", 1], ["(none)", 1]]


def test_duration_median_by_type_and_court(office):
    figs, sections = figures(office["partner"])
    assert (figs["duration.closed"], figs["duration.median_days"]) == (2, 75.0)
    assert sections["duration_by_court"].rows == [
        ["北京市朝阳区人民法院", 1, 60.0],
        ["北京市海淀区人民法院", 1, 90.0],
    ]


def test_workload_over_time(office):
    _figs, sections = figures(office["partner"])
    rows = {r[0]: r for r in sections["workload"].rows}
    # January: C1 and C2 opened; February: M1 opened; March: M3 opened, C1 closed; April: C2 closed.
    assert rows["2026-01"][1:4] == [2, 2, 0]
    assert rows["2026-02"][1:4] == [3, 1, 0]
    assert rows["2026-03"][1:4] == [3, 1, 1]
    assert rows["2026-04"][1:4] == [2, 0, 1]
    assert rows["2026-06"][1] == 2


def test_filters_team_area_lawyer(office):
    by_team, _ = figures(
        office["partner"],
        filters=InsightFilters(PERIOD.date_from, PERIOD.date_to, team=office["team_b"].pk),
    )
    assert (by_team["intake.registered"], by_team["deadlines.judged"]) == (2, 0)
    by_area, _ = figures(
        office["partner"],
        filters=InsightFilters(PERIOD.date_from, PERIOD.date_to, practice_area=office["area"].pk),
    )
    assert (by_area["intake.registered"], by_area["deadlines.judged"]) == (1, 5)
    by_lawyer, _ = figures(
        office["partner"],
        filters=InsightFilters(PERIOD.date_from, PERIOD.date_to, lawyer=office["lawyer"].pk),
    )
    # The lawyer's confidential matter stays out of the partner's figures.
    assert (by_lawyer["deadlines.met"], by_lawyer["deadlines.missed"]) == (3, 2)  # fmt: skip


def test_deadline_completion_time_is_recorded(firm):
    d = Deadline.objects.create(matter=firm.matter, title="举证期限", due_date=TODAY, status="open")
    with time_machine.travel(NOW, tick=False):
        deadline_complete(actor=firm.lead, deadline=d)
    d.refresh_from_db()
    assert (d.status, d.completed_at) == ("done", NOW)
