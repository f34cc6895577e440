"""Reads of reviews and surveys, always through the matters gate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.matters.archive import matter_closing_latest
from lexcase.matters.extensions import AgendaItem
from lexcase.matters.models import Matter, Status
from lexcase.matters.selectors import MatterSet, visible_through
from lexcase.reviews.models import (
    Review,
    ReviewChecklistItem,
    ReviewFollowUp,
    ReviewKind,
    ReviewStatus,
    SatisfactionSurvey,
)
from lexcase.reviews.settings import review_settings


def reviews_visible_to(user: AnyUser) -> QuerySet[Review]:
    return Review.objects.filter(visible_through(user))


def review_get(*, user: AnyUser, pk: Any) -> Review:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    review = (
        reviews_visible_to(user)
        .filter(pk=pk)
        .select_related("matter", "reviewer", "completed_by")
        .first()
    )
    if review is None:
        raise Http404
    return review


def matter_reviews(*, matter: Matter) -> QuerySet[Review]:
    # `matter` has passed the gate (matter_get) already.
    return (
        Review.objects.filter(matter=matter)
        .select_related("reviewer", "completed_by")
        .prefetch_related("follow_ups__task")
        .order_by("status", "-due_on", "-id")
    )


def matter_surveys(*, matter: Matter) -> QuerySet[SatisfactionSurvey]:
    return SatisfactionSurvey.objects.filter(matter=matter).select_related("respondent")


def reviews_due_for(*, user: User) -> QuerySet[Review]:
    """The user's own open reviews on matters they can see, oldest due first."""
    return (
        reviews_visible_to(user)
        .filter(status=ReviewStatus.DUE, reviewer=user, matter__status=Status.OPEN)
        .select_related("matter")
        .order_by("due_on", "id")
    )


def checklist_for(matter: Matter) -> list[ReviewChecklistItem]:
    """The active items for the matter's type (type-specific ones after the common ones);
    a type-specific item replaces a common item with the same code."""
    items = ReviewChecklistItem.objects.filter(
        active=True, matter_type__in=("", matter.matter_type)
    )
    by_code: dict[str, ReviewChecklistItem] = {}
    for item in sorted(items, key=lambda i: (i.matter_type != "", i.position, i.code)):
        by_code[item.code] = item
    return sorted(by_code.values(), key=lambda i: (i.position, i.code))


def closing_review_done(matter: Matter, *, reviews: list[Review] | None = None) -> bool:
    """A closing review finished since the matter was last closed (a reopened matter is
    reviewed again before it closes again). `reviews`: every review of the matter, when the
    caller has read them all (the matter page), to answer without reading them again."""
    last = matter_closing_latest(matter=matter)
    since = last.created_at if last is not None else None
    if reviews is not None:
        return any(
            r.kind == ReviewKind.CLOSING
            and r.status == ReviewStatus.DONE
            and (since is None or (r.completed_at is not None and r.completed_at > since))
            for r in reviews
        )
    done = Review.objects.filter(matter=matter, kind=ReviewKind.CLOSING, status=ReviewStatus.DONE)
    if since is not None:
        done = done.filter(completed_at__gt=since)
    return done.exists()


def closing_review_missing(matter: Matter) -> list[tuple[str, str]]:
    """For `matters.archive.CLOSING_REQUIREMENTS`."""
    if closing_review_done(matter):
        return []
    return [("closing_review", _("Closing review (卷宗质量检查) done"))]


# The agenda's tag of a review due.
AGENDA_LABEL = gettext_lazy("Review")


def agenda_source(
    *, user: User, start: date | None, end: date, mine_only: bool
) -> list[AgendaItem]:
    """Reviews on the agenda on their due day: the reviewer's own; without `mine_only`,
    every open review on the matters the user can see."""
    qs = reviews_visible_to(user).filter(
        status=ReviewStatus.DUE, matter__status=Status.OPEN, due_on__lte=end
    )
    if start is not None:
        qs = qs.filter(due_on__gte=start)
    if mine_only:
        qs = qs.filter(reviewer=user)
    return [
        AgendaItem(
            kind="review",
            day=review.due_on,
            at=None,
            title=str(review.get_kind_display()),
            matter=review.matter,
            priority=review.matter.priority,
            obj=review,
            url=f"/reviews/{review.pk}/",
            label=AGENDA_LABEL,
        )
        for review in qs.select_related("matter").order_by("due_on", "id")
    ]


