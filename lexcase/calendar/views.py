"""Agenda, deadline and hearing pages, the ICS feed and the holiday calendar."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.rules import second_factor_pending
from lexcase.audit.services import audit_record
from lexcase.calendar import selectors, services
from lexcase.calendar.calculator import is_rest_day
from lexcase.calendar.forms import (
    ConfirmForm,
    DeadlineForm,
    EffectiveForm,
    HearingForm,
    HolidayYearForm,
    LimitationEventForm,
    LimitationForm,
    ServedForm,
)
from lexcase.calendar.models import CalendarFeed, HolidayYear
from lexcase.core.exports import table_response
from lexcase.core.validators import civil_day
from lexcase.matters.actions import matter_action
from lexcase.matters.services import matters_record_list_read


@login_required
@require_GET
def agenda(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming = selectors.agenda_items(user=request.user, start=today, end=today + timedelta(days=7))
    overdue = selectors.agenda_overdue(user=request.user, today=today)
    _record_agenda_read(request.user, "calendar:agenda", [*overdue, *upcoming])
    return render(
        request,
        "calendar/agenda.html",
        {
            "today": today,
            "overdue": overdue,
            "today_items": [i for i in upcoming if i.day == today],
            "week_items": [i for i in upcoming if i.day > today],
        },
    )


def _record_agenda_read(user: Any, page: str, items: Any, via: str = "") -> None:
    """The agenda names each item's deadline, hearing or task: a read of their matters."""
    matters_record_list_read(
        actor=user, page=page, matter_ids=[i.matter.pk for i in items if i.matter], via=via
    )


DEADLINE_EXPORT_CAP = 20_000


