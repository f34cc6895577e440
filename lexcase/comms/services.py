"""The one notification service: in-app first, e-mail when the user has an address."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from lexcase.accounts.models import User
from lexcase.comms.models import Notification
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matter_is_visible

log = logging.getLogger(__name__)


def notification_send(
    *,
    user: User,
    kind: str,
    text: str,
    key: str,
    url: str = "",
    matter: Matter | None = None,
    email_subject: str = "",
) -> Notification | None:
    """Send once per (user, key). A notification about a matter goes only to a user who can
    see that matter: the gate applies to what we push, not only to what is pulled."""
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
    if user.email:
        try:
            send_mail(email_subject or text[:60], text, None, [user.email])
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
