"""Writes for deadlines, served documents, hearings and the holiday calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.accounts.selectors import active_staff
from lexcase.audit.services import audit_record
from lexcase.calendar.calculator import Result, compute
from lexcase.calendar.events import client_date_changed
from lexcase.calendar.models import (
    CalendarFeed,
    Deadline,
    Hearing,
    HolidayDay,
    HolidayYear,
    LimitationEvent,
    LimitationPeriod,
    ServedDocument,
)
from lexcase.calendar.rules_data import RULES, RULESET_VERSION, Rule
from lexcase.calendar.selectors import agenda_items, agenda_overdue, calendar_data, calendar_version
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.events import matter_development
from lexcase.matters.models import (
    Matter,
    MatterMember,
    MatterType,
    MemberRole,
    Status,
    TimelineEntry,
    TimelineKind,
)
from lexcase.matters.retention import scrub_names
from lexcase.matters.selectors import matters_visible_to
from lexcase.notifications.kinds import NotificationKind, RobotEvent
from lexcase.notifications.services import (
    RobotItem,
    notification_send,
    robot_broadcast,
    robot_teams_of,
)

# Which rule families a served document on each kind of matter can trigger.
FAMILIES: dict[str, tuple[str, ...]] = {
    MatterType.CIVIL: ("civil",),
    MatterType.ENFORCEMENT: ("civil",),
    MatterType.LABOR_ARBITRATION: ("labor", "civil"),
    MatterType.COMMERCIAL_ARBITRATION: ("arbitration", "civil"),
    MatterType.CRIMINAL: ("criminal",),
    MatterType.ADMINISTRATIVE: ("admin",),
}


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def deadline_compute(*, rule_id: str, trigger_date: date) -> Result:
    rule = RULES.get(rule_id)
    if rule is None:
        raise ValidationError({"rule": [_("Unknown rule “%(rule)s”.") % {"rule": rule_id}]})
    return compute(rule, trigger_date, calendar_data(), lang=_lang())


# Rules that depend on facts the served document does not tell (a party without domicile
# in China): computed on request, never proposed automatically.
NOT_PROPOSED = {"civil.appeal.no_domicile"}


def rules_for(
    *,
    matter_type: str,
    served_kind: str,
    trigger: date | None = None,
    final: bool = False,
    starts_on: str = "service",
) -> list[Rule]:
    """The rules a served document proposes. ``final``: the document was final when served,
    so challenge periods (appeal, objection) do not apply and final-only ones do."""
    # Non-litigation, counsel and consultation matters that receive court papers follow
    # civil procedure; never propose criminal or administrative periods by accident.
    families = FAMILIES.get(matter_type, ("civil",))
    return [
        rule
        for rule in RULES.values()
        if served_kind in rule.served_kinds
        and rule.id not in NOT_PROPOSED
        and rule.id.split(".", 1)[0] in families
        and rule.starts_on == starts_on
        and not (final and rule.challenge)
        and not (rule.final_only and not final)
        and (trigger is None or rule.applies_to(trigger))
    ]


# Stages in which a judgment or ruling served on the matter is final (终审) by default.
FINAL_STAGES = {"second_instance", "retrial", "enforcement"}


def final_by_default(*, matter: Matter, kind: str) -> bool:
    """Whether a document of ``kind`` served now is final unless the lawyer says otherwise."""
    if kind == ServedDocument.Kind.AWARD:
        # A commercial award is final when made (一裁终局); a labour award usually is not.
        return matter.matter_type == MatterType.COMMERCIAL_ARBITRATION
    if kind in (ServedDocument.Kind.JUDGMENT, ServedDocument.Kind.RULING):
        return matter.stage in FINAL_STAGES
    return False


def _require_edit(actor: User, matter: Matter) -> None:
    if not actor.has_perm("matters.change_matter", matter):
        raise NotAllowed("matters.change_matter")


def _require_not_archived(matter: Matter) -> None:
    # An archived file is read-only (结案归档): the matter page offers no form to add a
    # deadline, hearing, served document or limitation period to it; a direct POST or the
    # API saved one, and its reminders then went to the team of a closed file.
    if Matter.objects.filter(pk=matter.pk, status=Status.ARCHIVED).exists():
        raise ValidationError({"__all__": [_("This matter is archived and can no longer change.")]})


def _lead_of(matter: Matter) -> User | None:
    member = (
        MatterMember.objects.filter(matter=matter, role=MemberRole.LEAD)
        .select_related("user")
        .first()
    )
    return member.user if member else None


def _apply_result(deadline: Deadline, result: Result) -> None:
    deadline.due_date = result.due_date
    deadline.provisional = result.provisional
    deadline.explanation = list(result.explanation)
    deadline.citation = result.citation[:200]
    deadline.ruleset_version = RULESET_VERSION
    deadline.calendar_version = calendar_version()


def _effective_step(doc: ServedDocument) -> str:
    """The first explanation line of a deadline that runs from a document's effective date."""
    kind = doc.get_kind_display()
    if doc.effective_basis == ServedDocument.EffectiveBasis.FINAL_ON_SERVICE:
        if _lang() == "zh":
            return f"生效：{kind}为生效法律文书，自送达之日（{doc.service_date}）起发生法律效力。"
        return (
            f"In effect: the {kind.lower()} was final when served on {doc.service_date} "
            "and took effect that day."
        )
    if _lang() == "zh":
        return (
            f"生效：{kind}于{doc.service_date}送达，上诉（异议）期届满未上诉（异议），"
            f"于{doc.effective_date}发生法律效力（承办律师确认）。"
        )
    return (
        f"In effect: the {kind.lower()} was served on {doc.service_date}; the appeal "
        f"(objection) period lapsed unused, so it took effect on {doc.effective_date} "
        "(confirmed by the lawyer)."
    )