@login_required
@require_GET
def deadline_export(request: AuthedRequest) -> HttpResponse:
    """Deadlines of the matters the user can see as Excel (or `?format=csv`): `status`
    (default: proposed and open; `all`), `start`/`end` (ISO due dates); capped, audited."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    status = request.GET.get("status", "")
    start, end = day("start"), day("end")
    deadlines = list(
        selectors.deadlines_export(user=request.user, status=status, start=start, end=end)[
            :DEADLINE_EXPORT_CAP
        ]
    )
    audit_record(
        actor=request.user,
        action="calendar.deadlines_export",
        data={
            "filters": {
                k: str(v) for k, v in (("status", status), ("start", start), ("end", end)) if v
            },
            "rows": len(deadlines),
        },
    )
    rows = (
        [
            d.due_date,
            d.due_time.strftime("%H:%M") if d.due_time else "",
            d.title,
            d.get_status_display(),
            d.matter.number,
            d.matter.title,
            d.responsible.display_name if d.responsible else "",
            d.citation,
        ]
        for d in deadlines
    )
    headers = [
        _("Due date"),
        _("Due time"),
        _("Title"),
        _("Status"),
        _("Number"),
        _("Matter"),
        _("Responsible"),
        _("Legal basis"),
    ]
    return table_response(
        filename=_("deadlines") + timezone.localdate().strftime("-%Y%m%d"),
        headers=headers,
        rows=rows,
        as_csv=request.GET.get("format") == "csv",
    )


def _run(
    request: AuthedRequest, matter_id: int, run: Any, form: Any = None, **heading: Any
) -> HttpResponse:
    return matter_action(request, matter_id, "matters.change_matter", run, form, **heading)


@login_required
@require_POST
def served_record(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: dict) -> None:
        services.served_document_record(actor=request.user, matter=matter, **data)

    return _run(request, pk, run, ServedForm(request.POST, prefix="served"))


@login_required
@require_POST
def served_effective(request: AuthedRequest, doc_id: int) -> HttpResponse:
    doc = selectors.served_document_get(user=request.user, pk=doc_id)

    def run(matter: Any, data: dict) -> None:
        services.served_document_effective(
            actor=request.user, document=doc, effective_date=data.get("effective_date")
        )

    return _run(
        request,
        doc.matter_id,
        run,
        EffectiveForm(request.POST),
        title=_("No appeal filed"),
        submit=_("Record and propose deadlines"),
    )


@login_required
@require_POST
def deadline_create(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: dict) -> None:
        services.deadline_create(actor=request.user, matter=matter, **data)

    return _run(request, pk, run, DeadlineForm(request.POST, prefix="deadline"))


@login_required
@require_POST
def hearing_create(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: dict) -> list[str]:
        _hearing, warnings = services.hearing_create(
            actor=request.user,
            matter=matter,
            court=data["court"],
            city=data["city"],
            courtroom=data["courtroom"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            attendees=list(data["attendees"]),
        )
        return warnings

    return _run(request, pk, run, HearingForm(request.POST, prefix="hearing"))


def _deadline_action(
    request: AuthedRequest, deadline_id: int, run: Any, form: Any = None
) -> HttpResponse:
    deadline = selectors.deadline_get(user=request.user, pk=deadline_id)

    def wrapped(matter: Any, data: dict) -> None:
        run(deadline, data)

    return _run(
        request, deadline.matter_id, wrapped, form, title=deadline.title, submit=_("Confirm")
    )


@login_required
@require_POST
def deadline_confirm(request: AuthedRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        lambda d, data: services.deadline_confirm(
            actor=request.user, deadline=d, due_date=data.get("due_date")
        ),
        ConfirmForm(request.POST),
    )


@login_required
@require_POST
def deadline_dismiss(request: AuthedRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        lambda d, data: services.deadline_dismiss(actor=request.user, deadline=d),
    )


@login_required
@require_POST
def deadline_done(request: AuthedRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        lambda d, data: services.deadline_complete(actor=request.user, deadline=d),
    )


def _feed_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@login_required
@require_http_methods(["GET", "POST"])
def feed_settings(request: AuthedRequest) -> HttpResponse:
    """Show or reset the secret ICS feed URL (shown once after a reset)."""
    url = None
    if request.method == "POST":
        raw = secrets.token_urlsafe(32)
        CalendarFeed.objects.update_or_create(
            user=request.user, defaults={"token_hash": _feed_hash(raw)}
        )
        url = request.build_absolute_uri(f"/calendar/feed/{raw}.ics")
    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "calendar/feed.html", {"url": url, "has_feed": has_feed})


@require_GET
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The user's agenda as iCalendar; the secret in the URL stands in for a login."""
    # icalendar loads only for feed requests (heavy libraries are imported lazily).
    from icalendar import Calendar, Event

    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_feed_hash(token)).first()
    # The secret stands in for a sign-in, never for the second factor the owner's role
    # requires: while it is pending (a lost phone, where the feed is subscribed) nothing.
    if feed is None or not feed.user.is_active or second_factor_pending(feed.user):
        raise Http404
    today = timezone.localdate()
    items = selectors.agenda_items(
        user=feed.user, start=today - timedelta(days=30), end=today + timedelta(days=365)
    )
    # The secret stands in for the owner's sign-in: each fetch is their read of the matters
    # it names, on record like the agenda page.
    _record_agenda_read(feed.user, "calendar:feed_ics", items, via="feed")
    cal = Calendar()
    cal.add("prodid", "-//LexCase//agenda//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "LexCase")
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid}@lexcase")
        event.add("summary", f"{item.feed_prefix}{item.summary}")
        if item.kind == "hearing":
            event.add("dtstart", item.obj.starts_at)
            event.add("dtend", item.obj.ends_at or item.obj.starts_at + timedelta(hours=2))
            event.add("location", f"{item.obj.court} {item.obj.courtroom}".strip())
        else:
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
        event.add("dtstamp", timezone.now())
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _parse_days(text: str, year: int) -> list[tuple[date, str, str]]:
    rows = []
    errors = []
    for i, row in enumerate(csv.reader(io.StringIO(text.strip())), start=1):
        if not row or not "".join(row).strip():
            continue
        if i == 1 and row[0].strip().lower() == "date":
            continue
        try:
            day = date.fromisoformat(row[0].strip())
            kind = row[1].strip().lower()
            name = row[2].strip() if len(row) > 2 else ""
        except (ValueError, IndexError):
            errors.append(_("Row %(row)d: expected date,kind,name.") % {"row": i})
            continue
        rows.append((day, kind, name))
    if errors:
        raise ValidationError({"csv": errors})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def holidays(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("calendar.manage_holidays"):
        raise PermissionDenied
    form = HolidayYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            days = _parse_days(data["csv"], data["year"])
            moved = services.holiday_year_set(
                actor=request.user, year=data["year"], days=days, source=data["source"]
            )
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Holiday data for %(year)d saved; %(n)d deadline moved.",
                    "Holiday data for %(year)d saved; %(n)d deadlines moved.",
                    len(moved),
                )
                % {"year": data["year"], "n": len(moved)},
            )
            return redirect("calendar:holidays")
    this_year = timezone.localdate().year
    years = {y.year: y for y in HolidayYear.objects.all()}
    rows = [(year, years.get(year)) for year in range(this_year - 2, this_year + 3)]
    # Refused: the form as typed with its errors, nothing saved.
    status = 422 if request.method == "POST" else 200
    return render(request, "calendar/holidays.html", {"form": form, "rows": rows}, status=status)


