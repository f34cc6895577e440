"""Writes for comms: the client communication log and the client update cadence (marks and
the periodic job)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.accounts.rules import is_active_staff
from lexcase.accounts.selectors import active_staff
from lexcase.audit.services import audit_record
from lexcase.comms.models import (
    Channel,
    ClientUpdatePolicy,
    Communication,
    Direction,
    UpdateInterval,
)
from lexcase.comms.selectors import update_intervals, update_states_iter
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.validators import civil_date_message, civil_day
from lexcase.documents.models import Document
from lexcase.matters.models import Matter, Priority
from lexcase.matters.retention import scrub_names
from lexcase.matters.selectors import matter_is_visible
from lexcase.notifications.kinds import NotificationKind
from lexcase.notifications.models import Notification
from lexcase.notifications.services import notification_send
from lexcase.todos.services import task_create

log = logging.getLogger(__name__)

MAX_PARTICIPANTS = 30
# A clock a little ahead on the client's phone must not reject a call logged "now".
FUTURE_TOLERANCE = timedelta(minutes=10)


# --- communication log -------------------------------------------------------------------


def _split_participants(
    participants: list[str] | None, errors: dict[str, list[str]]
) -> tuple[list[User], list[str]]:
    """Team members are named by username; any other entry is a client contact's name."""
    if participants is None:
        return [], []
    if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
        errors["participants"] = [_("Give the participants as a list of names.")]
        return [], []
    names = []
    for raw in participants:
        name = raw.strip()
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_PARTICIPANTS:
        errors["participants"] = [_("At most %d participants.") % MAX_PARTICIPANTS]
        return [], []
    if any(len(n) > 100 for n in names):
        errors["participants"] = [_("A participant's name can have at most 100 characters.")]
        return [], []
    users = {u.username: u for u in active_staff().filter(username__in=names)}
    team = [users[n] for n in names if n in users]
    contacts = [n for n in names if n not in users]
    return team, contacts