def _reminder_step(rule: Rule, expiry: date) -> list[str]:
    days = rule.remind_before_days
    remind_on = expiry - timedelta(days=days)
    if _lang() == "zh":
        return [
            f"{rule.name_zh}：{expiry}（{rule.citation_zh}）。",
            f"提前{days}日提醒：{remind_on}，请在届满前申请续行。",
        ]
    return [
        f"{rule.name_en}: {expiry} ({rule.citation_en}).",
        f"Reminder {days} days before: {remind_on}; apply for renewal before expiry.",
    ]


def _propose(
    *,
    actor: User,
    doc: ServedDocument,
    rules: list[Rule],
    trigger: date,
    responsible: User,
) -> list[Deadline]:
    proposals = []
    for rule in rules:
        result = compute(rule, trigger, calendar_data(), lang=_lang())
        deadline = Deadline(
            matter=doc.matter,
            title=rule.name_zh if _lang() == "zh" else rule.name_en,
            status=Deadline.Status.PROPOSED,
            responsible=responsible,
            rule_id=rule.id,
            trigger_date=trigger,
            served_document=doc,
            created_by=actor,
        )
        _apply_result(deadline, result)
        if rule.starts_on == "effective":
            deadline.explanation = [_effective_step(doc), *deadline.explanation]
        deadline.save()
        proposals.append(deadline)
        if rule.remind_before_days:
            # A renewal reminder ahead of an expiry nobody may miss (freezes lapse silently).
            reminder = Deadline(
                matter=doc.matter,
                title=_("Apply to renew: %(name)s") % {"name": deadline.title},
                status=Deadline.Status.PROPOSED,
                responsible=responsible,
                due_date=deadline.due_date - timedelta(days=rule.remind_before_days),
                provisional=deadline.provisional,
                explanation=_reminder_step(rule, deadline.due_date),
                citation=deadline.citation,
                served_document=doc,
                created_by=actor,
            )
            reminder.save()
            proposals.append(reminder)
    return proposals


