"""Background jobs; thin wrappers over services."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from lexcase.comms.services import client_updates_run


@task()
def client_updates() -> dict[str, int]:
    return client_updates_run(now=timezone.now())
