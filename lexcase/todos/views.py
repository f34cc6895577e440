from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.matters.actions import matter_action
from lexcase.matters.extensions import MatterForm
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import (
    matter_record_read,
    matter_record_view,
    matters_record_list_read,
)
from lexcase.todos import selectors, services, workload
from lexcase.todos.forms import (
    BoardFilterForm,
    ChecklistItemForm,
    CommentForm,
    MoveForm,
    TaskEditForm,
    TaskForm,
    WorkloadFilterForm,
)
from lexcase.todos.models import ChecklistItem, Task


# "New task" on the matter page, rendered when its <details> opens (matters.extensions).
def _may_add_task(user: Any, matter: Any) -> bool:
    # An archived file is read-only (task_create refuses): its task form is not offered.
    return user.has_perm("matters.change_matter", matter) and matter.status != "archived"


TASK_FORM = MatterForm(
    gettext_lazy("New task"),
    gettext_lazy("Add task"),
    "todos:matter_task_create",
    lambda r, m: _may_add_task(r.user, m),
    lambda r, m: TaskForm(prefix="task"),
    primary=True,
)


def matter_section(request: AuthedRequest, matter: Any) -> dict[str, Any]:
    tasks = selectors.matter_task_rows(matter=matter)
    return {
        "template": "todos/_matter_section.html",
        "open": [t for t in tasks if t.status != Task.Status.DONE],
        "done_count": sum(1 for t in tasks if t.status == Task.Status.DONE),
        "can_edit": _may_add_task(request.user, matter),
    }


def _board_filter(
    request: AuthedRequest, *, default_mine: bool, query: QueryDict | None = None
) -> tuple[BoardFilterForm, Any]:
    data = (request.GET if query is None else query).copy()
    if default_mine and "assignee" not in data:
        data["assignee"] = str(request.user.pk)
    form = BoardFilterForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    assignee = cleaned.get("assignee")
    flt = selectors.BoardFilter(
        assignee_id=assignee.pk if assignee else None,
        priority=cleaned.get("priority") or "",
        due=cleaned.get("due") or "",
    )
    return form, flt