@transaction.atomic
def served_document_record(
    *,
    actor: User,
    matter: Matter,
    kind: str,
    service_date: date,
    method: str,
    title: str = "",
    notes: str = "",
    final: bool | None = None,
) -> tuple[ServedDocument, list[Deadline]]:
    """Record a served document; the rule library proposes deadlines for a lawyer to confirm.

    Periods that run from service are proposed now. Periods that run from the day the
    document takes effect (retrial, enforcement) are proposed now only for a document that is
    final when served; otherwise once ``served_document_effective`` records that no appeal
    was filed."""
    _require_edit(actor, matter)
    _require_not_archived(matter)
    errors: dict[str, list[str]] = {}
    if kind not in ServedDocument.Kind.values:
        errors["kind"] = [_("Unknown document kind.")]
    if method not in ServedDocument.Method.values:
        errors["method"] = [_("Unknown service method.")]
    if not isinstance(service_date, date) or isinstance(service_date, datetime):
        errors["service_date"] = [_("Enter a valid date.")]
    elif service_date > timezone.localdate():
        errors["service_date"] = [_("The service date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    if final is None:
        final = final_by_default(matter=matter, kind=kind)
    doc = ServedDocument.objects.create(
        matter=matter,
        kind=kind,
        service_date=service_date,
        method=method,
        title=title.strip()[:200],
        notes=notes,
        final=final,
        effective_date=service_date if final else None,
        effective_basis=ServedDocument.EffectiveBasis.FINAL_ON_SERVICE if final else "",
        recorded_by=actor,
    )
    responsible = _lead_of(matter) or actor
    proposals = _propose(
        actor=actor,
        doc=doc,
        rules=rules_for(
            matter_type=matter.matter_type, served_kind=kind, final=final, trigger=service_date
        ),
        trigger=service_date,
        responsible=responsible,
    )
    if final:
        proposals += _propose(
            actor=actor,
            doc=doc,
            rules=rules_for(
                matter_type=matter.matter_type,
                served_kind=kind,
                final=final,
                trigger=service_date,
                starts_on="effective",
            ),
            trigger=service_date,
            responsible=responsible,
        )
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.SERVED,
        data={"kind": kind, "date": service_date.isoformat(), "proposed": len(proposals)},
    )
    audit_record(
        actor=actor,
        action="deadline.served_document",
        obj=doc,
        matter_id=matter.pk,
        data={"kind": kind, "service_date": service_date.isoformat(), "final": final},
    )
    if kind == ServedDocument.Kind.JUDGMENT:
        # A judgment is news the client must hear at once (issue #7; comms reacts).
        matter_development.send(sender=Matter, matter=matter, reason=_("Judgment served"))
    return doc, proposals


def challenge_lapse_date(doc: ServedDocument) -> date | None:
    """The day after the document's challenge period ends: its effective date when nobody
    appealed. Read from the proposed or confirmed challenge deadline (so a date the lawyer
    corrected counts), else computed from the rule."""
    deadlines = Deadline.objects.filter(served_document=doc).exclude(
        status=Deadline.Status.DISMISSED
    )
    ends = []
    for deadline in deadlines:
        rule = RULES.get(deadline.rule_id)
        if rule is not None and rule.challenge and rule.id not in NOT_PROPOSED:
            ends.append(deadline.due_date)
    if not ends:
        rules = [
            r
            for r in rules_for(
                matter_type=doc.matter.matter_type,
                served_kind=doc.kind,
                trigger=doc.service_date,
            )
            if r.challenge
        ]
        ends = [compute(r, doc.service_date, calendar_data()).due_date for r in rules]
    return max(ends) + timedelta(days=1) if ends else None


@transaction.atomic
def served_document_effective(
    *, actor: User, document: ServedDocument, effective_date: date | None = None
) -> tuple[ServedDocument, list[Deadline]]:
    """Record that no appeal (objection) was filed, so the document took effect; propose the
    periods that run from that day. Without a date, the day after the challenge period ends."""
    matter = document.matter
    _require_edit(actor, matter)
    _require_not_archived(matter)  # it proposes the periods that run from that day
    if document.effective_date is not None:
        raise ValidationError(
            {"effective_date": [_("This document's effective date is already recorded.")]}
        )
    if effective_date is None:
        effective_date = challenge_lapse_date(document)
        if effective_date is None:
            raise ValidationError({"effective_date": [_("Enter the date it took effect.")]})
    if effective_date < document.service_date:
        raise ValidationError(
            {"effective_date": [_("The effective date cannot be before the service date.")]}
        )
    if effective_date > timezone.localdate():
        raise ValidationError(
            {
                "effective_date": [
                    _(
                        "The appeal period has not ended yet (the document takes effect on "
                        "%(date)s at the earliest)."
                    )
                    % {"date": effective_date.isoformat()}
                ]
            }
        )
    updated = ServedDocument.objects.filter(pk=document.pk, effective_date__isnull=True).update(
        effective_date=effective_date, effective_basis=ServedDocument.EffectiveBasis.NO_CHALLENGE
    )
    if not updated:
        raise ValidationError(
            {"effective_date": [_("This document's effective date is already recorded.")]}
        )
    document.refresh_from_db()
    proposals = _propose(
        actor=actor,
        doc=document,
        rules=rules_for(
            matter_type=matter.matter_type,
            served_kind=document.kind,
            trigger=effective_date,
            starts_on="effective",
        ),
        trigger=effective_date,
        responsible=_lead_of(matter) or actor,
    )
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.SERVED_EFFECTIVE,
        data={
            "kind": document.kind,
            "date": effective_date.isoformat(),
            "proposed": len(proposals),
        },
    )
    audit_record(
        actor=actor,
        action="deadline.served_effective",
        obj=document,
        matter_id=matter.pk,
        data={"effective_date": effective_date.isoformat()},
    )
    return document, proposals


