"""Helpers that put the firm's outside helper (`Firm.collaborator`) to work."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lexcase.collab.models import Collaboration, CollaborationTask, TaskDocument
from lexcase.documents.models import Document
from lexcase.documents.services import documents_upload
from lexcase.matters.models import Status
from lexcase.testing import Firm
from lexcase.todos.models import Task


def open_matter(f: Firm) -> None:
    """`f.matter` past its conflict review and open: helpers are invited to open matters only."""
    f.matter.status = Status.OPEN
    f.matter.opened_on = f.matter.opened_on or timezone.localdate()
    type(f.matter).objects.filter(pk=f.matter.pk).update(
        status=f.matter.status, opened_on=f.matter.opened_on
    )


def helper_task(f: Firm, *, days: int = 30, title: str = "整理证据材料") -> Task:
    """A task of `f.matter` (opened) the collaborator is invited to for `days` more days."""
    open_matter(f)
    task = Task.objects.create(matter=f.matter, title=title, priority="P2")
    collaboration, _ = Collaboration.objects.get_or_create(
        user=f.collaborator,
        matter=f.matter,
        defaults={"ends_on": timezone.localdate() + timedelta(days=days), "invited_by": f.lead},
    )
    CollaborationTask.objects.create(collaboration=collaboration, task=task)
    return task


def other_task(f: Firm) -> Task:
    """A task of the same matter the collaborator was not invited to."""
    helper_task(f)
    return Task.objects.create(matter=f.matter, title="起草代理词", priority="P2")


def matter_document(f: Firm, *, title: str = "证据目录") -> Document:
    upload = SimpleUploadedFile(f"{title}.txt", "证据一：合同".encode(), "text/plain")
    (document,) = documents_upload(actor=f.lead, matter=f.matter, uploads=[upload], title=title)
    return document


def shared_document(f: Firm, task: Task) -> Document:
    document = matter_document(f)
    TaskDocument.objects.create(task=task, document=document, added_by=f.lead)
    return document


def helper_task_path(f: Firm, suffix: str = "") -> str:
    return f"/collab/tasks/{helper_task(f).pk}/{suffix}"


def helper_download_path(f: Firm) -> str:
    task = helper_task(f)
    return f"/collab/tasks/{task.pk}/documents/{shared_document(f, task).pk}/download/"


def unshared_download_path(f: Firm) -> str:
    task = helper_task(f)
    return f"/collab/tasks/{task.pk}/documents/{matter_document(f).pk}/download/"
