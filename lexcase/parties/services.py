"""Writes for parties. Identifiers are validated with their check digits; name keys derived."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.parties.events import party_saved
from lexcase.parties.identifiers import (
    IdentifierError,
    normalize_identifier,
    validate_credit_code,
    validate_id_number,
)
from lexcase.parties.models import Party, PartyAlias, PartyKind, PartyRelation
from lexcase.parties.names import clean_display_name, name_keys


def _identifier_message(field: str, exc: IdentifierError) -> str:
    label = _("ID number") if field == "id_number" else _("Unified social credit code")
    messages = {
        "length": _("%(label)s must have 18 characters."),
        "format": _("%(label)s contains characters that are not allowed."),
        "checksum": _("%(label)s has a wrong check digit."),
        "birth_date": _("%(label)s contains an invalid date of birth."),
    }
    return messages.get(exc.code, _("%(label)s is not valid.")) % {"label": label}


class CleanParty(TypedDict):
    kind: str
    name: str
    id_number: str
    credit_code: str
    aliases: list[str]


def party_clean(
    *,
    kind: str,
    name: str,
    id_number: str = "",
    credit_code: str = "",
    aliases: Iterable[str] = (),
) -> CleanParty:
    """Validate party input; return cleaned values or raise ValidationError by field."""
    errors: dict[str, list[str]] = {}
    name = clean_display_name(name)
    if kind not in PartyKind.values:
        errors["kind"] = [_("Choose person or organisation.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 200:
        errors["name"] = [_("At most 200 characters.")]
    cleaned: dict[str, str] = {}
    for field, value, validator in (
        ("id_number", id_number, validate_id_number),
        ("credit_code", credit_code, validate_credit_code),
    ):
        value = normalize_identifier(value)
        if not value:
            cleaned[field] = ""
            continue
        try:
            cleaned[field] = validator(value)
        except IdentifierError as exc:
            errors[field] = [_identifier_message(field, exc)]
    if kind == PartyKind.ORGANIZATION and cleaned.get("id_number"):
        errors.setdefault("id_number", []).append(
            _("An organisation has a credit code, not an ID number.")
        )
    if kind == PartyKind.PERSON and cleaned.get("credit_code"):
        errors.setdefault("credit_code", []).append(
            _("A person has an ID number, not a credit code.")
        )
    alias_list = []
    for alias in aliases or ():
        alias = clean_display_name(str(alias))
        if alias and alias != name and alias not in alias_list:
            alias_list.append(alias)
    if any(len(a) > 200 for a in alias_list):
        errors["aliases"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    return CleanParty(
        kind=kind,
        name=name,
        id_number=cleaned["id_number"],
        credit_code=cleaned["credit_code"],
        aliases=alias_list,
    )


def _apply_keys(party: Party) -> None:
    keys = name_keys(party.name, kind=party.kind)
    party.name_normalized = keys["normalized"][:200]
    party.name_core = keys["core"][:200]
    party.name_trade = keys["trade"][:200]


def _set_aliases(party: Party, aliases: list[str]) -> None:
    party.aliases.exclude(name__in=aliases).delete()
    existing = set(party.aliases.values_list("name", flat=True))
    for alias in aliases:
        if alias not in existing:
            keys = name_keys(alias, kind=party.kind)
            PartyAlias.objects.create(
                party=party,
                name=alias,
                name_normalized=keys["normalized"][:200],
                name_core=keys["core"][:200],
            )


@transaction.atomic
def party_create(
    *,
    actor: User,
    kind: str,
    name: str,
    id_number: str = "",
    credit_code: str = "",
    passport: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    notes: str = "",
    aliases: Iterable[str] = (),
) -> Party:
    cleaned = party_clean(
        kind=kind, name=name, id_number=id_number, credit_code=credit_code, aliases=aliases
    )
    party = Party(
        kind=cleaned["kind"],
        name=cleaned["name"],
        id_number=cleaned["id_number"],
        credit_code=cleaned["credit_code"],
        passport=normalize_identifier(passport),
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        notes=notes,
    )
    _apply_keys(party)
    party.save()
    _set_aliases(party, cleaned["aliases"])
    # The conflict index is rebuilt in this transaction (conflicts reacts).
    party_saved.send(sender=Party, party=party, matter_ids=[])
    audit_record(actor=actor, action="party.create", obj=party)
    return party


def _former_name(party: Party, cleaned: CleanParty) -> str:
    """The party's current name when `cleaned` renames it (not merely respaced, bracketed
    or folded otherwise: the normalised names differ) and does not keep it among its
    aliases; else ""."""
    kind = cleaned["kind"]
    old = name_keys(party.name, kind=kind)["normalized"]
    if not old or name_keys(cleaned["name"], kind=kind)["normalized"] == old:
        return ""
    kept = {name_keys(alias, kind=kind)["normalized"] for alias in cleaned["aliases"]}
    return "" if old in kept else party.name


@transaction.atomic
def party_update(
    *,
    actor: User,
    party: Party,
    version: int,
    aliases: Iterable[str] | None = None,
    **fields: str,
) -> Party:
    allowed = {"kind", "name", "id_number", "credit_code", "passport", "phone", "email"}
    allowed |= {"address", "notes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in unknown})
    merged = {f: fields.get(f, getattr(party, f)) for f in allowed}
    cleaned = party_clean(
        kind=merged["kind"],
        name=merged["name"],
        id_number=merged["id_number"],
        credit_code=merged["credit_code"],
        aliases=aliases if aliases is not None else party.aliases.values_list("name", flat=True),
    )
    merged.update({k: v for k, v in cleaned.items() if k != "aliases"})
    merged["passport"] = normalize_identifier(merged["passport"])
    former = _former_name(party, cleaned)
    if former:
        # A renamed party keeps its former name as an alias ("Aliases and former names"):
        # the conflict check finds it by the name on the firm's old files and judgments. A
        # corrected typo is removed by a second edit, which leaves the name as it is.
        aliases = [*cleaned["aliases"], former]
        cleaned["aliases"] = aliases
    changed = Party.objects.filter(pk=party.pk, version=version).update(version=version + 1)
    if not changed:
        raise StaleEdit
    for field, value in merged.items():
        setattr(party, field, value)
    party.version = version + 1
    _apply_keys(party)
    party.save()
    if aliases is not None:
        _set_aliases(party, cleaned["aliases"])
    # The conflict index now, and the search entries of the party's matters (they carry its
    # names and aliases) after commit.
    matter_ids = list(party.matter_links.values_list("matter_id", flat=True))
    party_saved.send(sender=Party, party=party, matter_ids=matter_ids)
    audit_record(actor=actor, action="party.update", obj=party)
    return party


@transaction.atomic
def party_relation_add(
    *, actor: User, source: Party, target: Party, kind: str, note: str = ""
) -> PartyRelation:
    if kind not in PartyRelation.Kind.values:
        raise ValidationError({"kind": [_("Unknown relation.")]})
    if source.pk == target.pk:
        raise ValidationError({"target": [_("A party cannot be related to itself.")]})
    relation, _created = PartyRelation.objects.get_or_create(
        source=source, target=target, kind=kind, defaults={"note": note}
    )
    audit_record(actor=actor, action="party.relation_add", obj=relation)
    return relation


PERSONAL_IDENTIFIERS = ("id_number", "passport")


@transaction.atomic
def party_identifiers_show(*, actor: User, party: Party) -> dict[str, str]:
    """The party's personal identifiers in full, for those allowed to see them; audited
    (which fields, never the values). The caller has read the party through the gate."""
    if not actor.has_perm("parties.show_identifiers", party):
        raise NotAllowed("parties.show_identifiers")
    shown = {f: getattr(party, f) for f in PERSONAL_IDENTIFIERS if getattr(party, f)}
    audit_record(
        actor=actor, action="party.identifiers_show", obj=party, data={"fields": sorted(shown)}
    )
    return shown
