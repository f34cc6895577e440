from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lexcase.calendar.models import ServedDocument
from lexcase.matters.models import Matter, MemberRole, PartyRole, Stage, Status

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (or removed when empty)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _review_kind(kind: str) -> str:
    labels = {
        "periodic": _("periodic review"),
        "stage": _("stage review"),
        "closing": _("closing review"),
    }
    return str(labels.get(kind, kind))


TIMELINE_TEXT = {
    "created": lambda d: _("Matter %(number)s registered") % d,
    "updated": lambda d: (
        _("Details changed: %(fields)s")
        % {"fields": "、".join(str(Matter._meta.get_field(f).verbose_name) for f in d["fields"])}
    ),
    "status": lambda d: (
        _("Status: %(old)s → %(new)s")
        % {"old": Status(d["old"]).label, "new": Status(d["new"]).label}
    ),
    "stage": lambda d: (
        _("Stage: %(old)s → %(new)s") % {"old": Stage(d["old"]).label, "new": Stage(d["new"]).label}
    ),
    "member_added": lambda d: (
        _("%(user)s joined the team as %(role)s")
        % {"user": d["user"], "role": MemberRole(d["role"]).label}
    ),
    "member_removed": lambda d: _("%(user)s was removed from the team") % d,
    "wall_added": lambda d: _("%(user)s was walled off this matter") % d,
    "confidentiality_lowered": lambda d: (
        _("Confidentiality lifted: every partner can see this matter. Reason: %(reason)s") % d
    ),
    "confidentiality_raised": lambda d: _("Made confidential: only the team can see this matter"),
    "party_added": lambda d: (
        _("%(party)s added as %(role)s") % {"party": d["party"], "role": PartyRole(d["role"]).label}
    ),
    "served": lambda d: (
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
    "served_effective": lambda d: (
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
    "hearing": lambda d: _("Hearing scheduled at %(at)s, %(court)s") % d,
    "deadline_moved": lambda d: _("Deadline “%(title)s” moved from %(old)s to %(new)s") % d,
    "archive_filed": lambda d: (
        _("Filed in the archive as %(number)s (room %(room)s, shelf %(shelf)s, box %(box)s)") % d
    ),
    "loan_lent": lambda d: _("Paper file lent to %(user)s, due back %(due)s") % d,
    "loan_returned": lambda d: _("Paper file returned by %(user)s") % d,
    "checklist": lambda d: (
        ngettext(
            "Checklist “%(name)s”: %(count)d task created",
            "Checklist “%(name)s”: %(count)d tasks created",
            d["count"],
        )
        % d
    ),
    "sla_breach": lambda d: (
        _("%(priority)s service level breached: first action was due %(due)s; escalated") % d
    ),
    "portal_grant": lambda d: (
        _("Client portal: %(contact)s (%(party)s) may now see this matter") % d
    ),
    "portal_revoke": lambda d: (
        _("Client portal: %(contact)s (%(party)s) no longer sees this matter") % d
    ),
    "review_done": lambda d: (
        _("Review done (%(kind)s): score %(score)s/5, %(follow_ups)s follow-up actions")
        % {**d, "kind": _review_kind(d["kind"])}
    ),
    "review_overdue": lambda d: (
        _("Review overdue (%(kind)s, due %(due)s): escalated to the responsible partner")
        % {**d, "kind": _review_kind(d["kind"])}
    ),
    "survey": lambda d: (
        _(
            "Client satisfaction survey: overall %(overall)s/5, "
            "responsiveness %(responsiveness)s/5, clarity %(clarity)s/5"
        )
        % d
    ),
    "case_number": lambda d: (
        _("Court case number %(number)s recorded (%(stage)s)")
        % {"number": d["number"], "stage": Stage(d["stage"]).label}
    ),
}


@register.filter
def timeline_text(entry: Any) -> str:
    render = TIMELINE_TEXT.get(entry.kind)
    if render is None:
        return entry.kind
    try:
        return render(entry.data)
    except (KeyError, ValueError):
        return entry.kind


@register.filter
def dict_get(mapping: dict, key: Any) -> Any:
    return mapping.get(key, ()) if mapping else ()


VERDICTS = {
    "absolute": gettext_lazy("Absolute conflict"),
    "consent_required": gettext_lazy("Consent required"),
    "review": gettext_lazy("Needs review"),
    "info": gettext_lazy("For information"),
}


MATCHED_ON = {
    "id": gettext_lazy("identifier"),
    "name": gettext_lazy("same name"),
    "core_name": gettext_lazy("name without legal form"),
    "alias": gettext_lazy("alias or former name"),
    "substring": gettext_lazy("part of the name"),
    "fuzzy": gettext_lazy("similar name"),
    "pinyin": gettext_lazy("same pronunciation"),
    "related": gettext_lazy("related party"),
    "trade": gettext_lazy("trade name"),
}


@register.filter
def matched_on_label(value: str) -> str:
    return str(MATCHED_ON.get(value, value))


@register.filter
def verdict_label(verdict: str) -> str:
    return str(VERDICTS.get(verdict, verdict))
