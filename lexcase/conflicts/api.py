from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints

from lexcase.accounts.http import AuthedRequest
from lexcase.conflicts import selectors, services
from lexcase.conflicts.engine import QueryParty
from lexcase.conflicts.models import ConflictReview, Verdict
from lexcase.conflicts.throttle import adhoc_check_refusal, adhoc_check_throttle
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import Choices, Id
from lexcase.matters.models import PartyRole
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view
from lexcase.parties.models import PartyKind

router = Router(tags=["conflicts"])


class CheckPartyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Stripped first: a name of blanks ran a check on nothing and answered 200.
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: Choices[str, PartyKind]
    role: Choices[str, PartyRole]
    id_number: str = Field(default="", max_length=30)
    credit_code: str = Field(default="", max_length=30)


class CheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    parties: list[CheckPartyIn] = Field(min_length=1, max_length=50)


class HitOut(Schema):
    query: int
    party_id: int | None
    party_name: str | None
    matched_on: str
    score: int
    matter_id: int | None
    matter_number: str | None
    matter_status: str | None
    role_on_matter: str | None
    responsible_partner: str | None
    verdict: Choices[str, Verdict]
    reason: str
    redacted: bool


class ConflictCheckErrorOut(Schema):
    field: str
    message: str


class ConflictCheckRefusedOut(Schema):
    """The API's error shape, for the 429 of the per-user limit on ad-hoc checks."""

    errors: list[ConflictCheckErrorOut]


class ReviewOut(Schema):
    decision: str
    reviewer: str | None
    note: str
    consent_reference: str
    created_at: dt.datetime


class GroupOut(Schema):
    """Weak matches of one checked party counted rather than listed (namesakes of a common
    name, its homophones, one-character neighbours, names containing a short query)."""

    query: int
    matched_on: str
    key: str
    # null where the checked name also matched a matter hidden from the reader: the counts
    # would tell how many of the listed parties are on hidden matters.
    total: int | None
    listed: int | None
    grouped: int | None
    approximate: bool


class ReportOut(Schema):
    id: int
    created_at: dt.datetime
    engine_version: str
    truncated: bool
    worst: str
    hits: list[HitOut]
    groups: list[GroupOut]
    review: ReviewOut | None


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Choices[str, ConflictReview.Decision]
    note: str = Field(default="", max_length=5000)
    consent_reference: str = Field(default="", max_length=200)


def report_out(request: AuthedRequest, check: services.ConflictCheck) -> ReportOut:
    review = getattr(check, "review", None)
    # Redacted for this reader at read time, whatever the stored report holds; the worst
    # verdict too, as a hidden hit's verdict is not the reader's to know.
    hits = selectors.hits_for_user(user=request.user, hits=check.hits, groups=check.groups)
    return ReportOut(
        id=check.pk,
        created_at=check.created_at,
        engine_version=check.engine_version,
        truncated=check.truncated,
        worst=hits.worst,
        hits=[HitOut(**h) for h in hits],
        groups=[
            GroupOut(**{k: g[k] for k in GroupOut.model_fields if k in g}) for g in hits.groups
        ],
        review=ReviewOut(
            decision=review.decision,
            reviewer=review.reviewer.username if review.reviewer else None,
            note=review.note,
            consent_reference=review.consent_reference,
            created_at=review.created_at,
        )
        if review
        else None,
    )


@router.post(
    "/conflicts/check",
    response={200: ReportOut, 429: ConflictCheckRefusedOut},
    operation_id="conflict_check",
)
def check(request: AuthedRequest, payload: CheckIn, response: HttpResponse) -> Status:
    """An ad-hoc check: for the roles the firm allows (`LEXCASE_CONFLICT_CHECK_ROLES`), at
    most `LEXCASE_CONFLICT_CHECK_RATE` per user (429 with `Retry-After` beyond it)."""
    if not request.user.has_perm("conflicts.check_adhoc"):
        raise NotAllowed
    wait = adhoc_check_throttle(user=request.user)
    if wait:
        response["Retry-After"] = str(wait)
        error = {"field": "__all__", "message": adhoc_check_refusal()}
        return Status(429, {"errors": [error]})
    parties = [QueryParty(**p.model_dump()) for p in payload.parties]
    report = services.conflict_check_record(actor=request.user, parties=parties)
    return Status(200, report_out(request, report))


@router.get(
    "/matters/{matter_id}/conflict-report", response=ReportOut, operation_id="conflict_report"
)
def report(request: AuthedRequest, matter_id: Id) -> ReportOut:
    matter = matter_get(user=request.user, pk=matter_id)
    latest = selectors.matter_latest_check(matter=matter)
    if latest is None:
        raise Http404
    matter_record_view(actor=request.user, matter=matter, page="conflict_report", via="api")
    return report_out(request, latest)


@router.post(
    "/matters/{matter_id}/conflict-review",
    response={201: ReportOut},
    operation_id="conflict_review",
)
def review(request: AuthedRequest, matter_id: Id, payload: ReviewIn) -> Status:
    matter = matter_get(user=request.user, pk=matter_id)
    services.conflict_review_decide(actor=request.user, matter=matter, **payload.model_dump())
    check = selectors.matter_latest_check(matter=matter)
    if check is None:  # a decision needs a check: never None here
        raise Http404
    return Status(201, report_out(request, check))
