"""Reads for notifications; ones about matters the user can no longer see stay hidden."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from lexcase.accounts.models import User
from lexcase.core.fixedsql import fixed_rows
from lexcase.notifications.gate import matters_visible_to
from lexcase.notifications.kinds import NOTIFICATION_KINDS
from lexcase.notifications.models import (
    Notification,
    NotificationPreference,
    RobotChannel,
    RobotDelivery,
)


def _shown(user: User) -> QuerySet[Notification]:
    """A user's in-app notifications but those about matters they can no longer see: its
    `matter`, and every matter of `matters` (a digest names several)."""
    visible = matters_visible_to(user)
    named = Notification.matters.through.objects.filter(notification=OuterRef("pk"))
    if visible is None:
        return Notification.objects.filter(
            ~Exists(named), matter__isnull=True, user=user, in_app=True
        )
    about = Q(matter__isnull=True) | Q(matter__in=visible)
    hidden = named.exclude(matter__in=visible)
    return Notification.objects.filter(about, ~Exists(hidden), user=user, in_app=True)


def notifications_for(*, user: User, limit: int = 50) -> QuerySet[Notification]:
    """A user's notifications; ones about matters they can no longer see are hidden."""
    return _shown(user).order_by("-created_at", "-id")[:limit]


def notifications_matter_ids(notes: Iterable[Notification]) -> list[int]:
    """The matters `notes` are about: each one's `matter` and every matter a digest names."""
    notes = list(notes)
    ids = {n.matter_id for n in notes if n.matter_id is not None}
    ids.update(
        Notification.matters.through.objects.filter(
            notification_id__in=[n.pk for n in notes]
        ).values_list("matter_id", flat=True)
    )
    return sorted(ids)


def unread_count(*, user: User) -> int:
    """The badge: the unread ones the list shows (a hidden one is not counted either, or the
    badge would tell that something happened on a matter the user was walled off)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    # Every page shows the badge: first the unread ones' matters, a plain indexed read (most
    # users have none, or a few); the gate is asked about those matters only.
    # A fixed read (core.fixedsql): compiled once, the user a placeholder; the probe size is
    # in the key because the slice reads it (tests change it).
    unread: list[Any] = fixed_rows(
        ("notifications.unread", _UNREAD_PROBE),
        lambda u: Notification.objects.filter(
            user=u, in_app=True, read_at__isnull=True
        ).values_list("pk", "matter_id")[: _UNREAD_PROBE + 1],
        user,
    )
    if len(unread) > _UNREAD_PROBE:
        return _shown(user).filter(read_at__isnull=True).count()
    # The matters a digest names (`Notification.matters`) count as its matter does.
    named: dict[int, set[int]] = {}
    if unread:
        for note_id, matter_id in Notification.matters.through.objects.filter(
            notification_id__in=[pk for pk, _m in unread]
        ).values_list("notification_id", "matter_id"):
            named.setdefault(note_id, set()).add(matter_id)
    matter_ids = {m for _pk, m in unread if m is not None}.union(*named.values())
    if not matter_ids:
        return len(unread)
    visible = matters_visible_to(user)
    seen = (
        set()
        if visible is None
        else set(visible.filter(pk__in=matter_ids).values_list("pk", flat=True))
    )
    return sum(1 for pk, m in unread if (m is None or m in seen) and named.get(pk, set()) <= seen)


_UNREAD_PROBE = 200


def notification_preferences(
    *, user: User, kinds: Mapping[str, Any] = NOTIFICATION_KINDS
) -> dict[str, tuple[bool, bool]]:
    """(in the app, by e-mail) for every kind of `kinds` (the staff's by default; the
    portal passes the client's), default both on."""
    stored = {
        kind: (in_app, email)
        for kind, in_app, email in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "in_app", "email"
        )
    }
    return {kind: stored.get(kind, (True, True)) for kind in kinds}


def client_notifications(
    *, user: User, matter_urls: Iterable[str], under: str, limit: int = 20
) -> QuerySet[Notification]:
    """A client's notices for the portal (sent without a matter: the portal checked the
    client's grant when it sent them). A notice links to its matter's page under `under`:
    shown only while that page is one of `matter_urls` (the matters the portal still shows
    the client — a revoked grant hides the notices about that matter too)."""
    about = ~Q(url__startswith=under) | Q(url__in=list(matter_urls))
    return Notification.objects.filter(about, user=user, in_app=True, matter__isnull=True).order_by(
        "-created_at", "-id"
    )[:limit]


def robot_channels() -> QuerySet[RobotChannel]:
    return RobotChannel.objects.select_related("team").order_by("team__name", "name", "pk")


def robot_deliveries_recent(*, limit: int = 30) -> QuerySet[RobotDelivery]:
    """The latest deliveries (the log an administrator reads on the channels page)."""
    return RobotDelivery.objects.select_related("channel__team").order_by("-created_at", "-pk")[
        :limit
    ]
