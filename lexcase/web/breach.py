"""Personal-information breach notices (PIPL Art. 57; docs/operations.md "Breach runbook").

An incident is described in a JSON file by whoever handles it; `breach_notice_render`
refuses a notice that lacks any of the fields Art. 57 requires, and renders one text for
the people affected and the authority: the categories of personal information, the cause
and the possible harm; the remedial measures taken and what individuals can do; and the
firm's contact details (from the firm profile unless the incident names a contact).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lexcase.accounts.selectors import firm_profile
from lexcase.audit.services import audit_record
from lexcase.parties.models import Party


class IncidentError(ValueError):
    pass


def art57_fields() -> list[tuple[str, str]]:
    """(key in the incident file, heading) for every field Art. 57 requires."""
    return [
        ("categories", _("Categories of personal information concerned")),
        ("cause", _("Cause of the incident")),
        ("harm", _("Harm it may cause")),
        ("remedies", _("Remedial measures the firm has taken")),
        ("individual_measures", _("What you can do to reduce the harm")),
    ]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(f"- {item}" for item in value if str(item).strip())
    return str(value or "").strip()


def breach_notice_render(*, incident: dict[str, Any]) -> str:
    """The notice as text; IncidentError names every missing Art. 57 field."""
    missing = [key for key, _heading in art57_fields() if not _text(incident.get(key))]
    firm = firm_profile()
    contact = _text(incident.get("contact")) or "\n".join(
        part
        for part in (
            firm.name or settings.LEXCASE_FIRM_NAME,
            firm.address,
            firm.phone and f"{_('Telephone')}: {firm.phone}",
            firm.email and f"{_('E-mail')}: {firm.email}",
        )
        if part
    )
    if not contact:
        missing.append("contact")
    if missing:
        raise IncidentError(
            _("The incident lacks what PIPL Art. 57 requires: %(fields)s")
            % {"fields": ", ".join(missing)}
        )
    persons = Party.objects.filter(pk__in=incident.get("parties") or []).count()
    lines = [_("Notice of a personal information security incident"), ""]
    for label, key in ((_("Occurred"), "occurred_at"), (_("Discovered"), "discovered_at")):
        if _text(incident.get(key)):
            lines.append(f"{label}: {_text(incident[key])}")
    if persons:
        lines.append(_("People affected: %(count)d") % {"count": persons})
    if _text(incident.get("summary")):
        lines += ["", _text(incident["summary"])]
    for key, heading in art57_fields():
        lines += ["", heading, _text(incident[key])]
    lines += ["", _("How to contact us"), contact, ""]
    return "\n".join(lines)


def breach_notice_record(*, incident: dict[str, Any]) -> None:
    audit_record(
        actor=None,
        action="privacy.breach_notice",
        data={
            "parties": len(incident.get("parties") or []),
            "occurred_at": _text(incident.get("occurred_at")),
            "categories": _text(incident.get("categories"))[:200],
        },
    )
