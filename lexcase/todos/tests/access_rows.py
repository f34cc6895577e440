"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import (
    ALL_STAFF_200,
    API_MATTER_READ,
    LOGIN,
    MATTER_READ,
    MATTER_WRITE,
    E,
    Route,
)
from lexcase.testing import Firm
from lexcase.todos.models import ChecklistItem, Task


def matter_task(f: Firm) -> int:
    return Task.objects.create(matter=f.matter, title="起草起诉状", priority="P2").pk


def personal_task(f: Firm) -> int:
    """The lead's own task: only the lead (its owner) may reach it; admins included not."""
    return Task.objects.create(
        title="续执业证", priority="P3", assignee=f.lead, created_by=f.lead
    ).pk


def checklist_item(f: Firm) -> int:
    return ChecklistItem.objects.first().pk


PARTNER_ADMIN = E(LOGIN, LOGIN, 403, 403, 403, 403, 200, 200, 404)  # walled is a partner
OWNER_ONLY = E(LOGIN, LOGIN, 404, 404, 404, 200, 404, 404, 404)

TABLE: dict[str, Route] = {
    "todos:my_tasks": Route("GET", lambda f: "/tasks/", ALL_STAFF_200),
    # Without a title: my board again with the form as typed and its errors.
    "todos:task_create": Route(
        "POST", lambda f: "/tasks/new/", E(LOGIN, LOGIN, *[422] * 6, 404), body=lambda f: {}
    ),
    "todos:task_create#saved": Route(
        "POST",
        lambda f: "/tasks/new/",
        E(LOGIN, LOGIN, *[302] * 6, 404),
        body=lambda f: {"task-title": "整理案卷"},
    ),
    "todos:task_detail": Route("GET", lambda f: f"/tasks/{matter_task(f)}/", MATTER_READ),
    "todos:task_move": Route(
        "POST",
        lambda f: f"/tasks/{matter_task(f)}/move/",
        MATTER_WRITE,
        body=lambda f: {"status": "doing"},
    ),
    "todos:task_comment": Route(
        "POST",
        lambda f: f"/tasks/{personal_task(f)}/comments/",
        E(LOGIN, LOGIN, 404, 404, 404, 302, 404, 404, 404),
        body=lambda f: {"body": "已联系"},
    ),
    # Refused (blank): the task's page with the comment form and its error, 422.
    "todos:task_comment#refused": Route(
        "POST",
        lambda f: f"/tasks/{personal_task(f)}/comments/",
        E(LOGIN, LOGIN, 404, 404, 404, 422, 404, 404, 404),
        body=lambda f: {"body": " "},
    ),
    "todos:checklists": Route(
        "GET", lambda f: "/tasks/checklists/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)
    ),
    "todos:checklist_item_remove": Route(
        "POST",
        lambda f: f"/tasks/checklists/items/{checklist_item(f)}/remove/",
        E(LOGIN, LOGIN, *[403] * 5, 302, 404),
    ),
    "todos:matter_board": Route("GET", lambda f: f"/matters/{f.matter.pk}/tasks/", MATTER_READ),
    "todos:matter_task_create": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/tasks/new/",
        MATTER_WRITE,
        body=lambda f: {"task-title": "收集证据"},
    ),
    "todos:lead_suggestions": Route(
        "GET",
        lambda f: f"/matters/{f.matter.pk}/lead-suggestions/",
        E(LOGIN, LOGIN, 404, 404, 403, 200, 404, 200, 404),
    ),
    "todos:workload": Route("GET", lambda f: "/workload/", PARTNER_ADMIN),
    "todos:new_matter_suggestions": Route(
        "GET",
        lambda f: "/workload/suggestions/",
        E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404),
    ),
    # API
    "api:list_tasks": Route("GET", lambda f: "/api/v1/tasks", E(401, 401, *[200] * 6, 401)),
    "api:create_task": Route(
        "POST",
        lambda f: "/api/v1/tasks",
        E(401, 401, 404, 404, 201, 201, 404, 201, 401),
        body=lambda f: {"title": "准备开庭", "matter_id": f.matter.pk},
        json=True,
    ),
    "api:get_task": Route("GET", lambda f: f"/api/v1/tasks/{matter_task(f)}", API_MATTER_READ),
    "api:update_task": Route(
        "PATCH",
        lambda f: f"/api/v1/tasks/{matter_task(f)}",
        E(401, 401, 404, 404, 200, 200, 404, 200, 401),
        body=lambda f: {"version": 1, "status": "done"},
        json=True,
    ),
    "api:list_matter_tasks": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/tasks", API_MATTER_READ
    ),
    "api:get_workload": Route(
        "GET", lambda f: "/api/v1/workload", E(401, 401, 403, 403, 403, 403, 200, 200, 401)
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/tasks"): "api:list_tasks",
    ("post", "/api/v1/tasks"): "api:create_task",
    ("get", "/api/v1/tasks/{task_id}"): "api:get_task",
    ("patch", "/api/v1/tasks/{task_id}"): "api:update_task",
    ("get", "/api/v1/matters/{matter_id}/tasks"): "api:list_matter_tasks",
    ("get", "/api/v1/workload"): "api:get_workload",
}
