"""Reads for comms — always through the matters gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.comms.models import (
    ClientUpdatePolicy,
    Communication,
    Direction,
    ProgressReport,
    UpdateInterval,
)
from lexcase.core.fixedsql import fixed_first, fixed_rows
from lexcase.matters.extensions import AgendaItem
from lexcase.matters.models import (
    Matter,
    MatterMember,
    MatterParty,
    MemberRole,
    PartyRole,
    Priority,
    Status,
)
from lexcase.matters.selectors import matters_visible_to, visible_through

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# How often each priority's client hears from us, unless the firm edits UpdateInterval
# rows or a matter has its own override (product.md §7).
DEFAULT_UPDATE_INTERVALS: dict[str, int] = {Priority.P1: 3, Priority.P2: 14, Priority.P3: 30}


# --- communication log -------------------------------------------------------------------


def matter_communications(*, matter: Matter, limit: int = 50) -> QuerySet[Communication]:
    # `matter` comes from matter_get, so it has passed the gate already.
    return (
        Communication.objects.filter(matter=matter)
        .select_related("created_by")
        .prefetch_related("team")
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class CommunicationFilters:
    lawyer: User | None = None  # a User: communications they logged or took part in
    party: Any = None  # a Party: communications on matters where it is a client
    client: str = ""  # part of a client's name
    start: date | None = None
    end: date | None = None
    matter: Any = None  # a Matter or its id


def communications_filter(
    *, user: AnyUser, filters: CommunicationFilters
) -> QuerySet[Communication]:
    """The firm-wide log: only rows on matters the user can see."""
    qs = Communication.objects.filter(visible_through(user))
    if filters.matter is not None:
        qs = qs.filter(matter=filters.matter)
    if filters.lawyer is not None:
        took_part = Communication.team.through.objects.filter(
            communication=OuterRef("pk"), user=filters.lawyer
        )
        qs = qs.filter(Q(created_by=filters.lawyer) | Exists(took_part))
    if filters.party is not None:
        qs = qs.filter(
            Exists(
                MatterParty.objects.filter(
                    matter=OuterRef("matter_id"), role=PartyRole.CLIENT, party=filters.party
                )
            )
        )
    if filters.client:
        qs = qs.filter(
            Exists(
                MatterParty.objects.filter(
                    matter=OuterRef("matter_id"),
                    role=PartyRole.CLIENT,
                    party__name__icontains=filters.client,
                )
            )
        )
    tz = timezone.get_current_timezone()
    if filters.start:
        qs = qs.filter(occurred_at__gte=datetime.combine(filters.start, time.min, tzinfo=tz))
    if filters.end:
        end = datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(occurred_at__lt=end)
    return (
        qs.select_related("matter", "created_by")
        .prefetch_related("team")
        .order_by("-occurred_at", "-id")
    )


def communication_get(*, user: AnyUser, pk: Any) -> Communication:

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    comm = (
        Communication.objects.filter(visible_through(user), pk=pk)
        .select_related("matter", "created_by")
        .first()
    )
    if comm is None:
        raise Http404
    return comm


def matter_reports(*, matter: Matter, limit: int = 10) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(matter=matter).select_related("created_by")[:limit]


# The matter page's reads of the communications card (fixed reads: core.fixedsql).
def matter_communication_rows(*, matter: Matter, limit: int) -> list[Communication]:
    return fixed_rows(
        ("comms.communications", limit),
        lambda m: matter_communications(matter=m, limit=limit),
        matter,
    )


def matter_report_rows(*, matter: Matter, limit: int = 10) -> list[ProgressReport]:
    return fixed_rows(
        ("comms.reports", limit), lambda m: matter_reports(matter=m, limit=limit), matter
    )


def matter_policy(*, matter: Matter) -> ClientUpdatePolicy | None:
    return fixed_first(
        "comms.policy", lambda m: ClientUpdatePolicy.objects.filter(matter=m), matter
    )


# --- client update cadence ---------------------------------------------------------------


def update_intervals() -> dict[str, int]:
    intervals = dict(DEFAULT_UPDATE_INTERVALS)
    rows: list[Any] = fixed_rows(
        "comms.intervals", lambda: UpdateInterval.objects.values_list("priority", "days")
    )
    intervals.update(dict(rows))
    return intervals


@dataclass(frozen=True)
class UpdateState:
    """Where a matter stands on its client update cadence."""

    matter: Matter
    interval_days: int
    last_outbound_at: datetime | None
    due_at: datetime  # when the client should have heard from us (next, or already passed)
    marked_reason: str  # the important event that made it due now, if that is why
    cycle: str  # one value per due cycle: identifies "this" lapse for notifications
    lead_id: int | None
    partner_id: int | None

    def is_due(self, now: datetime) -> bool:
        return self.due_at <= now

    @property
    def overdue_at(self) -> datetime:
        """Escalation point: a further interval past due."""
        return self.due_at + timedelta(days=self.interval_days)

    def is_overdue(self, now: datetime) -> bool:
        return self.overdue_at <= now


def _member_sub(role: str) -> Subquery:
    return Subquery(
        MatterMember.objects.filter(matter=OuterRef("pk"), role=role).values("user_id")[:1]
    )


class _UpdateColumns(TypedDict):
    last_out_at: datetime | None
    last_out_id: int | None
    override_days: int | None
    marked_at: datetime | None
    marked_why: str | None
    lead_uid: int | None
    partner_uid: int | None


def _annotated(matters: QuerySet[Matter]) -> QuerySet[WithAnnotations[Matter, _UpdateColumns]]:
    last_out = Communication.objects.filter(
        matter=OuterRef("pk"), direction=Direction.OUTBOUND
    ).order_by("-occurred_at", "-id")
    return matters.filter(status=Status.OPEN).annotate(
        last_out_at=Subquery(last_out.values("occurred_at")[:1]),
        last_out_id=Subquery(last_out.values("pk")[:1]),
        override_days=F("client_update_policy__interval_days"),
        marked_at=F("client_update_policy__marked_due_at"),
        marked_why=F("client_update_policy__marked_reason"),
        lead_uid=_member_sub(MemberRole.LEAD),
        partner_uid=_member_sub(MemberRole.RESPONSIBLE_PARTNER),
    )


def _due(
    *,
    interval: int,
    last_out_at: datetime | None,
    opened_on: date | None,
    created_at: datetime,
    marked_at: datetime | None,
    tz: Any,
) -> tuple[datetime, bool]:
    """When the client should hear from us, and whether a mark (an important event) made it
    due early. The one rule behind `UpdateState` and `update_compliance`."""
    if last_out_at is not None:
        base = last_out_at
    elif opened_on is not None:
        base = datetime.combine(opened_on, time.min, tzinfo=tz)
    else:
        base = created_at
    due_at = base + timedelta(days=interval)
    if marked_at is not None and marked_at > base and marked_at < due_at:
        return marked_at, True
    return due_at, False


def _state(m: WithAnnotations[Matter, _UpdateColumns], intervals: dict[str, int]) -> UpdateState:
    interval = m.override_days or intervals.get(m.priority, DEFAULT_UPDATE_INTERVALS["P2"])
    due_at, marked = _due(
        interval=interval,
        last_out_at=m.last_out_at,
        opened_on=m.opened_on,
        created_at=m.created_at,
        marked_at=m.marked_at,
        tz=timezone.get_current_timezone(),
    )
    reason = (m.marked_why or "") if marked else ""
    return UpdateState(
        matter=m,
        interval_days=interval,
        last_outbound_at=m.last_out_at,
        due_at=due_at,
        marked_reason=reason,
        # A new outbound contact starts a new cycle; marks within a cycle do not.
        cycle=str(m.last_out_id or 0),
        lead_id=m.lead_uid,
        partner_id=m.partner_uid,
    )


def update_states(matters: QuerySet[Matter]) -> list[UpdateState]:
    """Cadence state of the open matters in `matters` (callers pass a gated queryset, or
    all matters for the system job)."""
    intervals = update_intervals()
    return [_state(m, intervals) for m in _annotated(matters)]


def update_states_iter(matters: QuerySet[Matter], *, chunk_size: int = 2000):
    intervals = update_intervals()
    for m in _annotated(matters).iterator(chunk_size=chunk_size):
        yield _state(m, intervals)


def _cadence_state(*, days: int, now: datetime, today: date) -> Case:
    """0 within the cadence, 1 due, 2 overdue at `now`, for an open matter of interval `days`
    without a policy row (no override, no mark): `_due` and `UpdateState.is_due/is_overdue`
    restated as comparisons with fixed instants, so the database judges every matter and no
    row is read into Python. Due once `base + days <= now`, overdue once `base + 2 * days <=
    now`, where base is the last outbound contact (`Matter.last_outbound_at`), else the
    opening day's midnight (a date comparison with today), else the registration."""
    due, overdue = now - timedelta(days=days), now - timedelta(days=2 * days)
    return Case(
        When(last_outbound_at__gt=due, then=Value(0)),
        When(last_outbound_at__gt=overdue, then=Value(1)),
        When(last_outbound_at__isnull=False, then=Value(2)),
        When(opened_on__gt=today - timedelta(days=days), then=Value(0)),
        When(opened_on__gt=today - timedelta(days=2 * days), then=Value(1)),
        When(opened_on__isnull=False, then=Value(2)),
        When(created_at__gt=due, then=Value(0)),
        When(created_at__gt=overdue, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def update_state(*, now: datetime, intervals: dict[str, int]) -> Case:
    """An open matter's client-update state at `now` as an expression over the matter's own
    row: 0 within the cadence, 1 due, 2 overdue; NULL for a matter with a policy row (an
    override or a mark), which `policy_update_compliance` judges. `intervals` is
    `update_intervals()`. No probe of the log: the newest outbound contact is the matter's
    `last_outbound_at`, kept by triggers (lexcase/comms/last_contact.py), so the dashboards
    can group it with the other open-matter counts in one pass."""
    tz = timezone.get_current_timezone()
    default = intervals.get("P2", DEFAULT_UPDATE_INTERVALS["P2"])
    now_utc = now.astimezone(UTC)  # instants: `x + days <= now` is `x <= now - days` exactly
    today = timezone.localdate(now, tz)
    return Case(
        When(pk__in=ClientUpdatePolicy.objects.values("matter_id"), then=Value(None)),
        *(
            When(priority=p, then=_cadence_state(days=days, now=now_utc, today=today))
            for p, days in sorted(intervals.items())
        ),
        default=_cadence_state(days=default, now=now_utc, today=today),
        output_field=IntegerField(),
    )


def policy_update_compliance(
    matters: QuerySet[Matter],
    now: datetime,
    *,
    intervals: dict[str, int],
    counts: dict[str, list[int]],
) -> dict[str, list[int]]:
    """Add to `counts` (per priority: within, due, overdue) the open matters of `matters` that
    `update_state` leaves out: those with a policy row (few), read as plain values and judged
    by `_due`. One query."""
    tz = timezone.get_current_timezone()
    default = intervals.get("P2", DEFAULT_UPDATE_INTERVALS["P2"])
    rows = (
        matters.filter(status=Status.OPEN, client_update_policy__isnull=False)
        .values_list(
            "priority",
            "last_outbound_at",
            "opened_on",
            "created_at",
            "client_update_policy__interval_days",
            "client_update_policy__marked_due_at",
        )
        .order_by()
    )
    for priority, last_out_at, opened_on, created_at, override, marked_at in rows.iterator(
        chunk_size=5000
    ):
        interval = override or intervals.get(priority, default)
        due_at, _marked = _due(
            interval=interval,
            last_out_at=last_out_at,
            opened_on=opened_on,
            created_at=created_at,
            marked_at=marked_at,
            tz=tz,
        )
        row = counts.setdefault(priority, [0, 0, 0])
        if due_at + timedelta(days=interval) <= now:
            row[2] += 1
        elif due_at <= now:
            row[1] += 1
        else:
            row[0] += 1
    return counts


def update_compliance(matters: QuerySet[Matter], now: datetime) -> dict[str, list[int]]:
    """Per priority, how many open matters of `matters` (a gated queryset) are within their
    client-update cadence, due, or overdue at `now`: the judgement of `UpdateState`. Matters
    without a policy row (the bulk) are judged and counted by the database, grouped by
    priority and `update_state`; the few with an override or a mark by
    `policy_update_compliance`. Three queries whatever the firm's size (the dashboards group
    `update_state` with their other open-matter counts instead)."""
    intervals = update_intervals()
    open_ = matters.filter(status=Status.OPEN)
    counts: dict[str, list[int]] = {}
    grouped = (
        open_.annotate(update_state=update_state(now=now, intervals=intervals))
        .values_list("priority", "update_state")
        .annotate(n=Count("*"))
        .order_by()
    )
    for priority, state, n in grouped:
        if state is not None:
            counts.setdefault(priority, [0, 0, 0])[state] += n
    return policy_update_compliance(open_, now, intervals=intervals, counts=counts)


def matter_update_state(*, matter: Matter) -> UpdateState | None:
    intervals = update_intervals()
    rows = fixed_rows(
        "comms.update_state", lambda m: _annotated(Matter.objects.filter(pk=m.pk)), matter
    )
    return _state(rows[0], intervals) if rows else None


def updates_due(*, user: AnyUser, now: datetime, lawyer: User | None = None) -> list[UpdateState]:
    """Matters the user can see whose client update is due, most overdue first; with
    `lawyer`, only the matters that lawyer leads."""
    matters = matters_visible_to(user)
    if lawyer is not None:
        matters = matters.filter(members__user=lawyer, members__role=MemberRole.LEAD)
    states = [s for s in update_states(matters) if s.is_due(now)]
    return sorted(states, key=lambda s: (s.due_at, s.matter.pk))


# The agenda's tag of a client update due.
AGENDA_LABEL = gettext_lazy("Client update")


def agenda_source(*, user: User, start: date | None, end: date, mine_only: bool) -> list[Any]:
    """Client updates on the agenda: the lead sees each of their matters on the day its
    update falls due; the responsible partner sees it again on the day it is overdue.
    Without `mine_only`, every matter the user is on the team of."""

    roles = (
        [MemberRole.LEAD, MemberRole.RESPONSIBLE_PARTNER] if mine_only else list(MemberRole.values)
    )
    mine = MatterMember.objects.filter(user=user, role__in=roles).values("matter_id")
    matters = matters_visible_to(user).filter(pk__in=mine)
    items = []
    for state in update_states(matters):
        as_partner = state.partner_id == user.pk and state.lead_id != user.pk
        if mine_only and as_partner:
            when, title = state.overdue_at, _("Client update overdue")
        else:
            when, title = state.due_at, _("Client update due")
        day = timezone.localtime(when).date()
        if (start is not None and day < start) or day > end:
            continue
        if state.marked_reason:
            title = f"{title} ({state.marked_reason})"
        items.append(
            AgendaItem(
                kind="client_update",
                day=day,
                at=None,
                title=title,
                matter=state.matter,
                priority=state.matter.priority,
                obj=state,
                url=f"/matters/{state.matter.pk}/#communications",
                label=AGENDA_LABEL,
            )
        )
    return items


# How far back a progress report looks, and how many contacts it offers to mention.
REPORT_WINDOW_DAYS = 90
REPORT_MAX_COMMUNICATIONS = 10


def report_candidate_communications(*, matter: Matter) -> QuerySet[Communication]:
    """The recent contacts a lawyer may choose to mention in a client report. `matter` has
    passed the gate."""
    since = timezone.now() - timedelta(days=REPORT_WINDOW_DAYS)
    return Communication.objects.filter(matter=matter, occurred_at__gte=since).order_by(
        "-occurred_at", "-id"
    )[:REPORT_MAX_COMMUNICATIONS]
