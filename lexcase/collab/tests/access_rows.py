"""Access-table rows for outside helpers' pages (see lexcase/core/tests/access.py).

The collaborator persona is invited (by `world.helper_task`) to one task of `f.matter`;
everyone else reaches the helper's pages not at all (403: a staff user is not a helper, or
404: not their task), and the team's page for a task's helpers is for a lawyer on the
matter (the lead; the assistant is on the team but no lawyer: 403)."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lexcase.collab.tests.world import (
    helper_download_path,
    helper_task,
    helper_task_path,
    matter_document,
    other_task,
    unshared_download_path,
)
from lexcase.core.tests.access import LOGIN, E, Route
from lexcase.testing import Firm

HELPER_ONLY = E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403, 200)
HELPERS_OF_TASK = E(LOGIN, LOGIN, 404, 404, 403, 200, 404, 403, 404)


def _invite_body(f: Firm) -> dict:
    ends_on = timezone.localdate() + timedelta(days=60)
    return {"collaborator": f.collaborator.pk, "tasks": [helper_task(f).pk], "ends_on": ends_on}


def _revoke_path(f: Firm) -> str:
    task = helper_task(f)
    return f"/tasks/{task.pk}/helpers/{f.collaborator.collaborations.get().pk}/revoke/"


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("交付.txt", "整理完毕".encode(), "text/plain")


TABLE: dict[str, Route] = {
    "collab:home": Route("GET", lambda f: "/collab/", HELPER_ONLY),
    "collab:task": Route("GET", lambda f: helper_task_path(f), HELPER_ONLY),
    # A task of the same matter the helper was not invited to: 404 like any hidden object.
    "collab:task#not invited": Route(
        "GET",
        lambda f: f"/collab/tasks/{other_task(f).pk}/",
        E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403, 404),
    ),
    "collab:upload": Route(
        "POST",
        lambda f: helper_task_path(f, "upload/"),
        E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403, 302),
        body=lambda f: {"file": _file(), "title": "整理结果"},
    ),
    # No file: the task's page with the title as typed and the error (422).
    "collab:upload#refused": Route(
        "POST",
        lambda f: helper_task_path(f, "upload/"),
        E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403, 422),
        body=lambda f: {"title": "整理结果"},
    ),
    "collab:download": Route("GET", helper_download_path, HELPER_ONLY),
    # A document of the matter that is not attached to the task.
    "collab:download#not attached": Route(
        "GET", unshared_download_path, E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403, 404)
    ),
    "collab:task_helpers": Route(
        "GET", lambda f: f"/tasks/{helper_task(f).pk}/helpers/", HELPERS_OF_TASK
    ),
    "collab:task_helpers#invite": Route(
        "POST",
        lambda f: f"/tasks/{helper_task(f).pk}/helpers/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 403, 404),
        body=_invite_body,
    ),
    "collab:task_share": Route(
        "POST",
        lambda f: f"/tasks/{helper_task(f).pk}/helpers/share/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 403, 404),
        body=lambda f: {"document": matter_document(f).pk},
    ),
    # A document that is not the matter's: the helpers' page with the error (422).
    "collab:task_share#refused": Route(
        "POST",
        lambda f: f"/tasks/{helper_task(f).pk}/helpers/share/",
        E(LOGIN, LOGIN, 404, 404, 403, 422, 404, 403, 404),
        body=lambda f: {"document": 0},
    ),
    "collab:revoke": Route(
        "POST",
        _revoke_path,
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 403, 404),
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {}