@login_required
@require_POST
def limitation_create(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: dict) -> None:
        services.limitation_period_create(actor=request.user, matter=matter, **data)

    return _run(request, pk, run, LimitationForm(request.POST, prefix="limitation"))


@login_required
@require_POST
def limitation_event_add(request: AuthedRequest, period_id: int) -> HttpResponse:
    period = selectors.limitation_get(user=request.user, pk=period_id)

    def run(matter: Any, data: dict) -> None:
        services.limitation_event_add(actor=request.user, period=period, **data)

    return _run(
        request,
        period.matter_id,
        run,
        LimitationEventForm(request.POST, prefix=f"ev{period.pk}"),
        title=_("Record an interruption or suspension"),
        submit=_("Add"),
    )


def _parse_day(value: str | None, default: date) -> date:
    """The day typed in the query string, or `default` when it is unreadable or outside the
    civil range (the weeks around 0001-01-01 and 9999-12-31 overflow)."""
    try:
        day = date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return civil_day(day) or default


@login_required
@require_GET
def agenda_week(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    start = _parse_day(request.GET.get("start"), today)
    start -= timedelta(days=start.weekday())  # weeks start on Monday
    days = [start + timedelta(days=i) for i in range(7)]
    items = selectors.agenda_items(user=request.user, start=days[0], end=days[-1])
    _record_agenda_read(request.user, "calendar:agenda_week", items)
    columns = [(day, [i for i in items if i.day == day]) for day in days]
    return render(
        request,
        "calendar/week.html",
        {
            "columns": columns,
            "today": today,
            "prev": (start - timedelta(days=7)).isoformat(),
            "next": (start + timedelta(days=7)).isoformat(),
            "rest_days": {d for d in days if is_rest_day(selectors.calendar_data(), d)},
        },
    )


@login_required
@require_GET
def agenda_month(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    first = _parse_day((request.GET.get("month") or "") + "-01", today.replace(day=1))
    first = first.replace(day=1)
    grid_start = first - timedelta(days=first.weekday())
    next_month = (first + timedelta(days=32)).replace(day=1)
    grid_end = next_month + timedelta(days=(6 - next_month.weekday()) % 7)
    if grid_end < next_month:
        grid_end = next_month
    items = selectors.agenda_items(user=request.user, start=grid_start, end=grid_end)
    _record_agenda_read(request.user, "calendar:agenda_month", items)
    cal = selectors.calendar_data()
    weeks = []
    day = grid_start
    while day < next_month or day.weekday() != 0:
        week = []
        for _i in range(7):
            week.append(
                {
                    "day": day,
                    "in_month": day.month == first.month,
                    "rest": is_rest_day(cal, day),
                    "items": [i for i in items if i.day == day],
                }
            )
            day += timedelta(days=1)
        weeks.append(week)
    return render(
        request,
        "calendar/month.html",
        {
            "weeks": weeks,
            "first": first,
            "today": today,
            "prev": (first - timedelta(days=1)).strftime("%Y-%m"),
            "next": next_month.strftime("%Y-%m"),
        },
    )
