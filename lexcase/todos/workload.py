"""Workload per lawyer and lead-lawyer suggestions (read-only; partners and admins).

The figures are firm-management aggregates: counts and weights per person, never a
matter's name or parties, so they may include matters the viewer cannot open.
Weights are configuration (settings `LEXCASE_WORKLOAD`), defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from lexcase.accounts.models import User
from lexcase.accounts.rules import is_lawyer
from lexcase.accounts.selectors import fee_earners
from lexcase.calendar.models import Deadline, Hearing
from lexcase.matters.models import EthicalWall, MatterMember, MemberRole, Status
from lexcase.todos.models import Task

DEFAULTS: dict[str, Any] = {
    "priority": {"P1": 3.0, "P2": 2.0, "P3": 1.0},
    # Stages not listed weigh 1.0.
    "stage": {"preparation": 0.5, "concluded": 0.25, "ongoing": 0.5, "enforcement": 0.75},
    # Role on the matter: the lead carries it, members and assistants share it.
    "role": {"lead": 1.0, "member": 0.5, "assistant": 0.5},
    # Weighted points a full-time lawyer carries; "free capacity" is what is left.
    "capacity": 30.0,
    "horizon_days": 14,
}


def weights() -> dict[str, Any]:
    configured = getattr(settings, "LEXCASE_WORKLOAD", {}) or {}
    return {key: configured.get(key, value) for key, value in DEFAULTS.items()}


@dataclass
class Load:
    user: User
    matters: int = 0
    weighted: float = 0.0
    by_priority: dict[str, int] = field(default_factory=lambda: {"P1": 0, "P2": 0, "P3": 0})
    hearings: int = 0
    deadlines: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0
    capacity: float = 0.0

    @property
    def free(self) -> float:
        return round(self.capacity - self.weighted, 1)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.weighted / self.capacity)) if self.capacity else 0


def lawyers(*, team_id: int | None = None, practice_area_id: int | None = None) -> list[User]:
    qs = fee_earners()
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if practice_area_id is not None:
        qs = qs.filter(practice_areas__id=practice_area_id)
    return list(qs.distinct().order_by("name", "username"))


def workload(*, team_id: int | None = None, practice_area_id: int | None = None) -> list[Load]:
    """One row per active lawyer and partner. Five queries whatever the firm's size."""
    w = weights()
    people = lawyers(team_id=team_id, practice_area_id=practice_area_id)
    rows = {u.pk: Load(user=u, capacity=float(w["capacity"])) for u in people}
    if not rows:
        return []
    ids = list(rows)
    now = timezone.now()
    today = timezone.localdate()
    horizon = today + timedelta(days=int(w["horizon_days"]))
    members = (
        MatterMember.objects.filter(
            user_id__in=ids,
            matter__status=Status.OPEN,
            role__in=(MemberRole.LEAD, MemberRole.MEMBER, MemberRole.ASSISTANT),
        )
        .values_list("user_id", "role", "matter__priority", "matter__stage")
        .annotate(n=Count("id"))
    )
    for user_id, role, priority, stage, n in members:
        row = rows[user_id]
        row.matters += n
        row.by_priority[priority] = row.by_priority.get(priority, 0) + n
        row.weighted += (
            n
            * float(w["priority"].get(priority, 1.0))
            * float(w["stage"].get(stage, 1.0))
            * float(w["role"].get(role, 1.0))
        )
    for user_id, n in (
        Deadline.objects.filter(
            responsible_id__in=ids,
            status=Deadline.Status.OPEN,
            due_date__gte=today,
            due_date__lte=horizon,
        )
        .values_list("responsible_id")
        .annotate(n=Count("id"))
    ):
        rows[user_id].deadlines = n
    for user_id, n in (
        Hearing.objects.filter(
            attendees__id__in=ids,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=int(w["horizon_days"])),
        )
        .values_list("attendees__id")
        .annotate(n=Count("id"))
    ):
        rows[user_id].hearings = n
    for user_id, open_n, overdue_n in (
        Task.objects.filter(assignee_id__in=ids)
        .exclude(status=Task.Status.DONE)
        .values_list("assignee_id")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    ):
        rows[user_id].open_tasks = open_n
        rows[user_id].overdue_tasks = overdue_n
    for row in rows.values():
        row.weighted = round(row.weighted, 1)
    return list(rows.values())


@dataclass(frozen=True)
class Suggestion:
    user: User
    area_match: bool
    free: float
    matters: int


def lead_suggestions(
    *, practice_area_id: int | None, matter_id: int | None = None, limit: int = 5
) -> list[Suggestion]:
    """Lawyers ranked by practice-area match, then free capacity. Anyone walled off the
    matter is never suggested."""
    loads = workload()
    walled: set[int] = set()
    if matter_id is not None:
        walled = set(
            EthicalWall.objects.filter(matter_id=matter_id).values_list("user_id", flat=True)
        )
    in_area: set[int] = set()
    if practice_area_id is not None:
        in_area = set(
            User.practice_areas.through.objects.filter(
                practicearea_id=practice_area_id
            ).values_list("user_id", flat=True)
        )
    ranked = sorted(
        (
            Suggestion(
                user=row.user, area_match=row.user.pk in in_area, free=row.free, matters=row.matters
            )
            for row in loads
            if row.user.pk not in walled and is_lawyer(row.user)
        ),
        key=lambda s: (not s.area_match, -s.free, s.user.username),
    )
    return ranked[:limit]


def bar_chart(loads: list[Load], *, value: str, width: int = 320) -> dict[str, Any]:
    """Geometry for a server-rendered SVG bar chart (no JavaScript, no inline style)."""
    values = [float(getattr(row, value)) for row in loads]
    top = max([*values, 1.0])
    bar_h, gap, label_w = 18, 6, 110
    bars = []
    for i, (row, v) in enumerate(zip(loads, values, strict=True)):
        bars.append(
            {
                "label": row.user.display_name,
                "value": v if value == "weighted" else int(v),
                "y": i * (bar_h + gap),
                "text_y": i * (bar_h + gap) + bar_h - 5,
                "width": round((width - label_w - 50) * v / top, 1),
                "over": value == "weighted" and v > row.capacity,
            }
        )
    return {
        "bars": bars,
        "height": max(1, len(bars)) * (bar_h + gap),
        "width": width,
        "label_w": label_w,
        "bar_h": bar_h,
        "value_x_pad": 4,
    }