def _check_responsible(responsible: User | None, matter: Matter) -> None:
    if responsible is None:
        return
    if (
        not responsible.is_active
        or not matters_visible_to(responsible).filter(pk=matter.pk).exists()
    ):
        raise ValidationError(
            {"responsible": [_("The responsible person must be able to see this matter.")]}
        )


@transaction.atomic
def deadline_confirm(
    *,
    actor: User,
    deadline: Deadline,
    responsible: User | None = None,
    due_date: date | None = None,
) -> Deadline:
    _require_edit(actor, deadline.matter)
    _require_not_archived(deadline.matter)  # a live deadline: its reminders go to the team
    if deadline.status != Deadline.Status.PROPOSED:
        raise ValidationError({"status": [_("Only a proposed deadline can be confirmed.")]})
    _check_responsible(responsible, deadline.matter)
    changes: dict[str, Any] = {"status": Deadline.Status.OPEN, "version": F("version") + 1}
    if responsible is not None:
        changes["responsible"] = responsible
    if due_date is not None and due_date != deadline.due_date:
        # A lawyer's edit overrides the rule; the rule stays recorded as the source.
        changes["due_date"] = due_date
        changes["date_overridden"] = True
        changes["notes"] = (deadline.notes + "\n" if deadline.notes else "") + _(
            "Date set by hand (the rule gave %(date)s)."
        ) % {"date": deadline.due_date.isoformat()}
    updated = Deadline.objects.filter(
        pk=deadline.pk, version=deadline.version, status=Deadline.Status.PROPOSED
    ).update(**changes)
    if not updated:
        raise StaleEdit
    deadline.refresh_from_db()
    audit_record(
        actor=actor,
        action="deadline.confirm",
        obj=deadline,
        matter_id=deadline.matter_id,
        data={"due_date": deadline.due_date.isoformat(), "rule": deadline.rule_id},
    )
    return deadline


def _set_status(
    *, actor: User, deadline: Deadline, to: str, allowed_from: tuple[str, ...]
) -> Deadline:
    _require_edit(actor, deadline.matter)
    changes: dict[str, Any] = {"status": to, "version": F("version") + 1}
    if to == Deadline.Status.DONE:
        changes["completed_at"] = timezone.now()
    updated = Deadline.objects.filter(pk=deadline.pk, status__in=allowed_from).update(**changes)
    if not updated:
        raise ValidationError({"status": [_("This deadline cannot change to that status now.")]})
    deadline.refresh_from_db()
    audit_record(actor=actor, action=f"deadline.{to}", obj=deadline, matter_id=deadline.matter_id)
    return deadline


@transaction.atomic
def deadline_dismiss(*, actor: User, deadline: Deadline) -> Deadline:
    return _set_status(
        actor=actor,
        deadline=deadline,
        to=Deadline.Status.DISMISSED,
        allowed_from=(Deadline.Status.PROPOSED,),
    )


@transaction.atomic
def deadline_complete(*, actor: User, deadline: Deadline) -> Deadline:
    return _set_status(
        actor=actor,
        deadline=deadline,
        to=Deadline.Status.DONE,
        allowed_from=(Deadline.Status.OPEN, Deadline.Status.MISSED),
    )


@transaction.atomic
def deadline_create(
    *,
    actor: User,
    matter: Matter,
    title: str,
    due_date: date,
    due_time: time | None = None,
    responsible: User | None = None,
    notes: str = "",
) -> Deadline:
    """A deadline set by the court or by hand (e.g. 举证期限 as fixed in the court's notice)."""
    _require_edit(actor, matter)
    _require_not_archived(matter)
    title = " ".join((title or "").split())
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("This field is required.")]
    if not isinstance(due_date, date) or isinstance(due_date, datetime):
        errors["due_date"] = [_("Enter a valid date.")]
    if errors:
        raise ValidationError(errors)
    responsible = responsible or _lead_of(matter) or actor
    _check_responsible(responsible, matter)
    deadline = Deadline.objects.create(
        matter=matter,
        title=title[:200],
        due_date=due_date,
        due_time=due_time,
        responsible=responsible,
        notes=notes,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="deadline.create",
        obj=deadline,
        matter_id=matter.pk,
        data={"due_date": due_date.isoformat()},
    )
    return deadline


