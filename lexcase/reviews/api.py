"""`GET/POST /api/v1/matters/{id}/reviews`: a matter's reviews, and recording one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.core.schema import Choices, Id
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view
from lexcase.reviews import selectors, services
from lexcase.reviews.models import Review, ReviewKind

router = Router(tags=["reviews"])


class MatterReviewItemOut(Schema):
    code: str
    label: str
    auto: bool | None
    ok: bool


class MatterReviewOut(Schema):
    id: int
    matter_id: int
    kind: str
    status: str
    stage: str
    due_on: dt.date
    reviewer: str | None
    escalated_at: dt.datetime | None
    completed_at: dt.datetime | None
    completed_by: str | None
    score: int | None
    findings: str
    checklist: list[MatterReviewItemOut]
    follow_up_task_ids: list[int]


class MatterReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Choices[str, ReviewKind] | None = None
    score: int = Field(ge=1, le=5)
    findings: str = Field(default="", max_length=10_000)
    checked: list[str] = Field(default_factory=list, max_length=100)
    follow_ups: list[str] = Field(default_factory=list, max_length=services.MAX_FOLLOW_UPS)


def review_out(review: Review) -> MatterReviewOut:
    return MatterReviewOut(
        id=review.pk,
        matter_id=review.matter_id,
        kind=review.kind,
        status=review.status,
        stage=review.stage,
        due_on=review.due_on,
        reviewer=review.reviewer.username if review.reviewer else None,
        escalated_at=timezone.localtime(review.escalated_at) if review.escalated_at else None,
        completed_at=timezone.localtime(review.completed_at) if review.completed_at else None,
        completed_by=review.completed_by.username if review.completed_by else None,
        score=review.score,
        findings=review.findings,
        checklist=[
            MatterReviewItemOut(code=code, label=row["label"], auto=row["auto"], ok=row["ok"])
            for code, row in (review.checklist or {}).items()
        ],
        follow_up_task_ids=[f.task_id for f in review.follow_ups.all() if f.task_id],
    )


@router.get(
    "/matters/{matter_id}/reviews", response=list[MatterReviewOut], operation_id="review_list"
)
def list_reviews(request: AuthedRequest, matter_id: Id) -> list[MatterReviewOut]:
    """The matter's reviews, open ones first."""
    matter = matter_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="review_list", via="api")
    return [review_out(r) for r in selectors.matter_reviews(matter=matter)]


@router.post(
    "/matters/{matter_id}/reviews", response={201: MatterReviewOut}, operation_id="review_record"
)
def record_review(request: AuthedRequest, matter_id: Id, payload: MatterReviewIn) -> Status:
    """Complete the matter's oldest due review (of `kind`, if given) — its reviewer, the
    responsible partner or an administrator — or, when none is due, record an unscheduled
    one (the responsible partner or an administrator). `checked` lists the checklist codes
    found in order; each `follow_ups` line becomes a task for the lead lawyer."""
    matter = matter_get(user=request.user, pk=matter_id)
    review = services.review_record(
        actor=request.user,
        matter=matter,
        kind=payload.kind or "",
        score=payload.score,
        findings=payload.findings,
        checked=payload.checked,
        follow_ups=payload.follow_ups,
    )
    return Status(201, review_out(selectors.review_get(user=request.user, pk=review.pk)))
