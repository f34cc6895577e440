"""Inviting outside helpers to tasks, ending their access, attaching documents to tasks and
taking a helper's deliverables. Every change and every access is audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.accounts.rules import is_active_collaborator
from lexcase.audit.services import audit_record
from lexcase.collab.models import Collaboration, CollaborationTask, TaskDocument
from lexcase.collab.selectors import LIVE_MATTER_STATUSES, collaborator_tasks
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Document
from lexcase.documents.services import documents_upload
from lexcase.todos.models import Task

# The longest an invitation may run; a helper who stays longer is invited again.
MAX_COLLABORATION_DAYS = 366


@transaction.atomic
def collaboration_invite(
    *, actor: User, collaborator: User, tasks: Sequence[Task], ends_on: date
) -> Collaboration:
    """Let `collaborator` see and deliver to `tasks` (all of one matter) up to and including
    `ends_on`. Inviting again to the same matter adds the tasks, sets the new end date and
    lifts a revocation."""
    tasks = list(tasks)
    if not tasks:
        raise ValidationError({"tasks": [_("Choose at least one task.")]})
    matter_ids = {t.matter_id for t in tasks}
    if len(matter_ids) != 1 or None in matter_ids:
        raise ValidationError({"tasks": [_("Choose tasks of one matter.")]})
    matter = tasks[0].matter
    if matter is None or not actor.has_perm("collab.invite", matter):
        raise NotAllowed("collab.invite")
    errors: dict[str, list[str]] = {}
    if matter.status not in LIVE_MATTER_STATUSES:
        # Closed and archived matters were refused above; this is an intake, whose conflict
        # review is pending: no outsider may see any of it yet.
        errors["tasks"] = [
            _(
                "The matter is still in intake (conflict review): outside helpers may be "
                "invited once it is open."
            )
        ]
    if not is_active_collaborator(collaborator):
        errors["collaborator"] = [_("Choose an active outside helper.")]
    today = timezone.localdate()
    if ends_on < today:
        errors["ends_on"] = [_("The end date has passed.")]
    elif ends_on > today + timedelta(days=MAX_COLLABORATION_DAYS):
        errors["ends_on"] = [
            _("At most %(days)s days from today.") % {"days": MAX_COLLABORATION_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    collaboration, created = Collaboration.objects.select_for_update().get_or_create(
        user=collaborator,
        matter=matter,
        defaults={"ends_on": ends_on, "invited_by": actor},
    )
    if not created:
        collaboration.ends_on = ends_on
        collaboration.invited_by = actor
        collaboration.invited_at = timezone.now()
        collaboration.revoked_at = None
        collaboration.revoked_by = None
        collaboration.save()
    for task in tasks:
        CollaborationTask.objects.get_or_create(collaboration=collaboration, task=task)
    audit_record(
        actor=actor,
        action="collab.invite",
        obj=collaboration,
        matter_id=matter.pk,
        data={
            "collaborator": collaborator.username,
            "tasks": sorted(t.pk for t in tasks),
            "ends_on": ends_on.isoformat(),
        },
    )
    return collaboration


@transaction.atomic
def collaboration_revoke(*, actor: User, collaboration: Collaboration) -> None:
    """End a helper's access to the matter now (the row stays, for the record)."""
    if not actor.has_perm("collab.invite", collaboration.matter):
        raise NotAllowed("collab.invite")
    updated = Collaboration.objects.filter(pk=collaboration.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if updated:
        audit_record(
            actor=actor,
            action="collab.revoke",
            obj=collaboration,
            matter_id=collaboration.matter_id,
            data={"collaborator": collaboration.user.username},
        )


@transaction.atomic
def task_document_share(*, actor: User, task: Task, document: Document) -> TaskDocument:
    """Attach a document of the task's matter to the task: its helpers may then read it."""
    if task.matter is None or not actor.has_perm("collab.share_document", task.matter):
        raise NotAllowed("collab.share_document")
    if document.matter_id != task.matter_id:
        raise ValidationError({"document": [_("Choose a document of this matter.")]})
    link, created = TaskDocument.objects.get_or_create(
        task=task, document=document, defaults={"added_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action="collab.share_document",
            obj=document,
            matter_id=task.matter_id,
            data={"task": task.pk},
        )
    return link


@transaction.atomic
def deliverable_upload(*, actor: User, task: Task, upload: Any, title: str = "") -> Document:
    """An outside helper's file for `task`: a new document of the matter, attached to the
    task (the team sees it with the matter's documents)."""
    if not collaborator_tasks(actor).filter(pk=task.pk).exists():
        raise NotAllowed("collab.upload_deliverable")
    assert task.matter is not None  # collaborator_tasks admits matter tasks only
    (document,) = documents_upload(
        actor=actor, matter=task.matter, uploads=[upload], title=title, as_collaborator=True
    )
    TaskDocument.objects.create(task=task, document=document, added_by=actor, deliverable=True)
    audit_record(
        actor=actor,
        action="collab.deliver",
        obj=document,
        matter_id=task.matter_id,
        data={"task": task.pk},
    )
    return document


def collaborator_access_record(
    *, actor: User, action: str, obj: Any = None, matter_id: int | None = None, **data: Any
) -> None:
    """An outside helper's read (their task list, a task, a refused page): audited."""
    audit_record(actor=actor, action=action, obj=obj, matter_id=matter_id, data=data)
