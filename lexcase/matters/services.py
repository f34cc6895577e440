"""Writes for matters. Every change is atomic, checked, put on the timeline and audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import AnyUser, PracticeArea, User
from lexcase.accounts.rules import (
    has_lead_lawyer_role,
    has_responsible_partner_role,
    is_active_staff,
    is_assistant,
    is_lawyer,
)
from lexcase.audit.models import AuditEvent
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.fieldcrypt import blind_indexes
from lexcase.core.validators import MAX_AMOUNT
from lexcase.matters.case_numbers import (
    CaseNumberError,
    court_name_for,
    parse_case_number,
    stage_for_type_code,
)
from lexcase.matters.events import (
    matter_created,
    matter_opened,
    matter_party_added,
    matter_priority_changed,
    matter_search_changed,
    matter_stage_changed,
)
from lexcase.matters.extensions import PartyQuery, matter_open_guards
from lexcase.matters.models import (
    MATTER_TYPE_CODES,
    CaseCause,
    CauseKind,
    CourtCaseNumber,
    EthicalWall,
    Matter,
    MatterMember,
    MatterNumberCounter,
    MatterParty,
    MatterType,
    MemberRole,
    PartyRole,
    Priority,
    Stage,
    Status,
    TimelineEntry,
    TimelineKind,
    cause_kind_for,
)
from lexcase.matters.rules import may_change_field
from lexcase.matters.selectors import parties_visible_to
from lexcase.notifications.kinds import NotificationKind
from lexcase.notifications.services import notification_send
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.names import name_keys
from lexcase.parties.services import party_clean, party_create

STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.INTAKE: {Status.OPEN},
    Status.OPEN: {Status.CLOSED},
    Status.CLOSED: {Status.ARCHIVED, Status.OPEN},
    Status.ARCHIVED: set(),
}

STAGE_TRANSITIONS: dict[str, set[str]] = {
    Stage.PREPARATION: {
        Stage.FILING,
        Stage.ARBITRATION,
        Stage.FIRST_INSTANCE,
        Stage.INVESTIGATION,
        Stage.ONGOING,
        Stage.ENFORCEMENT,
        Stage.CONCLUDED,
    },
    Stage.FILING: {Stage.FIRST_INSTANCE, Stage.ARBITRATION, Stage.CONCLUDED},
    Stage.ARBITRATION: {Stage.FIRST_INSTANCE, Stage.ENFORCEMENT, Stage.CONCLUDED},
    Stage.INVESTIGATION: {Stage.PROSECUTION_REVIEW, Stage.FIRST_INSTANCE, Stage.CONCLUDED},
    Stage.PROSECUTION_REVIEW: {Stage.FIRST_INSTANCE, Stage.CONCLUDED},
    Stage.FIRST_INSTANCE: {
        Stage.SECOND_INSTANCE,
        Stage.RETRIAL,
        Stage.ENFORCEMENT,
        Stage.CONCLUDED,
    },
    Stage.SECOND_INSTANCE: {Stage.RETRIAL, Stage.ENFORCEMENT, Stage.CONCLUDED},
    Stage.RETRIAL: {Stage.SECOND_INSTANCE, Stage.ENFORCEMENT, Stage.CONCLUDED},
    Stage.ENFORCEMENT: {Stage.CONCLUDED},
    Stage.ONGOING: {Stage.CONCLUDED},
    Stage.CONCLUDED: {Stage.RETRIAL, Stage.ENFORCEMENT},
}

EDITABLE_FIELDS = (
    "title",
    "matter_type",
    "cause",
    "practice_area",
    "summary",
    "priority",
    "amount",
    "court",
    "confidential",
    "outcome",
)


def _require(user: AnyUser, perm: str, matter: Matter | None = None) -> None:
    if not user.has_perm(perm, matter):
        raise NotAllowed(perm)


def _timeline(matter: Matter, actor: User, kind: str, **data: Any) -> None:
    TimelineEntry.objects.create(matter=matter, actor=actor, kind=kind, data=data)


def _touch(matter: Matter) -> None:
    Matter.objects.filter(pk=matter.pk).update(updated_at=timezone.now())


def _require_not_archived(matter: Matter) -> None:
    # Archived is a final status (结案归档): the file is read-only from then on.
    if Matter.objects.filter(pk=matter.pk, status=Status.ARCHIVED).exists():
        raise ValidationError({"status": [_("This matter is archived and can no longer change.")]})


def matter_number_counter(*, year: int, type_code: str) -> QuerySet[MatterNumberCounter]:
    """The counter row of (year, type code), created at its first use, as a queryset to
    update or lock. Every writer of firm numbers (intake, import, the demo firm) starts here."""
    try:
        with transaction.atomic():
            MatterNumberCounter.objects.get_or_create(year=year, type_code=type_code)
    except IntegrityError:
        pass  # created concurrently by another writer: fine, it exists now
    return MatterNumberCounter.objects.filter(year=year, type_code=type_code)


def matter_number_next(*, year: int, matter_type: str) -> str:
    """Hand out the next firm number; the counter row lock serialises concurrent intakes."""
    type_code = MATTER_TYPE_CODES[MatterType(matter_type)]
    with transaction.atomic():
        counter = matter_number_counter(year=year, type_code=type_code)
        counter.update(last=F("last") + 1)
        seq = counter.values_list("last", flat=True).get()
    return settings.LEXCASE_MATTER_NUMBER_PATTERN.format(year=year, type=type_code, seq=seq)


@dataclass(frozen=True)
class PartyLink:
    party: Party
    role: str
    standing: str = ""


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate matter fields; return cleaned values or raise ValidationError by field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        title = " ".join(str(data["title"] or "").split())
        if not title:
            errors["title"] = [_("This field is required.")]
        elif len(title) > 200:
            errors["title"] = [_("At most 200 characters.")]
        cleaned["title"] = title
    if "matter_type" in data:
        if data["matter_type"] not in MatterType.values:
            errors["matter_type"] = [_("Choose a valid matter type.")]
        cleaned["matter_type"] = data["matter_type"]
    if "priority" in data:
        if data["priority"] not in Priority.values:
            errors["priority"] = [_("Priority must be P1, P2 or P3.")]
        cleaned["priority"] = data["priority"]
    if "cause" in data:
        cause = data["cause"]
        if cause not in (None, "") and not isinstance(cause, CaseCause):
            cause = CaseCause.objects.filter(pk=cause).first() if str(cause).isdigit() else None
            if cause is None:
                errors["cause"] = [_("Unknown cause of action.")]
        cleaned["cause"] = cause or None
    if "practice_area" in data:
        area = data["practice_area"]
        if area not in (None, "") and not isinstance(area, PracticeArea):
            area = PracticeArea.objects.filter(code=area).first() or (
                PracticeArea.objects.filter(pk=area).first() if str(area).isdigit() else None
            )
            if area is None:
                errors["practice_area"] = [_("Unknown practice area.")]
        cleaned["practice_area"] = area or None
    if "amount" in data:
        amount = data["amount"]
        if amount in (None, ""):
            cleaned["amount"] = None
        else:
            try:
                value = Decimal(str(amount))
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
                if value > MAX_AMOUNT:
                    errors["amount"] = [
                        _("Enter an amount of at most %(max)s.") % {"max": f"{MAX_AMOUNT:,}"}
                    ]
                else:
                    cleaned["amount"] = value.quantize(Decimal("0.01"))
            except InvalidOperation:
                errors["amount"] = [_("Enter a non-negative amount.")]
    for field, limit in (("court", 200), ("summary", 20000), ("outcome", 20000)):
        if field in data:
            text = str(data[field] or "").strip()
            if len(text) > limit:
                errors[field] = [_("At most %(n)d characters.") % {"n": limit}]
            cleaned[field] = text
    if "confidential" in data:
        # Only a real boolean: a null must not read as "not confidential".
        if not isinstance(data["confidential"], bool):
            errors["confidential"] = [_("Must be true or false.")]
        cleaned["confidential"] = data["confidential"]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_cause_fits(cause: CaseCause | None, matter_type: str) -> None:
    """A 罪名 only on a criminal matter, an administrative cause only on an administrative
    one, a civil cause on any other."""
    if cause is not None and cause.kind != cause_kind_for(matter_type):
        raise ValidationError(
            {
                "cause": [
                    _("“%(cause)s” is a %(kind)s: it does not fit a %(type)s matter.")
                    % {
                        "cause": cause.name,
                        "kind": CauseKind(cause.kind).label.lower(),
                        "type": MatterType(matter_type).label.lower(),
                    }
                ]
            }
        )


def _check_party_links(links: list[PartyLink]) -> None:
    errors = []
    seen = set()
    for link in links:
        if link.role not in PartyRole.values:
            errors.append(_("Unknown party role “%(role)s”.") % {"role": link.role})
        key = (link.party.pk, link.role)
        if key in seen:
            errors.append(_("%(name)s is listed twice in the same role.") % {"name": link.party})
        seen.add(key)
    if errors:
        raise ValidationError({"parties": errors})


def intake_parties_check(links: list[PartyLink]) -> None:
    """An intake names at least its client: the conflict check runs over the parties, and
    over none it would report "no hits" for anything. Asked by the intake entry points (the
    form and the API); records made by other means (consultations, imports) name theirs."""
    if not any(link.role == PartyRole.CLIENT for link in links):
        raise ValidationError(
            {"parties": [_("Name the client: an intake needs at least its client.")]}
        )


def _check_member(user: User | None, field: str, *, partner: bool = False) -> None:
    if user is None:
        return
    if not is_active_staff(user):
        raise ValidationError({field: [_("This user is not active.")]})
    if partner and not has_responsible_partner_role(user):
        raise ValidationError(
            {field: [_("The responsible partner must be a partner or an administrator.")]}
        )
    if not partner and not has_lead_lawyer_role(user):
        raise ValidationError(
            {field: [_("The lead lawyer must be a lawyer, a partner or an administrator.")]}
        )


@transaction.atomic
def matter_create(
    *,
    actor: User,
    title: str,
    matter_type: str,
    priority: str = Priority.P2,
    summary: str = "",
    cause: Any = None,
    practice_area: Any = None,
    amount: Any = None,
    court: str = "",
    confidential: bool = False,
    parties: list[PartyLink] | None = None,
    lead_lawyer: User | None = None,
    responsible_partner: User | None = None,
) -> Matter:
    _require(actor, "matters.add_matter")
    cleaned = _clean_fields(
        {
            "title": title,
            "matter_type": matter_type,
            "priority": priority,
            "summary": summary,
            "cause": cause,
            "practice_area": practice_area,
            "amount": amount,
            "court": court,
            "confidential": confidential,
        }
    )
    _check_cause_fits(cleaned["cause"], cleaned["matter_type"])
    links = parties or []
    _check_party_links(links)
    _check_member(lead_lawyer, "lead_lawyer")
    _check_member(responsible_partner, "responsible_partner", partner=True)
    if lead_lawyer and responsible_partner and lead_lawyer.pk == responsible_partner.pk:
        raise ValidationError(
            {"lead_lawyer": [_("The lead lawyer and the responsible partner must differ.")]}
        )
    year = timezone.localdate().year
    matter = Matter.objects.create(
        number=matter_number_next(year=year, matter_type=cleaned["matter_type"]),
        created_by=actor,
        **cleaned,
    )
    for link in links:
        MatterParty.objects.create(
            matter=matter, party=link.party, role=link.role, standing=link.standing[:30]
        )
    team: dict[int, tuple[User, str]] = {}
    if responsible_partner:
        team[responsible_partner.pk] = (responsible_partner, MemberRole.RESPONSIBLE_PARTNER)
    if lead_lawyer:
        team[lead_lawyer.pk] = (lead_lawyer, MemberRole.LEAD)
    if actor.pk not in team:
        # Whoever registers the intake can follow it: a lawyer registering without naming a
        # lead leads it; assistants and staff follow it.
        if is_assistant(actor):
            role = MemberRole.ASSISTANT
        elif is_lawyer(actor) and lead_lawyer is None:
            role = MemberRole.LEAD
        else:
            role = MemberRole.MEMBER
        team[actor.pk] = (actor, role)
    # In one order (by user id), whatever the roles: each insert locks the PartyReach rows
    # of its user and the matter's parties until commit (lexcase/matters/party_links.py), so
    # two intakes of one client with two partners in swapped roles, inserting in role
    # order, each waited for the other's row (a deadlock on PostgreSQL).
    for _pk, (user, member_role) in sorted(team.items()):
        MatterMember.objects.create(matter=matter, user=user, role=member_role)
    _timeline(matter, actor, TimelineKind.CREATED, number=matter.number)
    audit_record(actor=actor, action="matter.create", obj=matter, matter_id=matter.pk)
    matter_search_changed.send(sender=Matter, matter=matter)
    # Every intake gets its conflict check at once, over every party (conflicts reacts in
    # this transaction): it cannot be skipped.
    matter_created.send(sender=Matter, matter=matter, actor=actor)
    return matter


def matter_update(
    *, actor: User, matter: Matter, version: int, confidential_reason: str = "", **fields: Any
) -> Matter:
    """Change editable fields, each only as the field table in `rules.py` allows.
    `version` is what the editor loaded: a stale one is refused. Refused attempts (stale, or
    a field the actor may not change) are audited outside the rolled-back change.
    Lowering confidentiality also needs `confidential_reason`."""
    try:
        return _matter_update(
            actor=actor,
            matter=matter,
            version=version,
            confidential_reason=confidential_reason,
            **fields,
        )
    except StaleEdit:
        audit_record(
            actor=actor,
            action="matter.update_conflict",
            obj=matter,
            matter_id=matter.pk,
            data={"version": version},
        )
        raise
    except NotAllowed as exc:
        audit_record(
            actor=actor,
            action="matter.update_refused",
            obj=matter,
            matter_id=matter.pk,
            data={"fields": list(exc.fields) or sorted(fields)},
        )
        raise


REASON_MAX = 500


@transaction.atomic
def _matter_update(
    *, actor: User, matter: Matter, version: int, confidential_reason: str, **fields: Any
) -> Matter:
    _require(actor, "matters.change_matter", matter)
    _require_not_archived(matter)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    cleaned = _clean_fields(fields)
    if "cause" in cleaned or "matter_type" in cleaned:
        cause = cleaned.get("cause", matter.cause)
        new_type = cleaned.get("matter_type", matter.matter_type)
        if cause != matter.cause or new_type != matter.matter_type:
            _check_cause_fits(cause, new_type)
    reason = str(confidential_reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"confidential_reason": [_("At most %(n)d characters.") % {"n": REASON_MAX}]}
        )
    # Compare-and-swap on the version: works the same on SQLite and PostgreSQL.
    updated = Matter.objects.filter(pk=matter.pk, version=version).update(version=F("version") + 1)
    if not updated:
        raise StaleEdit
    matter.refresh_from_db()
    changes = [field for field, value in cleaned.items() if getattr(matter, field) != value]
    # Field-level rights apply to what changes: an unchanged value sent back is not a change.
    refused = [f for f in changes if not may_change_field(actor, matter, f, cleaned[f])]
    if refused:
        raise NotAllowed(
            "matters.change_matter",
            fields=tuple(refused),
            message=(
                _("Only the responsible partner or an administrator may lift confidentiality.")
                if refused == ["confidential"] and matter.confidential
                else _("Your role on this matter does not allow changing this field.")
            ),
        )
    lowering = "confidential" in changes and matter.confidential
    if lowering and not reason:
        raise ValidationError(
            {"confidential_reason": [_("Say why this matter no longer needs to be confidential.")]}
        )
    for field in changes:
        setattr(matter, field, cleaned[field])
    matter.save()
    if set(changes) - {"confidential"}:
        _timeline(
            matter, actor, TimelineKind.UPDATED, fields=[f for f in changes if f != "confidential"]
        )
    if "confidential" in changes:
        _confidentiality_changed(actor=actor, matter=matter, lowered=lowering, reason=reason)
    if "priority" in changes:
        matter_priority_changed.send(sender=Matter, matter=matter, actor=actor)
    if {"title", "summary"} & set(changes):
        matter_search_changed.send(sender=Matter, matter=matter)
    audit_record(
        actor=actor,
        action="matter.update",
        obj=matter,
        matter_id=matter.pk,
        data={"fields": changes},
    )
    return matter


def _confidentiality_changed(*, actor: User, matter: Matter, lowered: bool, reason: str) -> None:
    data = {"reason": reason} if reason else {}
    _timeline(
        matter,
        actor,
        TimelineKind.CONFIDENTIALITY_LOWERED if lowered else TimelineKind.CONFIDENTIALITY_RAISED,
        **data,
    )
    audit_record(
        actor=actor,
        action="matter.confidentiality_lower" if lowered else "matter.confidentiality_raise",
        obj=matter,
        matter_id=matter.pk,
        data=data,
    )
    if lowered:
        # Every partner of the firm can see the matter from now on: the team must know.
        version = matter.version
        transaction.on_commit(
            lambda: _notify_confidentiality_lowered(
                actor=actor, matter=matter, reason=reason, version=version
            ),
            robust=True,
        )


def _notify_confidentiality_lowered(
    *, actor: User, matter: Matter, reason: str, version: int
) -> None:

    text = _(
        "%(actor)s lifted the confidentiality of %(number)s %(title)s: every partner of the "
        "firm can see it now. Reason: %(reason)s"
    ) % {
        "actor": actor.display_name,
        "number": matter.number,
        "title": matter.title,
        "reason": reason,
    }
    members = (
        MatterMember.objects.filter(matter=matter)
        .exclude(user=actor)
        .select_related("user")
        .order_by("user__username")
    )
    for member in members:
        notification_send(
            user=member.user,
            kind=NotificationKind.CONFIDENTIALITY_LOWERED,
            text=text,
            key=f"confidentiality_lowered:{matter.pk}:{version}",
            url=f"/matters/{matter.pk}/",
            matter=matter,
            email_subject=_("%(number)s is no longer confidential") % {"number": matter.number},
        )


def _transition(*, actor: User, matter: Matter, to: str, perm: str, **extra: Any) -> Matter:
    _require(actor, perm, matter)
    current = Matter.objects.filter(pk=matter.pk).values_list("status", flat=True).get()
    if to not in STATUS_TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": [
                    _("A matter cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": Status(current).label, "to": Status(to).label}
                ]
            }
        )
    # Guarded update: two concurrent transitions cannot both succeed.
    changed = Matter.objects.filter(pk=matter.pk, status=current).update(
        status=to, version=F("version") + 1, updated_at=timezone.now(), **extra
    )
    if not changed:
        raise StaleEdit
    matter.refresh_from_db()
    _timeline(matter, actor, TimelineKind.STATUS, old=current, new=to)
    audit_record(
        actor=actor,
        action=f"matter.{to}",
        obj=matter,
        matter_id=matter.pk,
        data={"from": current},
    )
    return matter


@transaction.atomic
def matter_open(*, actor: User, matter: Matter) -> Matter:
    _require(actor, "matters.open_matter", matter)
    if matter.status == Status.INTAKE:
        # The conflict check must be approved first (conflicts registers that guard).
        for guard in matter_open_guards():
            guard(matter)
    matter = _transition(
        actor=actor,
        matter=matter,
        to=Status.OPEN,
        perm="matters.open_matter",
        opened_on=matter.opened_on or timezone.localdate(),
        closed_on=None,
    )
    # The matter opens with its priority SLA task and its checklists (todos reacts).
    matter_opened.send(sender=Matter, matter=matter, actor=actor)
    registrar = matter.created_by
    if registrar is not None and registrar.pk != actor.pk:
        notification_send(
            user=registrar,
            kind=NotificationKind.INTAKE_DECIDED,
            text=_("Matter opened: %(number)s %(title)s (by %(who)s).")
            % {"number": matter.number, "title": matter.title, "who": actor.display_name},
            key=f"matter_opened:{matter.pk}:{matter.opened_on}",
            url=f"/matters/{matter.pk}/",
            matter=matter,
        )
    return matter


@transaction.atomic
def matter_close(*, actor: User, matter: Matter, outcome: str = "") -> Matter:
    extra: dict[str, Any] = {"closed_on": timezone.localdate()}
    if outcome.strip():
        extra["outcome"] = outcome.strip()
    return _transition(
        actor=actor, matter=matter, to=Status.CLOSED, perm="matters.close_matter", **extra
    )


@transaction.atomic
def matter_reopen(*, actor: User, matter: Matter) -> Matter:
    return _transition(
        actor=actor, matter=matter, to=Status.OPEN, perm="matters.close_matter", closed_on=None
    )


@transaction.atomic
def matter_archive(*, actor: User, matter: Matter) -> Matter:
    return _transition(actor=actor, matter=matter, to=Status.ARCHIVED, perm="matters.close_matter")


@transaction.atomic
def matter_change_stage(*, actor: User, matter: Matter, stage: str) -> Matter:
    _require(actor, "matters.change_matter", matter)
    current = Matter.objects.filter(pk=matter.pk).values_list("status", "stage").get()
    status, old_stage = current
    if stage not in Stage.values:
        raise ValidationError({"stage": [_("Unknown stage.")]})
    if status != Status.OPEN:
        raise ValidationError({"stage": [_("Only an open matter can change stage.")]})
    if stage not in STAGE_TRANSITIONS[old_stage]:
        raise ValidationError(
            {
                "stage": [
                    _("A matter cannot go from stage “%(from)s” to “%(to)s”.")
                    % {"from": Stage(old_stage).label, "to": Stage(stage).label}
                ]
            }
        )
    changed = Matter.objects.filter(pk=matter.pk, stage=old_stage).update(
        stage=stage, version=F("version") + 1, updated_at=timezone.now()
    )
    if not changed:
        raise StaleEdit
    matter.refresh_from_db()
    _timeline(matter, actor, TimelineKind.STAGE, old=old_stage, new=stage)
    # The stage's checklist (todos) and a client update due now (comms) react.
    matter_stage_changed.send(
        sender=Matter, matter=matter, actor=actor, old_stage=old_stage, stage=stage
    )
    audit_record(
        actor=actor,
        action="matter.stage",
        obj=matter,
        matter_id=matter.pk,
        data={"from": old_stage, "to": stage},
    )
    return matter


@transaction.atomic
def matter_member_add(*, actor: User, matter: Matter, user: User, role: str) -> MatterMember:
    _require(actor, "matters.manage_team", matter)
    _require_not_archived(matter)
    if role not in MemberRole.values:
        raise ValidationError({"role": [_("Unknown team role.")]})
    if not is_active_staff(user):
        raise ValidationError({"username": [_("This user is not active.")]})
    if EthicalWall.objects.filter(matter=matter, user=user).exists():
        raise ValidationError({"username": [_("This user is walled off this matter.")]})
    if role == MemberRole.RESPONSIBLE_PARTNER:
        _check_member(user, "username", partner=True)
    if role == MemberRole.LEAD:
        _check_member(user, "username")
    if role in (MemberRole.RESPONSIBLE_PARTNER, MemberRole.LEAD):
        # The previous holder of a single-seat role stays on the team as a member.
        MatterMember.objects.filter(matter=matter, role=role).exclude(user=user).update(
            role=MemberRole.MEMBER
        )
    member, _created = MatterMember.objects.update_or_create(
        matter=matter, user=user, defaults={"role": role}
    )
    _touch(matter)
    _timeline(matter, actor, TimelineKind.MEMBER_ADDED, user=user.username, role=role)
    audit_record(
        actor=actor,
        action="matter.member_add",
        obj=matter,
        matter_id=matter.pk,
        data={"user": user.username, "role": role},
    )
    return member


@transaction.atomic
def matter_member_remove(*, actor: User, matter: Matter, user: User) -> None:
    _require(actor, "matters.manage_team", matter)
    deleted, _rows = MatterMember.objects.filter(matter=matter, user=user).delete()
    if not deleted:
        raise ValidationError({"username": [_("This user is not on the team.")]})
    _touch(matter)
    _timeline(matter, actor, TimelineKind.MEMBER_REMOVED, user=user.username)
    audit_record(
        actor=actor,
        action="matter.member_remove",
        obj=matter,
        matter_id=matter.pk,
        data={"user": user.username},
    )


@transaction.atomic
def matter_wall_add(*, actor: User, matter: Matter, user: User, reason: str) -> EthicalWall:
    _require(actor, "matters.manage_walls", matter)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("This field is required.")]})
    if user.pk == actor.pk:
        raise ValidationError({"username": [_("You cannot wall yourself off.")]})
    wall, _created = EthicalWall.objects.get_or_create(
        matter=matter, user=user, defaults={"reason": reason[:200], "created_by": actor}
    )
    # A wall overrides membership: the walled user leaves the team at once.
    MatterMember.objects.filter(matter=matter, user=user).delete()
    _timeline(matter, actor, TimelineKind.WALL_ADDED, user=user.username)
    audit_record(
        actor=actor,
        action="matter.wall_add",
        obj=matter,
        matter_id=matter.pk,
        data={"user": user.username},
    )
    return wall


@transaction.atomic
def matter_party_add(
    *, actor: User, matter: Matter, party: Party, role: str, standing: str = ""
) -> MatterParty:
    _require(actor, "matters.change_matter", matter)
    _require_not_archived(matter)
    link = PartyLink(party=party, role=role, standing=standing)
    _check_party_links([link])
    if MatterParty.objects.filter(matter=matter, party=party, role=role).exists():
        raise ValidationError({"party": [_("This party is already on the matter in that role.")]})
    mp = MatterParty.objects.create(matter=matter, party=party, role=role, standing=standing[:30])
    # The conflict check covers the new party (conflicts reacts in this transaction).
    matter_party_added.send(sender=Matter, matter=matter, actor=actor, party=party, role=role)
    _touch(matter)
    _timeline(matter, actor, TimelineKind.PARTY_ADDED, party=party.name, role=role)
    matter_search_changed.send(sender=Matter, matter=matter)
    audit_record(
        actor=actor,
        action="matter.party_add",
        obj=matter,
        matter_id=matter.pk,
        data={"party_id": party.pk, "role": role},
    )
    return mp


@transaction.atomic
def matter_case_number_add(
    *, actor: User, matter: Matter, number: str, stage: str = ""
) -> CourtCaseNumber:
    """Record a 案号 on the matter. Without a `stage`, the stage is the one the number's type
    code tells (民初 → first instance, 民终 → second instance: `stage_for_type_code`), else the
    matter's current stage."""
    _require(actor, "matters.change_matter", matter)
    _require_not_archived(matter)
    errors: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = parse_case_number(number)
    except CaseNumberError:
        errors["number"] = [
            _("Not a valid court case number; expected e.g. （2024）京0105民初12345号.")
        ]
    if not stage and parsed is not None:
        extra = getattr(settings, "LEXCASE_CASE_NUMBER_STAGES", None)
        stage = stage_for_type_code(parsed.type_code, extra) or matter.stage
    if stage and stage not in Stage.values:
        errors["stage"] = [_("Unknown stage.")]
    if parsed and CourtCaseNumber.objects.filter(matter=matter, number=parsed.canonical).exists():
        errors["number"] = [_("This case number is already recorded.")]
    if errors or parsed is None:
        raise ValidationError(errors)
    ccn = CourtCaseNumber.objects.create(
        matter=matter,
        stage=stage,
        number=parsed.canonical,
        year=parsed.year,
        court_code=parsed.court,
        type_code=parsed.special + parsed.type_code,
    )
    court = _court_from_case_number(matter, parsed.court)
    _touch(matter)
    _timeline(matter, actor, TimelineKind.CASE_NUMBER, number=ccn.number, stage=stage)
    matter_search_changed.send(sender=Matter, matter=matter)
    audit_record(
        actor=actor,
        action="matter.case_number_add",
        obj=matter,
        matter_id=matter.pk,
        data={"number": ccn.number, **({"court_from_case_number": court} if court else {})},
    )
    return ccn