def hearing_clashes(
    *,
    users: list[User],
    starts_at: datetime,
    city: str,
    reader: User,
    exclude: int | None = None,
) -> list[str]:
    """Warnings for attendees with another hearing at an overlapping time, or on the same
    half-day in a different city (no one can be in two courts that morning), as `reader`
    (who schedules this one) may read them: the other hearing's court and matter number
    only when the gate shows `reader` that matter, else its time alone (an attendee's other
    hearing may be on a confidential matter, or one `reader` is walled off)."""
    local = timezone.localtime(starts_at)
    half_day_start = local.replace(
        hour=0 if local.hour < 12 else 12, minute=0, second=0, microsecond=0
    )
    half_day_end = half_day_start + timedelta(hours=12)
    assumed = timedelta(hours=2)  # length assumed for a hearing without an end time
    others = (
        Hearing.objects.filter(
            attendees__in=users,
            starts_at__gte=half_day_start - timedelta(hours=12),
            starts_at__lt=half_day_end,
        )
        .select_related("matter")
        .prefetch_related("attendees")
        .distinct()
    )
    if exclude:
        others = others.exclude(pk=exclude)
    found = list(others)
    seen = set(
        matters_visible_to(reader)
        .filter(pk__in={o.matter_id for o in found})
        .values_list("pk", flat=True)
    )
    warnings = []
    for other in found:
        other_start = timezone.localtime(other.starts_at)
        other_end = timezone.localtime(other.ends_at) if other.ends_at else other_start + assumed
        overlaps = other_start < local + assumed and local < other_end
        same_half_day = half_day_start <= other_start < half_day_end
        different_city = bool(city and other.city and other.city != city)
        if overlaps or (same_half_day and different_city):
            names = "、".join(u.display_name for u in other.attendees.all() if u in users)
            if other.matter_id not in seen:
                warnings.append(
                    _("%(names)s also has a hearing at %(time)s.")
                    % {"names": names, "time": other_start.strftime("%Y-%m-%d %H:%M")}
                )
                continue
            warnings.append(
                _("%(names)s also has a hearing at %(time)s (%(court)s, %(number)s).")
                % {
                    "names": names,
                    "time": other_start.strftime("%Y-%m-%d %H:%M"),
                    "court": other.court,
                    "number": other.matter.number,
                }
            )
    return warnings


@transaction.atomic
def hearing_create(
    *,
    actor: User,
    matter: Matter,
    court: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    city: str = "",
    courtroom: str = "",
    title: str = "",
    attendees: list[User] | None = None,
    notes: str = "",
) -> tuple[Hearing, list[str]]:
    _require_edit(actor, matter)
    _require_not_archived(matter)
    errors: dict[str, list[str]] = {}
    if not court.strip():
        errors["court"] = [_("This field is required.")]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    # Nobody named: the lead lawyer attends. The agenda, the calendar feed, the morning
    # digest and the clash check follow attendees, so a hearing without any was on nobody's
    # day (the form's 出庭人员 list is easy to leave empty).
    lead = None if attendees else _lead_of(matter)
    attendees = attendees or ([lead] if lead is not None else [])
    for user in attendees:
        if not matters_visible_to(user).filter(pk=matter.pk).exists():
            errors["attendees"] = [_("Every attendee must be able to see this matter.")]
    if errors:
        raise ValidationError(errors)
    warnings = hearing_clashes(
        users=attendees, starts_at=starts_at, city=city.strip(), reader=actor
    )
    hearing = Hearing.objects.create(
        matter=matter,
        court=court.strip(),
        city=city.strip(),
        courtroom=courtroom.strip(),
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
    )
    hearing.attendees.set(attendees)
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.HEARING,
        data={
            "at": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
            "court": hearing.court,
        },
    )
    audit_record(actor=actor, action="hearing.create", obj=hearing, matter_id=matter.pk)
    # A new hearing date is news the client must hear at once (issue #7; comms reacts).
    matter_development.send(
        sender=Matter,
        matter=matter,
        reason=_("New hearing on %(date)s")
        % {"date": timezone.localtime(starts_at).strftime("%Y-%m-%d")},
    )
    return hearing, warnings


