"""The matter page's deadlines card lists what needs the lawyer first: dates to confirm, then
the open ones by due date, then the missed, done and dismissed ones. Sorted by the raw status
code it put done before missed before open before proposed, so a matter's history buried the
next open date."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lexcase.calendar.models import Deadline
from lexcase.calendar.selectors import matter_deadline_rows, matter_deadlines
from lexcase.calendar.services import deadline_create
from lexcase.matters.models import Matter
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_deadlines_card_puts_what_needs_action_first(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status="open")
    firm.matter.refresh_from_db()
    rows = [
        ("已完成的答辩期限", date(2026, 1, 10), Deadline.Status.DONE),
        ("未采纳的期限", date(2026, 2, 1), Deadline.Status.DISMISSED),
        ("已错过的举证期限", date(2026, 3, 1), Deadline.Status.MISSED),
        ("较晚的开放期限", date(2027, 5, 1), Deadline.Status.OPEN),
        ("较早的开放期限", date(2027, 4, 1), Deadline.Status.OPEN),
        ("待确认的上诉期限", date(2027, 6, 1), Deadline.Status.PROPOSED),
    ]
    for title, due, status in rows:
        d = deadline_create(actor=firm.lead, matter=firm.matter, title=title, due_date=due)
        Deadline.objects.filter(pk=d.pk).update(status=status)
    expected = [
        "待确认的上诉期限",
        "较早的开放期限",
        "较晚的开放期限",
        "已错过的举证期限",
        "已完成的答辩期限",
        "未采纳的期限",
    ]
    assert [d.title for d in matter_deadlines(matter=firm.matter)] == expected
    assert [d.title for d in matter_deadline_rows(matter=firm.matter)] == expected
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    card = re.search(r'<section class="card" id="deadlines">.*?</section>', page, re.S)
    assert card is not None
    shown = [t for t in expected if t in card.group(0)]
    assert sorted(shown, key=card.group(0).index) == shown
