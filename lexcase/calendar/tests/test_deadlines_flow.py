"""A served judgment → proposed deadlines → confirmed → agenda, ICS feed; gate everywhere."""

from __future__ import annotations

import importlib
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lexcase.accounts.services import api_token_create
from lexcase.calendar import services
from lexcase.calendar.models import Deadline, Hearing, HolidayYear, LimitationPeriod
from lexcase.calendar.rules_data import RULES
from lexcase.calendar.selectors import agenda_items
from lexcase.matters.services import matter_open
from lexcase.notifications.models import Notification
from lexcase.testing import approve_intake, client_for

pytestmark = pytest.mark.django_db


def feed_token(client) -> str:
    page = client.post("/calendar/feed/").content.decode()
    return re.search(r"/calendar/feed/([\w-]+)\.ics", page).group(1)


def api(user):
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def opened(firm):
    approve_intake(firm.matter, firm.partner)
    matter_open(actor=firm.partner, matter=firm.matter)
    return firm


@time_machine.travel(datetime(2025, 9, 20, 9, 0, tzinfo=timezone.get_fixed_timezone(480)))
def test_served_judgment_proposes_appeal_deadline_over_national_day(opened):
    firm = opened
    _doc, proposals = services.served_document_record(
        actor=firm.lead,
        matter=firm.matter,
        kind="judgment",
        service_date=date(2025, 9, 16),
        method="direct",
    )
    by_rule = {d.rule_id: d for d in proposals}
    assert "civil.appeal.judgment" in by_rule
    assert "civil.appeal.no_domicile" not in by_rule
    appeal = by_rule["civil.appeal.judgment"]
    assert (appeal.status, appeal.due_date, appeal.provisional) == (
        "proposed",
        date(2025, 10, 9),
        False,
    )
    assert appeal.responsible == firm.lead
    assert any("2025-10-09" in step for step in appeal.explanation)
    # Proposed deadlines are not on anyone's agenda until a lawyer confirms them.
    window = {"start": date(2025, 9, 20), "end": date(2025, 10, 31)}
    assert agenda_items(user=firm.lead, **window) == []
    services.deadline_confirm(actor=firm.lead, deadline=appeal)
    assert [i.obj for i in agenda_items(user=firm.lead, **window)] == [appeal]
    # Nobody who cannot see the matter gets it, even when "all visible" is asked for.
    for user in (firm.outsider, firm.walled, firm.finance):
        assert agenda_items(user=user, mine_only=False, **window) == []
    assert [i.obj for i in agenda_items(user=firm.admin, mine_only=False, **window)] == [appeal]


def test_confirm_with_edited_date_is_kept_on_recompute(opened):
    firm = opened
    _doc, proposals = services.served_document_record(
        actor=firm.lead,
        matter=firm.matter,
        kind="ruling",
        service_date=date(2026, 2, 10),
        method="post",
    )
    ruling = next(d for d in proposals if d.rule_id == "civil.appeal.ruling")
    assert ruling.due_date == date(2026, 2, 24)
    services.deadline_confirm(actor=firm.lead, deadline=ruling, due_date=date(2026, 2, 20))
    assert services.deadlines_recompute(actor=None) == []
    ruling.refresh_from_db()
    assert (ruling.due_date, ruling.date_overridden) == (date(2026, 2, 20), True)


def test_unpublished_year_is_provisional_and_recomputed_when_published(opened):
    firm = opened
    deadline = Deadline.objects.create(
        matter=firm.matter,
        title="上诉期",
        due_date=date(2027, 1, 4),
        status="open",
        responsible=firm.lead,
        rule_id="civil.appeal.judgment",
        trigger_date=date(2026, 12, 20),
    )
    assert services.deadlines_recompute(actor=None) == []
    deadline.refresh_from_db()
    assert (deadline.due_date, deadline.provisional) == (date(2027, 1, 4), True)
    # The 2027 notice (hypothetical here) makes 2027-01-04 a rest day.
    moved = services.holiday_year_set(
        actor=firm.admin,
        year=2027,
        source="国办发明电〔2026〕测试",
        days=[(date(2027, 1, 1), "rest", "元旦"), (date(2027, 1, 4), "rest", "元旦")],
    )
    assert [d.pk for d in moved] == [deadline.pk]
    deadline.refresh_from_db()
    assert (deadline.due_date, deadline.provisional) == (date(2027, 1, 5), False)
    assert HolidayYear.objects.get(year=2027).status == "published"
    assert firm.matter.timeline.filter(kind="deadline_moved").count() == 1

    note = Notification.objects.get(user=firm.lead, kind="deadline_moved")
    assert "2027-01-04" in note.text and "2027-01-05" in note.text


