"""Background entry points (django.tasks); the work is in services."""

from __future__ import annotations

from django.tasks import task

from lexcase.todos import services


@task()
def sla_breaches() -> int:
    return services.sla_breaches_run()
