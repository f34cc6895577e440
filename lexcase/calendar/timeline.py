"""Texts of the timeline kinds `calendar` writes (registered with `matters.timeline`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lexcase.calendar.models import ServedDocument
from lexcase.matters.models import TimelineKind
from lexcase.matters.timeline import TimelineText, timeline_texts_register

TEXTS: dict[TimelineKind, TimelineText] = {
    TimelineKind.SERVED: lambda d: (
        ngettext(
            "%(kind)s served on %(date)s; %(proposed)d deadline proposed",
            "%(kind)s served on %(date)s; %(proposed)d deadlines proposed",
            d["proposed"],
        )
        % {
            "kind": ServedDocument.Kind(d["kind"]).label,
            "date": d["date"],
            "proposed": d["proposed"],
        }
    ),
    TimelineKind.SERVED_EFFECTIVE: lambda d: (
        ngettext(
            "%(kind)s took effect on %(date)s (no appeal filed); %(proposed)d deadline proposed",
            "%(kind)s took effect on %(date)s (no appeal filed); %(proposed)d deadlines proposed",
            d["proposed"],
        )
        % {
            "kind": ServedDocument.Kind(d["kind"]).label,
            "date": d["date"],
            "proposed": d["proposed"],
        }
    ),
    TimelineKind.HEARING: lambda d: _("Hearing scheduled at %(at)s, %(court)s") % d,
    TimelineKind.DEADLINE_MOVED: lambda d: (
        _("Deadline “%(title)s” moved from %(old)s to %(new)s") % d
    ),
}


def register() -> None:
    timeline_texts_register(TEXTS)
