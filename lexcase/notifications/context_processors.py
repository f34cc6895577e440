from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lexcase.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    return {"unread_notifications": lambda: unread_count(user=request.user)}
