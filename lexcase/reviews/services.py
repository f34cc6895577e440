"""Writes for reviews and surveys: scheduling, completing (with follow-up tasks through
todos' services), delegating, the closing review, escalation, the client survey. Each write
is atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import (
    Matter,
    MatterMember,
    MemberRole,
    Stage,
    Status,
    TimelineEntry,
    TimelineKind,
)
from lexcase.matters.retention import scrub_rows
from lexcase.notifications.kinds import NotificationKind, RobotEvent
from lexcase.notifications.services import (
    RobotItem,
    notification_send,
    robot_broadcast,
    robot_teams_of,
)
from lexcase.reviews.checks import CHECKS
from lexcase.reviews.models import (
    Approval,
    Review,
    ReviewDelegation,
    ReviewFollowUp,
    ReviewKind,
    ReviewStatus,
    SatisfactionSurvey,
    SurveyOccasion,
)
from lexcase.reviews.selectors import checklist_for
from lexcase.reviews.settings import cadence_days, review_settings
from lexcase.todos.services import task_create

MAX_FOLLOW_UPS = 20


def _partner(matter_id: int) -> User | None:
    row = (
        MatterMember.objects.filter(matter_id=matter_id, role=MemberRole.RESPONSIBLE_PARTNER)
        .select_related("user")
        .first()
    )
    return row.user if row else None


def _lead(matter_id: int) -> User | None:
    row = (
        MatterMember.objects.filter(matter_id=matter_id, role=MemberRole.LEAD)
        .select_related("user")
        .first()
    )
    return row.user if row else None


def reviewer_for(matter: Matter) -> User | None:
    """The delegated reviewer while they are still on the team, else the responsible partner."""
    delegation = ReviewDelegation.objects.filter(matter=matter).select_related("reviewer").first()
    if delegation is not None and delegation.reviewer.has_perm("reviews.be_reviewer", matter):
        return delegation.reviewer
    return _partner(matter.pk)


def _today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


# --- scheduling ------------------------------------------------------------------------------


def _create(**fields: Any) -> Review | None:
    """Insert unless the database already holds the same open review (a concurrent run)."""
    try:
        with transaction.atomic():
            return Review.objects.create(**fields)
    except IntegrityError:
        return None


def periodic_due_on(matter: Matter, *, last_done: date | None = None) -> date:
    """The next periodic review: the cadence of the matter's priority after the last
    periodic review was done, or after the matter opened."""
    base = last_done or matter.opened_on or _today()
    return base + timedelta(days=cadence_days(matter.priority))


def reviews_schedule(*, now: datetime | None = None) -> int:
    """Create the reviews that are now owed: the next periodic review of every open matter
    without one, a stage review for each recent stage change (the closing review when the
    stage is "concluded"). Safe to run concurrently and repeatedly."""
    now = now or timezone.now()
    created = 0
    open_periodic = Review.objects.filter(
        matter=OuterRef("pk"), kind=ReviewKind.PERIODIC, status=ReviewStatus.DUE
    )
    last_done = (
        Review.objects.filter(
            matter=OuterRef("pk"), kind=ReviewKind.PERIODIC, status=ReviewStatus.DONE
        )
        .values("matter")
        .annotate(last=Max("completed_at"))
        .values("last")
    )
    matters = (
        Matter.objects.filter(status=Status.OPEN)
        .exclude(Exists(open_periodic))
        .annotate(last_done_at=Subquery(last_done))
    )
    for matter in matters.iterator(chunk_size=1000):
        last = timezone.localdate(matter.last_done_at) if matter.last_done_at else None
        if _create(
            matter=matter,
            kind=ReviewKind.PERIODIC,
            due_on=periodic_due_on(matter, last_done=last),
            reviewer=reviewer_for(matter),
        ):
            created += 1
    conf = review_settings()
    reviewed = Review.objects.filter(matter=OuterRef("matter"), trigger_entry_id=OuterRef("pk"))
    changes = (
        TimelineEntry.objects.filter(
            kind=TimelineKind.STAGE,
            matter__status=Status.OPEN,
            at__gte=now - timedelta(days=int(conf["stage_lookback_days"])),
        )
        .exclude(Exists(reviewed))
        .select_related("matter")
        .order_by("id")
    )
    for entry in changes:
        stage = (entry.data or {}).get("new", "")
        closing = stage == Stage.CONCLUDED
        if (
            closing
            and Review.objects.filter(
                matter=entry.matter, kind=ReviewKind.CLOSING, status=ReviewStatus.DUE
            ).exists()
        ):
            continue
        if _create(
            matter=entry.matter,
            kind=ReviewKind.CLOSING if closing else ReviewKind.STAGE,
            stage=stage,
            trigger_entry_id=entry.pk,
            due_on=timezone.localdate(entry.at) + timedelta(days=int(conf["stage_review_days"])),
            reviewer=reviewer_for(entry.matter),
        ):
            created += 1
    # Nothing is left to review on a matter that is no longer open.
    Review.objects.filter(status=ReviewStatus.DUE).exclude(matter__status=Status.OPEN).update(
        status=ReviewStatus.CANCELLED, version=F("version") + 1
    )
    return created


@transaction.atomic
def closing_review_request(*, actor: User, matter: Matter) -> Review:
    """Ask for the closing review (卷宗质量检查) now, e.g. before closing a matter that never
    reached the "concluded" stage. Returns the open one if it exists already."""
    if not actor.has_perm("reviews.request_closing", matter):
        raise NotAllowed("reviews.request_closing")
    if matter.status != Status.OPEN:
        raise ValidationError({"matter": [_("Only an open matter is reviewed before closing.")]})
    existing = Review.objects.filter(
        matter=matter, kind=ReviewKind.CLOSING, status=ReviewStatus.DUE
    ).first()
    if existing is not None:
        return existing
    review = _create(
        matter=matter,
        kind=ReviewKind.CLOSING,
        due_on=_today() + timedelta(days=int(review_settings()["stage_review_days"])),
        reviewer=reviewer_for(matter),
    )
    if review is None:  # a concurrent request won
        return Review.objects.get(matter=matter, kind=ReviewKind.CLOSING, status=ReviewStatus.DUE)
    audit_record(actor=actor, action="review.request_closing", obj=review, matter_id=matter.pk)
    if review.reviewer is not None and review.reviewer != actor:
        notification_send(
            user=review.reviewer,
            kind=NotificationKind.REVIEW_DUE,
            text=_("Closing review requested on %(number)s %(title)s, due %(due)s.")
            % {"number": matter.number, "title": matter.title, "due": review.due_on.isoformat()},
            key=f"review_due:{review.pk}",
            url=f"/reviews/{review.pk}/",
            matter=matter,
        )
    if review.reviewer is not None:
        robot_broadcast(
            event=RobotEvent.REVIEW_REQUEST,
            team_ids=robot_teams_of([review.reviewer.pk]),
            heading=gettext_lazy("Closing review requested:"),
            items=[
                RobotItem(
                    matter_id=matter.pk,
                    number=matter.number,
                    title=matter.title,
                    due=review.due_on,
                    confidential=matter.confidential,
                    intake=matter.status == Status.INTAKE,
                )
            ],
            key=f"review_due:{review.pk}",
        )
    return review


@transaction.atomic
def review_delegate(*, actor: User, matter: Matter, reviewer: User | None) -> None:
    """Hand the matter's reviews to `reviewer` (None: back to the responsible partner);
    open reviews follow."""
    if not actor.has_perm("reviews.delegate", matter):
        raise NotAllowed("reviews.delegate")
    if Matter.objects.filter(pk=matter.pk, status=Status.ARCHIVED).exists():
        # Archived is final (结案归档): no review is scheduled on it any more.
        raise ValidationError({"__all__": [_("This matter is archived and can no longer change.")]})
    if reviewer is not None and not reviewer.has_perm("reviews.be_reviewer", matter):
        raise ValidationError(
            {"reviewer": [_("Choose a lawyer or partner on the team of this matter.")]}
        )
    if reviewer is None:
        ReviewDelegation.objects.filter(matter=matter).delete()
    else:
        ReviewDelegation.objects.update_or_create(
            matter=matter, defaults={"reviewer": reviewer, "delegated_by": actor}
        )
    Review.objects.filter(matter=matter, status=ReviewStatus.DUE).update(
        reviewer=reviewer_for(matter), version=F("version") + 1
    )
    audit_record(
        actor=actor,
        action="review.delegate",
        obj=matter,
        matter_id=matter.pk,
        data={"reviewer": reviewer.username if reviewer else None},
    )


# --- completing -------------------------------------------------------------------------------


def review_prefill(*, matter: Matter, now: datetime | None = None) -> list[dict[str, Any]]:
    """The checklist of the matter's type, each item the system can check already answered
    from the data (`auto`: True/False, with `why`); the others unanswered (`auto` None)."""
    rows = []
    for item in checklist_for(matter):
        auto, why = (None, "")
        if item.auto and item.auto in CHECKS:
            auto, why = CHECKS[item.auto](matter, now or timezone.now())
        rows.append({"code": item.code, "label": item.display_label, "auto": auto, "why": why})
    return rows


def _clean_follow_ups(lines: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    titles = [" ".join(str(line).split()) for line in lines]
    titles = [t for t in titles if t]
    if len(titles) > MAX_FOLLOW_UPS:
        errors["follow_ups"] = [_("At most %(n)d follow-up actions.") % {"n": MAX_FOLLOW_UPS}]
    elif any(len(t) > 200 for t in titles):
        errors["follow_ups"] = [_("Each follow-up action: at most 200 characters.")]
    return titles


@transaction.atomic
def review_complete(
    *,
    actor: User,
    review: Review,
    score: Any,
    findings: str = "",
    checked: Iterable[str] = (),
    follow_ups: Iterable[str] = (),
    version: int | None = None,
) -> Review:
    """Finish a due review: the checklist as answered (`checked`: the codes found in order),
    a score 1–5, findings, and follow-up actions that become tasks of the matter assigned
    to the lead lawyer. The next periodic review is scheduled from today."""
    if not actor.has_perm("reviews.complete_review", review):
        raise NotAllowed("reviews.complete_review")
    matter = review.matter
    errors: dict[str, list[str]] = {}
    if review.status != ReviewStatus.DUE:
        errors["__all__"] = [_("This review is no longer due.")]
    if matter.status != Status.OPEN:
        errors["__all__"] = [_("Only an open matter is reviewed.")]
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        errors["score"] = [_("Give a score from 1 to 5.")]
    findings = str(findings or "").strip()
    if len(findings) > 10_000:
        errors["findings"] = [_("At most %(n)d characters.") % {"n": 10_000}]
    rows = review_prefill(matter=matter)
    known = {row["code"] for row in rows}
    ticked = {str(code) for code in checked}
    unknown = sorted(ticked - known)
    if unknown:
        errors["checked"] = [
            _("Unknown checklist item(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    titles = _clean_follow_ups(follow_ups, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    guard = Q(pk=review.pk, status=ReviewStatus.DUE)
    if version is not None:
        guard &= Q(version=version)
    changed = Review.objects.filter(guard).update(
        status=ReviewStatus.DONE,
        score=score,
        findings=findings,
        checklist={
            row["code"]: {"label": row["label"], "auto": row["auto"], "ok": row["code"] in ticked}
            for row in rows
        },
        completed_at=now,
        completed_by=actor,
        version=F("version") + 1,
    )
    if not changed:
        raise StaleEdit
    review.refresh_from_db()
    lead = _lead(matter.pk)
    due = now + timedelta(days=int(review_settings()["follow_up_days"]))
    for title in titles:
        task = task_create(
            actor=actor,
            title=title,
            matter=matter,
            assignee=lead if lead is not None and lead.is_active else actor,
            due_at=due,
            notes=_("Follow-up of the %(kind)s of %(day)s.")
            % {"kind": review.get_kind_display(), "day": _today(now).isoformat()},
        )
        ReviewFollowUp.objects.create(review=review, task=task, title=title)
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.REVIEW_DONE,
        data={"kind": review.kind, "score": score, "follow_ups": len(titles)},
    )
    audit_record(
        actor=actor,
        action="review.complete",
        obj=review,
        matter_id=matter.pk,
        data={
            "kind": review.kind,
            "score": score,
            "failed": sorted(row["code"] for row in rows if row["code"] not in ticked),
            "follow_ups": len(titles),
        },
    )
    if review.kind == ReviewKind.PERIODIC:
        _create(
            matter=matter,
            kind=ReviewKind.PERIODIC,
            due_on=periodic_due_on(matter, last_done=_today(now)),
            reviewer=reviewer_for(matter),
        )
    return review


@transaction.atomic
def review_record(
    *,
    actor: User,
    matter: Matter,
    kind: str = "",
    score: Any,
    findings: str = "",
    checked: Iterable[str] = (),
    follow_ups: Iterable[str] = (),
) -> Review:
    """The API's POST: complete the matter's oldest due review (of `kind`, when given), or
    record an unscheduled one (by the responsible partner or an administrator)."""
    if kind and kind not in ReviewKind.values:
        raise ValidationError({"kind": [_("Choose periodic, stage or closing.")]})
    due = Review.objects.filter(matter=matter, status=ReviewStatus.DUE)
    if kind:
        due = due.filter(kind=kind)
    review = due.select_related("matter").order_by("due_on", "id").first()
    if review is None:
        if not actor.has_perm("reviews.record_review", matter):
            raise NotAllowed("reviews.record_review")
        if matter.status != Status.OPEN:
            raise ValidationError({"__all__": [_("Only an open matter is reviewed.")]})
        review = _create(
            matter=matter,
            kind=kind or ReviewKind.PERIODIC,
            due_on=_today(),
            reviewer=actor,
        )
        if review is None:
            raise StaleEdit
    return review_complete(
        actor=actor,
        review=review,
        score=score,
        findings=findings,
        checked=checked,
        follow_ups=follow_ups,
    )


# --- escalation -------------------------------------------------------------------------------


def reviews_escalate(*, now: datetime | None = None) -> int:
    """Escalate every review past its due day, once, to the responsible partner: the
    guarded update on `escalated_at` lets one run (of two concurrent ones) claim it, and the
    notification key backs it up."""
    now = now or timezone.now()
    today = _today(now)
    overdue = Review.objects.filter(
        status=ReviewStatus.DUE,
        due_on__lt=today,
        escalated_at__isnull=True,
        matter__status=Status.OPEN,
    ).select_related("matter", "reviewer")
    count = 0
    for review in overdue:
        with transaction.atomic():
            claimed = Review.objects.filter(pk=review.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            matter = review.matter
            TimelineEntry.objects.create(
                matter=matter,
                actor=None,
                kind=NotificationKind.REVIEW_OVERDUE,
                data={"kind": review.kind, "due": review.due_on.isoformat()},
            )
            audit_record(
                actor=None,
                action="review.escalate",
                obj=review,
                matter_id=matter.pk,
                username="system",
            )
            partner = _partner(matter.pk)
            if partner is not None:
                notification_send(
                    user=partner,
                    kind=NotificationKind.REVIEW_OVERDUE,
                    text=_(
                        "Review overdue on %(number)s %(title)s: the %(kind)s was due %(due)s "
                        "(reviewer: %(who)s)."
                    )
                    % {
                        "number": matter.number,
                        "title": matter.title,
                        "kind": review.get_kind_display(),
                        "due": review.due_on.isoformat(),
                        "who": review.reviewer.display_name if review.reviewer else "—",
                    },
                    key=f"review_overdue:{review.pk}",
                    url=f"/reviews/{review.pk}/",
                    matter=matter,
                    email_subject=_("Review overdue: %(number)s") % {"number": matter.number},
                )
            count += 1
    return count


def reviews_run(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic job: schedule what is owed, then escalate what is overdue."""
    return reviews_schedule(now=now), reviews_escalate(now=now)


