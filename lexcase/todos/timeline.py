"""Texts of the timeline kinds `todos` writes (registered with `matters.timeline`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lexcase.matters.models import TimelineKind
from lexcase.matters.timeline import TimelineText, timeline_texts_register

TEXTS: dict[TimelineKind, TimelineText] = {
    TimelineKind.CHECKLIST: lambda d: (
        ngettext(
            "Checklist “%(name)s”: %(count)d task created",
            "Checklist “%(name)s”: %(count)d tasks created",
            d["count"],
        )
        % d
    ),
    TimelineKind.SLA_BREACH: lambda d: (
        _("%(priority)s service level breached: first action was due %(due)s; escalated") % d
    ),
}


def register() -> None:
    timeline_texts_register(TEXTS)