def _court_from_case_number(matter: Matter, court_code: str) -> str:
    """Propose the court from the 案号's court code when the matter has none yet (the table
    in `courts_data.py` plus `LEXCASE_COURT_CODES`); a code it cannot resolve leaves the
    court to the lawyer. Returns the court filled in, or ""."""
    if matter.court.strip():
        return ""
    name = court_name_for(court_code, getattr(settings, "LEXCASE_COURT_CODES", None))
    if not name:
        return ""
    # A new version, so an edit form opened before cannot blank it again unnoticed.
    if not Matter.objects.filter(pk=matter.pk, court="").update(
        court=name, version=F("version") + 1
    ):
        return ""
    matter.court = name
    matter.version += 1
    return name


# A request the matter page makes by itself once loaded (htmx, hx-trigger="load": the outcome
# statistics) is part of that page view, which its `matter.view` already records: it passes
# the page's token (`matter_view_token`) and records nothing more, so the audit log shows
# one access per page view. The token names the page's event, is signed for its reader and
# matter and expires soon after: a request without one, a forged, foreign or stale one, is
# an access of its own and recorded as such (never zero events).
MATTER_VIEW_TOKEN_SALT = "lexcase.matters.page-view"
MATTER_VIEW_TOKEN_MAX_AGE_S = 120


