"""How a timeline entry reads: one text per kind, in the reader's language.

`matters` owns the vocabulary (`TimelineKind`) and this registry; an app that writes
entries of its own kinds registers their texts when it is ready (`<app>/timeline.py`,
imported in its `AppConfig.ready()`), so `matters` needs no import of the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from lexcase.matters.models import Matter, MemberRole, PartyRole, Stage, Status, TimelineKind

TimelineText = Callable[[dict[str, Any]], str]

_TEXTS: dict[str, TimelineText] = {}


def timeline_texts_register(texts: dict[TimelineKind, TimelineText]) -> None:
    for kind, text in texts.items():
        _TEXTS[kind] = text


def _field_label(name: str) -> str:
    # Every field a change records is a concrete field (reverse relations have no label).
    return str(getattr(Matter._meta.get_field(name), "verbose_name", name))


def timeline_text(entry: Any) -> str:
    """The entry in words; its raw kind when no text is registered or its data is short."""
    render = _TEXTS.get(entry.kind)
    if render is None:
        return entry.kind
    try:
        return render(entry.data)
    except (KeyError, ValueError):
        return entry.kind


timeline_texts_register(
    {
        TimelineKind.CREATED: lambda d: _("Matter %(number)s registered") % d,
        TimelineKind.UPDATED: lambda d: (
            _("Details changed: %(fields)s")
            % {"fields": "、".join(_field_label(f) for f in d["fields"])}
        ),
        TimelineKind.STATUS: lambda d: (
            _("Status: %(old)s → %(new)s")
            % {"old": Status(d["old"]).label, "new": Status(d["new"]).label}
        ),
        TimelineKind.STAGE: lambda d: (
            _("Stage: %(old)s → %(new)s")
            % {"old": Stage(d["old"]).label, "new": Stage(d["new"]).label}
        ),
        TimelineKind.MEMBER_ADDED: lambda d: (
            _("%(user)s joined the team as %(role)s")
            % {"user": d["user"], "role": MemberRole(d["role"]).label}
        ),
        TimelineKind.MEMBER_REMOVED: lambda d: _("%(user)s was removed from the team") % d,
        TimelineKind.WALL_ADDED: lambda d: _("%(user)s was walled off this matter") % d,
        TimelineKind.CONFIDENTIALITY_LOWERED: lambda d: (
            _("Confidentiality lifted: every partner can see this matter. Reason: %(reason)s") % d
        ),
        TimelineKind.CONFIDENTIALITY_RAISED: lambda d: _(
            "Made confidential: only the team can see this matter"
        ),
        TimelineKind.PARTY_ADDED: lambda d: (
            _("%(party)s added as %(role)s")
            % {"party": d["party"], "role": PartyRole(d["role"]).label}
        ),
        TimelineKind.ARCHIVE_FILED: lambda d: (
            _("Filed in the archive as %(number)s (room %(room)s, shelf %(shelf)s, box %(box)s)")
            % d
        ),
        TimelineKind.LOAN_LENT: lambda d: _("Paper file lent to %(user)s, due back %(due)s") % d,
        TimelineKind.LOAN_RETURNED: lambda d: _("Paper file returned by %(user)s") % d,
        TimelineKind.CASE_NUMBER: lambda d: (
            _("Court case number %(number)s recorded (%(stage)s)")
            % {"number": d["number"], "stage": Stage(d["stage"]).label}
        ),
    }
)
