"""Time: manual entries and the timer, the rate snapshot, archived matters, the timesheet."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lexcase.billing.models import AgreementRate, FeeAgreement, TimeEntry
from lexcase.billing.selectors.work import timesheet, week_of
from lexcase.billing.services.work import time_entry_create, timer_start, timer_stop
from lexcase.billing.tests.test_work_agreements import api
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.models import Matter
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY = date(2026, 3, 2)


def approved_hourly(firm, rate="1000", **rates) -> FeeAgreement:
    agreement = FeeAgreement.objects.create(
        matter=firm.matter,
        kind="hourly",
        hourly_rate=D(rate),
        status="approved",
        approved_at=timezone.now(),
    )
    for username, value in rates.items():
        AgreementRate.objects.create(
            agreement=agreement, lawyer=getattr(firm, username), hourly_rate=D(value)
        )
    return agreement


def record(firm, user, minutes=90, work_date=MONDAY, **kw) -> TimeEntry:
    return time_entry_create(
        actor=user,
        matter=firm.matter,
        work_date=work_date,
        minutes=minutes,
        description="起草起诉状",
        **kw,
    )


def test_the_rate_is_the_lawyers_own_else_the_agreements_else_none(firm):
    assert record(firm, firm.lead).rate is None
    agreement = approved_hourly(firm, lead="1500")
    lead_entry, assistant_entry = record(firm, firm.lead), record(firm, firm.assistant)
    assert (lead_entry.rate, lead_entry.agreement_id) == (D("1500.00"), agreement.pk)
    assert (assistant_entry.rate, assistant_entry.agreement_id) == (D("1000.00"), agreement.pk)
    # A snapshot: a later rate change does not reprice recorded work.
    AgreementRate.objects.filter(agreement=agreement).update(hourly_rate=D("2000"))
    lead_entry.refresh_from_db()
    assert lead_entry.rate == D("1500.00")


def test_refused_on_an_archived_matter_and_nothing_recorded(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status="archived")
    response = api(
        firm.lead,
        "POST",
        f"/api/v1/matters/{firm.matter.pk}/time-entries",
        {"work_date": "2026-03-02", "minutes": 30, "description": "阅卷"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["matter"]
    with pytest.raises(ValidationError) as exc:
        timer_start(actor=firm.lead, matter=firm.matter, description="阅卷")
    assert list(exc.value.message_dict) == ["matter"]
    assert TimeEntry.objects.count() == 0


def test_finance_records_no_time(firm):
    with pytest.raises(NotAllowed):
        record(firm, firm.finance)


def test_minutes_and_description_are_field_errors(firm):
    with pytest.raises(ValidationError) as exc:
        time_entry_create(
            actor=firm.lead, matter=firm.matter, work_date=MONDAY, minutes=0, description=" "
        )
    assert sorted(exc.value.message_dict) == ["description", "minutes"]
    response = api(
        firm.lead,
        "POST",
        f"/api/v1/matters/{firm.matter.pk}/time-entries",
        {"description": "阅卷"},
    )
    assert sorted(e["field"] for e in response.json()["errors"]) == ["minutes", "work_date"]


def test_one_running_timer_per_lawyer_and_stop_rounds_up_to_the_minute(firm):
    approved_hourly(firm, lead="1500")
    entry = timer_start(actor=firm.lead, matter=firm.matter, description="阅卷")
    assert (entry.minutes, entry.rate, entry.timer_stopped_at) == (0, D("1500.00"), None)
    with pytest.raises(ValidationError) as exc:
        timer_start(actor=firm.lead, matter=firm.matter, description="再开一个")
    assert list(exc.value.message_dict) == ["timer"]
    # The database is the backstop for two starts racing past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(
            matter=firm.matter,
            lawyer=firm.lead,
            work_date=MONDAY,
            description="x",
            timer_started_at=timezone.now(),
        )
    TimeEntry.objects.filter(pk=entry.pk).update(
        timer_started_at=timezone.now() - timedelta(minutes=90, seconds=5)
    )
    stopped = timer_stop(actor=firm.lead)
    assert (stopped.pk, stopped.minutes) == (entry.pk, 91)
    with pytest.raises(ValidationError):
        timer_stop(actor=firm.lead)
    # Another lawyer's timer is theirs: the assistant may run one at the same time.
    timer_start(actor=firm.assistant, matter=firm.matter, description="整理证据")


def test_timer_over_the_api(firm):
    path = f"/api/v1/matters/{firm.matter.pk}/time-entries"
    started = api(firm.lead, "POST", path, {"timer": True, "description": "阅卷"})
    assert (started.status_code, started.json()["running"]) == (201, True)
    again = api(firm.lead, "POST", path, {"timer": True, "description": "阅卷"})
    assert [e["field"] for e in again.json()["errors"]] == ["timer"]
    stopped = api(firm.lead, "POST", "/api/v1/timer/stop")
    assert (stopped.status_code, stopped.json()["running"], stopped.json()["minutes"]) == (
        200,
        False,
        1,
    )
    listed = api(firm.finance, "GET", path).json()
    assert [(e["lawyer"], e["minutes"]) for e in listed] == [("lead", 1)]


def test_the_weekly_timesheet(firm):
    record(firm, firm.lead, minutes=90, work_date=MONDAY)
    record(firm, firm.lead, minutes=30, work_date=MONDAY)
    record(firm, firm.lead, minutes=60, work_date=MONDAY + timedelta(days=2), billable=False)
    record(firm, firm.lead, minutes=45, work_date=MONDAY + timedelta(days=7))  # next week
    time_entry_create(
        actor=firm.lead,
        matter=firm.confidential,
        work_date=MONDAY,
        minutes=15,
        description="保密",
    )
    assert week_of(MONDAY + timedelta(days=6)) == MONDAY
    sheet = timesheet(viewer=firm.lead, lawyer=firm.lead, week_start=MONDAY)
    rows = {r.matter_id: (r.minutes, r.billable) for r in sheet.rows}
    assert rows == {
        firm.matter.pk: ([120, 0, 60, 0, 0, 0, 0], 120),
        firm.confidential.pk: ([15, 0, 0, 0, 0, 0, 0], 15),
    }
    assert (sheet.total, sheet.billable, sheet.day_totals[0]) == (195, 135, 135)
    # The assistant sees only the matters the gate shows them; and not the lead's sheet.
    assert client_for(firm.assistant).get(f"/time/week/?lawyer={firm.lead.pk}").status_code == 403
    finance = client_for(firm.finance).get(f"/time/week/?lawyer={firm.lead.pk}&week=2026-03-04")
    assert finance.status_code == 200
    assert finance.context["sheet"].total == 195
    assert "3.25" in finance.content.decode()  # 195 minutes


def test_a_week_at_the_ends_of_the_calendar_shows_this_week_not_a_500(firm):
    # The week of 0001-01-01 or 9999-12-31 overflowed finding its Monday and Sunday (HTTP
    # 500); a date outside the civil range is not read, as any unreadable one is not.
    this_week = week_of(timezone.localdate())
    for typed in ("0001-01-01", "9999-12-31"):
        page = client_for(firm.lead).get(f"/time/week/?week={typed}")
        assert page.status_code == 200
        assert page.context["sheet"].days[0] == this_week


def test_record_and_stop_through_the_pages(firm):
    lead = client_for(firm.lead)
    response = lead.post(
        f"/matters/{firm.matter.pk}/time/",
        {"time-work_date": "2026-03-02", "time-minutes": "90", "time-description": "起草"},
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.billable) == (90, False)  # the box was not ticked
    lead.post(f"/matters/{firm.matter.pk}/time/timer/", {"timer-description": "阅卷"})
    page = lead.get(f"/matters/{firm.matter.pk}/time/")
    assert page.context["running"] is not None
    refused = lead.post(f"/matters/{firm.matter.pk}/time/timer/", {"timer-description": "x"})
    assert refused.status_code == 422
    assert refused.context["timer_form"].non_field_errors() == [
        "您已有一个正在计时的计时器：请先停止再开始新的。"
    ]
    assert lead.post("/time/timer/stop/").status_code == 302
    assert TimeEntry.objects.filter(timer_stopped_at__isnull=False).count() == 1