def calendar_feed_revoke(*, user: User, actor: User | None, why: str, **_: Any) -> int:
    """End `user`'s calendar feed: its secret URL is a bearer credential, so whatever ends
    their credentials ends it (the accounts app's `credentials_reset`, connected in
    `CalendarConfig.ready`); they make a new one on /calendar/feed/. Audited when there was
    one. Returns how many feeds went."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action="calendar.feed_revoke", obj=user, data={"why": why})
    return deleted


@transaction.atomic
def holiday_year_set(
    *, actor: User, year: int, days: list[tuple[date, str, str]], source: str
) -> list[Deadline]:
    """Enter or correct a year from the State Council notice, then recompute every open
    computed deadline; returns the deadlines whose date moved."""
    if not actor.has_perm("calendar.manage_holidays"):
        raise NotAllowed("calendar.manage_holidays")
    errors = []
    seen = set()
    name_max = HolidayDay._meta.get_field("name").max_length or 0
    source_max = HolidayYear._meta.get_field("source").max_length or 0
    for i, (day, kind, name) in enumerate(days, start=1):
        if len(name) > name_max:
            # Never stored cut short without a word (it was cut at 100 characters).
            errors.append(
                _("Row %(row)d: the name has %(n)d characters; at most %(max)d.")
                % {"row": i, "n": len(name), "max": name_max}
            )
        if day.year != year:
            errors.append(
                _("Row %(row)d: %(date)s is not in %(year)d.")
                % {"row": i, "date": day, "year": year}
            )
        if kind not in HolidayDay.Kind.values:
            errors.append(_("Row %(row)d: kind must be rest or work.") % {"row": i})
        if day in seen:
            errors.append(_("Row %(row)d: %(date)s appears twice.") % {"row": i, "date": day})
        seen.add(day)
    if not source.strip():
        errors.append(_("Name the State Council notice this data comes from."))
    elif len(source.strip()) > source_max:
        errors.append(
            _("The notice's name has %(n)d characters; at most %(max)d.")
            % {"n": len(source.strip()), "max": source_max}
        )
    if errors:
        raise ValidationError({"days": errors})
    HolidayDay.objects.filter(year=year).delete()
    HolidayDay.objects.bulk_create(
        [HolidayDay(date=d, year=year, kind=k, name=n) for d, k, n in days]
    )
    HolidayYear.objects.update_or_create(
        year=year,
        defaults={"status": HolidayYear.Status.PUBLISHED, "source": source.strip()},
    )
    audit_record(actor=actor, action="calendar.year_set", data={"year": year, "days": len(days)})
    return deadlines_recompute(actor=actor)


def deadlines_recompute(*, actor: User | None) -> list[Deadline]:
    """Recompute every proposed or open rule-based deadline; record each date that moved on
    its matter's timeline so the owner sees it."""
    moved = []
    cal = calendar_data()
    pending = Deadline.objects.filter(
        Q(status=Deadline.Status.OPEN) | Q(status=Deadline.Status.PROPOSED),
        trigger_date__isnull=False,
        date_overridden=False,
    ).exclude(rule_id="")
    for deadline in pending.select_related("matter", "served_document"):
        rule = RULES.get(deadline.rule_id)
        if rule is None or deadline.trigger_date is None:  # filtered: never None
            continue
        result = compute(rule, deadline.trigger_date, cal, lang=_lang())
        old = deadline.due_date
        _apply_result(deadline, result)
        if rule.starts_on == "effective" and deadline.served_document is not None:
            deadline.explanation = [_effective_step(deadline.served_document), *result.explanation]
        deadline.version += 1
        deadline.save()
        if old != deadline.due_date:
            moved.append(deadline)
            if deadline.responsible is not None:
                notification_send(
                    user=deadline.responsible,
                    kind=NotificationKind.DEADLINE_MOVED,
                    text=_("Deadline “%(title)s” of %(number)s moved from %(old)s to %(new)s.")
                    % {
                        "title": deadline.title,
                        "number": deadline.matter.number,
                        "old": old.isoformat(),
                        "new": deadline.due_date.isoformat(),
                    },
                    key=f"moved:{deadline.pk}:{deadline.due_date.isoformat()}",
                    url=f"/matters/{deadline.matter_id}/#deadlines",
                    matter=deadline.matter,
                )
            if deadline.client_visible:
                client_date_changed.send(
                    sender=Deadline,
                    obj=deadline,
                    matter=deadline.matter,
                    old=old,
                    new=deadline.due_date,
                )
            TimelineEntry.objects.create(
                matter=deadline.matter,
                actor=actor,
                kind=TimelineKind.DEADLINE_MOVED,
                data={
                    "title": deadline.title,
                    "old": old.isoformat(),
                    "new": deadline.due_date.isoformat(),
                },
            )
    return moved


