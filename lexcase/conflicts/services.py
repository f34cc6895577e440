"""Conflict checks on the record: run, freeze, review. The matching itself is engine.py and
verdicts.py; this module is what the intake workflow and the API call."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.conflicts import engine
from lexcase.conflicts.engine import QueryParty
from lexcase.conflicts.models import (
    ConflictCheck,
    ConflictReview,
    IntakeLock,
    NameGram,
    PartyKey,
    StaffRelative,
    Verdict,
)
from lexcase.conflicts.rules import self_review_allowed
from lexcase.conflicts.selectors import hidden_matter_ids
from lexcase.conflicts.verdicts import conflict_check
from lexcase.core.exceptions import NotAllowed
from lexcase.core.fieldcrypt import encrypt, is_ciphertext, reencrypt
from lexcase.matters.models import Matter, MatterMember, MemberRole, Status
from lexcase.notifications.kinds import NotificationKind, RobotEvent
from lexcase.notifications.services import (
    RobotItem,
    notification_send,
    robot_broadcast,
    robot_teams_of,
)
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.services import CleanParty, party_clean

SEVERITY = tuple(Verdict)  # most severe first


def _worst(hits: list[dict[str, Any]]) -> str:
    verdicts = {h["verdict"] for h in hits}
    return next((v for v in SEVERITY if v in verdicts), "")


def _json_hit(hit: Any) -> dict[str, Any]:
    data = asdict(hit)
    if data.get("matter_closed_on") is not None:
        data["matter_closed_on"] = data["matter_closed_on"].isoformat()
    return data


def _json_query(party: QueryParty) -> dict[str, Any]:
    """A checked party as frozen in the report: personal identifiers encrypted, as on the
    party rows (core/fieldcrypt.py); readers decrypt them (`highlight`)."""
    data = asdict(party)
    for name in ("id_number", "passport"):
        data[name] = encrypt(data[name] or "")
    return data


@transaction.atomic
def conflict_check_record(
    *, actor: User | None, parties: list[QueryParty], matter: Matter | None = None
) -> ConflictCheck:
    """Run the check and freeze its report (and audit it)."""
    result = conflict_check(parties, exclude_matter_id=matter.pk if matter else None)
    hits = [_json_hit(h) for h in result.hits]
    if matter is not None:
        # The matter's own parties trivially "match" themselves: only their other matters count.
        own = set(matter.matter_parties.values_list("party_id", flat=True))
        hits = [h for h in hits if h["matter_id"] is not None or h["party_id"] not in own]
    check = ConflictCheck.objects.create(
        matter=matter,
        requested_by=actor,
        query=[_json_query(p) for p in parties],
        hits=hits,
        engine_version=result.engine_version,
        truncated=result.truncated,
        groups=[{"query": index, **group.as_dict()} for index, group in result.groups],
        worst=_worst(hits),
    )
    audit_record(
        actor=actor,
        action="conflict.check",
        obj=check,
        matter_id=matter.pk if matter else None,
        data={"parties": len(parties), "hits": len(hits), "worst": check.worst},
    )
    return check


def matter_query_parties(matter: Matter) -> list[QueryParty]:
    return [
        QueryParty(
            name=mp.party.name,
            kind=mp.party.kind,
            role=mp.role,
            id_number=mp.party.id_number,
            credit_code=mp.party.credit_code,
            passport=mp.party.passport,
        )
        for mp in matter.matter_parties.select_related("party").order_by("id")
    ]


def conflict_check_matter(*, actor: User | None, matter: Matter) -> ConflictCheck:
    """Check an intake. Runs inside the intake's transaction and holds the intake lock until
    it commits, so a concurrent intake is checked after this one is on the record."""
    IntakeLock.objects.select_for_update().get_or_create(name="intake")
    check = conflict_check_record(actor=actor, parties=matter_query_parties(matter), matter=matter)
    # Once the intake is on the record (its parties and partner too), its reviewer hears.
    transaction.on_commit(partial(intake_review_notify, matter_id=matter.pk), robust=True)
    return check


def intake_review_notify(*, matter_id: int) -> int:
    """Tell the intake's responsible partner that its latest conflict check awaits their
    review (in the app, by e-mail, and the team's group robot); once per check. Not the
    partner who registered it, unless a sole-partner firm lets them review it."""
    matter = Matter.objects.filter(pk=matter_id, status=Status.INTAKE).first()
    check = latest_check(matter) if matter is not None else None
    if matter is None or check is None or hasattr(check, "review"):
        return 0
    partners = [
        m.user
        for m in MatterMember.objects.filter(
            matter=matter, role=MemberRole.RESPONSIBLE_PARTNER
        ).select_related("user")
        if m.user_id != check.requested_by_id or self_review_allowed()
    ]
    sent = 0
    for partner in partners:
        sent += bool(
            notification_send(
                user=partner,
                kind=NotificationKind.INTAKE_REVIEW,
                text=_("Intake awaiting your conflict review: %(number)s %(title)s")
                % {"number": matter.number, "title": matter.title},
                key=f"intake_review:{check.pk}",
                url=f"/matters/{matter.pk}/#conflicts",
                matter=matter,
            )
        )
    robot_broadcast(
        event=RobotEvent.REVIEW_REQUEST,
        team_ids=robot_teams_of(p.pk for p in partners),
        heading=gettext_lazy("Conflict review requested for an intake:"),
        items=[
            RobotItem(
                matter_id=matter.pk,
                number=matter.number,
                title=matter.title,
                confidential=matter.confidential,
                intake=True,  # before the check is decided: the number only
            )
        ],
        key=f"intake_review:{check.pk}",
    )
    return sent


def latest_check(matter: Matter) -> ConflictCheck | None:
    return matter.conflict_checks.order_by("-id").first()


@transaction.atomic
def conflict_review_decide(
    *, actor: User, matter: Matter, decision: str, note: str = "", consent_reference: str = ""
) -> ConflictReview:
    """A partner or admin decides on the latest check of an intake. Never the requester
    alone, nor someone who cannot see every matter the check found; a waiver needs the
    signed consent on record and is impossible over an absolute conflict."""
    if not actor.has_perm("conflicts.review"):
        raise NotAllowed("conflicts.review")
    check = latest_check(matter)
    if check is None:
        raise ValidationError({"decision": [_("This matter has no conflict check yet.")]})
    if hasattr(check, "review"):
        raise ValidationError({"decision": [_("This conflict check has been decided already.")]})
    self_review = check.requested_by_id == actor.pk
    if self_review and not self_review_allowed():
        raise ValidationError(
            {"decision": [_("The person who requested the check cannot also review it.")]}
        )
    if self_review and not note.strip():
        raise ValidationError(
            {"note": [_("A review of one's own intake needs its reason in the note.")]}
        )
    if decision not in ConflictReview.Decision.values:
        raise ValidationError({"decision": [_("Choose approve, waive or reject.")]})
    if hidden_matter_ids(user=actor, hits=check.hits):
        # The reviewer would decide on hits they were only told exist: the queue offers the
        # check to the partners and admins who can see every matter it found.
        raise ValidationError(
            {
                "decision": [
                    _(
                        "This check found a matter you cannot see: a partner who can see it "
                        "must decide."
                    )
                ]
            }
        )
    verdicts = {h["verdict"] for h in check.hits}
    if decision in ("approve", "waive") and Verdict.ABSOLUTE in verdicts:
        raise ValidationError(
            {"decision": [_("An absolute conflict cannot be approved or waived: reject it.")]}
        )
    if decision == "approve" and Verdict.CONSENT_REQUIRED in verdicts:
        raise ValidationError(
            {"decision": [_("This check needs informed consent: approve with a waiver.")]}
        )
    if decision == "waive" and not consent_reference.strip():
        raise ValidationError(
            {"consent_reference": [_("Record the signed informed consent (知情同意书).")]}
        )
    review = ConflictReview.objects.create(
        check_ref=check,
        matter=matter,
        decision=decision,
        reviewer=actor,
        note=note.strip(),
        consent_reference=consent_reference.strip()[:200],
    )
    audit_record(
        actor=actor,
        action=f"conflict.{decision}",
        obj=review,
        matter_id=matter.pk,
        data={
            "check": check.pk,
            "consent_reference": review.consent_reference,
            "self_review": self_review,
        },
    )
    requester = check.requested_by
    if requester is not None and requester.pk != actor.pk:
        texts = {
            "approve": _("Conflict check approved on %(number)s %(title)s by %(who)s."),
            "waive": _("Conflict check approved with a waiver on %(number)s %(title)s by %(who)s."),
            "reject": _("Conflict check rejected on %(number)s %(title)s by %(who)s."),
        }
        notification_send(
            user=requester,
            kind=NotificationKind.INTAKE_DECIDED,
            text=texts[decision]
            % {"number": matter.number, "title": matter.title, "who": actor.display_name},
            key=f"intake_decided:{review.pk}",
            url=f"/matters/{matter.pk}/",
            matter=matter,
        )
    return review


def intake_is_cleared(matter: Matter) -> bool:
    check = latest_check(matter)
    review = getattr(check, "review", None) if check else None
    return review is not None and review.decision in ("approve", "waive")


# --- staff relatives ------------------------------------------------------------------------


def _may_manage_relatives(actor: User, user: User) -> bool:
    return bool(actor.has_perm("conflicts.manage_relatives", user))


def staff_relative_create(
    *,
    actor: User,
    user: User,
    name: str,
    relation: str,
    kind: str = PartyKind.PERSON,
    id_number: str = "",
) -> StaffRelative:
    """Record a relative of `user` (a member of the firm), indexed at once so that every later
    check flags them, and audited."""
    if not _may_manage_relatives(actor, user):
        raise NotAllowed("conflicts.manage_relatives")
    errors: dict[str, list[str]] = {}
    cleaned: CleanParty | None = None
    try:
        cleaned = party_clean(kind=kind, name=name, id_number=id_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if relation not in StaffRelative.Relation.values:
        errors["relation"] = [_("Choose a relation.")]
    if errors or cleaned is None:
        raise ValidationError(errors)
    with transaction.atomic():
        # The engine writes the row and its index entries together.
        relative = engine.staff_relative_add(
            user=user,
            name=cleaned["name"],
            relation=relation,
            kind=kind,
            id_number=cleaned["id_number"],
        )
        audit_record(
            actor=actor,
            action="conflict.relative_add",
            obj=relative,
            data={"user": user.username, "relation": relation, "kind": kind},
        )
    return relative


@transaction.atomic
def staff_relative_remove(*, actor: User, relative: StaffRelative) -> None:
    """Delete a recorded relative; its index rows go with it (ON DELETE CASCADE), so later
    checks no longer flag them. Checks already on record keep what they found."""
    if not _may_manage_relatives(actor, relative.user):
        raise NotAllowed("conflicts.manage_relatives")
    audit_record(
        actor=actor,
        action="conflict.relative_remove",
        obj=relative,
        data={"user": relative.user.username, "relation": relative.relation},
    )
    PartyKey.objects.filter(relative=relative).delete()
    NameGram.objects.filter(relative=relative).delete()
    relative.delete()


# --- consultations ----------------------------------------------------------------------------


@transaction.atomic
def identifiers_reencrypt() -> dict[str, int]:
    """The conflict index's identifier keys recomputed (from the parties' and relatives'
    current values) and the identifiers in frozen reports re-encrypted, under the first
    field key (`rotate_field_keys`)."""
    party_ids = (
        Party.objects.exclude(id_number_hash="", passport_hash="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    parties = engine.index_parties(list(party_ids))
    relatives = 0
    for relative in StaffRelative.objects.exclude(id_number="").order_by("pk"):
        engine.index_staff_relative(relative)
        relatives += 1
    checks = 0
    for pk, query in list(ConflictCheck.objects.order_by("pk").values_list("pk", "query")):
        changed = False
        for entry in query if isinstance(query, list) else []:
            for name in ("id_number", "passport"):
                value = entry.get(name) if isinstance(entry, dict) else None
                if value and is_ciphertext(value):
                    entry[name] = reencrypt(value)
                    changed = True
        if changed:
            ConflictCheck.objects.filter(pk=pk).update(query=query)
            checks += 1
    return {
        "conflicts.PartyKey (parties)": parties,
        "conflicts.PartyKey (relatives)": relatives,
        "conflicts.ConflictCheck": checks,
    }
