"""Reads for deadlines, hearings and the agenda — always through the matters gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db.models import Case, Count, Max, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.calendar.calculator import MemoryCalendar
from lexcase.calendar.limitation import Event, EventKind, LimitationState, limitation_state
from lexcase.calendar.models import (
    Deadline,
    Hearing,
    HolidayDay,
    HolidayYear,
    LimitationEvent,
    LimitationPeriod,
    ServedDocument,
)
from lexcase.calendar.rules_data import RULES
from lexcase.core.fixedsql import fixed_rows
from lexcase.matters.extensions import (
    AgendaItem,
    agenda_sources,
    matter_page_peek,
    matter_page_read,
)
from lexcase.matters.models import Matter
from lexcase.matters.selectors import MatterSet, matters_visible_to, visible_through

ACTIVE_DEADLINE = (Deadline.Status.OPEN,)


def calendar_version() -> str:
    # Microseconds and the day count: two saves within one second must not share a version.
    years = HolidayYear.objects.aggregate(latest=Max("updated_at"), n=Count("id"))
    stamp = years["latest"].isoformat() if years["latest"] else "empty"
    return f"{stamp}:{years['n']}:{HolidayDay.objects.count()}"


_cache: dict[str, MemoryCalendar] = {}


def calendar_data() -> MemoryCalendar:
    """The holiday table as an in-memory calendar, rebuilt only when the data changes."""
    version = calendar_version()
    cached = _cache.get(version)
    if cached is None:
        entries, names = {}, {}
        for day, kind, name in HolidayDay.objects.values_list("date", "kind", "name"):
            entries[day] = kind
            names[day] = name
        published = set(
            HolidayYear.objects.filter(status=HolidayYear.Status.PUBLISHED).values_list(
                "year", flat=True
            )
        )
        cached = MemoryCalendar(entries=entries, published_years=published, names=names)
        _cache.clear()
        _cache[version] = cached
    return cached


# What needs the lawyer first: dates to confirm, the open ones, then the missed, done and
# dismissed ones (the status codes themselves sort done before open).
_STATUS_RANK = Case(
    When(status=Deadline.Status.PROPOSED, then=Value(0)),
    When(status=Deadline.Status.OPEN, then=Value(1)),
    When(status=Deadline.Status.MISSED, then=Value(2)),
    When(status=Deadline.Status.DONE, then=Value(3)),
    default=Value(4),
)


def matter_deadlines(*, matter: Matter) -> QuerySet[Deadline]:
    # `matter` has passed the gate (matter_get) already.
    return matter.deadlines.select_related("responsible").order_by(_STATUS_RANK, "due_date", "id")


# The matter page's reads of its deadlines and hearings (matters.extensions.matter_page_read):
# the deadlines card and the portal card share them.
PAGE_DEADLINES = "calendar.deadlines"
PAGE_HEARINGS = "calendar.hearings"


def matter_deadline_rows(*, matter: Matter) -> list[Deadline]:
    return matter_page_read(
        matter,
        PAGE_DEADLINES,
        lambda: fixed_rows(PAGE_DEADLINES, lambda m: matter_deadlines(matter=m), matter),
    )


def matter_hearing_rows(*, matter: Matter) -> list[Hearing]:
    return matter_page_read(
        matter,
        PAGE_HEARINGS,
        lambda: fixed_rows(PAGE_HEARINGS, lambda m: matter_hearings(matter=m), matter),
    )


def matter_open_deadlines(*, matter: Matter) -> list[Deadline]:
    """The open deadlines by due date; from the matter page's read when there is one (its
    order, the status's rank then due date, keeps the open ones in due-date order)."""
    rows: list[Deadline] | None = matter_page_peek(matter, PAGE_DEADLINES)
    if rows is None:
        return list(
            Deadline.objects.filter(matter=matter, status=Deadline.Status.OPEN).order_by(
                "due_date", "id"
            )
        )
    return [d for d in rows if d.status == Deadline.Status.OPEN]


def matter_recent_hearings(*, matter: Matter, limit: int = 20) -> list[Hearing]:
    """The latest `limit` hearings, newest first; from the matter page's read when there is
    one (sorted by id, then stably by start descending: the query's order)."""
    rows: list[Hearing] | None = matter_page_peek(matter, PAGE_HEARINGS)
    if rows is None:
        return list(Hearing.objects.filter(matter=matter).order_by("-starts_at", "id")[:limit])
    by_id = sorted(rows, key=lambda h: h.pk)
    return sorted(by_id, key=lambda h: h.starts_at, reverse=True)[:limit]


def matter_served_documents(*, matter: Matter) -> list[ServedDocument]:
    return fixed_rows("calendar.served", lambda m: m.served_documents.all(), matter)