def matter_record_view(
    *,
    actor: User,
    matter: Matter,
    form: str = "",
    page: str = "",
    via: str = "",
    part_of: str = "",
) -> AuditEvent | None:
    """`actor` read `matter`: its page, one of the page's forms on demand (`form`, its name:
    the form shows the matter's number and title and may read its records), or another page
    or API operation showing the matter's records (`page`: its URL name or operation id;
    `via`: "api"). One INSERT (audit_record); none when `part_of` is the token of the
    actor's page view of this matter (`matter_view_token`): that view is on record. Returns
    the event recorded, if any."""
    if part_of and _view_token_covers(part_of, actor=actor, matter=matter):
        return None
    data = {key: value for key, value in (("form", form), ("page", page), ("via", via)) if value}
    return audit_record(
        actor=actor, action="matter.view", obj=matter, matter_id=matter.pk, data=data or None
    )


def matter_view_token(*, event: AuditEvent) -> str:
    """The token of a page view (the `matter.view` event `event`) that the requests the page
    makes by itself pass as `part_of` to `matter_record_view`."""
    return signing.dumps([event.actor_id, event.matter_id, event.pk], salt=MATTER_VIEW_TOKEN_SALT)


def _view_token_covers(token: str, *, actor: User, matter: Matter) -> bool:
    try:
        actor_id, matter_id, event_id = signing.loads(
            token, salt=MATTER_VIEW_TOKEN_SALT, max_age=MATTER_VIEW_TOKEN_MAX_AGE_S
        )
    except (signing.BadSignature, TypeError, ValueError):
        return False
    if actor_id != actor.pk or matter_id != matter.pk or type(event_id) is not int:
        return False
    # The page view it names must be on record: a token of a page whose request rolled back
    # (its event never committed), or of an event that is not this reader's view of this
    # matter, covers nothing.
    return AuditEvent.objects.filter(
        pk=event_id, action="matter.view", actor_id=actor.pk, matter_id=matter.pk
    ).exists()


