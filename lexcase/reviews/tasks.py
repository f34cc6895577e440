"""Background entry points (django.tasks); the work is in services."""

from __future__ import annotations

from django.tasks import task

from lexcase.reviews import services


@task()
def reviews_run() -> list[int]:
    return list(services.reviews_run())
