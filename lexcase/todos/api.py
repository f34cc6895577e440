"""Tasks and workload over the API. Tasks go through the same gate as the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import active_user_named
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import Choices, CivilDateTime, Id, Version
from lexcase.matters.models import Priority
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import (
    matter_record_read,
    matter_record_view,
    matters_record_list_read,
)
from lexcase.todos import selectors, services, workload
from lexcase.todos.models import Task

router = Router(tags=["tasks"])

PriorityIn = Choices[str, Priority]
StatusIn = Choices[str, Task.Status]


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    matter_id: int | None
    matter_number: str | None
    assignee: str | None
    due_at: dt.datetime | None
    priority: str
    priority_inherited: bool
    status: str
    kind: str
    escalated_at: dt.datetime | None
    version: int


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    matter_id: Id | None = None
    assignee: str | None = None
    due_at: CivilDateTime | None = None
    priority: PriorityIn | None = None
    notes: str = Field(default="", max_length=10_000)


class TaskPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version
    title: str | None = Field(default=None, min_length=1, max_length=200)
    assignee: str | None = None
    due_at: CivilDateTime | None = None
    priority: PriorityIn | Literal[""] | None = None
    status: StatusIn | None = None
    notes: str | None = Field(default=None, max_length=10_000)


class TaskFilter(Schema):
    assignee: str | None = None
    priority: PriorityIn | None = None
    status: StatusIn | None = None
    due: Literal["overdue", "today", "week"] | None = None
    limit: int = Field(default=100, ge=1, le=500)


class LoadOut(Schema):
    username: str
    name: str
    open_matters: int
    weighted_load: float
    free_capacity: float
    p1: int
    p2: int
    p3: int
    hearings_14d: int
    deadlines_14d: int
    open_tasks: int
    overdue_tasks: int


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.pk,
        title=task.title,
        notes=task.notes,
        matter_id=task.matter_id,
        matter_number=task.matter.number if task.matter else None,
        assignee=task.assignee.username if task.assignee else None,
        # Civil time in Asia/Shanghai, with its offset: what the lawyer reads.
        due_at=timezone.localtime(task.due_at) if task.due_at else None,
        priority=task.priority,
        priority_inherited=task.priority_inherited,
        status=task.status,
        kind=task.kind,
        escalated_at=timezone.localtime(task.escalated_at) if task.escalated_at else None,
        version=task.version,
    )


def _aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationError({field: [_("Give the time with its offset, e.g. +08:00.")]})
    return value


def _list(request: AuthedRequest, flt: selectors.BoardFilter, status: str | None, limit: int):
    qs = selectors.tasks_filtered(user=request.user, flt=flt).select_related("matter", "assignee")
    if status:
        qs = qs.filter(status=status)
    return [task_out(t) for t in qs.order_by("priority", "due_at", "id")[:limit]]


@router.get("/tasks", response=list[TaskOut], operation_id="task_list")
def list_tasks(request: AuthedRequest, filters: Query[TaskFilter]) -> list[TaskOut]:
    """Tasks the caller can see; by default their own (`assignee` = their username)."""
    assignee = active_user_named(filters.assignee or request.user.username, field="assignee")
    flt = selectors.BoardFilter(
        assignee_id=assignee.pk if assignee else None,
        priority=filters.priority or "",
        due=filters.due or "",
    )
    tasks = _list(request, flt, filters.status, filters.limit)
    matters_record_list_read(
        actor=request.user,
        page="task_list",
        matter_ids=[t.matter_id for t in tasks],
        via="api",
    )
    return tasks


@router.post("/tasks", response={201: TaskOut}, operation_id="task_create")
def create_task(request: AuthedRequest, payload: TaskIn) -> Status:
    matter = matter_get(user=request.user, pk=payload.matter_id) if payload.matter_id else None
    task = services.task_create(
        actor=request.user,
        title=payload.title,
        matter=matter,
        assignee=active_user_named(payload.assignee, field="assignee"),
        due_at=_aware(payload.due_at, "due_at"),
        priority=payload.priority,
        notes=payload.notes,
    )
    return Status(201, task_out(selectors.task_get(user=request.user, pk=task.pk)))


@router.get("/tasks/{task_id}", response=TaskOut, operation_id="task_get")
def get_task(request: AuthedRequest, task_id: Id) -> TaskOut:
    task = selectors.task_get(user=request.user, pk=task_id)
    matter_record_read(
        actor=request.user, obj=task, matter_id=task.matter_id, page="task_get", via="api"
    )
    return task_out(task)


@router.patch("/tasks/{task_id}", response=TaskOut, operation_id="task_update")
def update_task(request: AuthedRequest, task_id: Id, payload: TaskPatch) -> TaskOut:
    task = selectors.task_get(user=request.user, pk=task_id)
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version")
    if "assignee" in fields:
        fields["assignee"] = active_user_named(fields["assignee"], field="assignee")
    if "due_at" in fields:
        fields["due_at"] = _aware(fields["due_at"], "due_at")
    for field in ("title", "status", "notes"):
        if field in fields and fields[field] is None:
            raise ValidationError({field: [_("This field cannot be empty.")]})
    services.task_update(actor=request.user, task=task, version=version, **fields)
    return task_out(selectors.task_get(user=request.user, pk=task.pk))


@router.get("/matters/{matter_id}/tasks", response=list[TaskOut], operation_id="matter_tasks")
def list_matter_tasks(request: AuthedRequest, matter_id: Id) -> list[TaskOut]:
    matter = matter_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="matter_tasks", via="api")
    return [task_out(t) for t in selectors.matter_tasks(matter=matter).select_related("matter")]


@router.get("/workload", response=list[LoadOut], operation_id="workload")
def get_workload(
    request: AuthedRequest, team: Id | None = None, practice_area: Id | None = None
) -> list[LoadOut]:
    if not request.user.has_perm("todos.view_workload"):
        raise NotAllowed("todos.view_workload")
    return [
        LoadOut(
            username=row.user.username,
            name=row.user.display_name,
            open_matters=row.matters,
            weighted_load=row.weighted,
            free_capacity=row.free,
            p1=row.by_priority.get("P1", 0),
            p2=row.by_priority.get("P2", 0),
            p3=row.by_priority.get("P3", 0),
            hearings_14d=row.hearings,
            deadlines_14d=row.deadlines,
            open_tasks=row.open_tasks,
            overdue_tasks=row.overdue_tasks,
        )
        for row in workload.workload(team_id=team, practice_area_id=practice_area)
    ]