def matters_record_list_read(
    *,
    actor: User,
    page: str,
    matter_ids: Iterable[int | None],
    via: str = "",
) -> AuditEvent | None:
    """`actor` was shown records of several matters on one page (the agenda, the
    communications log, a task board, the calendar feed): one `matter.list_view` naming the
    page (its URL name or API operation id) and every matter whose records it showed. None
    when it showed no matter's records (personal tasks only, an empty list)."""
    ids = sorted({i for i in matter_ids if i is not None})
    if not ids:
        return None
    data: dict[str, Any] = {"page": page, "matters": ids}
    if via:
        data["via"] = via
    return audit_record(actor=actor, action="matter.list_view", data=data)


def matter_record_read(
    *, actor: User, obj: models.Model, matter_id: int | None, page: str, via: str = ""
) -> None:
    """`actor` read `obj`, a record hanging off the matter `matter_id` (a task, a document's
    page, a review, a bill...): `matter.view` naming the object and the page (its URL name or
    API operation id). A record on no matter (a personal task, a payment held for a client)
    reads nothing of a matter and is not recorded here."""
    if matter_id is None:
        return
    data = {"page": page, **({"via": via} if via else {})}
    audit_record(actor=actor, action="matter.view", obj=obj, matter_id=matter_id, data=data)


