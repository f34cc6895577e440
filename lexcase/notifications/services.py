"""Writes for notifications: sending (in-app + e-mail), marking read, preferences, and the
teams' group-robot channels (企业微信, 钉钉, 飞书) with their deliveries."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lexcase.accounts.models import Team, User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.notifications import robots
from lexcase.notifications.gate import matter_is_visible, matters_walled_for
from lexcase.notifications.kinds import NOTIFICATION_KINDS, RobotEvent
from lexcase.notifications.models import (
    Notification,
    NotificationPreference,
    RobotChannel,
    RobotDelivery,
)

log = logging.getLogger(__name__)


def _wanted(user: User, kind: str) -> tuple[bool, bool]:
    """(in the app, by e-mail) for this kind; both on unless the user turned one off."""
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list(
        "in_app", "email"
    )
    return next(iter(pref), (True, True))


def notification_send(
    *,
    user: User,
    kind: str,
    text: str,
    key: str,
    url: str = "",
    matter: Any = None,
    matters: Iterable[int] = (),
    email_subject: str = "",
    email_body: str = "",
) -> Notification | None:
    """Send once per (user, key). A notification about a matter goes only to a user who can
    see that matter: the gate applies to what we push, not only to what is pulled (a
    client's notice is sent by the portal, which checked the client's grant, without
    `matter`). `matters`: the ids of every matter a text names when it names several (a
    digest), each of which the user sees now; the list shows the note only while they still
    see every one. In the app and by e-mail (when the user has an address) unless the user
    turned that off for this kind of event; with both off, nothing is recorded."""
    if not user.is_active:
        return None
    if matter is not None and not matter_is_visible(user=user, matter_id=matter.pk):
        return None
    in_app, email = _wanted(user, kind)
    if not in_app and not email:
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user,
                kind=kind,
                text=text,
                url=url[:300],
                matter=matter,
                key=key[:120],
                in_app=in_app,
            )
    except IntegrityError:
        return None  # already sent
    named = sorted(set(matters))
    if named:
        note.matters.set(named)
    if user.email and email:
        try:
            send_mail(email_subject or text[:60], email_body or text, None, [user.email])
        except OSError:
            # A mail outage must not lose the in-app notification.
            log.exception("notification e-mail to user %s failed", user.pk)
        else:
            Notification.objects.filter(pk=note.pk).update(emailed=True)
    return note


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(
    *,
    user: User,
    email_by_kind: dict[str, bool],
    in_app_by_kind: dict[str, bool] | None = None,
    kinds: Mapping[str, Any] = NOTIFICATION_KINDS,
) -> None:
    """Store the user's choices per kind (a kind left out keeps its current choice). `kinds`
    are those the user may set: the staff's, or the client's (the portal passes them)."""
    in_app_by_kind = in_app_by_kind or {}
    unknown = sorted((set(email_by_kind) | set(in_app_by_kind)) - set(kinds))
    if unknown:
        raise ValidationError({"kind": [_("Unknown notification kind: %s") % ", ".join(unknown)]})
    for kind in sorted(set(email_by_kind) | set(in_app_by_kind)):
        defaults = {}
        if kind in email_by_kind:
            defaults["email"] = bool(email_by_kind[kind])
        if kind in in_app_by_kind:
            defaults["in_app"] = bool(in_app_by_kind[kind])
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults=defaults)
    audit_record(
        actor=user,
        action="notification.preferences",
        data={"email": email_by_kind, "in_app": in_app_by_kind},
    )


# -- Group-robot channels (企业微信, 钉钉, 飞书) ----------------------------------------------

# Attempts of one delivery, and the wait before each retry (30 s, 2 min, 8 min, 32 min).
ROBOT_MAX_ATTEMPTS = 5
# Lines of one group message (a team's digest can be long).
ROBOT_MAX_LINES = 40
ROBOT_BACKOFF_SECONDS = 30
ROBOT_BACKOFF_FACTOR = 4
# The hosts of each platform's incoming webhooks; LEXCASE_ROBOT_EXTRA_HOSTS adds others
# (a private deployment of the platform, a test server), which may then use plain http.
ROBOT_HOSTS = {
    robots.WECOM: ("qyapi.weixin.qq.com",),
    robots.DINGTALK: ("oapi.dingtalk.com",),
    robots.FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}


@dataclass(frozen=True, kw_only=True)
class RobotItem:
    """What a group message may say about a matter: its number, title and due date. A
    confidential matter is never posted to a group chat, nor a matter with an ethical wall
    on anyone of the channel's team (the group's readers)."""

    matter_id: int
    number: str
    title: str
    due: date | None = None
    confidential: bool = False
    # A matter still in intake: its conflict check is not decided, so its title (which
    # names the parties) is not posted; the number only.
    intake: bool = False


def _require_robot_admin(actor: User) -> None:
    if not actor.has_perm("notifications.manage_robots"):
        raise NotAllowed("notifications.manage_robots")


def robot_url_problem(*, platform: str, url: str) -> str | None:
    """Why this webhook URL is not accepted for the platform, or None."""
    parts = urlsplit(url.strip())
    extra = tuple(getattr(settings, "LEXCASE_ROBOT_EXTRA_HOSTS", ()))
    host = (parts.hostname or "").lower()
    if host in extra:
        return None if parts.scheme in ("http", "https") else _("Use an http(s) address.")
    if parts.scheme != "https":
        return _("Use the https address the platform gives.")
    if host not in ROBOT_HOSTS.get(platform, ()):
        return _("This is not a %(platform)s webhook address (%(hosts)s).") % {
            "platform": RobotChannel.Platform(platform).label,
            "hosts": ", ".join(ROBOT_HOSTS.get(platform, ())),
        }
    return None


def robot_channel_save(
    *,
    actor: User,
    channel: RobotChannel | None,
    team: Team,
    platform: str,
    name: str,
    url: str,
    secret: str | None,
    events: list[str],
    active: bool,
    version: int | None = None,
) -> RobotChannel:
    """Create or edit a team's robot channel. `url` "" and `secret` None keep the stored
    ones (they are never shown back in full); `secret` "" removes it. An edit carries the
    `version` the editor loaded: a stale one raises StaleEdit and changes nothing (two
    administrators editing one channel no longer overwrite each other silently); the
    refusal is audited outside the rolled-back change."""
    try:
        return _robot_channel_save(
            actor=actor,
            channel=channel,
            team=team,
            platform=platform,
            name=name,
            url=url,
            secret=secret,
            events=events,
            active=active,
            version=version,
        )
    except StaleEdit:
        audit_record(
            actor=actor,
            action="robot.update_conflict",
            obj=channel,
            data={"version": version},
        )
        raise


@transaction.atomic
def _robot_channel_save(
    *,
    actor: User,
    channel: RobotChannel | None,
    team: Team,
    platform: str,
    name: str,
    url: str,
    secret: str | None,
    events: list[str],
    active: bool,
    version: int | None,
) -> RobotChannel:
    _require_robot_admin(actor)
    errors: dict[str, list[str]] = {}
    if platform not in RobotChannel.Platform.values:
        errors["platform"] = [_("Choose a platform.")]
    url = url.strip()
    if channel is None and not url:
        errors["url"] = [_("Give the webhook address.")]
    elif url and platform in RobotChannel.Platform.values:
        problem = robot_url_problem(platform=platform, url=url)
        if problem:
            errors["url"] = [problem]
    name = name.strip()
    limit = RobotChannel._meta.get_field("name").max_length or 0
    if len(name) > limit:
        # Never stored cut short without a word (it was cut at 100 characters).
        errors["name"] = [
            _("The name has %(n)d characters; at most %(max)d.") % {"n": len(name), "max": limit}
        ]
    unknown = sorted(set(events) - set(RobotEvent.values))
    if unknown:
        errors["events"] = [_("Unknown event: %s") % ", ".join(unknown)]
    if errors:
        raise ValidationError(errors)
    created = channel is None
    if channel is None:
        channel = RobotChannel(team=team)
    else:
        # A form without its version (a page loaded before versions existed) is stale too.
        # Compare-and-swap: the UPDATE takes the row's lock, so of two editors who loaded
        # the same version only the first gets past here.
        if version is None or not RobotChannel.objects.filter(
            pk=channel.pk, version=version
        ).update(version=F("version") + 1):
            raise StaleEdit
        channel.version = version + 1
    channel.team = team
    channel.platform = platform
    channel.name = name or str(RobotChannel.Platform(platform).label)
    if url:
        channel.url = url
    if secret is not None:
        channel.secret = secret.strip()
    channel.events = [e for e in RobotEvent.values if e in events]
    channel.active = active
    channel.save()
    audit_record(
        actor=actor,
        action="robot.create" if created else "robot.update",
        obj=channel,
        # Never the URL's token or the secret: whether they changed.
        data={
            "team": team.pk,
            "platform": platform,
            "events": channel.events,
            "active": active,
            "url_changed": bool(url),
            "secret_changed": secret is not None,
        },
    )
    return channel


@transaction.atomic
def robot_channel_delete(*, actor: User, channel: RobotChannel) -> None:
    _require_robot_admin(actor)
    audit_record(
        actor=actor,
        action="robot.delete",
        obj=channel,
        data={"team": channel.team_id, "platform": channel.platform},
    )
    channel.delete()


def robot_message(*, heading: str, items: list[RobotItem]) -> str:
    """The text a group sees: the heading, then one line per matter (number, title, due
    date; an intake's number only). Confidential matters are left out; with nothing left,
    no message ("")."""
    lines = []
    shown = [item for item in items if not item.confidential]
    for item in shown[:ROBOT_MAX_LINES]:
        line = item.number if item.intake else f"{item.number} {item.title}"
        if item.due is not None:
            line = _("%(matter)s, due %(due)s") % {"matter": line, "due": item.due.isoformat()}
        lines.append(line)
    if len(shown) > ROBOT_MAX_LINES:
        lines.append(_("… and %(n)s more") % {"n": len(shown) - ROBOT_MAX_LINES})
    return "\n".join([heading, *lines]) if lines else ""


def _enqueue_delivery(delivery_id: int, run_after: datetime | None = None) -> None:
    # Here, not at the top: the task module imports this one.
    from lexcase.notifications.tasks import robot_deliver

    if run_after is not None and robot_deliver.get_backend().supports_defer:
        robot_deliver.using(run_after=run_after).enqueue(delivery_id)
    else:
        robot_deliver.enqueue(delivery_id)


def robot_broadcast(
    *,
    event: str,
    team_ids: Iterable[int | None],
    heading: str | Promise,
    items: list[RobotItem],
    key: str,
    heading_params: dict[str, Any] | None = None,
) -> int:
    """Queue one message to each active channel of these teams that posts `event`; the
    task worker sends it after the commit (the request never waits for a chat platform).
    Once per (channel, key); a confidential matter never, nor, in a team's channel, a
    matter anyone of that team is walled off. Returns the number of deliveries queued. The
    message is in the firm's language (LANGUAGE_CODE): pass `heading` lazily, its
    `heading_params` apart."""
    teams = {t for t in team_ids if t is not None}
    if not teams:
        return 0
    channels = [
        c
        for c in RobotChannel.objects.filter(team_id__in=teams, active=True).order_by("pk")
        if event in c.events
    ]
    shown = [item for item in items if not item.confidential]
    readers: dict[int, set[int]] = {}
    for team_id, user_id in User.objects.filter(
        team_id__in={c.team_id for c in channels}
    ).values_list("team_id", "pk"):
        readers.setdefault(team_id, set()).add(user_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = str(heading) % heading_params if heading_params else str(heading)
    texts: dict[int, str] = {}
    queued = 0
    for channel in channels:
        if channel.team_id not in texts:
            # A group chat is read by the whole team: no matter any of them is walled off.
            walled = matters_walled_for(
                matter_ids={item.matter_id for item in shown},
                user_ids=readers.get(channel.team_id, set()),
            )
            allowed = [i for i in shown if walled is not None and i.matter_id not in walled]
            with translation.override(settings.LANGUAGE_CODE):
                texts[channel.team_id] = robot_message(heading=title, items=allowed)
        text = texts[channel.team_id]
        if not text:
            continue
        try:
            with transaction.atomic():
                delivery = RobotDelivery.objects.create(
                    channel=channel, event=event, text=text, key=key[:120]
                )
        except IntegrityError:
            continue  # already posted to this channel
        transaction.on_commit(partial(_enqueue_delivery, delivery.pk), robust=True)
        queued += 1
    return queued


def robot_teams_of(user_ids: Iterable[int]) -> set[int]:
    """The teams of these users (a matter's people), for `robot_broadcast`."""
    return set(
        User.objects.filter(pk__in=set(user_ids), team__isnull=False).values_list(
            "team_id", flat=True
        )
    )


def robot_clock() -> float:
    """Epoch seconds for the platforms' signatures (a seam for the tests)."""
    return time.time()


def robot_backoff_seconds(attempts: int) -> int:
    """The wait after the `attempts`-th failed attempt."""
    return ROBOT_BACKOFF_SECONDS * ROBOT_BACKOFF_FACTOR ** max(attempts - 1, 0)


def robot_delivery_attempt(*, delivery_id: int) -> str:
    """One attempt at sending a delivery (run by the task worker). On failure the attempt
    is logged and stored, and another is queued after the backoff until the last one."""
    delivery = RobotDelivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != RobotDelivery.Status.PENDING:
        return "skipped"
    channel = delivery.channel
    # Claim this attempt: two workers never send the same attempt twice.
    claimed = RobotDelivery.objects.filter(
        pk=delivery.pk, status=RobotDelivery.Status.PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    attempts = delivery.attempts + 1
    if not channel.active:
        RobotDelivery.objects.filter(pk=delivery.pk).update(
            status=RobotDelivery.Status.FAILED, last_error="the channel is switched off"
        )
        return "failed"
    try:
        request = robots.build_request(
            platform=channel.platform,
            url=channel.url,
            secret=channel.secret,
            text=delivery.text,
            now=robot_clock(),
        )
        robots.post(platform=channel.platform, request=request)
    except robots.DeliveryError as exc:
        error = str(exc)[:300]
        if attempts >= ROBOT_MAX_ATTEMPTS:
            log.error(
                "robot delivery %s to channel %s (%s) failed for good after %s attempts: %s",
                delivery.pk,
                channel.pk,
                channel.platform,
                attempts,
                error,
            )
            RobotDelivery.objects.filter(pk=delivery.pk).update(
                status=RobotDelivery.Status.FAILED, last_error=error, next_attempt_at=None
            )
            return "failed"
        wait = robot_backoff_seconds(attempts)
        log.warning(
            "robot delivery %s to channel %s (%s) failed (attempt %s of %s), retry in %s s: %s",
            delivery.pk,
            channel.pk,
            channel.platform,
            attempts,
            ROBOT_MAX_ATTEMPTS,
            wait,
            error,
        )
        run_after = timezone.now() + timedelta(seconds=wait)
        RobotDelivery.objects.filter(pk=delivery.pk).update(
            last_error=error, next_attempt_at=run_after
        )
        _enqueue_delivery(delivery.pk, run_after)
        return "retry"
    RobotDelivery.objects.filter(pk=delivery.pk).update(
        status=RobotDelivery.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
    )
    return "sent"


def robot_test_send(*, actor: User, channel: RobotChannel) -> RobotDelivery:
    """A test message from the channels page, queued like any other."""
    _require_robot_admin(actor)
    with translation.override(settings.LANGUAGE_CODE):
        text = str(_("LexCase test message: this group will receive the events chosen."))
    delivery = RobotDelivery.objects.create(
        channel=channel, event="test", text=text, key=f"test:{timezone.now().isoformat()}"
    )
    audit_record(actor=actor, action="robot.test", obj=channel, data={"team": channel.team_id})
    transaction.on_commit(partial(_enqueue_delivery, delivery.pk), robust=True)
    return delivery


def _replaced(text: str, strings: list[str], placeholder: str) -> str:
    for string in strings:  # longest first: a full name before a shorter one inside it
        text = text.replace(string, placeholder)
    return text


@transaction.atomic
def notifications_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> int:
    """Retention anonymised a person (called by matters' retention, a layer above): their
    names and former contact and identity values (`names`, longest first) leave the
    notifications and group-chat messages that name them: those about their matters, and
    any other whose text holds one of the strings (a client's notice is sent without its
    matter)."""
    if not names:
        return 0
    named = Q()
    for string in names:
        named |= Q(text__contains=string)
    changed = 0
    notes = Notification.objects.filter(
        Q(matter_id__in=matter_ids) | Q(matters__in=matter_ids) | named
    ).distinct()
    for note in notes.only("pk", "text"):
        text = _replaced(note.text, names, placeholder)
        if text != note.text:
            Notification.objects.filter(pk=note.pk).update(text=text)
            changed += 1
    # A group message keeps only its text: the strings find it.
    for delivery in RobotDelivery.objects.filter(named).only("pk", "text"):
        text = _replaced(delivery.text, names, placeholder)
        if text != delivery.text:
            RobotDelivery.objects.filter(pk=delivery.pk).update(text=text)
            changed += 1
    return changed
