"""Reads of reviews and surveys, always through the matters gate."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from lexcase.matters.extensions import AgendaItem
from lexcase.matters.models import Matter, MatterClosing, Status
from lexcase.matters.selectors import visible_through
from lexcase.reviews.models import (
    Review,
    ReviewChecklistItem,
    ReviewKind,
    ReviewStatus,
    SatisfactionSurvey,
)


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    return Review.objects.filter(visible_through(user))


def review_get(*, user: Any, pk: Any) -> Review:
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


def reviews_due_for(*, user: Any) -> QuerySet[Review]:
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


def closing_review_done(matter: Matter) -> bool:
    """A closing review finished since the matter was last closed (a reopened matter is
    reviewed again before it closes again)."""
    done = Review.objects.filter(matter=matter, kind=ReviewKind.CLOSING, status=ReviewStatus.DONE)
    last = MatterClosing.objects.filter(matter=matter).order_by("-created_at").first()
    if last is not None:
        done = done.filter(completed_at__gt=last.created_at)
    return done.exists()


def closing_review_missing(matter: Matter) -> list[tuple[str, str]]:
    """For `matters.archive.CLOSING_REQUIREMENTS`."""
    if closing_review_done(matter):
        return []
    return [("closing_review", _("Closing review (卷宗质量检查) done"))]


def agenda_source(*, user: Any, start: date | None, end: date, mine_only: bool) -> list[AgendaItem]:
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
        )
        for review in qs.select_related("matter").order_by("due_on", "id")
    ]
