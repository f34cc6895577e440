"""Texts of the timeline kinds `portal` writes (registered with `matters.timeline`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lexcase.matters.models import TimelineKind
from lexcase.matters.timeline import TimelineText, timeline_texts_register

TEXTS: dict[TimelineKind, TimelineText] = {
    TimelineKind.PORTAL_GRANT: lambda d: (
        _("Client portal: %(contact)s (%(party)s) may now see this matter") % d
    ),
    TimelineKind.PORTAL_REVOKE: lambda d: (
        _("Client portal: %(contact)s (%(party)s) no longer sees this matter") % d
    ),
}


def register() -> None:
    timeline_texts_register(TEXTS)
