"""Writes for tasks, SLA tasks, checklists and escalation. Each function is atomic."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import (
    Matter,
    MatterMember,
    MatterType,
    MemberRole,
    Priority,
    PrioritySLA,
    Stage,
    Status,
    TimelineEntry,
    TimelineKind,
)
from lexcase.matters.retention import scrub_names
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matter_is_visible
from lexcase.notifications.kinds import NotificationKind, RobotEvent
from lexcase.notifications.services import (
    RobotItem,
    notification_send,
    robot_broadcast,
    robot_teams_of,
)
from lexcase.todos.models import (
    COMMENT_MAX,
    ChecklistItem,
    ChecklistTemplate,
    Task,
    TaskComment,
)

EDITABLE_FIELDS = ("title", "notes", "assignee", "due_at", "priority", "status")


def _member(matter: Matter, role: str) -> User | None:
    row = MatterMember.objects.filter(matter=matter, role=role).select_related("user").first()
    return row.user if row else None


def task_can_edit(*, user: AnyUser, task: Task) -> bool:
    """A matter task: whoever may change the matter. A personal task: its owner and assignee."""
    if task.matter_id is not None:
        return user.has_perm("matters.change_matter", task.matter)
    return user.pk in (task.created_by_id, task.assignee_id)


def _check_assignee(assignee: User | None, matter: Matter | None) -> None:
    if assignee is None:
        return
    if not assignee.is_active:
        raise ValidationError({"assignee": [_("This user is no longer active.")]})
    if matter is not None and not matter_is_visible(user=assignee, matter_id=matter.pk):
        # Assigning work on a matter to someone walled off or outside it would leak it.
        raise ValidationError({"assignee": [_("This user cannot see the matter.")]})


def _check_not_archived(matter: Matter | None) -> None:
    # An archived file is read-only (结案归档), its tasks included.
    if matter is not None and Matter.objects.filter(pk=matter.pk, status=Status.ARCHIVED).exists():
        raise ValidationError({"matter": [_("This matter is archived and can no longer change.")]})


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            errors["title"] = [_("A task needs a title.")]
        elif len(fields["title"]) > 200:
            errors["title"] = [_("At most 200 characters.")]
    if fields.get("priority") not in (None, "", *Priority.values):
        errors["priority"] = [_("Choose P1, P2 or P3.")]
    if fields.get("status") not in (None, *Task.Status.values):
        errors["status"] = [_("Choose to do, doing or done.")]
    due = fields.get("due_at")
    if due is not None and timezone.is_naive(due):
        errors["due_at"] = [_("Give the time with its time zone.")]
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def task_create(
    *,
    actor: User,
    title: str,
    matter: Matter | None = None,
    assignee: User | None = None,
    due_at: datetime | None = None,
    priority: str | None = None,
    notes: str = "",
    kind: str = Task.Kind.MANUAL,
    checklist_item: ChecklistItem | None = None,
) -> Task:
    if not is_active_staff(actor):
        raise NotAllowed("todos.add_task")
    if matter is not None and not actor.has_perm("matters.change_matter", matter):
        raise NotAllowed("matters.change_matter")
    _check_not_archived(matter)
    fields = _check_fields({"title": title, "priority": priority, "due_at": due_at})
    _check_assignee(assignee, matter)
    inherited = not fields["priority"]
    task = Task.objects.create(
        title=fields["title"],
        notes=notes,
        matter=matter,
        assignee=assignee if assignee is not None else actor,
        created_by=actor,
        due_at=due_at,
        priority=(matter.priority if matter else Priority.P3) if inherited else fields["priority"],
        priority_inherited=inherited,
        kind=kind,
        checklist_item=checklist_item,
    )
    audit_record(
        actor=actor,
        action="task.create",
        obj=task,
        matter_id=task.matter_id,
        data={"kind": kind},
    )
    return task


@transaction.atomic
def task_update(*, actor: User, task: Task, version: int, **fields: Any) -> Task:
    """Change a task. `version` is what the editor loaded; a stale one is refused (409)."""
    if not task_can_edit(user=actor, task=task):
        raise NotAllowed("todos.change_task")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    _check_not_archived(task.matter)
    fields = _check_fields(dict(fields))
    if "assignee" in fields:
        _check_assignee(fields["assignee"], task.matter)
    updated = Task.objects.filter(pk=task.pk, version=version).update(version=F("version") + 1)
    if not updated:
        raise StaleEdit
    task.refresh_from_db()
    changes = []
    for field, value in fields.items():
        if field == "priority":
            if not value:  # back to the matter's priority
                task.priority_inherited = True
                value = task.matter.priority if task.matter else Priority.P3
            else:
                task.priority_inherited = False
        if getattr(task, field) != value:
            changes.append(field)
            setattr(task, field, value)
    if "status" in changes:
        task.completed_at = timezone.now() if task.status == Task.Status.DONE else None
    task.save()
    audit_record(
        actor=actor,
        action="task.update",
        obj=task,
        matter_id=task.matter_id,
        data={"fields": changes},
    )
    return task


def task_move(*, actor: User, task: Task, status: str, version: int | None = None) -> Task:
    """One click on the board. Without a version (a drag from a stale board) the move still
    applies: moving a card is idempotent, unlike editing its text."""
    return task_update(
        actor=actor,
        task=task,
        version=task.version if version is None else version,
        status=status,
    )


@transaction.atomic
def task_comment_add(*, actor: User, task: Task, body: str) -> TaskComment:
    if task.matter_id is not None and not matter_is_visible(user=actor, matter_id=task.matter_id):
        raise NotAllowed("todos.comment_task")
    if task.matter_id is None and actor.pk not in (task.created_by_id, task.assignee_id):
        raise NotAllowed("todos.comment_task")
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("Write something first.")]})
    if len(body) > COMMENT_MAX:
        raise ValidationError(
            {
                "body": [
                    _("The comment has %(n)d characters; at most %(max)d.")
                    % {"n": len(body), "max": COMMENT_MAX}
                ]
            }
        )
    comment = TaskComment.objects.create(task=task, author=actor, body=body)
    audit_record(actor=actor, action="task.comment", obj=task, matter_id=task.matter_id)
    return comment


# -- matter events ---------------------------------------------------------------------


def _sla_due(matter: Matter, start: datetime) -> datetime | None:
    sla = PrioritySLA.objects.filter(priority=matter.priority).first()
    if sla is None or sla.first_action_hours is None:
        return None
    return start + timedelta(hours=sla.first_action_hours)


def _sla_title(priority: str) -> str:
    titles: dict[str, str] = {
        Priority.P1: _("First action (P1: within 24 hours)"),
        Priority.P2: _("Initial investigation (P2)"),
    }
    return titles.get(priority, _("First action"))


@transaction.atomic
def sla_task_sync(*, actor: User | None, matter: Matter) -> Task | None:
    """Create or recompute the matter's SLA task from its priority and opening time.

    Called when a matter opens and when its priority changes. A done SLA task is left
    alone; a priority without an SLA (P3) closes nothing but removes an untouched one."""
    task = Task.objects.filter(matter=matter, kind=Task.Kind.SLA).first()
    start = task.created_at if task else timezone.now()
    due = _sla_due(matter, start)
    if task is not None and task.status == Task.Status.DONE:
        return task
    if due is None:
        if task is not None and task.status == Task.Status.TODO:
            task.delete()
        return None
    lead = _member(matter, MemberRole.LEAD) or _member(matter, MemberRole.RESPONSIBLE_PARTNER)
    if task is None:
        task = Task.objects.create(
            matter=matter,
            kind=Task.Kind.SLA,
            title=_sla_title(matter.priority),
            assignee=lead,
            created_by=actor,
            due_at=due,
            priority=matter.priority,
        )
        audit_record(actor=actor, action="task.sla_create", obj=task, matter_id=matter.pk)
        return task
    if task.due_at != due or task.priority != matter.priority:
        Task.objects.filter(pk=task.pk).update(
            due_at=due,
            priority=matter.priority,
            title=_sla_title(matter.priority),
            # A new deadline is a new chance: a breach of the old one is history.
            escalated_at=None if due > timezone.now() else task.escalated_at,
            version=F("version") + 1,
        )
        task.refresh_from_db()
    return task


@transaction.atomic
def checklist_instantiate(*, actor: User | None, matter: Matter, stage: str = "") -> list[Task]:
    """Create the tasks of the checklist for (matter type, stage); stage "" = on opening.

    Idempotent per item: entering a stage twice does not duplicate its open tasks."""
    template = (
        ChecklistTemplate.objects.filter(matter_type=matter.matter_type, stage=stage, active=True)
        .prefetch_related("items")
        .first()
    )
    if template is None:
        return []
    existing = set(
        Task.objects.filter(matter=matter, checklist_item__template=template)
        .exclude(status=Task.Status.DONE)
        .values_list("checklist_item_id", flat=True)
    )
    lead = _member(matter, MemberRole.LEAD) or _member(matter, MemberRole.RESPONSIBLE_PARTNER)
    assistant = _member(matter, MemberRole.ASSISTANT)
    now = timezone.now()
    created = []
    for item in template.items.all():
        if item.pk in existing:
            continue
        assignee = assistant if item.assign_to == ChecklistItem.Assign.ASSISTANT else None
        created.append(
            Task(
                matter=matter,
                kind=Task.Kind.CHECKLIST,
                checklist_item=item,
                title=item.title,
                assignee=assignee or lead,
                created_by=actor,
                due_at=now + timedelta(days=item.due_days),
                priority=matter.priority,
            )
        )
    Task.objects.bulk_create(created)
    if created:
        TimelineEntry.objects.create(
            matter=matter,
            actor=actor,
            kind=TimelineKind.CHECKLIST,
            data={"name": template.name, "count": len(created)},
        )
    return created


def matter_tasks_on_open(*, actor: User | None, matter: Matter) -> None:
    """A matter opened: its SLA task and its opening checklist (and its stage's, if any)."""
    sla_task_sync(actor=actor, matter=matter)
    checklist_instantiate(actor=actor, matter=matter, stage="")
    if matter.stage:
        checklist_instantiate(actor=actor, matter=matter, stage=matter.stage)


@transaction.atomic
def matter_tasks_on_priority(*, actor: User | None, matter: Matter) -> None:
    """The matter's priority changed: inherited task priorities follow; SLA recomputed."""
    Task.objects.filter(matter=matter, priority_inherited=True).exclude(
        status=Task.Status.DONE
    ).update(priority=matter.priority, version=F("version") + 1)
    if matter.status == Status.OPEN:
        sla_task_sync(actor=actor, matter=matter)


# -- the periodic job --------------------------------------------------------------------


def sla_breaches_run(*, now: datetime | None = None) -> int:
    """Escalate every SLA task past due and not done to the responsible partner, once.

    Idempotent: the guarded update on `escalated_at` lets only one run (or one of two
    concurrent workers) escalate a given breach; the notification key backs it up."""

    now = now or timezone.now()
    breached = Task.objects.filter(
        kind=Task.Kind.SLA,
        status__in=(Task.Status.TODO, Task.Status.DOING),
        due_at__lt=now,
        escalated_at__isnull=True,
        matter__status=Status.OPEN,
    ).select_related("matter", "assignee")
    count = 0
    for task in breached:
        matter, due_at = task.matter, task.due_at
        if matter is None or due_at is None:  # filtered: an SLA task is on a matter, due
            continue
        with transaction.atomic():
            claimed = Task.objects.filter(pk=task.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            TimelineEntry.objects.create(
                matter=matter,
                actor=None,
                kind=TimelineKind.SLA_BREACH,
                data={
                    "priority": task.priority,
                    "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            audit_record(
                actor=None,
                action="task.sla_breach",
                obj=task,
                matter_id=matter.pk,
                username="system",
            )
            partner = _member(matter, MemberRole.RESPONSIBLE_PARTNER)
            text = _(
                "SLA breached on %(number)s %(title)s: “%(task)s” was due %(due)s "
                "(assigned to %(who)s)."
            ) % {
                "number": matter.number,
                "title": matter.title,
                "task": task.title,
                "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M"),
                "who": task.assignee.display_name if task.assignee else "—",
            }
            for user in {u for u in (partner,) if u is not None}:
                notification_send(
                    user=user,
                    kind=NotificationKind.SLA_BREACH,
                    text=text,
                    key=f"sla:{task.pk}:{due_at.isoformat()}",
                    url=f"/matters/{matter.pk}/#tasks",
                    matter=matter,
                    email_subject=_("SLA breached: %(number)s") % {"number": matter.number},
                )
            # The team's group chat: the matter's number, title and the SLA's due day.
            robot_broadcast(
                event=RobotEvent.SLA_ESCALATION,
                team_ids=robot_teams_of(u.pk for u in (partner, task.assignee) if u is not None),
                heading=gettext_lazy("SLA breached, escalated to the responsible partner:"),
                items=[
                    RobotItem(
                        matter_id=matter.pk,
                        number=matter.number,
                        title=matter.title,
                        due=timezone.localdate(due_at),
                        confidential=matter.confidential,
                        intake=matter.status == Status.INTAKE,
                    )
                ],
                key=f"sla:{task.pk}:{due_at.isoformat()}",
            )
            count += 1
    return count


# -- checklist templates (admins) ------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not actor.has_perm("todos.manage_checklists"):
        raise NotAllowed("todos.manage_checklists")


@transaction.atomic
def checklist_item_add(
    *,
    actor: User,
    matter_type: str,
    stage: str,
    title: str,
    due_days: int,
    assign_to: str = ChecklistItem.Assign.LEAD,
) -> ChecklistItem:
    _require_admin(actor)
    title = title.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("An item needs a title.")]
    if matter_type not in MatterType.values:
        errors["matter_type"] = [_("Unknown matter type.")]
    if stage and stage not in Stage.values:
        errors["stage"] = [_("Unknown stage.")]
    if not 0 <= due_days <= 365:
        errors["due_days"] = [_("Between 0 and 365 days.")]
    if assign_to not in ChecklistItem.Assign.values:
        errors["assign_to"] = [_("Choose the lead lawyer or the assistant.")]
    if errors:
        raise ValidationError(errors)
    when = Stage(stage).label if stage else _("on opening")
    template, _created = ChecklistTemplate.objects.get_or_create(
        matter_type=matter_type,
        stage=stage,
        defaults={"name": f"{MatterType(matter_type).label} · {when}"[:100]},
    )
    position = template.items.count()
    item = ChecklistItem.objects.create(
        template=template, title=title, due_days=due_days, assign_to=assign_to, position=position
    )
    audit_record(actor=actor, action="checklist.item_add", obj=item)
    return item


@transaction.atomic
def checklist_item_remove(*, actor: User, item: ChecklistItem) -> None:
    _require_admin(actor)
    audit_record(actor=actor, action="checklist.item_remove", obj=item, data={"title": item.title})
    item.delete()


@transaction.atomic
def tasks_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> int:
    """Retention anonymised a person on these matters: their names and former contact and
    identity values leave the matters' tasks (title, notes) and the comments on them."""
    changed = 0
    for task in Task.objects.filter(matter_id__in=matter_ids).only("pk", "title", "notes"):
        title = scrub_names(task.title, names, placeholder)[:200]
        notes = scrub_names(task.notes, names, placeholder)
        if (title, notes) != (task.title, task.notes):
            Task.objects.filter(pk=task.pk).update(title=title, notes=notes)
            changed += 1
    comments = TaskComment.objects.filter(task__matter_id__in=matter_ids).only("pk", "body")
    for comment in comments:
        body = scrub_names(comment.body, names, placeholder)
        if body != comment.body:
            TaskComment.objects.filter(pk=comment.pk).update(body=body)
            changed += 1
    return changed