def reminders_run(*, today: date) -> dict[str, int]:
    """The morning job. Idempotent: running it twice on one day sends nothing twice.

    1. Open deadlines whose day has passed become `missed`; the responsible person and the
       responsible partner are told once.
    2. Everyone with something overdue, due today or in the next 7 days gets one digest.
    """
    missed = 0
    overdue = Deadline.objects.filter(status=Deadline.Status.OPEN, due_date__lt=today)
    for deadline in overdue.select_related("matter", "responsible"):
        with transaction.atomic():
            changed = Deadline.objects.filter(pk=deadline.pk, status=Deadline.Status.OPEN).update(
                status=Deadline.Status.MISSED, version=F("version") + 1
            )
            if not changed:
                continue
            missed += 1
            audit_record(
                actor=None,
                action="deadline.missed",
                obj=deadline,
                matter_id=deadline.matter_id,
                username="system",
            )
        text = _("Deadline missed: %(title)s (%(date)s), matter %(number)s") % {
            "title": deadline.title,
            "date": deadline.due_date.isoformat(),
            "number": deadline.matter.number,
        }
        recipients = {deadline.responsible} if deadline.responsible else set()
        partner = (
            MatterMember.objects.filter(matter=deadline.matter, role=MemberRole.RESPONSIBLE_PARTNER)
            .select_related("user")
            .first()
        )
        if partner:
            recipients.add(partner.user)
        for user in recipients:
            notification_send(
                user=user,
                kind=NotificationKind.DEADLINE_MISSED,
                text=text,
                key=f"missed:{deadline.pk}",
                url=f"/matters/{deadline.matter_id}/#deadlines",
                matter=deadline.matter,
            )
        if deadline.rule_id:  # a statutory period: the team's group chat hears of it too
            robot_broadcast(
                event=RobotEvent.DEADLINE_OVERDUE,
                team_ids=robot_teams_of(u.pk for u in recipients),
                heading=gettext_lazy("Statutory deadline passed without being done:"),
                items=[_robot_item(deadline.matter, deadline.due_date)],
                key=f"missed:{deadline.pk}",
            )
    hearings_notify(today=today)
    digests = 0
    team_items: dict[int, dict[tuple[int, str, date], RobotItem]] = {}
    # Everyone on staff: the agenda has several sources (deadlines, hearings, tasks, client
    # updates, archiving), and a user with nothing on it simply gets no digest.
    users = active_staff().order_by("pk")
    for user in users:
        items = agenda_overdue(user=user, today=today) + agenda_items(
            user=user, start=today, end=today + timedelta(days=7)
        )
        if not items:
            continue
        if user.team_id is not None:
            for i in items:
                if i.matter is not None:
                    team_items.setdefault(user.team_id, {}).setdefault(
                        (i.matter.pk, i.kind, i.day), _robot_item(i.matter, i.day)
                    )
        lines = [
            f"{i.day.isoformat()} {i.at.strftime('%H:%M') if i.at else ''} [{i.priority}] "
            f"{i.summary}".replace("  ", " ")
            for i in items
        ]
        text = (
            _("Your agenda for %(date)s:") % {"date": today.isoformat()} + "\n" + "\n".join(lines)
        )
        if notification_send(
            user=user,
            kind=NotificationKind.DIGEST,
            text=text,
            key=f"digest:{today.isoformat()}",
            url="/agenda/",
            matters={i.matter.pk for i in items if i.matter is not None},
            email_subject=_("LexCase agenda %(date)s") % {"date": today.isoformat()},
        ):
            digests += 1
    for team_id, found in sorted(team_items.items()):
        robot_broadcast(
            event=RobotEvent.DIGEST,
            team_ids=[team_id],
            heading=gettext_lazy("The team's agenda for %(date)s:"),
            heading_params={"date": today.isoformat()},
            items=sorted(found.values(), key=lambda i: (i.due or today, i.number)),
            key=f"digest:{today.isoformat()}",
        )
    return {"missed": missed, "digests": digests}


