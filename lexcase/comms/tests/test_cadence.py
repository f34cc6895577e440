"""Client update cadence: due on the lead's agenda, notified once, escalated once."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import translation

from lexcase.calendar.selectors import agenda_items, agenda_overdue
from lexcase.calendar.services import hearing_create, served_document_record
from lexcase.comms.models import ClientUpdatePolicy, UpdateInterval
from lexcase.comms.selectors import matter_update_state, updates_due
from lexcase.comms.services import client_updates_run, communication_create
from lexcase.comms.tasks import client_updates
from lexcase.comms.tests.clock import T0
from lexcase.matters.services import matter_change_stage
from lexcase.notifications.models import Notification
from lexcase.testing import client_for


def _notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("key", flat=True))


def _client_updates(items):
    return [(i.day.isoformat(), i.matter.number) for i in items if i.kind == "client_update"]


def _call(firm, at, direction="outbound"):
    with time_machine.travel(at, tick=False):
        return communication_create(
            actor=firm.lead,
            matter=firm.matter,
            channel="phone",
            direction=direction,
            summary="电话告知进展",
        )


def test_p1_matter_due_after_three_days_notifies_lead_once_then_partner_once(opened):
    firm = opened
    call = _call(firm, T0)
    number = firm.matter.number

    with time_machine.travel(T0 + timedelta(days=2), tick=False) as traveller:
        assert client_updates_run() == {"due": 0, "escalated": 0}
        today = (T0 + timedelta(days=2)).date()
        # Not due yet, but coming up on the lead's agenda in two days.
        upcoming = agenda_items(user=firm.lead, start=today, end=today + timedelta(days=7))
        assert _client_updates(upcoming) == [("2026-03-05", number)]

        traveller.move_to(T0 + timedelta(days=3, minutes=1))
        assert client_updates_run() == {"due": 1, "escalated": 0}
        assert client_updates_run() == {"due": 0, "escalated": 0}
        today = (T0 + timedelta(days=3)).date()
        assert _client_updates(agenda_items(user=firm.lead, start=today, end=today)) == [
            ("2026-03-05", number)
        ]
        # Off the partner's own agenda until it is overdue.
        assert _client_updates(agenda_items(user=firm.partner, start=today, end=today)) == []
        assert _notes(firm.lead, "client_update_due") == [
            f"client_update_due:{firm.matter.pk}:{call.pk}"
        ]
        assert _notes(firm.partner, "client_update_overdue") == []

        # Still not contacted a further interval later: the partner hears of it, once.
        traveller.move_to(T0 + timedelta(days=6, minutes=1))
        assert client_updates_run() == {"due": 0, "escalated": 1}
        assert client_updates_run() == {"due": 0, "escalated": 0}
        today = (T0 + timedelta(days=6)).date()
        assert _client_updates(agenda_overdue(user=firm.lead, today=today)) == [
            ("2026-03-05", number)
        ]
        assert _client_updates(agenda_items(user=firm.partner, start=today, end=today)) == [
            ("2026-03-08", number)
        ]
    assert len(_notes(firm.lead, "client_update_due")) == 1
    assert _notes(firm.partner, "client_update_overdue") == [
        f"client_update_overdue:{firm.matter.pk}:{call.pk}"
    ]
    # Nobody else was told.
    assert Notification.objects.filter(kind__startswith="client_update").count() == 2


def test_outbound_contact_starts_a_new_cycle(opened):
    firm = opened
    _call(firm, T0)
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        assert client_updates_run()["due"] == 1
    _call(firm, T0 + timedelta(days=4, hours=1))
    # An inbound call is not an update to the client.
    _call(firm, T0 + timedelta(days=5), direction="inbound")
    with time_machine.travel(T0 + timedelta(days=6), tick=False):
        assert client_updates_run() == {"due": 0, "escalated": 0}
        assert updates_due(user=firm.lead, now=T0 + timedelta(days=6)) == []
    with time_machine.travel(T0 + timedelta(days=7, hours=2), tick=False):
        assert client_updates_run() == {"due": 1, "escalated": 0}
    assert len(_notes(firm.lead, "client_update_due")) == 2


def test_no_contact_at_all_counts_from_the_opening_date(opened):
    firm = opened
    state = matter_update_state(matter=firm.matter)
    assert state.last_outbound_at is None
    # Opened on 2 March (a civil date): due three days after its start.
    assert state.due_at.isoformat() == "2026-03-05T00:00:00+08:00"


def test_intervals_are_configurable_and_overridable_per_matter(opened):
    firm = opened
    _call(firm, T0)
    UpdateInterval.objects.create(priority="P1", days=5)
    assert matter_update_state(matter=firm.matter).due_at == T0 + timedelta(days=5)
    ClientUpdatePolicy.objects.create(matter=firm.matter, interval_days=1)
    assert matter_update_state(matter=firm.matter).due_at == T0 + timedelta(days=1)


def test_stage_change_marks_update_due_immediately(opened):
    firm = opened
    _call(firm, T0)
    at = T0 + timedelta(hours=5)
    with time_machine.travel(at, tick=False), translation.override("en"):
        matter_change_stage(actor=firm.lead, matter=firm.matter, stage="filing")
        state = matter_update_state(matter=firm.matter)
        assert state.due_at == at
        assert state.marked_reason == "Stage changed to Filing"
        assert client_updates_run() == {"due": 1, "escalated": 0}
        assert _client_updates(agenda_items(user=firm.lead, start=at.date(), end=at.date())) == [
            ("2026-03-02", firm.matter.number)
        ]
    # Telling the client clears it.
    _call(firm, at + timedelta(hours=1))
    assert matter_update_state(matter=firm.matter).due_at == at + timedelta(hours=1, days=3)


def test_new_hearing_and_served_judgment_mark_update_due(opened):
    firm = opened
    _call(firm, T0)
    at = T0 + timedelta(hours=2)
    with time_machine.travel(at, tick=False), translation.override("en"):
        hearing_create(
            actor=firm.lead,
            matter=firm.matter,
            court="北京市朝阳区人民法院",
            starts_at=T0 + timedelta(days=20),
        )
        assert matter_update_state(matter=firm.matter).marked_reason == "New hearing on 2026-03-22"
    _call(firm, at + timedelta(minutes=5))
    later = at + timedelta(hours=1)
    with time_machine.travel(later, tick=False), translation.override("en"):
        served_document_record(
            actor=firm.lead,
            matter=firm.matter,
            kind="judgment",
            service_date=later.date(),
            method="direct",
        )
        state = matter_update_state(matter=firm.matter)
    assert (state.due_at, state.marked_reason) == (later, "Judgment served")


def test_gate_updates_due_and_agenda_hide_matters_from_outsiders(opened):
    firm = opened
    now = T0 + timedelta(days=10)
    assert [s.matter.pk for s in updates_due(user=firm.lead, now=now)] == [firm.matter.pk]
    for who in (firm.outsider, firm.walled, firm.finance):
        assert updates_due(user=who, now=now) == []
        assert _client_updates(agenda_overdue(user=who, today=now.date())) == []


def test_command_runs_the_job(opened, capsys):
    _call(opened, T0)
    call_command("client_updates", "--at", (T0 + timedelta(days=3, hours=1)).isoformat())
    assert capsys.readouterr().out.strip() == "due: 1, escalated: 0"


def test_agenda_page_shows_the_due_update_to_the_lead(opened, monkeypatch):
    monkeypatch.undo()  # with every app's agenda source, as in production
    firm = opened
    _call(firm, T0)
    with time_machine.travel(T0 + timedelta(days=3, hours=1), tick=False):
        page = client_for(firm.lead).get("/agenda/").content.decode()
        assert f"/matters/{firm.matter.pk}/#communications" in page
        page = client_for(firm.outsider).get("/agenda/").content.decode()
        assert f"/matters/{firm.matter.pk}/" not in page


def test_task_wrapper_runs_the_job(opened):
    _call(opened, T0)
    with time_machine.travel(T0 + timedelta(days=3, hours=1), tick=False):
        assert client_updates.call() == {"due": 1, "escalated": 0}
