"""Background jobs; thin wrappers over services."""

from __future__ import annotations

from django.tasks import task

from lexcase.notifications.services import robot_delivery_attempt


@task()
def robot_deliver(delivery_id: int) -> str:
    """One attempt at posting a message to a team's group robot (retried with backoff)."""
    return robot_delivery_attempt(delivery_id=delivery_id)
