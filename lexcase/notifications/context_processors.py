from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lexcase.accounts.models import User
from lexcase.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not isinstance(user, User):  # anonymous: the login page shows no bell
        return {"unread_notifications": lambda: 0}
    return {"unread_notifications": lambda: unread_count(user=user)}