# --- the client's survey ----------------------------------------------------------------------


def _score(errors: dict[str, list[str]], field: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        errors[field] = [_("Choose from 1 to 5.")]
    return number


@transaction.atomic
def survey_submit(
    *,
    respondent: User,
    matter: Matter,
    overall: Any,
    responsiveness: Any,
    clarity: Any,
    comment: str = "",
) -> SatisfactionSurvey:
    """A client contact's answer (the caller has checked the portal grant). At closing once
    the matter is closed, else mid-matter; once per occasion. A low overall score notifies
    the responsible partner."""
    errors: dict[str, list[str]] = {}
    overall = _score(errors, "overall", overall)
    responsiveness = _score(errors, "responsiveness", responsiveness)
    clarity = _score(errors, "clarity", clarity)
    comment = str(comment or "").strip()
    if len(comment) > 5000:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": 5000}]
    occasion = SurveyOccasion.MID if matter.status == Status.OPEN else SurveyOccasion.CLOSING
    if SatisfactionSurvey.objects.filter(
        matter=matter, respondent=respondent, occasion=occasion
    ).exists():
        errors["__all__"] = [_("You have already answered this survey. Thank you.")]
    if errors:
        raise ValidationError(errors)
    survey = SatisfactionSurvey.objects.create(
        matter=matter,
        respondent=respondent,
        occasion=occasion,
        overall=overall,
        responsiveness=responsiveness,
        clarity=clarity,
        comment=comment,
    )
    TimelineEntry.objects.create(
        matter=matter,
        actor=respondent,
        kind=TimelineKind.SURVEY,
        data={"overall": overall, "responsiveness": responsiveness, "clarity": clarity},
    )
    audit_record(
        actor=respondent,
        action="survey.submit",
        obj=survey,
        matter_id=matter.pk,
        data={"overall": overall, "occasion": occasion},
    )
    if overall <= int(review_settings()["low_survey_score"]):
        partner = _partner(matter.pk)
        if partner is not None:
            notification_send(
                user=partner,
                kind=NotificationKind.SURVEY_LOW_SCORE,
                text=_("Low client satisfaction on %(number)s %(title)s: overall %(score)d/5.")
                % {"number": matter.number, "title": matter.title, "score": overall},
                key=f"survey_low:{survey.pk}",
                url=f"/matters/{matter.pk}/#reviews",
                matter=matter,
                email_subject=_("Low client satisfaction: %(number)s") % {"number": matter.number},
            )
    return survey


@transaction.atomic
def reviews_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> None:
    """Retention anonymised a person on these matters: their names and former contact and
    identity values leave the matters' reviews (findings, follow-up titles), satisfaction
    survey comments and approvals (purpose, note)."""
    reviews = Review.objects.filter(matter_id__in=matter_ids)
    scrub_rows(reviews, "pk", ("findings",), names, placeholder)
    follow_ups = ReviewFollowUp.objects.filter(review__matter_id__in=matter_ids)
    scrub_rows(follow_ups, "pk", ("title",), names, placeholder)
    surveys = SatisfactionSurvey.objects.filter(matter_id__in=matter_ids)
    scrub_rows(surveys, "pk", ("comment",), names, placeholder)
    approvals = Approval.objects.filter(matter_id__in=matter_ids)
    scrub_rows(approvals, "pk", ("purpose", "note"), names, placeholder)
