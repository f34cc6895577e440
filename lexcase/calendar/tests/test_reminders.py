from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from lexcase.calendar import services
from lexcase.calendar.models import Deadline
from lexcase.matters.services import matter_wall_add
from lexcase.notifications.models import Notification
from lexcase.notifications.services import notification_send
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture
def with_deadlines(firm):
    firm.lead.email = "lead@example.com"
    firm.lead.save()
    services.deadline_create(
        actor=firm.lead, matter=firm.matter, title="举证期限", due_date=TODAY + timedelta(days=2)
    )
    services.deadline_create(
        actor=firm.lead, matter=firm.matter, title="上诉期", due_date=TODAY - timedelta(days=1)
    )
    return firm


def test_morning_job_marks_missed_and_sends_one_digest(with_deadlines):
    firm = with_deadlines
    assert services.reminders_run(today=TODAY) == {"missed": 1, "digests": 1}
    assert Deadline.objects.get(title="上诉期").status == "missed"
    kinds = sorted(Notification.objects.values_list("user__username", "kind"))
    assert kinds == [
        ("lead", "deadline_missed"),
        ("lead", "digest"),
        ("partner", "deadline_missed"),
    ]
    digest = Notification.objects.get(kind="digest")
    assert "举证期限" in digest.text and firm.matter.number in digest.text
    assert [m.to for m in mail.outbox] == [["lead@example.com"], ["lead@example.com"]]


def test_morning_job_twice_sends_nothing_twice(with_deadlines):
    services.reminders_run(today=TODAY)
    count, emails = Notification.objects.count(), len(mail.outbox)
    assert services.reminders_run(today=TODAY) == {"missed": 0, "digests": 0}
    assert (Notification.objects.count(), len(mail.outbox)) == (count, emails)


def test_reminders_command(with_deadlines, capsys):
    call_command("reminders", "--date", TODAY.isoformat())
    assert capsys.readouterr().out.strip() == "missed: 1, digests sent: 1"


def test_no_notification_about_a_matter_the_user_cannot_see(firm):
    note = notification_send(
        user=firm.outsider, kind="x", text="secret", key="k", matter=firm.matter
    )
    assert note is None
    assert Notification.objects.count() == 0


def test_walled_off_user_gets_no_digest_for_that_matter(with_deadlines):
    firm = with_deadlines

    matter_wall_add(actor=firm.partner, matter=firm.matter, user=firm.lead, reason="test")
    assert services.reminders_run(today=TODAY)["digests"] == 0
    assert not Notification.objects.filter(user=firm.lead).exists()


def test_notification_page_and_unread_badge(with_deadlines):
    firm = with_deadlines
    services.reminders_run(today=TODAY)
    client = client_for(firm.lead)
    page = client.get("/notifications/").content.decode()
    assert "举证期限" in page
    assert '<span class="badge">2</span>' in page
    client.post("/notifications/read/")
    assert '<span class="badge">' not in client.get("/notifications/").content.decode()