def _render_board(request: AuthedRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if request.htmx and not request.htmx.boosted:
        # The board alone (a move, a filter): it shows the messages the page would have shown.
        return render(request, f"{template}#board", {**context, "board_alone": True})
    return render(request, template, context)


@login_required
@require_GET
def my_tasks(request: AuthedRequest) -> HttpResponse:
    return _my_board(request, TaskForm(prefix="task"))


def _my_board(
    request: AuthedRequest,
    task_form: TaskForm,
    status: int = 200,
    *,
    query: QueryDict | None = None,
    refused: str = "",
) -> HttpResponse:
    """My board; with a new task that was refused, that form as typed with its errors; with
    a move that was refused (`refused`: why), the board of `query` with why on it."""
    form, flt = _board_filter(request, default_mine=True, query=query)
    columns = selectors.board(user=request.user, flt=flt)
    # The cards name tasks of the matters they belong to: a read of those matters.
    matters_record_list_read(
        actor=request.user,
        page="todos:my_tasks",
        matter_ids=[t.matter_id for c in columns for t in c.cards],
    )
    context = {
        "columns": columns,
        "filter_form": form,
        "task_form": task_form,
        "matter": None,
        "next": reverse("todos:my_tasks"),
    }
    if refused:
        return _board_refused(request, "todos/board.html", context, refused, query)
    if status != 200:
        return render(request, "todos/board.html", context, status=status)
    context["next"] = request.get_full_path()
    return _render_board(request, "todos/board.html", context)


@login_required
@require_GET
def matter_board(request: AuthedRequest, pk: int) -> HttpResponse:
    return _matter_board(request, matter_get(user=request.user, pk=pk))


def _matter_board(
    request: AuthedRequest, matter: Any, *, query: QueryDict | None = None, refused: str = ""
) -> HttpResponse:
    """A matter's board; with a move that was refused (`refused`: why), the board of
    `query` with why on it."""
    matter_record_view(actor=request.user, matter=matter, page="todos:matter_board")
    form, flt = _board_filter(request, default_mine=False, query=query)
    flt = selectors.BoardFilter(
        assignee_id=flt.assignee_id, priority=flt.priority, due=flt.due, matter_id=matter.pk
    )
    context = {
        "columns": selectors.board(user=request.user, flt=flt),
        "filter_form": form,
        "task_form": TaskForm(prefix="task"),
        "matter": matter,
        "can_edit": _may_add_task(request.user, matter),
        "next": request.get_full_path(),
    }
    if refused:
        return _board_refused(request, "todos/board.html", context, refused, query)
    return _render_board(request, "todos/board.html", context)


def _board_refused(
    request: AuthedRequest,
    template: str,
    context: dict[str, Any],
    refused: str,
    query: QueryDict | None,
) -> HttpResponse:
    """A refused move: the board it came from, every task where it was, why on top of it
    (422; base.html's htmx config swaps a 422, and hx-select="#board" finds the board)."""
    context = {**context, "board_errors": [refused], "board_alone": bool(request.htmx)}
    if context["matter"] is not None:
        context["next"] = reverse("todos:matter_board", args=[context["matter"].pk])
    if query:
        context["next"] += "?" + query.urlencode()
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{template}#board", context, status=422)
    return render(request, template, context, status=422)


@login_required
@require_POST
def matter_task_create(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: dict) -> None:
        services.task_create(actor=request.user, matter=matter, **data)

    return matter_action(
        request, pk, "matters.change_matter", run, TaskForm(request.POST, prefix="task")
    )


@login_required
@require_POST
def task_create(request: AuthedRequest) -> HttpResponse:
    """A personal task (no matter) from the "my tasks" board."""
    form = TaskForm(request.POST, prefix="task")
    if form.is_valid():
        try:
            services.task_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("todos:my_tasks")
    # Nothing written: the board again, the new task as typed with its errors.
    return _my_board(request, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    if request.method == "GET":
        matter_record_read(
            actor=request.user, obj=task, matter_id=task.matter_id, page="todos:task_detail"
        )
    can_edit = services.task_can_edit(user=request.user, task=task)
    form = TaskEditForm(request.POST or None, initial=_task_initial(task))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.task_update(actor=request.user, task=task, version=version, **data)
            except StaleEdit:
                form.add_error(
                    None,
                    _(
                        "Someone else changed this task while you were editing. "
                        "Reload the page to see their changes, then apply yours again."
                    ),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("todos:task_detail", pk=task.pk)
    status = 422 if request.method == "POST" else 200
    return _task_page(request, task, form, CommentForm(), can_edit=can_edit, status=status)


def _task_initial(task: Task) -> dict[str, Any]:
    return {
        "title": task.title,
        "assignee": task.assignee,
        "due_at": task.due_at,
        "priority": "" if task.priority_inherited else task.priority,
        "notes": task.notes,
        "status": task.status,
        "version": task.version,
    }


def _task_page(
    request: AuthedRequest,
    task: Task,
    form: TaskEditForm,
    comment_form: CommentForm,
    *,
    can_edit: bool,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "todos/task.html",
        {
            "task": task,
            "form": form,
            "can_edit": can_edit,
            # The "Outside helpers" button: only for who may open that page (collab.invite).
            "can_invite_helpers": task.matter is not None
            and request.user.has_perm("collab.invite", task.matter),
            "comments": selectors.task_comments(task=task),
            "comment_form": comment_form,
        },
        status=status,
    )


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    # Only our own paths: never an open redirect.
    return target if target.startswith("/") and not target.startswith("//") else fallback


def _move_board(request: AuthedRequest, path: str) -> tuple[Any, QueryDict]:
    """The board a move was sent from (its `next`): a matter's (through the gate) or None
    for "my tasks", and its filter query."""
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    query = QueryDict(parts.query)
    if match is not None and match.view_name == "todos:matter_board":
        return matter_get(user=request.user, pk=match.kwargs["pk"]), query
    return None, query


@login_required
@require_POST
def task_move(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    form = MoveForm(request.POST)
    board_matter, query = _move_board(request, _safe_next(request, "/tasks/"))
    refused = ""
    if not form.is_valid():
        # A forged or outdated move (no such status): nothing moves.
        refused = _("The task was not moved: choose one of the board's columns.")
    elif board_matter is not None and task.matter_id != board_matter.pk:
        # A forged move: the task is not on the board it was moved on.
        refused = _("The task was not moved: it is not on this matter's board.")
    if refused:
        if board_matter is not None:
            return _matter_board(request, board_matter, query=query, refused=refused)
        return _my_board(request, TaskForm(prefix="task"), query=query, refused=refused)
    try:
        task = services.task_move(
            actor=request.user,
            task=task,
            status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
        )
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        # Not a refusal of what was sent: the board as it is now, with a message.
        messages.error(request, _("The task changed meanwhile; please try again."))
    # htmx follows the redirect and swaps in the board it gets back (hx-select="#board"),
    # which carries the messages (todos/board.html).
    return redirect(_safe_next(request, "/tasks/"))


@login_required
@require_POST
def task_comment(request: AuthedRequest, pk: int) -> HttpResponse:
    """A refused comment (empty, too long, refused by the service) writes nothing and comes
    back on the task's page as typed with its error (422)."""
    task = selectors.task_get(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.task_comment_add(actor=request.user, task=task, **form.cleaned_data)
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("todos:task_detail", pk=task.pk)
    can_edit = services.task_can_edit(user=request.user, task=task)
    edit_form = TaskEditForm(initial=_task_initial(task))
    return _task_page(request, task, edit_form, form, can_edit=can_edit, status=422)


def _require_partner_or_admin(request: AuthedRequest) -> None:
    if not request.user.has_perm("todos.view_workload"):
        raise PermissionDenied


@login_required
@require_GET
def workload_page(request: AuthedRequest) -> HttpResponse:
    _require_partner_or_admin(request)
    form = WorkloadFilterForm(request.GET or None)
    team = area = None
    if form.is_valid():
        team, area = form.cleaned_data["team"], form.cleaned_data["practice_area"]
    loads = workload.workload(
        team_id=team.pk if team else None, practice_area_id=area.pk if area else None
    )
    return render(
        request,
        "todos/workload.html",
        {
            "form": form,
            "loads": loads,
            "weights": workload.weights(),
            "chart_load": workload.bar_chart(loads, value="weighted"),
            "chart_tasks": workload.bar_chart(loads, value="open_tasks"),
        },
    )


@login_required
@require_GET
def lead_suggestions(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who could lead this matter: same practice area first, then most free capacity."""
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.manage_team", matter):
        raise PermissionDenied
    matter_record_view(actor=request.user, matter=matter, page="todos:lead_suggestions")
    suggestions = workload.lead_suggestions(
        practice_area_id=matter.practice_area_id, matter_id=matter.pk
    )
    return _render_suggestions(request, suggestions, matter)


@login_required
@require_GET
def new_matter_suggestions(request: AuthedRequest) -> HttpResponse:
    """The same ranking for a matter being registered (no walls exist yet)."""
    if not request.user.has_perm("matters.add_matter"):
        raise PermissionDenied
    try:
        area = int(request.GET.get("practice_area") or 0) or None
    except ValueError:
        area = None
    if area is not None and not 0 < area < 2**63:
        area = None  # no row has it (SQLite raised OverflowError past 64 bits)
    suggestions = workload.lead_suggestions(practice_area_id=area)
    return _render_suggestions(request, suggestions, None)


def _render_suggestions(request: AuthedRequest, suggestions: list, matter: Any) -> HttpResponse:
    # htmx loads the list into the form; without JavaScript the link opens it as a page.
    template = "todos/_suggestions.html" if request.htmx else "todos/suggestions.html"
    return render(request, template, {"suggestions": suggestions, "matter": matter})


@login_required
@require_http_methods(["GET", "POST"])
def checklists(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("todos.manage_checklists"):
        raise PermissionDenied
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("todos:checklists")
    return render(
        request,
        "todos/checklists.html",
        {"templates": selectors.checklist_templates(), "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def checklist_item_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("todos.manage_checklists"):
        raise PermissionDenied
    item = get_object_or_404(ChecklistItem, pk=pk)
    services.checklist_item_remove(actor=request.user, item=item)
    messages.success(request, _("Removed."))
    return redirect("todos:checklists")