def _check_documents(
    documents: list[int] | None, matter: Matter, errors: dict[str, list[str]]
) -> list[int]:
    """Attachments are documents already on this matter, referenced by id."""
    if not documents:
        return []
    if not isinstance(documents, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) for d in documents
    ):
        errors["documents"] = [_("Give the documents as a list of ids.")]
        return []
    ids = list(dict.fromkeys(documents))
    found = set(Document.objects.filter(matter=matter, pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        errors["documents"] = [_("Every document must be on this matter.")]
        return []
    return ids


def _create_task(*, actor: User, matter: Matter, title: str, notes: str) -> int | None:
    """The follow-up as a task on the matter."""
    task = task_create(actor=actor, matter=matter, title=title[:200], notes=notes)
    return getattr(task, "pk", None)


@transaction.atomic
def communication_create(
    *,
    actor: User,
    matter: Matter,
    channel: str,
    direction: str,
    summary: str,
    occurred_at: datetime | None = None,
    participants: list[str] | None = None,
    follow_up: str = "",
    create_task: bool = False,
    documents: list[int] | None = None,
) -> Communication:
    """Put one client contact on the record.

    Staff must be able to change the matter. A non-staff actor (a client contact in the
    portal) may only log an inbound portal message; the portal checks that the contact's
    party is a client on `matter` before calling this."""
    staff = is_active_staff(actor)
    if staff:
        if not actor.has_perm("matters.change_matter", matter):
            raise NotAllowed("matters.change_matter")
    elif not (
        getattr(actor, "is_active", False)
        and channel == Channel.PORTAL
        and direction == Direction.INBOUND
    ):
        raise NotAllowed("comms.add_communication")
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Choose one of: %s.") % ", ".join(Channel.values)]
    if direction not in Direction.values:
        errors["direction"] = [_("Choose one of: %s.") % ", ".join(Direction.values)]
    summary = (summary or "").strip() if isinstance(summary, str) else ""
    if not summary:
        errors["summary"] = [_("This field is required.")]
    elif len(summary) > 20000:
        errors["summary"] = [_("The summary is too long.")]
    now = timezone.now()
    if occurred_at is None:
        occurred_at = now
    elif not isinstance(occurred_at, datetime):
        errors["occurred_at"] = [_("Enter a valid date and time.")]
    else:
        if timezone.is_naive(occurred_at):
            occurred_at = timezone.make_aware(occurred_at)
        if civil_day(occurred_at) is None:
            errors["occurred_at"] = [civil_date_message()]
        elif occurred_at > now + FUTURE_TOLERANCE:
            errors["occurred_at"] = [_("A communication cannot be in the future.")]
    team, contacts = _split_participants(participants, errors)
    off_matter = [u.username for u in team if not matter_is_visible(user=u, matter_id=matter.pk)]
    if off_matter:
        errors["participants"] = [
            _("Not on this matter: %(users)s.") % {"users": ", ".join(off_matter)}
        ]
    follow_up = (follow_up or "").strip()
    if create_task and not follow_up:
        errors["follow_up"] = [_("Describe the follow-up to create a task for it.")]
    document_ids = _check_documents(documents, matter, errors)
    if errors:
        raise ValidationError(errors)
    comm = Communication.objects.create(
        matter=matter,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        contacts=contacts,
        summary=summary,
        follow_up=follow_up,
        document_ids=document_ids,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if team:
        comm.team.set(team)
    if create_task and staff:
        task_id = _create_task(
            actor=actor,
            matter=matter,
            title=follow_up.splitlines()[0],
            notes=_("Follow-up of the client communication of %(date)s: %(summary)s")
            % {
                "date": timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M"),
                "summary": summary[:500],
            },
        )
        if task_id is not None:
            Communication.objects.filter(pk=comm.pk).update(task_id=task_id)
            comm.task_id = task_id
    Matter.objects.filter(pk=matter.pk).update(updated_at=now)
    audit_record(
        actor=actor,
        action="communication.create",
        obj=comm,
        matter_id=matter.pk,
        data={"channel": channel, "direction": direction},
    )
    return comm


# --- client update cadence ---------------------------------------------------------------


def client_update_mark_due(*, matter: Matter, reason: str) -> ClientUpdatePolicy:
    """An important event (stage change, new hearing, judgment served): the client must be
    told now, whatever the interval says ("重要进展须及时告知")."""
    with transaction.atomic():
        policy, _created = ClientUpdatePolicy.objects.get_or_create(matter=matter)
        ClientUpdatePolicy.objects.filter(pk=policy.pk).update(
            marked_due_at=timezone.now(), marked_reason=reason[:200]
        )
        policy.refresh_from_db()
    return policy


def client_updates_run(*, now: datetime | None = None, chunk_size: int = 500) -> dict[str, int]:
    """The periodic cadence job. Idempotent: the lead is told once per due cycle, the
    responsible partner once per cycle when a further interval has passed."""
    now = now or timezone.now()
    sent = {"due": 0, "escalated": 0}
    # (user id, kind, key, state) for everything due; what was already sent is skipped with
    # one query per chunk instead of one failed insert per matter on every run.
    pending: list[tuple[int, str, str, Any]] = []
    for state in update_states_iter(Matter.objects.all()):
        if not state.is_due(now):
            continue
        pk, cycle = state.matter.pk, state.cycle
        if state.lead_id is not None:
            pending.append(
                (
                    state.lead_id,
                    NotificationKind.CLIENT_UPDATE_DUE,
                    f"client_update_due:{pk}:{cycle}",
                    state,
                )
            )
        if state.partner_id is not None and state.is_overdue(now):
            pending.append(
                (
                    state.partner_id,
                    NotificationKind.CLIENT_UPDATE_OVERDUE,
                    f"client_update_overdue:{pk}:{cycle}",
                    state,
                )
            )
    for i in range(0, len(pending), chunk_size):
        chunk = pending[i : i + chunk_size]
        done = set(
            Notification.objects.filter(key__in={key for _u, _k, key, _s in chunk}).values_list(
                "user_id", "key"
            )
        )
        todo = [row for row in chunk if (row[0], row[2]) not in done]
        users = User.objects.in_bulk({row[0] for row in todo})
        for user_id, kind, key, state in todo:
            user = users.get(user_id)
            if user is not None and _notify_update(user=user, kind=kind, key=key, state=state):
                sent["due" if kind == NotificationKind.CLIENT_UPDATE_DUE else "escalated"] += 1
    return sent


def _notify_update(*, user: User, kind: str, key: str, state: Any) -> bool:
    matter = state.matter
    params = {
        "number": matter.number,
        "title": matter.title,
        "date": timezone.localtime(state.due_at).strftime("%Y-%m-%d"),
    }
    if kind == NotificationKind.CLIENT_UPDATE_DUE:
        text = _("Client update due on matter %(number)s %(title)s (since %(date)s)") % params
        if state.marked_reason:
            text += f" — {state.marked_reason}"
    else:
        text = (
            _(
                "Client update overdue on matter %(number)s %(title)s: the client has not "
                "been updated since it fell due on %(date)s"
            )
            % params
        )
    note = notification_send(
        user=user,
        kind=kind,
        text=text,
        key=key,
        url=f"/matters/{matter.pk}/#communications",
        matter=matter,
    )
    return note is not None


@transaction.atomic
def client_update_policy_set(
    *, actor: User, matter: Matter, interval_days: int | None, version: int
) -> ClientUpdatePolicy:
    """Override the priority's update interval for one matter (None: back to the default).
    `version` is the policy version the editor saw (0: no policy row yet)."""
    if not actor.has_perm("matters.change_matter", matter):
        raise NotAllowed("matters.change_matter")
    if interval_days is not None and not (
        isinstance(interval_days, int) and 1 <= interval_days <= 365
    ):
        raise ValidationError({"interval_days": [_("Enter a number of days from 1 to 365.")]})
    policy = ClientUpdatePolicy.objects.filter(matter=matter).first()
    if policy is None:
        if version != 0:
            raise StaleEdit
        try:
            with transaction.atomic():
                policy = ClientUpdatePolicy.objects.create(
                    matter=matter, interval_days=interval_days
                )
        except IntegrityError:
            raise StaleEdit from None
    else:
        changed = ClientUpdatePolicy.objects.filter(pk=policy.pk, version=version).update(
            interval_days=interval_days, version=F("version") + 1
        )
        if not changed:
            raise StaleEdit
        policy.refresh_from_db()
    audit_record(
        actor=actor,
        action="client_update.policy",
        obj=policy,
        matter_id=matter.pk,
        data={"interval_days": interval_days},
    )
    return policy


@transaction.atomic
def update_intervals_set(*, actor: User, days_by_priority: dict[str, int]) -> dict[str, int]:
    """The firm's client update interval per priority (firm administrators only)."""
    if not actor.has_perm("comms.manage_settings"):
        raise NotAllowed("comms.change_updateinterval")
    errors = {}
    for priority, days in days_by_priority.items():
        if priority not in Priority.values:
            errors[priority] = [_("Unknown priority.")]
        elif not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            errors[priority] = [_("Enter a number of days from 1 to 365.")]
    if errors:
        raise ValidationError(errors)
    for priority, days in days_by_priority.items():
        UpdateInterval.objects.update_or_create(priority=priority, defaults={"days": days})
    audit_record(actor=actor, action="client_update.intervals", data=days_by_priority)
    return update_intervals()


@transaction.atomic
def communications_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> int:
    """Retention anonymised a person on these matters: their names and former contact and
    identity values leave the communications log (summary, follow-up, contacts named)."""
    changed = 0
    rows = Communication.objects.filter(matter_id__in=matter_ids).only(
        "pk", "summary", "follow_up", "contacts"
    )
    for row in rows:
        summary = scrub_names(row.summary, names, placeholder)
        follow_up = scrub_names(row.follow_up, names, placeholder)
        contacts = [scrub_names(str(c), names, placeholder) for c in row.contacts or []]
        if (summary, follow_up, contacts) != (row.summary, row.follow_up, row.contacts or []):
            Communication.objects.filter(pk=row.pk).update(
                summary=summary, follow_up=follow_up, contacts=contacts
            )
            changed += 1
    return changed
