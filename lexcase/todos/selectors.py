"""Permission-scoped reads of tasks: matter tasks through the matter gate, personal tasks
only for their owner and assignee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.core.fixedsql import fixed_rows
from lexcase.matters.extensions import AgendaItem
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import MatterSet, visible_through
from lexcase.todos.models import ChecklistTemplate, Task, TaskComment

BOARD_COLUMN_CAP = 50  # a board column shows this many cards; the rest are counted
COUNT_CAP = 1000


def tasks_visible_to(user: AnyUser) -> QuerySet[Task]:
    if not is_active_staff(user):  # anonymous, deactivated, portal client contacts
        return Task.objects.none()
    personal = Q(matter__isnull=True) & (Q(assignee=user) | Q(created_by=user))
    on_matter = Q(matter__isnull=False) & visible_through(user)
    return Task.objects.filter(personal | on_matter)


def task_get(*, user: AnyUser, pk: Any) -> Task:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    task = tasks_visible_to(user).select_related("matter", "assignee").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def task_comments(*, task: Task) -> QuerySet[TaskComment]:
    return task.comments.select_related("author")


@dataclass(frozen=True)
class BoardFilter:
    assignee_id: int | None = None
    priority: str = ""
    due: str = ""  # "" | "overdue" | "today" | "week"
    matter_id: int | None = None


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def tasks_filtered(*, user: AnyUser, flt: BoardFilter) -> QuerySet[Task]:
    qs = tasks_visible_to(user)
    if flt.matter_id is not None:
        qs = qs.filter(matter_id=flt.matter_id)
    if flt.assignee_id is not None:
        qs = qs.filter(assignee_id=flt.assignee_id)
    if flt.priority:
        qs = qs.filter(priority=flt.priority)
    if flt.due:
        today_start, tomorrow = _local_day_bounds(timezone.localdate())
        if flt.due == "overdue":
            qs = qs.filter(due_at__lt=timezone.now()).exclude(status=Task.Status.DONE)
        elif flt.due == "today":
            qs = qs.filter(due_at__gte=today_start, due_at__lt=tomorrow)
        elif flt.due == "week":
            qs = qs.filter(due_at__gte=today_start, due_at__lt=tomorrow + timedelta(days=6))
    return qs


@dataclass
class Column:
    status: str
    label: str
    cards: list[Task]
    total: int
    more: bool = False  # more than COUNT_CAP tasks: the total reads "1000+"


def board(*, user: AnyUser, flt: BoardFilter) -> list[Column]:
    """Three columns of at most BOARD_COLUMN_CAP cards (done: most recently finished first).
    Six queries whatever the volume: each column's cards and its count, capped at
    COUNT_CAP ("1000+"): an exact count over every task a partner can see took seconds at
    1M tasks (bench/tasks.py), and nobody reads a column of a thousand cards."""
    qs = tasks_filtered(user=user, flt=flt).select_related("matter", "assignee")
    columns = []
    for status, label in Task.Status.choices:
        column = qs.filter(status=status)
        if status == Task.Status.DONE:
            column = column.order_by("-completed_at", "-id")
        else:
            column = column.order_by("priority", "due_at", "id")
        cards = list(column[:BOARD_COLUMN_CAP])
        counted = Task.objects.filter(
            pk__in=column.order_by().values("pk")[: COUNT_CAP + 1]
        ).count()
        # A task moved between the two queries must not show a total below its cards.
        total = max(len(cards), min(counted, COUNT_CAP))
        columns.append(
            Column(
                status=status,
                label=str(label),
                cards=cards,
                total=total,
                more=counted > COUNT_CAP,
            )
        )
    return columns


def matter_tasks(*, matter: Any) -> QuerySet[Task]:
    # `matter` comes from matter_get: it has passed the gate.
    return (
        Task.objects.filter(matter=matter)
        .select_related("assignee")
        .order_by("status", "priority", "due_at", "id")
    )


def matter_task_rows(*, matter: Any) -> list[Task]:
    """`matter_tasks` read (a fixed read: core.fixedsql)."""
    return fixed_rows("todos.matter_tasks", lambda m: matter_tasks(matter=m), matter)


# The agenda's tag of a task.
AGENDA_LABEL = gettext_lazy("Task")


def agenda_source(
    *, user: User, start: date | None, end: date, mine_only: bool = True
) -> list[AgendaItem]:
    """Open tasks due between start and end (local days) for the agenda's 今日 page."""
    _start, end_excl = _local_day_bounds(end)
    qs = (
        tasks_visible_to(user)
        .exclude(status=Task.Status.DONE)
        .filter(due_at__lt=end_excl)
        .select_related("matter")
    )
    if start is not None:
        qs = qs.filter(due_at__gte=_local_day_bounds(start)[0])
    if mine_only:
        qs = qs.filter(assignee=user)
    items = []
    for task in qs:
        local = timezone.localtime(task.due_at)
        items.append(
            AgendaItem(
                kind="task",
                day=local.date(),
                at=local.time(),
                title=task.title,
                matter=task.matter,
                priority=task.priority,
                obj=task,
                url=f"/tasks/{task.pk}/",
                label=AGENDA_LABEL,
                feed_prefix="【任务】",
            )
        )
    return items


def checklist_templates() -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.prefetch_related("items")


def tasks_of(*, matters: MatterSet) -> QuerySet[Task]:
    """Tasks of `matters`, a set the caller took from the gate (firm aggregates); never a
    personal task."""
    return Task.objects.filter(matters.rows("matter"))
