"""The agenda a lawyer reads at 8 a.m. (issue 16 item 15): hard dates before reminders and
marked apart, the year when it is not this year, a lapsed deadline says so."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lexcase.calendar.selectors import agenda_items, agenda_overdue
from lexcase.calendar.services import deadline_create
from lexcase.matters.models import Matter
from lexcase.testing import client_for
from lexcase.todos.services import task_create

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 28, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture
def p1_task_and_deadline(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status="open", priority="P3")
    firm.matter.refresh_from_db()
    urgent = Matter.objects.filter(pk=firm.confidential.pk)
    urgent.update(status="open", priority="P1")
    day = date(2026, 12, 30)
    task_create(
        actor=firm.lead,
        title="整理证据目录",
        matter=firm.confidential,
        assignee=firm.lead,
        due_at=datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI),
    )
    deadline_create(
        actor=firm.lead,
        matter=firm.matter,
        title="举证期限届满",
        due_date=day,
        responsible=firm.lead,
    )
    deadline_create(
        actor=firm.lead,
        matter=firm.matter,
        title="上诉期限届满",
        due_date=date(2027, 1, 4),
        responsible=firm.lead,
    )
    return firm


@time_machine.travel(NOW)
def test_a_deadline_comes_before_a_p1_task_on_the_same_day(p1_task_and_deadline):
    firm = p1_task_and_deadline
    items = agenda_items(user=firm.lead, start=date(2026, 12, 30), end=date(2026, 12, 30))
    assert [(i.kind, i.title, i.hard) for i in items] == [
        ("deadline", "举证期限届满", True),
        ("task", "整理证据目录", False),
    ]


@time_machine.travel(NOW)
def test_the_page_marks_hard_dates_and_shows_next_years_year(p1_task_and_deadline):
    page = client_for(p1_task_and_deadline.lead).get("/agenda/").content.decode()
    assert page.count('class="agenda-item is-hard"') == 2
    assert "2027-01-04" in page  # next year's date carries its year
    assert "12-30" in page and "2026-12-30" not in page


@time_machine.travel(datetime(2027, 1, 6, 8, 0, tzinfo=SHANGHAI))
def test_a_lapsed_deadline_leads_the_overdue_list_and_says_lapsed(p1_task_and_deadline):
    firm = p1_task_and_deadline
    overdue = agenda_overdue(user=firm.lead, today=date(2027, 1, 6))
    kinds = [i.kind for i in overdue]
    # Both lapsed deadlines first, then the late reminders (the task, client updates).
    assert kinds[:2] == ["deadline", "deadline"]
    assert "deadline" not in kinds[2:] and "task" in kinds[2:]
    page = client_for(firm.lead).get("/agenda/").content.decode()
    assert page.count("已届满") == 2
