"""An outside helper probing past their tasks: a task moved to another matter after the
invitation, a document of another matter attached to their task, a document of their other
task asked for through this one, a deliverable to a task they were not invited to; and the
team sharing a document of another matter through the task's form."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lexcase.collab.models import TaskDocument
from lexcase.collab.tests.world import helper_task, matter_document, shared_document
from lexcase.documents.models import Document
from lexcase.documents.services import documents_upload
from lexcase.testing import client_for
from lexcase.todos.models import Task

pytestmark = pytest.mark.django_db


def _confidential_document(firm) -> Document:
    upload = SimpleUploadedFile("并购意向书.txt", "保密".encode(), "text/plain")
    (document,) = documents_upload(
        actor=firm.lead, matter=firm.confidential, uploads=[upload], title="并购意向书"
    )
    return document


def test_a_task_moved_to_another_matter_leaves_the_helper(firm):
    task = helper_task(firm)
    shared = shared_document(firm, task)
    Task.objects.filter(pk=task.pk).update(matter=firm.confidential)
    c = client_for(firm.collaborator)
    assert "整理证据材料" not in c.get("/collab/").content.decode()
    assert c.get(f"/collab/tasks/{task.pk}/").status_code == 404
    assert c.get(f"/collab/tasks/{task.pk}/documents/{shared.pk}/download/").status_code == 404


def test_only_the_tasks_own_documents_of_its_matter(firm):
    task = helper_task(firm)
    other = helper_task(firm, title="核对账目")
    secret = _confidential_document(firm)
    # A row attaching another matter's document (by a bug or by hand) admits nothing.
    TaskDocument.objects.create(task=task, document=secret, added_by=firm.lead)
    on_other = shared_document(firm, other)
    c = client_for(firm.collaborator)
    page = c.get(f"/collab/tasks/{task.pk}/").content.decode()
    assert secret.title not in page and on_other.title not in page
    statuses = [
        c.get(f"/collab/tasks/{task.pk}/documents/{d.pk}/download/").status_code
        for d in (secret, on_other)
    ]
    assert statuses == [404, 404]
    assert c.get(f"/collab/tasks/{other.pk}/documents/{on_other.pk}/download/").status_code == 200


def test_no_deliverable_to_a_task_not_invited_to(firm):
    helper_task(firm)
    uninvited = Task.objects.create(matter=firm.matter, title="起草代理词", priority="P2")
    before = Document.objects.count()
    response = client_for(firm.collaborator).post(
        f"/collab/tasks/{uninvited.pk}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"x", "text/plain"), "title": "x"},
    )
    assert response.status_code == 404
    assert Document.objects.count() == before


def test_the_team_cannot_share_another_matters_document(firm):
    task = helper_task(firm)
    secret = _confidential_document(firm)
    mine = matter_document(firm)
    web = client_for(firm.lead)
    web.post(f"/tasks/{task.pk}/helpers/share/", {"document": secret.pk})
    web.post(f"/tasks/{task.pk}/helpers/share/", {"document": mine.pk})
    assert list(TaskDocument.objects.filter(task=task).values_list("document_id", flat=True)) == [
        mine.pk
    ]
