"""Personal data after archiving (PIPL Arts. 19, 47; issue 14 item 8): retention periods per
matter type, legal holds, anonymisation of parties whose every matter is past retention, and
consent records for sensitive fields.

A party is anonymised when it is on at least one matter and **every** matter it is on
is archived, past its retention end and not under an active legal hold. A matter's retention
ends `PersonalDataRetention.years` after `ArchiveRecord.archived_on` for its type, and never
before its paper file's retention class ends (`RetentionClass.years` when the firm set it; a
file kept permanently, class `permanent`, never ends). A type without a retention row is
never anonymised: the safe default.

An organisation is not a person: its name, credit code, registered address and former or
short names are registry data and stay. What it holds about people goes, under the same
rule: its phone and e-mail (in practice a contact person's mobile and mailbox), its notes
(free text that names and describes its people), the same fields in its edit history, and,
through `party_anonymised`, the portal's client contacts of the party (names, e-mail,
login; the account is closed).

`personal_data_anonymise_run` is idempotent (a `PartyAnonymisation` row marks each party
done) and has a dry run that writes nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed
from lexcase.core.fixedsql import fixed_first
from lexcase.core.formcache import unbound_html_forget
from lexcase.matters.events import matter_search_changed, party_anonymised
from lexcase.matters.models import (
    ArchiveRecord,
    EthicalWall,
    LegalHold,
    Matter,
    MatterClosing,
    MatterParty,
    PartyAnonymisation,
    PersonalDataConsent,
    PersonalDataRetention,
    SensitiveField,
    Status,
)
from lexcase.notifications.services import notifications_anonymise
from lexcase.parties.events import party_saved
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.names import name_keys

PERMANENT_RETENTION_CODES = frozenset({"permanent"})

# What anonymisation clears on a person party; the name becomes a placeholder with its id.
ANONYMISED_FIELDS = ("name", "id_number", "passport", "phone", "email", "address", "notes")
# What it clears on an organisation: its people's channel and free text, never registry data.
ORGANISATION_PERSONAL_FIELDS = ("phone", "email", "notes")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_end(*, record: ArchiveRecord, years_by_type: dict[str, int]) -> date | None:
    """The day a matter's parties' personal data may go, or None (kept: no policy for the
    type, or a paper file kept permanently)."""
    years = years_by_type.get(record.matter.matter_type)
    if years is None or record.retention.code in PERMANENT_RETENTION_CODES:
        return None
    return _add_years(record.archived_on, max(years, record.retention.years or 0))


@dataclass
class AnonymiseReport:
    day: date
    dry_run: bool
    parties: list[int] = field(default_factory=list)  # anonymised (or, in a dry run, due)
    held: list[int] = field(default_factory=list)  # due but for a legal hold


def _expired_matters(day: date) -> tuple[set[int], set[int]]:
    """(matters past retention, of those the ones under an active legal hold)."""
    years_by_type = dict(PersonalDataRetention.objects.values_list("matter_type", "years"))
    expired: set[int] = set()
    records = ArchiveRecord.objects.filter(
        matter__status=Status.ARCHIVED, matter__matter_type__in=list(years_by_type)
    ).select_related("matter", "retention")
    for record in records:
        end = retention_end(record=record, years_by_type=years_by_type)
        if end is not None and end <= day:
            expired.add(record.matter_id)
    held = set(
        LegalHold.objects.filter(matter_id__in=expired, released_at__isnull=True).values_list(
            "matter_id", flat=True
        )
    )
    return expired, held


def parties_due(day: date) -> tuple[dict[int, list[int]], set[int]]:
    """Parties (people and organisations) due for anonymisation on `day` → their matters;
    and those held back."""
    expired, held = _expired_matters(day)
    done = Exists(PartyAnonymisation.objects.filter(party_id=OuterRef("party_id")))
    links = (
        MatterParty.objects.exclude(done)
        .filter(party_id__in=MatterParty.objects.filter(matter_id__in=expired).values("party_id"))
        .values_list("party_id", "matter_id")
    )
    matters_of: dict[int, list[int]] = defaultdict(list)
    for party_id, matter_id in links:
        matters_of[party_id].append(matter_id)
    due: dict[int, list[int]] = {}
    held_parties: set[int] = set()
    for party_id, matter_ids in matters_of.items():
        if not all(m in expired for m in matter_ids):
            continue  # still on a live matter, or one within retention
        if any(m in held for m in matter_ids):
            held_parties.add(party_id)
            continue
        due[party_id] = sorted(matter_ids)
    return due, held_parties


def _former_names(party: Party) -> list[str]:
    """Every name a person party was known by (its name, aliases and earlier names in its
    history), longest first, so a full name is replaced before a shorter name inside it.
    A single character is too common to replace in free text."""
    names = {party.name, *party.aliases.values_list("name", flat=True)}
    names |= set(party.history.values_list("name", flat=True))
    return sorted((n for n in names if len(n.strip()) >= 2), key=lambda n: (-len(n), n))


# A person's contact and identity values that also appear in free text the firm keeps
# ("与王伟（139…）通话"): replaced like their names.
FORMER_VALUE_FIELDS = ("id_number", "passport", "phone", "email", "address")


def _former_values(party: Party) -> list[str]:
    """The person's ID and passport numbers, phones, e-mails and addresses, current and in
    the edit history (read before they are cleared)."""
    values = {getattr(party, f) or "" for f in FORMER_VALUE_FIELDS}
    for row in party.history.all():
        values |= {getattr(row, f) or "" for f in FORMER_VALUE_FIELDS}
    return [v for v in values if len(v.strip()) >= 2]


def scrub_names(text: str, names: list[str], placeholder: str) -> str:
    """`text` with each of `names` (longest first) replaced by `placeholder`."""
    for name in names:
        text = text.replace(name, placeholder)
    return text


def scrub_rows(
    queryset: Any, key: str, fields: tuple[str, ...], names: list[str], placeholder: str
) -> list[Any]:
    """Replace `names` in `fields` of every row of `queryset` (a CharField keeps its max
    length); the keys of the rows changed."""
    model = queryset.model
    limits = {f: model._meta.get_field(f).max_length for f in fields}
    changed = []
    for row in queryset.values(key, *fields):
        new = {f: scrub_names(row[f], names, placeholder)[: limits[f]] for f in fields}
        if any(new[f] != row[f] for f in fields):
            model._default_manager.filter(**{key: row[key]}).update(**new)
            changed.append(row[key])
    return changed


def _scrub_matters(matter_ids: list[int], names: list[str], placeholder: str) -> None:
    """A person's name leaves the text of their matters: title, summary and outcome (and
    the matters' edit history), the closings' outcome details and notes, the reasons given
    for walls and legal holds. 张三诉李四离婚纠纷 would still name them once the party row
    does not."""
    fields = ("title", "summary", "outcome")
    for pk in scrub_rows(
        Matter.objects.filter(pk__in=matter_ids), "pk", fields, names, placeholder
    ):
        matter_search_changed.send(sender=Matter, matter=Matter.objects.get(pk=pk))
    history = Matter.history.filter(id__in=matter_ids)
    scrub_rows(history, "history_id", fields, names, placeholder)
    closings = MatterClosing.objects.filter(matter_id__in=matter_ids)
    scrub_rows(closings, "pk", ("outcome_text", "note", "override_reason"), names, placeholder)
    # A wall's reason says why ("former counsel of 王伟").
    walls = EthicalWall.objects.filter(matter_id__in=matter_ids)
    scrub_rows(walls, "pk", ("reason",), names, placeholder)
    holds = LegalHold.objects.filter(matter_id__in=matter_ids)
    scrub_rows(holds, "pk", ("reason", "release_reason"), names, placeholder)


def _anonymise(party: Party, matter_ids: list[int]) -> None:
    names: list[str] = []
    if party.kind == PartyKind.PERSON:
        strings = {*_former_names(party), *_former_values(party)}
        names = sorted(strings, key=lambda n: (-len(n), n))
        _anonymise_person(party, matter_ids)
        _scrub_matters(matter_ids, names, party.name)
        # Notifications sit below matters (no events of ours to hear): called directly.
        notifications_anonymise(matter_ids=matter_ids, names=names, placeholder=party.name)
    else:
        _anonymise_organisation(party, matter_ids)
    # `names`: what other apps replace in the text they keep about these matters (court
    # messages, communications, tasks, document titles): the person's names and former ID,
    # passport, phone, e-mail and address values, longest first; empty for an
    # organisation, whose name is registry data.
    party_anonymised.send(
        sender=Party, party=party, matter_ids=matter_ids, names=names, placeholder=party.name
    )
    # Forms kept rendered (core.formcache) hold the text they were built with: the matter
    # page's communication entry lists its documents by their former titles.
    unbound_html_forget()


def _anonymise_organisation(party: Party, matter_ids: list[int]) -> None:
    for name in ORGANISATION_PERSONAL_FIELDS:
        setattr(party, name, "")
    party.version += 1
    party.save()
    # Earlier versions keep the organisation's registry data (its former names) but not
    # what they held about its people.
    party.history.update(**dict.fromkeys(ORGANISATION_PERSONAL_FIELDS, ""))
    fields = [*ORGANISATION_PERSONAL_FIELDS, "history", "client_contacts"]
    PartyAnonymisation.objects.create(
        party=party, anonymised_at=timezone.now(), matter_ids=matter_ids, fields=fields
    )
    party_saved.send(sender=Party, party=party, matter_ids=matter_ids)
    audit_record(
        actor=None,
        username="retention",
        action="party.anonymise",
        obj=party,
        data={"matters": matter_ids, "fields": fields},
    )


def _anonymise_person(party: Party, matter_ids: list[int]) -> None:
    party.name = f"（已匿名化 {party.pk}）"
    for name in ANONYMISED_FIELDS[1:]:
        setattr(party, name, "")
    keys = name_keys(party.name, kind=party.kind)
    party.name_normalized = keys["normalized"][:200]
    party.name_core = keys["core"][:200]
    party.name_trade = keys["trade"][:200]
    party.version += 1
    party.save()
    party.aliases.all().delete()
    # The edit history held every earlier value: only the anonymised version stays.
    latest = party.history.order_by("-history_id").values_list("history_id", flat=True).first()
    party.history.exclude(history_id=latest).delete()
    PartyAnonymisation.objects.create(
        party=party,
        anonymised_at=timezone.now(),
        matter_ids=matter_ids,
        fields=[*ANONYMISED_FIELDS, "aliases", "history", "client_contacts"],
    )
    # The conflict index and the matters' search entries follow the new name.
    party_saved.send(sender=Party, party=party, matter_ids=matter_ids)
    audit_record(
        actor=None,
        username="retention",
        action="party.anonymise",
        obj=party,
        data={"matters": matter_ids, "fields": [*ANONYMISED_FIELDS, "aliases"]},
    )


def personal_data_anonymise_run(
    *, day: date | None = None, dry_run: bool = False
) -> AnonymiseReport:
    """Anonymise every party due on `day` (default: today), each in its own
    transaction; a dry run reports the same parties and writes nothing."""
    day = day or timezone.localdate()
    due, held = parties_due(day)
    report = AnonymiseReport(day=day, dry_run=dry_run, held=sorted(held))
    for party_id, matter_ids in sorted(due.items()):
        if dry_run:
            report.parties.append(party_id)
            continue
        with transaction.atomic():
            party = Party.objects.select_for_update().filter(pk=party_id).first()
            if party is None or PartyAnonymisation.objects.filter(party=party).exists():
                continue  # gone, or a concurrent run did it
            _anonymise(party, matter_ids)
            report.parties.append(party_id)
    return report


# -- legal holds -------------------------------------------------------------------------


@transaction.atomic
def legal_hold_set(*, actor: User, matter: Matter, reason: str) -> LegalHold:
    if not actor.has_perm("matters.set_legal_hold", matter):
        raise NotAllowed("matters.set_legal_hold")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    if LegalHold.objects.filter(matter=matter, released_at__isnull=True).exists():
        raise ValidationError({"reason": [_("This matter is already under a legal hold.")]})
    hold = LegalHold.objects.create(matter=matter, reason=reason[:300], set_by=actor)
    audit_record(
        actor=actor,
        action="matter.legal_hold_set",
        obj=hold,
        matter_id=matter.pk,
        data={"reason": hold.reason},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, actor: User, matter: Matter, reason: str) -> None:
    if not actor.has_perm("matters.set_legal_hold", matter):
        raise NotAllowed("matters.set_legal_hold")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    hold = (
        LegalHold.objects.select_for_update()
        .filter(matter=matter, released_at__isnull=True)
        .first()
    )
    if hold is None:
        raise ValidationError({"reason": [_("This matter is not under a legal hold.")]})
    hold.released_at = timezone.now()
    hold.released_by = actor
    hold.release_reason = reason[:300]
    hold.save()
    audit_record(
        actor=actor,
        action="matter.legal_hold_release",
        obj=hold,
        matter_id=matter.pk,
        data={"reason": hold.release_reason},
    )


def legal_hold_active(*, matter: Matter) -> LegalHold | None:
    return fixed_first(
        "matters.legal_hold",
        lambda m: LegalHold.objects.filter(matter=m, released_at__isnull=True),
        matter,
    )


# -- consent for sensitive fields ----------------------------------------------------------


@transaction.atomic
def consent_record(
    *, actor: User, party: Party, field_name: str, basis: str
) -> PersonalDataConsent:
    """Record a person's consent to a sensitive field (the party passed the gate)."""
    if not actor.has_perm("matters.record_consent", party):
        raise NotAllowed("matters.record_consent")
    if field_name not in SensitiveField.values:
        raise ValidationError({"field": [_("Choose a valid field.")]})
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": [_("Say how consent was given.")]})
    PersonalDataConsent.objects.filter(
        party=party, field=field_name, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    consent = PersonalDataConsent.objects.create(
        party=party, field=field_name, basis=basis[:300], recorded_by=actor
    )
    audit_record(actor=actor, action="party.consent_record", obj=party, data={"field": field_name})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, party: Party, field_name: str) -> bool:
    if not actor.has_perm("matters.record_consent", party):
        raise NotAllowed("matters.record_consent")
    withdrawn = PersonalDataConsent.objects.filter(
        party=party, field=field_name, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    if withdrawn:
        audit_record(
            actor=actor, action="party.consent_withdraw", obj=party, data={"field": field_name}
        )
    return bool(withdrawn)


def consent_live(*, party: Party, field_name: str) -> PersonalDataConsent | None:
    return PersonalDataConsent.objects.filter(
        party=party, field=field_name, withdrawn_at__isnull=True
    ).first()
