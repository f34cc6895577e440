"""Background entry points (django.tasks); the work is in services."""

from __future__ import annotations

from django.tasks import task

from lexcase.audit import services


@task()
def audit_link_task() -> int:
    return services.audit_link()