def test_holiday_year_rejects_bad_rows_and_changes_nothing(firm):
    with pytest.raises(ValidationError):
        services.holiday_year_set(
            actor=firm.admin,
            year=2027,
            source="x",
            days=[(date(2028, 1, 1), "rest", ""), (date(2027, 1, 2), "nap", "")],
        )
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_compute_api_answers_every_rule(firm):
    client = api(firm.lead)
    for rule_id in RULES:
        response = client.post(
            "/api/v1/deadlines/compute",
            {"rule": rule_id, "trigger_date": "2025-09-16"},
            content_type="application/json",
        )
        assert response.status_code == 200, (rule_id, response.content)
        body = response.json()
        assert body["rule"] == rule_id and body["citation"] and body["explanation"]


def test_compute_api_worked_example_and_provisional(firm):
    client = api(firm.lead)
    body = client.post(
        "/api/v1/deadlines/compute",
        {"rule": "civil.appeal.judgment", "trigger_date": "2026-12-20"},
        content_type="application/json",
    ).json()
    assert (body["due_date"], body["provisional"]) == ("2027-01-04", True)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rule": "civil.nonsense", "trigger_date": "2026-01-01"}, "rule"),
        ({"rule": "civil.appeal.judgment", "trigger_date": "2026-13-01"}, "trigger_date"),
        ({"rule": "civil.appeal.judgment"}, "trigger_date"),
    ],
)
def test_compute_api_names_the_bad_field(firm, payload, field):
    response = api(firm.lead).post(
        "/api/v1/deadlines/compute", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_ics_feed_shows_only_visible_confirmed_deadlines(opened):
    firm = opened
    today = timezone.localdate()
    services.deadline_create(
        actor=firm.lead,
        matter=firm.matter,
        title="举证期限届满",
        due_date=today + timedelta(days=3),
    )
    client = client_for(firm.lead)
    url = feed_token(client)
    ics = Client().get(f"/calendar/feed/{url}.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert "举证期限届满" in ics.content.decode()
    # Walling the lead off the matter removes it from the feed at once.
    from lexcase.matters.services import matter_wall_add

    matter_wall_add(actor=firm.partner, matter=firm.matter, user=firm.lead, reason="test")
    assert "举证期限届满" not in Client().get(f"/calendar/feed/{url}.ics").content.decode()


def test_reset_feed_invalidates_old_url(firm):
    client = client_for(firm.lead)
    first = (
        client.post("/calendar/feed/").content.decode().split("/calendar/feed/")[1].split(".ics")[0]
    )
    client.post("/calendar/feed/")
    assert Client().get(f"/calendar/feed/{first}.ics").status_code == 404


def test_hearing_clash_warning(opened):
    firm = opened
    tz = timezone.get_current_timezone()
    services.hearing_create(
        actor=firm.lead,
        matter=firm.matter,
        court="北京市朝阳区人民法院",
        city="北京",
        starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=tz),
        attendees=[firm.lead],
    )
    _h, warnings = services.hearing_create(
        actor=firm.lead,
        matter=firm.matter,
        court="上海市浦东新区人民法院",
        city="上海",
        starts_at=datetime(2026, 12, 1, 11, 30, tzinfo=tz),
        attendees=[firm.lead],
    )
    assert len(warnings) == 1 and "北京市朝阳区人民法院" in warnings[0]
    _h, none = services.hearing_create(
        actor=firm.lead,
        matter=firm.matter,
        court="北京市朝阳区人民法院",
        city="北京",
        starts_at=datetime(2026, 12, 1, 15, 0, tzinfo=tz),
        attendees=[firm.lead],
    )
    assert none == []


def test_hearing_with_nobody_named_is_the_lead_lawyers(opened):
    """An assistant (or the lead) adds a hearing and leaves 出庭人员 empty: the lead lawyer
    attends, so the hearing is on their agenda (and feed, digest, clash check). It was on
    nobody's: the agenda lists the hearings one attends."""
    firm = opened
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + timedelta(days=1)
    response = client_for(firm.assistant).post(
        f"/matters/{firm.matter.pk}/hearings/",
        {"hearing-court": "北京市朝阳区人民法院", "hearing-starts_at": f"{day}T09:00"},
    )
    assert response.status_code == 302
    hearing = firm.matter.hearings.get()
    assert list(hearing.attendees.all()) == [firm.lead]
    items = agenda_items(user=firm.lead, start=day, end=day)
    assert [(i.kind, i.obj) for i in items if i.kind == "hearing"] == [("hearing", hearing)]
    # Someone named is who attends, the lead only when named.
    other, _w = services.hearing_create(
        actor=firm.lead,
        matter=firm.matter,
        court="北京市朝阳区人民法院",
        starts_at=datetime(day.year, day.month, day.day, 14, 0, tzinfo=tz),
        attendees=[firm.assistant],
    )
    assert list(other.attendees.all()) == [firm.assistant]


def test_migration_gives_upcoming_hearings_without_attendees_to_the_lead(opened):
    """Hearings saved with nobody attending before hearing_create named the lead lawyer were
    on nobody's agenda; migration 0008 gives the ones still to come to the lead lawyer and
    leaves past ones and those with attendees as recorded."""
    step = importlib.import_module("lexcase.calendar.migrations.0008_hearing_lead_attends")
    firm = opened
    now = timezone.now()
    court = "北京市朝阳区人民法院"
    at = {"matter": firm.matter, "court": court}
    coming = Hearing.objects.create(**at, starts_at=now + timedelta(days=2))
    past = Hearing.objects.create(**at, starts_at=now - timedelta(days=2))
    named = Hearing.objects.create(**at, starts_at=now + timedelta(days=3))
    named.attendees.add(firm.assistant)
    step.lead_attends_upcoming(apps, None)
    assert list(coming.attendees.all()) == [firm.lead]
    assert list(past.attendees.all()) == []
    assert list(named.attendees.all()) == [firm.assistant]
    day = timezone.localdate(coming.starts_at)
    items = agenda_items(user=firm.lead, start=day, end=day)
    assert [i.obj for i in items if i.kind == "hearing"] == [coming]


def test_agenda_page_lists_overdue_today_and_week(opened):
    firm = opened
    today = timezone.localdate()
    for title, delta in (("逾期", -2), ("今天", 0), ("三天后", 3), ("下个月", 30)):
        services.deadline_create(
            actor=firm.lead, matter=firm.matter, title=title, due_date=today + timedelta(days=delta)
        )
    response = client_for(firm.lead).get("/agenda/")
    ctx = response.context

    def deadlines(items):  # opening the matter also put its checklist tasks on the agenda
        return [i.title for i in items if i.kind == "deadline"]

    assert deadlines(ctx["overdue"]) == ["逾期"]
    assert deadlines(ctx["today_items"]) == ["今天"]
    assert deadlines(ctx["week_items"]) == ["三天后"]
    assert client_for(firm.outsider).get("/agenda/").context["today_items"] == []


def test_limitation_period_on_the_matter_page(opened):
    firm = opened
    client = client_for(firm.lead)
    client.post(
        f"/matters/{firm.matter.pk}/limitations/",
        {
            "limitation-claim": "货款请求权",
            "limitation-rule_id": "limitation.general",
            "limitation-start_date": "2024-03-01",
        },
    )

    period = LimitationPeriod.objects.get()
    client.post(
        f"/limitations/{period.pk}/events/",
        {f"ev{period.pk}-kind": "interruption", f"ev{period.pk}-day": "2025-05-06"},
    )
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "货款请求权" in page
    assert "2028-05-08" in page  # 2028-05-06 is a Saturday
    # Outsiders cannot add events to it.
    assert (
        client_for(firm.outsider)
        .post(
            f"/limitations/{period.pk}/events/",
            {f"ev{period.pk}-kind": "interruption", f"ev{period.pk}-day": "2025-06-01"},
        )
        .status_code
        == 404
    )


def test_week_and_month_views(opened):
    firm = opened
    services.deadline_create(
        actor=firm.lead, matter=firm.matter, title="答辩期", due_date=date(2026, 10, 9)
    )
    client = client_for(firm.lead)
    week = client.get("/agenda/week/?start=2026-10-07")
    days = [day for day, _items in week.context["columns"]]
    assert days[0] == date(2026, 10, 5) and len(days) == 7
    assert [i.title for _d, items in week.context["columns"] for i in items] == ["答辩期"]
    assert date(2026, 10, 5) in week.context["rest_days"]  # National Day holiday week
    assert date(2026, 10, 10) not in week.context["rest_days"]  # 调休上班 Saturday
    month = client.get("/agenda/month/?month=2026-10")
    cells = [c for w in month.context["weeks"] for c in w]
    assert [c["items"][0].title for c in cells if c["items"]] == ["答辩期"]
    assert client.get("/agenda/month/?month=garbage").status_code == 200
    assert (
        client_for(firm.outsider).get("/agenda/week/?start=2026-10-07").context["columns"][4][1]
        == []
    )


@pytest.mark.parametrize(
    "path",
    [
        "/agenda/week/?start=9999-12-31",
        "/agenda/week/?start=0001-01-01",
        "/agenda/month/?month=9999-12",
        "/agenda/month/?month=0001-01",
    ],
)
def test_week_and_month_at_the_ends_of_the_calendar_show_today_not_a_500(firm, path):
    # The week after 9999-12-31 or before 0001-01-01 overflowed (HTTP 500); a day outside
    # the civil range is not read, as any unreadable one is not: today's week or month.
    today = timezone.localdate()
    page = client_for(firm.lead).get(path)
    if "week" in path:
        first = page.context["columns"][0][0]
        assert (page.status_code, first) == (200, today - timedelta(days=today.weekday()))
    else:
        cells = [c["day"] for w in page.context["weeks"] for c in w if c["in_month"]]
        assert (page.status_code, cells[0]) == (200, today.replace(day=1))
