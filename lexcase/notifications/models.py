"""In-app notifications and per-kind e-mail preferences.

The tables keep their former names (`comms_*`): the models moved out of `comms` so that
every app can notify without importing a feature app, and no row had to move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    text = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Makes periodic jobs idempotent: the same key is never sent twice to the same user.
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        db_table = "comms_notification"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(
                fields=["user", "read_at", "-created_at"], name="comms_notif_user_id_4d6491_idx"
            )
        ]


class NotificationPreference(models.Model):
    """E-mail on/off for one kind of event; no row means the default (e-mail on).
    In-app notifications are always kept: this only governs the e-mail copy."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=40)
    email = models.BooleanField(default=True)

    class Meta:
        db_table = "comms_notificationpreference"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]
