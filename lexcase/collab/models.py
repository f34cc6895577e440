"""Outside helpers (外包/临时人员): which tasks of which matter a collaborator may work on, until
when, and the documents attached to those tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Collaboration(models.Model):
    """One outside helper's access to named tasks of one matter, up to and including
    `ends_on` (the firm's local date), checked whenever they read: no job has to run for the
    access to end. Revoking keeps the row (who, when) for the record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outside helper"),
        on_delete=models.CASCADE,
        related_name="collaborations",
    )
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="collaborations"
    )
    ends_on = models.DateField(_("access ends on"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["matter_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "matter"], name="collab_once_per_matter")
        ]


class CollaborationTask(models.Model):
    """A task of the collaboration's matter that the helper may see and deliver to."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="task_links"
    )
    task = models.ForeignKey("todos.Task", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["collaboration_id", "task_id"]
        constraints = [
            models.UniqueConstraint(fields=["collaboration", "task"], name="collab_task_once")
        ]


class TaskDocument(models.Model):
    """A document attached to a task: shared by the team with the task's helpers, or a
    deliverable a helper uploaded to it. Helpers see a matter's documents only through these
    rows, and only of tasks they are invited to."""

    task = models.ForeignKey("todos.Task", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    deliverable = models.BooleanField(default=False)

    class Meta:
        ordering = ["task_id", "-added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "document"], name="task_document_once")
        ]
