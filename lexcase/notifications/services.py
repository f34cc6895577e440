"""Writes for notifications: sending (in-app + e-mail), marking read, e-mail preferences."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.notifications.gate import matter_is_visible
from lexcase.notifications.kinds import NOTIFICATION_KINDS
from lexcase.notifications.models import Notification, NotificationPreference

log = logging.getLogger(__name__)


def _email_wanted(user: User, kind: str) -> bool:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list(
        "email", flat=True
    )
    return next(iter(pref), True)


def notification_send(
    *,
    user: User,
    kind: str,
    text: str,
    key: str,
    url: str = "",
    matter: Any = None,
    email_subject: str = "",
    email_body: str = "",
) -> Notification | None:
    """Send once per (user, key). A notification about a matter goes only to a user who can
    see that matter: the gate applies to what we push, not only to what is pulled.
    In-app always; the e-mail copy only when the user has an address and has not turned
    e-mail off for this kind of event."""
    if not user.is_active:
        return None
    if matter is not None and not matter_is_visible(user=user, matter_id=matter.pk):
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user, kind=kind, text=text, url=url[:300], matter=matter, key=key[:120]
            )
    except IntegrityError:
        return None  # already sent
    if user.email and _email_wanted(user, kind):
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
def notification_preferences_set(*, user: User, email_by_kind: dict[str, bool]) -> None:
    unknown = sorted(set(email_by_kind) - set(NOTIFICATION_KINDS))
    if unknown:
        raise ValidationError({"kind": [_("Unknown notification kind: %s") % ", ".join(unknown)]})
    for kind, email in email_by_kind.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": bool(email)}
        )
    audit_record(actor=user, action="notification.preferences", data=email_by_kind)