# --- parties found or created on intake, consultations ---------------------------------


def _names_agree(party: Party, typed: str) -> bool:
    """Whether `typed` names `party`: its name or an alias, normalised; for an organisation
    its core or trade name too (华泰 for 北京华泰科技有限公司). A person's name must match."""
    keys = ("normalized",) if party.kind == PartyKind.PERSON else ("normalized", "core", "trade")
    typed_keys = {name_keys(typed, kind=party.kind)[key] for key in keys}
    for known in [party.name, *(alias.name for alias in party.aliases.all())]:
        if typed_keys & {name_keys(known, kind=party.kind)[key] for key in keys}:
            return True
    return False


@transaction.atomic
def party_find_or_create(*, actor: User, kind: str, name: str, identifier: str = "") -> Party:
    """Reuse the party with this identifier, else create one: identifiers are the only safe
    dedupe key (Chinese names collide too often to merge on name alone).

    Only a party the actor can already see is reused: linking one that sits on matters
    hidden from them would show them the name the firm holds for an ID number they typed.
    The conflict check still matches the two records by identifier."""
    identifier = identifier.strip().upper()
    field = "id_number" if kind == PartyKind.PERSON else "credit_code"
    if identifier:
        is_person = field == "id_number"
        cleaned = party_clean(
            kind=kind,
            name=name,
            id_number=identifier if is_person else "",
            credit_code="" if is_person else identifier,
        )
        # An ID number is encrypted: matched through its keyed hash (core/fieldcrypt.py).
        match = (
            Q(id_number_hash__in=blind_indexes(cleaned["id_number"]))
            if is_person
            else Q(credit_code=cleaned["credit_code"])
        )
        existing = parties_visible_to(actor).filter(match, kind=kind).order_by("pk").first()
        if existing is not None:
            if not _names_agree(existing, name):
                # Never swap the typed name for the stored one silently: either the number
                # is mistyped or the lawyer means the stored party and retypes its name.
                raise ValidationError(
                    {
                        "identifier": [
                            _(
                                "This number belongs to “%(stored)s” in the firm's records, "
                                "not “%(typed)s”. Correct the number, or enter the name "
                                "“%(stored)s” to use that party."
                            )
                            % {"stored": existing.name, "typed": name.strip()}
                        ]
                    }
                )
            return existing
    return party_create(actor=actor, kind=kind, name=name, **{field: identifier})


