"""The client communication log, update cadence and progress reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    PORTAL = "portal", _("Portal message")
    LETTER = "letter", _("Letter")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Communication(models.Model):
    """One contact with (or about) the client, on the record."""

    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="communications"
    )
    occurred_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("team participants"), blank=True, related_name="+"
    )
    # The client's people are free text: they need not be users or parties.
    contacts = models.JSONField(_("client contacts"), default=list, blank=True)
    summary = models.TextField(_("summary"))
    follow_up = models.TextField(_("follow-up actions"), blank=True)
    # Attachments: ids of documents on the same matter (checked when logged). By id, not a
    # foreign key, so the log never blocks a document's removal.
    document_ids = models.JSONField(_("documents"), default=list, blank=True)
    # The task created from the follow-up, when the tasks app was there to create it.
    task_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["matter", "-occurred_at"]),
            models.Index(fields=["matter", "direction", "-occurred_at"]),
            models.Index(fields=["-occurred_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class UpdateInterval(models.Model):
    """How often a client of each priority hears from us (editable data; defaults in code)."""

    priority = models.CharField(_("priority"), max_length=2, unique=True)
    days = models.PositiveIntegerField(_("days"))

    class Meta:
        ordering = ["priority"]

    def __str__(self) -> str:
        return f"{self.priority}: {self.days}"


class ClientUpdatePolicy(models.Model):
    """Per-matter cadence state: an interval override and the last "update due now" event."""

    matter = models.OneToOneField(
        "matters.Matter", on_delete=models.CASCADE, related_name="client_update_policy"
    )
    interval_days = models.PositiveIntegerField(
        _("interval override (days)"), null=True, blank=True
    )
    marked_due_at = models.DateTimeField(null=True, blank=True)
    marked_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)


class ReportTemplate(models.Model):
    """The progress-report body (a Django template), editable by administrators.
    One row, created on first edit; until then the default shipped in code is used."""

    name = models.CharField(max_length=40, unique=True, default="progress")
    body = models.TextField(_("template"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)


class ProgressReport(models.Model):
    """A generated progress report: the rendered HTML is kept so what the client got is on
    record; the PDF is re-rendered from it on download."""

    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="progress_reports"
    )
    title = models.CharField(max_length=200)
    html = models.TextField()
    needs_from_client = models.TextField(blank=True)
    communication = models.ForeignKey(
        Communication, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
