"""In-app notifications and per-kind e-mail preferences.

The tables keep their former names (`comms_*`): the models moved out of `comms` so that
every app can notify without importing a feature app, and no row had to move.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lexcase.core.fieldcrypt import EncryptedTextField


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
    # Every matter the text names when it names several (the morning digest): the note is
    # shown only while the user may still see each of them (a wall added later hides it).
    matters = models.ManyToManyField("matters.Matter", blank=True, related_name="+")
    # Makes periodic jobs idempotent: the same key is never sent twice to the same user.
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    # False when the user turned in-app notices of this kind off: the row still records
    # that the event was sent (once per key) and e-mailed, but no list or bell shows it.
    in_app = models.BooleanField(default=True)

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
    """In the app and by e-mail, on or off, for one kind of event; no row means the
    default (both on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=40)
    email = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)

    class Meta:
        db_table = "comms_notificationpreference"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique")
        ]


class RobotChannel(models.Model):
    """A team's group-chat robot (企业微信, 钉钉 or 飞书): its incoming-webhook URL and
    signing secret, encrypted at rest and never shown back in full, and the events it
    posts. Configured by administrators."""

    class Platform(models.TextChoices):
        WECOM = "wecom", _("WeCom (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")
        FEISHU = "feishu", _("Feishu / Lark (飞书)")

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="robot_channels"
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100)
    url = EncryptedTextField(_("webhook URL"))
    secret = EncryptedTextField(_("signing secret"), blank=True)
    # The RobotEvent values this channel posts.
    events = models.JSONField(default=list)
    active = models.BooleanField(_("active"), default=True)
    # Optimistic locking: an edit carries the version it loaded (robot_channel_save).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team__name", "name", "id"]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"


class RobotDelivery(models.Model):
    """One message for one channel: sent by the task worker, retried with backoff, its
    outcome kept (the log an administrator reads on the channels page)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey(RobotChannel, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30)
    text = models.TextField()
    # The same event is posted once per channel (a digest per day, an escalation once).
    key = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="robot_delivery_once_per_key")
        ]