def served_document_get(*, user: AnyUser, pk: Any) -> ServedDocument:
    """A served document on a matter ``user`` can see; 404 otherwise (no existence leak)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    doc = (
        ServedDocument.objects.filter(pk=pk, matter__in=matters_visible_to(user))
        .select_related("matter")
        .first()
    )
    if doc is None:
        raise Http404
    return doc


def matter_hearings(*, matter: Matter) -> QuerySet[Hearing]:
    return matter.hearings.prefetch_related("attendees").order_by("starts_at")


@dataclass(frozen=True)
class LimitationRow:
    period: LimitationPeriod
    state: LimitationState
    events: list[LimitationEvent]


def matter_limitations(*, matter: Matter, lang: str = "zh") -> list[LimitationRow]:
    rows: list[LimitationRow] = []
    periods = fixed_rows(
        "calendar.limitations",
        lambda m: m.limitation_periods.prefetch_related("events").order_by("id"),
        matter,
    )
    if not periods:  # the holiday calendar (two queries to check its version) not needed
        return rows
    cal = calendar_data()
    for period in periods:
        events = list(period.events.all())
        state = limitation_state(
            rule=RULES[period.rule_id],
            start=period.start_date,
            # The model's choices are the calculator's event kinds.
            events=[Event(cast(EventKind, e.kind), e.day, e.note) for e in events],
            cal=cal,
            lang=lang,
        )
        rows.append(LimitationRow(period=period, state=state, events=events))
    return rows


def limitation_get(*, user: AnyUser, pk: Any) -> LimitationPeriod:
    period = (
        LimitationPeriod.objects.filter(pk=pk, matter__in=matters_visible_to(user))
        .select_related("matter")
        .first()
        if str(pk).isdigit()
        else None
    )
    if period is None:
        raise Http404
    return period


def deadline_get(*, user: AnyUser, pk: Any) -> Deadline:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    deadline = (
        Deadline.objects.filter(pk=pk, matter__in=matters_visible_to(user))
        .select_related("matter", "responsible")
        .first()
    )
    if deadline is None:
        raise Http404
    return deadline


# The agenda's tags of the calendar's own items.
DEADLINE_LABEL = gettext_lazy("Deadline")
HEARING_LABEL = gettext_lazy("Hearing")


def _deadline_item(d: Deadline) -> AgendaItem:
    return AgendaItem(
        kind="deadline",
        day=d.due_date,
        at=d.due_time,
        title=d.display_title,
        matter=d.matter,
        priority=d.matter.priority,
        provisional=d.provisional,
        obj=d,
        label=DEADLINE_LABEL,
        feed_prefix="【期限】",
    )


def _from_sources(
    *, user: AnyUser, start: date | None, end: date, mine_only: bool
) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    for source in agenda_sources():
        items.extend(source(user=user, start=start, end=end, mine_only=mine_only))
    return items


def agenda_items(*, user: User, start: date, end: date, mine_only: bool = True) -> list[AgendaItem]:
    """Deadlines and hearings between start and end (inclusive) on matters the user can see,
    with what other apps add (tasks, client updates); with `mine_only`, those the user is
    responsible for or attends. Two queries, plus one per agenda source."""
    visible = visible_through(user)
    deadlines = Deadline.objects.filter(
        visible, status=Deadline.Status.OPEN, due_date__gte=start, due_date__lte=end
    ).select_related("matter")
    tz = timezone.get_current_timezone()
    start_dt = datetime.combine(start, time.min, tzinfo=tz)
    end_dt = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    hearings = Hearing.objects.filter(
        visible, starts_at__gte=start_dt, starts_at__lt=end_dt
    ).select_related("matter")
    if mine_only:
        deadlines = deadlines.filter(responsible=user)
        hearings = hearings.filter(attendees=user)
    items = [_deadline_item(d) for d in deadlines]
    for h in hearings:
        local = timezone.localtime(h.starts_at)
        items.append(
            AgendaItem(
                kind="hearing",
                day=local.date(),
                at=local.time(),
                title=h.title or h.court,
                matter=h.matter,
                priority=h.matter.priority,
                obj=h,
                label=HEARING_LABEL,
                feed_prefix="【开庭】",
            )
        )
    items.extend(_from_sources(user=user, start=start, end=end, mine_only=mine_only))
    return sorted(items, key=lambda i: i.sort_key)


def agenda_overdue(*, user: User, today: date) -> list[AgendaItem]:
    deadlines = (
        Deadline.objects.filter(
            status=Deadline.Status.OPEN,
            due_date__lt=today,
            responsible=user,
        )
        .filter(visible_through(user))
        .select_related("matter")
    )
    items = [_deadline_item(d) for d in deadlines]
    yesterday = today - timedelta(days=1)
    items.extend(_from_sources(user=user, start=None, end=yesterday, mine_only=True))
    # What is late is read by urgency first: a lapsed deadline before a late reminder, then
    # a late P1 before an older late P3.
    return sorted(items, key=lambda i: (not i.hard, i.priority, i.day, i.at or time.max, i.title))


def deadlines_of(*, matters: MatterSet) -> QuerySet[Deadline]:
    """Deadlines of `matters`, a set the caller took from the gate (firm aggregates)."""
    return Deadline.objects.filter(matters.rows("matter"))


def deadlines_export(
    *, user: AnyUser, status: str = "", start: date | None = None, end: date | None = None
) -> QuerySet[Deadline]:
    """Deadlines on matters the user can see, for the export: by default the live ones
    (proposed and open), else the `status` asked for; by due date."""
    qs = Deadline.objects.filter(visible_through(user)).select_related("matter", "responsible")
    if status in Deadline.Status.values:
        qs = qs.filter(status=status)
    elif status != "all":
        qs = qs.filter(status__in=(Deadline.Status.PROPOSED, Deadline.Status.OPEN))
    if start:
        qs = qs.filter(due_date__gte=start)
    if end:
        qs = qs.filter(due_date__lte=end)
    return qs.order_by("due_date", "due_time", "id")