def hearings_notify(*, today: date) -> int:
    """Tell each hearing's team (the matter's members and the attendees) ahead of it:
    hearings from today to LEXCASE_HEARING_NOTICE_DAYS days on, once per hearing and start
    time (a moved hearing is told again). Part of the morning job."""
    lead_days = max(int(settings.LEXCASE_HEARING_NOTICE_DAYS), 0)
    hearings = (
        Hearing.objects.filter(
            starts_at__date__gte=today,
            starts_at__date__lte=today + timedelta(days=lead_days),
            matter__status__in=(Status.INTAKE, Status.OPEN),
        )
        .select_related("matter")
        .prefetch_related("attendees")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for hearing in hearings:
        matter = hearing.matter
        people = {m.user for m in MatterMember.objects.filter(matter=matter).select_related("user")}
        people.update(hearing.attendees.all())
        when = timezone.localtime(hearing.starts_at).strftime("%Y-%m-%d %H:%M")
        text = _("Hearing %(when)s at %(court)s: %(number)s %(title)s") % {
            "when": when,
            "court": hearing.court,
            "number": matter.number,
            "title": matter.title,
        }
        for user in sorted(people, key=lambda u: u.pk):
            sent += bool(
                notification_send(
                    user=user,
                    kind=NotificationKind.HEARING_SOON,
                    text=text,
                    key=f"hearing_soon:{hearing.pk}:{hearing.starts_at.isoformat()}",
                    url=f"/matters/{matter.pk}/#hearings",
                    matter=matter,
                )
            )
    return sent


def _robot_item(matter: Matter, due: date | None) -> RobotItem:
    return RobotItem(
        matter_id=matter.pk,
        number=matter.number,
        title=matter.title,
        due=due,
        confidential=matter.confidential,
        intake=matter.status == Status.INTAKE,
    )


LIMITATION_RULES = (
    "limitation.general",
    "limitation.international_sale",
    "labor.arbitration_limitation",
)


@transaction.atomic
def limitation_period_create(
    *, actor: User, matter: Matter, claim: str, rule_id: str, start_date: date
) -> LimitationPeriod:
    _require_edit(actor, matter)
    _require_not_archived(matter)
    errors: dict[str, list[str]] = {}
    if not claim.strip():
        errors["claim"] = [_("This field is required.")]
    if rule_id not in LIMITATION_RULES:
        errors["rule_id"] = [_("Choose a limitation rule.")]
    if errors:
        raise ValidationError(errors)
    period = LimitationPeriod.objects.create(
        matter=matter,
        claim=claim.strip()[:200],
        rule_id=rule_id,
        start_date=start_date,
        created_by=actor,
    )
    audit_record(actor=actor, action="limitation.create", obj=period, matter_id=matter.pk)
    return period


@transaction.atomic
def limitation_event_add(
    *, actor: User, period: LimitationPeriod, kind: str, day: date, note: str = ""
) -> LimitationEvent:
    _require_edit(actor, period.matter)
    _require_not_archived(period.matter)
    if kind not in LimitationEvent.Kind.values:
        raise ValidationError({"kind": [_("Unknown event.")]})
    if day < period.start_date:
        raise ValidationError({"day": [_("The event cannot be before the period starts.")]})
    event = LimitationEvent.objects.create(period=period, kind=kind, day=day, note=note[:200])
    audit_record(
        actor=actor,
        action="limitation.event",
        obj=period,
        matter_id=period.matter_id,
        data={"kind": kind, "day": day.isoformat()},
    )
    return event


# The calendar's free text on a matter: (model, how it reaches the matter, fields, max length).
_ANONYMISED_TEXT: tuple[tuple[Any, str, tuple[str, ...], dict[str, int]], ...] = (
    (Deadline, "matter_id", ("title", "notes"), {"title": 200}),
    (Hearing, "matter_id", ("title", "notes"), {"title": 200}),
    (ServedDocument, "matter_id", ("title", "notes"), {"title": 200}),
    (LimitationPeriod, "matter_id", ("claim",), {"claim": 200}),
    (LimitationEvent, "period__matter_id", ("note",), {"note": 200}),
)


@transaction.atomic
def calendar_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> int:
    """Retention anonymised a person on these matters: their names and former contact and
    identity values leave the matters' deadlines, hearings, served documents and
    limitation periods (titles, notes, claims)."""
    changed = 0
    for model, via, fields, limits in _ANONYMISED_TEXT:
        rows = model.objects.filter(**{f"{via}__in": matter_ids}).values("pk", *fields)
        for row in rows:
            new = {f: scrub_names(row[f], names, placeholder)[: limits.get(f)] for f in fields}
            if any(new[f] != row[f] for f in fields):
                model.objects.filter(pk=row["pk"]).update(**new)
                changed += 1
    return changed
