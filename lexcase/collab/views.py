"""An outside helper's pages (`/collab/`: their tasks, a task's documents, uploads) and the
team's page for a task's helpers (`/tasks/<pk>/helpers/`: invite, end access, share)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.rules import is_active_collaborator
from lexcase.collab import selectors, services
from lexcase.collab.forms import DeliverableForm, InviteForm, ShareForm
from lexcase.core.exceptions import NotAllowed
from lexcase.core.forms import apply_service_errors
from lexcase.documents.selectors import matter_documents
from lexcase.documents.services import document_download_record
from lexcase.documents.views import version_response
from lexcase.matters.services import matter_record_read
from lexcase.todos.models import Task
from lexcase.todos.selectors import task_get

View = Callable[..., HttpResponseBase]


def collaborator_required(view: View) -> View:
    """Signed in as an active outside helper; staff are refused (403)."""

    @login_required
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_active_collaborator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@collaborator_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    tasks = list(
        selectors.collaborator_tasks(request.user)
        .select_related("matter")
        .order_by("status", "due_at", "id")
    )
    services.collaborator_access_record(
        actor=request.user, action="collab.tasks_list", tasks=[t.pk for t in tasks]
    )
    ends = {c.matter_id: c.ends_on for c in selectors.collaborations_live(request.user)}
    rows = [(task, ends.get(task.matter_id or 0)) for task in tasks]
    return render(request, "collab/home.html", {"rows": rows})


@collaborator_required
@require_GET
def task_page(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.collaborator_task_get(user=request.user, pk=pk)
    services.collaborator_access_record(
        actor=request.user, action="collab.task_view", obj=task, matter_id=task.matter_id
    )
    return _task_page(request, task, DeliverableForm())


def _task_page(
    request: AuthedRequest, task: Task, form: DeliverableForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "collab/task.html",
        {"task": task, "documents": selectors.task_documents(task=task), "form": form},
        status=status,
    )


@collaborator_required
@require_POST
def upload(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.collaborator_task_get(user=request.user, pk=pk)
    form = DeliverableForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deliverable_upload(
                actor=request.user,
                task=task,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except NotAllowed:
            raise Http404 from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your file was delivered to the legal team."))
            return redirect("collab:task", pk=task.pk)
    # Nothing delivered: the task's page with the form as typed (the title) and its errors.
    return _task_page(request, task, form, status=422)


@collaborator_required
@require_GET
def download(request: AuthedRequest, pk: int, document_pk: int) -> HttpResponseBase:
    task = selectors.collaborator_task_get(user=request.user, pk=pk)
    document = selectors.collaborator_document_get(user=request.user, task=task, pk=document_pk)
    version = document.current_version()
    return version_response(
        version,
        inline=False,
        record=lambda: document_download_record(actor=request.user, version=version, via="collab"),
    )


# -- the team's side ------------------------------------------------------------------------


def _team_task(request: AuthedRequest, pk: int) -> Task:
    """A matter task through the gate (404), then the right to invite (403)."""
    task = task_get(user=request.user, pk=pk)
    if task.matter is None:
        raise Http404
    if not request.user.has_perm("collab.invite", task.matter):
        raise PermissionDenied
    return task


@login_required
@require_http_methods(["GET", "POST"])
def task_helpers(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _team_task(request, pk)
    assert task.matter is not None
    if request.method == "GET":
        matter_record_read(
            actor=request.user, obj=task, matter_id=task.matter_id, page="collab:task_helpers"
        )
    form = InviteForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.collaboration_invite(
                actor=request.user,
                collaborator=form.cleaned_data["collaborator"],
                tasks=list(form.cleaned_data["tasks"]),
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The outside helper was invited."))
            return redirect("collab:task_helpers", pk=task.pk)
    return _helpers_page(
        request,
        task,
        form,
        ShareForm(documents=matter_documents(matter=task.matter)),
        status=422 if request.method == "POST" else 200,
    )


def _helpers_page(
    request: AuthedRequest, task: Task, form: InviteForm, share_form: ShareForm, status: int
) -> HttpResponse:
    today = timezone.localdate()
    collaborations = [
        (c, selectors.is_live(c, today=today)) for c in selectors.task_collaborations(task=task)
    ]
    return render(
        request,
        "collab/task_helpers.html",
        {
            "task": task,
            "form": form,
            "collaborations": collaborations,
            "documents": selectors.task_documents(task=task),
            "share_form": share_form,
        },
        status=status,
    )


@login_required
@require_POST
def task_share(request: AuthedRequest, pk: int) -> HttpResponse:
    task = _team_task(request, pk)
    assert task.matter is not None
    form = ShareForm(request.POST, documents=matter_documents(matter=task.matter))
    if form.is_valid():
        services.task_document_share(
            actor=request.user, task=task, document=form.cleaned_data["document"]
        )
        messages.success(request, _("Shared with the task's outside helpers."))
        return redirect("collab:task_helpers", pk=task.pk)
    # Nothing shared: the helpers' page with the choice and its error.
    return _helpers_page(request, task, InviteForm(task=task), form, status=422)


@login_required
@require_POST
def revoke(request: AuthedRequest, pk: int, collaboration_pk: int) -> HttpResponse:
    task = _team_task(request, pk)
    collaboration = selectors.task_collaborations(task=task).filter(pk=collaboration_pk).first()
    if collaboration is None:
        raise Http404
    services.collaboration_revoke(actor=request.user, collaboration=collaboration)
    messages.success(request, _("The outside helper's access has ended."))
    return redirect("collab:task_helpers", pk=task.pk)
