from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lexcase.notifications"
    label = "notifications"