@transaction.atomic
def consultation_record(*, actor: User, parties: Sequence[PartyQuery]) -> Matter:
    """Record an ad-hoc consultation as a closed consultation matter, so that its parties
    count in every later check (docs/domain.md: consultations are part of the history).

    The matter goes through the ordinary intake path (number, team, timeline, audit and its
    own frozen conflict check), then straight to closed: like imported history, a
    consultation that is already over has nothing to open.
    """
    if not actor.has_perm("matters.add_matter"):
        raise NotAllowed("matters.add_matter")
    if not parties:
        raise ValidationError({"parties": [_("Enter at least one name.")]})
    links = []
    errors: dict[str, list[str]] = {}
    for index, q in enumerate(parties):
        identifier = q.id_number if q.kind == PartyKind.PERSON else q.credit_code
        try:
            party = party_find_or_create(
                actor=actor, kind=q.kind, name=q.name, identifier=identifier
            )
        except ValidationError as exc:
            for message in exc.messages:
                errors.setdefault(f"parties.{index}", []).append(message)
            continue
        links.append(PartyLink(party=party, role=q.role))
    if errors:
        raise ValidationError(errors)
    # Listing one party twice in one role is typing noise here, not an error.
    links = list({(link.party.pk, link.role): link for link in links}.values())
    names = "、".join(q.name for q in parties)
    title = _("Consultation: %(names)s") % {"names": names}
    if len(title) > 200:
        title = title[:199] + "…"
    lawyer = has_lead_lawyer_role(actor)
    matter = matter_create(
        actor=actor,
        title=title,
        matter_type=MatterType.CONSULTATION,
        parties=links,
        lead_lawyer=actor if lawyer else None,
    )
    today = timezone.localdate()
    Matter.objects.filter(pk=matter.pk).update(
        status=Status.CLOSED,
        opened_on=today,
        closed_on=today,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    matter.refresh_from_db()
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.STATUS,
        data={"old": Status.INTAKE, "new": Status.CLOSED},
    )
    check = matter.conflict_checks.order_by("-id").first()
    audit_record(
        actor=actor,
        action="conflict.consultation_record",
        obj=matter,
        matter_id=matter.pk,
        # The check `matter_created` made (conflicts keeps it on the matter).
        data={"parties": len(links), "check": check.pk if check else None},
    )
    return matter
