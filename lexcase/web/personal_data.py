"""Everything the firm holds about one person (PIPL Art. 45: the right to a copy).

`personal_data_export` gathers, for one party, its record, aliases, relations, the matters
it is on, its client-portal contacts and the record of processing (the audit events about
the party), all read through the gate for the exporting user: what they cannot see is not
included (a partner who can see a confidential matter completes the export). The export
itself is audited (`party.personal_data_export`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template import engines
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lexcase.accounts.models import AnyUser
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.models import AuditEvent
from lexcase.audit.services import audit_record
from lexcase.core.pdf import html_to_pdf
from lexcase.matters.selectors import matters_visible_to, party_matters, party_relations
from lexcase.parties.models import Party
from lexcase.portal.models import ClientContact

PDF_ASSETS = Path(__file__).resolve().parent / "pdf_assets"
# Derived search keys and bookkeeping: not personal data in themselves.
DERIVED = {"name_normalized", "name_core", "name_trade", "version"}
DERIVED_MARKS = ("hmac", "digest", "blind", "_hash", "_index")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _record(party: Party) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field in Party._meta.concrete_fields:
        name = field.name
        if name in DERIVED or any(mark in name for mark in DERIVED_MARKS):
            continue
        value = getattr(party, field.attname)
        if getattr(field, "choices", None) and value:
            value = f"{value} ({getattr(party, f'get_{name}_display')()})"
        fields[name] = _plain(value)
    return fields


def personal_data_export(*, user: AnyUser, party: Party) -> dict[str, Any]:
    """The export of `party` as the exporting user may see it; audited. Raises
    PermissionDenied for anyone without `parties.export_personal_data`."""
    if not user.has_perm("parties.export_personal_data", party):
        raise PermissionDenied
    links = party_matters(user=user, party=party)
    visible = matters_visible_to(user)
    contacts = []
    for contact in ClientContact.objects.filter(party=party).select_related("user"):
        account = contact.user
        contacts.append(
            {
                "username": account.username,
                "name": account.display_name,
                "email": account.email,
                "active": account.is_active,
                "invited_at": _plain(contact.invited_at),
                "accepted_at": _plain(contact.accepted_at),
                "last_login": _plain(account.last_login),
                "matters": [
                    grant.matter.number
                    for grant in contact.grants.filter(matter__in=visible).select_related("matter")
                ],
            }
        )
    events = AuditEvent.objects.filter(
        object_type=Party._meta.label_lower, object_id=str(party.pk)
    ).order_by("id")
    export = {
        "format": "lexcase-personal-data/1",
        "exported_at": _plain(timezone.now()),
        "exported_by": user.username,
        "firm": firm_profile().name or settings.LEXCASE_FIRM_NAME,
        "scope": _(
            "Everything the firm holds about this person in the matters the exporter may see; "
            "matters outside the exporter's access are completed by a partner who can see them."
        ),
        "person": _record(party),
        "aliases": [
            {"kind": alias.get_kind_display(), "name": alias.name} for alias in party.aliases.all()
        ],
        "relations": [
            {
                "relation": relation.get_kind_display(),
                "direction": "from" if relation.source_id == party.pk else "to",
                "other_party": other.name,
            }
            for relation, other in party_relations(user=user, party=party)
        ],
        "matters": [
            {
                "number": link.matter.number,
                "title": link.matter.title,
                "role": link.get_role_display(),
                "standing": link.standing,
                "status": link.matter.get_status_display(),
                "created_at": _plain(link.matter.created_at),
            }
            for link in links
        ],
        "portal_contacts": contacts,
        "processing_record": [
            {
                "at": _plain(event.at),
                "by": event.actor_username,
                "action": event.action,
            }
            for event in events
        ],
    }
    audit_record(
        actor=user,
        action="party.personal_data_export",
        obj=party,
        data={"matters": len(export["matters"]), "contacts": len(contacts)},
    )
    return export


def personal_data_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2).encode()


def personal_data_pdf(export: dict[str, Any]) -> bytes:
    template = engines["django"].from_string(
        (PDF_ASSETS / "personal_data.html").read_text(encoding="utf-8")
    )
    # Every exported key is a concrete field (reverse relations have no label).
    labels = {
        key: str(getattr(Party._meta.get_field(key), "verbose_name", key))
        for key in export["person"]
    }
    labels.update({"created_at": _("Created"), "updated_at": _("Last changed")})
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        html = template.render(
            {
                "export": export,
                "person": [
                    (labels[k], v) for k, v in export["person"].items() if v not in ("", None)
                ],
            }
        )
    return html_to_pdf(html=html, base_dir=PDF_ASSETS)
