from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lexcase.comms.models import Notification
from lexcase.matters.selectors import matters_visible_to


def notifications_for(*, user: Any, limit: int = 50) -> QuerySet[Notification]:
    """A user's notifications; ones about matters they can no longer see are hidden."""
    visible = matters_visible_to(user)
    return Notification.objects.filter(
        Q(matter__isnull=True) | Q(matter__in=visible), user=user
    ).order_by("-created_at", "-id")[:limit]


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
