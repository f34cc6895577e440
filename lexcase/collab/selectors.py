"""What an outside helper (role `collaborator`) may read: the narrow path beside the gate.

The confidentiality gate (`matters.selectors`) shows a collaborator no matter at all; this
module is the only way in, and it admits exactly:
- the tasks named in a live invitation (`Collaboration`): not revoked, its end date not
  passed (the firm's local date, checked at every read), its matter open (not in intake,
  where the conflict review is still pending, nor closed or archived), the helper not walled
  off it, the helper's account active;
- the documents attached to those tasks (`TaskDocument`), and nothing else of the matter:
  no parties list, no other task, no communication, no deadline.
Everything else answers 404, as the gate does."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from lexcase.accounts.models import AnyUser, User
from lexcase.accounts.rules import is_active_collaborator
from lexcase.collab.models import Collaboration, CollaborationTask, TaskDocument
from lexcase.documents.models import Document
from lexcase.matters.models import EthicalWall, Matter, Status
from lexcase.todos.models import Task

# A matter a helper may work on: open. An intake is under conflict review and must not be
# opened to outsiders; closing or archiving a matter ends every invitation.
LIVE_MATTER_STATUSES = (Status.OPEN,)
# A matter whose helpers the team still manages (its page, ending access, sharing): not
# closed or archived. Invitations themselves wait for the matter to open.
MANAGED_MATTER_STATUSES = (Status.INTAKE, Status.OPEN)


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def collaborations_live(user: AnyUser, *, today: date | None = None) -> QuerySet[Collaboration]:
    """The helper's invitations that admit them now."""
    if not is_active_collaborator(user) or not isinstance(user, User):
        return Collaboration.objects.none()
    today = today or timezone.localdate()
    walled = Exists(EthicalWall.objects.filter(matter=OuterRef("matter_id"), user=user))
    return Collaboration.objects.filter(
        user=user,
        revoked_at__isnull=True,
        ends_on__gte=today,
        matter__status__in=LIVE_MATTER_STATUSES,
    ).exclude(walled)


def collaborator_tasks(user: AnyUser) -> QuerySet[Task]:
    """The tasks `user` was invited to, while the invitation is live."""
    links = CollaborationTask.objects.filter(
        collaboration__in=collaborations_live(user),
        collaboration__matter_id=OuterRef("matter_id"),
        task_id=OuterRef("pk"),
    )
    return Task.objects.filter(Exists(links), matter__isnull=False)


def collaborator_task_get(*, user: AnyUser, pk: Any) -> Task:
    task = collaborator_tasks(user).select_related("matter").filter(pk=_pk(pk)).first()
    if task is None:
        raise Http404
    return task


def task_documents(*, task: Task) -> QuerySet[Document]:
    """Documents attached to `task` (a task already admitted by the caller's selector)."""
    if task.matter_id is None:
        return Document.objects.none()
    attached = TaskDocument.objects.filter(task=task, document_id=OuterRef("pk"))
    return (
        Document.objects.filter(Exists(attached), matter_id=task.matter_id, current__isnull=False)
        .select_related("current")
        .order_by("-created_at", "-id")
    )


def collaborator_document_get(*, user: AnyUser, task: Task, pk: Any) -> Document:
    """A document attached to `task`, which `collaborator_task_get` admitted for `user`."""
    document = task_documents(task=task).filter(pk=_pk(pk)).first()
    if document is None or not collaborator_tasks(user).filter(pk=task.pk).exists():
        raise Http404
    return document


def matter_collaborations(*, matter: Matter) -> QuerySet[Collaboration]:
    """Every invitation on `matter` (live, ended and revoked): for the team, after the gate."""
    return (
        Collaboration.objects.filter(matter=matter)
        .select_related("user", "invited_by")
        .prefetch_related("task_links__task")
        .order_by("-invited_at", "-id")
    )


def task_collaborations(*, task: Task) -> QuerySet[Collaboration]:
    if task.matter is None:
        return Collaboration.objects.none()
    links = CollaborationTask.objects.filter(collaboration=OuterRef("pk"), task=task)
    return matter_collaborations(matter=task.matter).filter(Exists(links))


def is_live(collaboration: Collaboration, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return collaboration.revoked_at is None and collaboration.ends_on >= today


def has_live_task_on(*, user: AnyUser, matter: Matter) -> bool:
    return collaborator_tasks(user).filter(matter=matter).exists()
