"""Tasks, checklist templates and the workload weights."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from lexcase.matters.models import MatterType, Priority, Stage


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        DOING = "doing", _("Doing")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Task")
        SLA = "sla", _("Service level")
        CHECKLIST = "checklist", _("Checklist")

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    # Null for a personal task; otherwise every read goes through the matter gate.
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Stored, not computed, so boards sort and filter on an index; kept in step with the
    # matter while `priority_inherited` (set when the task did not choose its own).
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    priority_inherited = models.BooleanField(default=True)
    status = models.CharField(
        _("status"), max_length=5, choices=Status.choices, default=Status.TODO
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    checklist_item = models.ForeignKey(
        "ChecklistItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "due_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "priority", "due_at"]),
            models.Index(fields=["matter", "status"]),
            models.Index(fields=["kind", "status", "due_at"]),
            # The board's columns (bench/tasks.py: done column 186 → 1.6 ms on PostgreSQL).
            models.Index(fields=["assignee", "status", "completed_at", "id"]),
            models.Index(fields=["status", "priority", "due_at", "id"]),
            models.Index(fields=["status", "completed_at", "id"]),
            # The dashboards' tasks done per month over the gate: covering, so the matter
            # of each done task is read from the index (bench/dashboard.py).
            models.Index(
                fields=["status", "completed_at", "matter"], name="todos_task_done_matter_idx"
            ),
        ]
        constraints = [
            # One open SLA task per matter: re-opening or recomputing never duplicates it.
            models.UniqueConstraint(
                fields=["matter"],
                condition=models.Q(kind="sla"),
                name="task_one_sla_per_matter",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and self.status != self.Status.DONE and self.due_at < now())


# A comment is a note on a task, not a document: longer text belongs in a document.
COMMENT_MAX = 10_000


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class ChecklistTemplate(models.Model):
    """Tasks created when a matter of `matter_type` opens (stage blank) or enters `stage`."""

    matter_type = models.CharField(_("matter type"), max_length=30, choices=MatterType.choices)
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices, blank=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["matter_type", "stage", "name"]
        constraints = [
            models.UniqueConstraint(fields=["matter_type", "stage"], name="checklist_per_event")
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    class Assign(models.TextChoices):
        LEAD = "lead", _("Lead lawyer")
        ASSISTANT = "assistant", _("Assistant (else the lead)")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=200)
    due_days = models.PositiveIntegerField(_("due after (days)"), default=7)
    assign_to = models.CharField(
        _("assign to"), max_length=10, choices=Assign.choices, default=Assign.LEAD
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.title