# --- dashboard figures (registered with insights by the composition layer, `web`) ----------


def review_scores(
    *, matters: MatterSet, start: datetime, end: datetime, today: date
) -> dict[str, dict[str, Any]]:
    """Per review kind, over `matters` (a set that already passed the gate): reviews
    finished in [start, end) — how many, their mean score, how many scored each of 1–5, how
    many recorded findings — and reviews of open matters still open past their due day
    (escalated or not). Three queries whatever the firm's size."""
    # Two plain queries, each `matter IN (the gate)`: joining the matter for its status in
    # the same query made PostgreSQL probe the gate once per review (2.7 s at 150k reviews).
    done = (
        Review.objects.filter(
            matters.rows("matter"),
            status=ReviewStatus.DONE,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .values("kind")
        .annotate(
            done=Count("id"),
            mean=Avg("score"),
            findings=Count("id", filter=~Q(findings="")),
            **{f"s{k}": Count("id", filter=Q(score=k)) for k in range(1, 6)},
        )
        .order_by()
    )
    overdue = (
        Review.objects.filter(
            matters.filter(status=Status.OPEN).rows("matter"),
            status=ReviewStatus.DUE,
            due_on__lt=today,
        )
        .values("kind")
        .annotate(overdue=Count("id"), escalated=Count("id", filter=Q(escalated_at__isnull=False)))
        .order_by()
    )
    empty = {"done": 0, "mean": None, "findings": 0, "overdue": 0, "escalated": 0}
    empty.update({f"s{k}": 0 for k in range(1, 6)})
    rows: dict[str, dict[str, Any]] = {}
    for r in [*done, *overdue]:
        rows.setdefault(r["kind"], {**empty, "kind": r["kind"]}).update(r)
    out: dict[str, dict[str, Any]] = rows
    # Driven from the follow-ups (few) with a probe of each one's review: as a join, SQLite
    # walked every review finished in the period (1.3 s at 150k reviews).
    counted_review = Review.objects.filter(
        matters.rows("matter"),
        pk=OuterRef("review_id"),
        status=ReviewStatus.DONE,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    follow_ups = ReviewFollowUp.objects.filter(Exists(counted_review)).count()
    out["_follow_ups"] = {"count": follow_ups}
    return out


def review_findings(
    *, matters: MatterSet, start: datetime, end: datetime, limit: int = 10
) -> list[dict[str, Any]]:
    """The latest finished reviews with findings over `matters` (gated), newest first."""
    return [
        dict(row)
        for row in Review.objects.filter(
            matters.rows("matter"),
            status=ReviewStatus.DONE,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .exclude(findings="")
        .order_by("-completed_at", "-id")
        .values("matter__number", "kind", "score", "findings", "completed_at")[:limit]
    ]


def survey_scores(
    *, matters: MatterSet, start: datetime, end: datetime
) -> dict[str, dict[str, Any]]:
    """Satisfaction surveys answered in [start, end) on `matters` (gated), per occasion: how
    many, the mean of each score, and how many at or below the low-score threshold that
    notifies the responsible partner. One grouped query."""
    low = review_settings()["low_survey_score"]
    rows = (
        SatisfactionSurvey.objects.filter(
            matters.rows("matter"), created_at__gte=start, created_at__lt=end
        )
        .values("occasion")
        .annotate(
            n=Count("id"),
            mean_overall=Avg("overall"),
            mean_responsiveness=Avg("responsiveness"),
            mean_clarity=Avg("clarity"),
            low=Count("id", filter=Q(overall__lte=low)),
        )
        .order_by()
    )
    return {r["occasion"]: {**r, "low_threshold": low} for r in rows}
