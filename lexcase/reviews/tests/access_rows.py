"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from django.utils import timezone

from lexcase.core.tests.access import (
    ALL_STAFF_200,
    API_MATTER_READ,
    LOGIN,
    MATTER_FORM_AGAIN,
    MATTER_READ,
    E,
    Route,
)
from lexcase.documents.models import Document
from lexcase.matters.models import Matter
from lexcase.reviews.models import Approval, Review
from lexcase.testing import Firm


def open_matter(f: Firm) -> int:
    Matter.objects.filter(pk=f.matter.pk).update(status="open")
    return f.matter.pk


def due_review(f: Firm) -> int:
    """A periodic review due on the open matter, for its responsible partner."""
    open_matter(f)
    return Review.objects.create(
        matter=f.matter, kind="periodic", due_on=timezone.localdate(), reviewer=f.partner
    ).pk


def approval(f: Firm, status: str = "pending") -> int:
    """A seal request on a document of the matter, asked by the lead of its partner."""
    document = Document.objects.create(matter=f.matter, category="pleading", title="起诉状")
    decided = {} if status == "pending" else {"decided_by": f.partner, "decided_at": timezone.now()}
    return Approval.objects.create(
        kind="seal",
        matter=f.matter,
        document=document,
        purpose="起诉状盖章",
        requester=f.lead,
        approver=f.partner,
        status=status,
        **decided,
    ).pk


def closed_matter(f: Firm) -> int:
    Matter.objects.filter(pk=f.matter.pk).update(status="closed")
    return f.matter.pk


# Completing: the reviewer (here the responsible partner, no persona), the responsible
# partner, an administrator; the team sees the review but may not complete it.
COMPLETE = E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302, 404)
API_COMPLETE = E(401, 401, 404, 404, 403, 403, 404, 201, 401)
LEADS_WRITE = E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404)
STAFF_403 = E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403, 404)
REVIEW_BODY = {"score": "4", "findings": "证据目录需补充", "follow_ups": "补充证据目录"}

TABLE: dict[str, Route] = {
    "reviews:mine": Route("GET", lambda f: "/reviews/", ALL_STAFF_200),
    "reviews:review": Route("GET", lambda f: f"/reviews/{due_review(f)}/", MATTER_READ),
    "reviews:review#complete": Route(
        "POST",
        lambda f: f"/reviews/{due_review(f)}/",
        COMPLETE,
        body=lambda f: {**REVIEW_BODY, "version": "1"},
    ),
    "reviews:matter_reviews": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/reviews/", MATTER_READ
    ),
    "reviews:closing_request": Route(
        "POST", lambda f: f"/matters/{open_matter(f)}/reviews/closing/", LEADS_WRITE
    ),
    "reviews:delegate": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/reviews/delegate/",
        COMPLETE,
        body=lambda f: {"reviewer": str(f.lead.pk)},
    ),
    # Staff are not client contacts: the survey is the client's (tested in test_survey).
    "reviews_portal:survey": Route(
        "GET", lambda f: f"/portal/matters/{f.matter.pk}/survey/", STAFF_403
    ),
    "reviews:approvals": Route("GET", lambda f: "/approvals/", ALL_STAFF_200),
    "reviews:approval": Route("GET", lambda f: f"/approvals/{approval(f)}/", MATTER_READ),
    # Only the partner asked (or the matter's responsible partner) decides: no persona here
    # (tested with the partner in test_approvals).
    "reviews:approval_decide": Route(
        "POST",
        lambda f: f"/approvals/{approval(f)}/decide/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 403, 404),
        body=lambda f: {"decision": "approve"},
    ),
    # No file sent: the approval's page again with the error beside the file field.
    "reviews:seal_file_back": Route(
        "POST", lambda f: f"/approvals/{approval(f, 'approved')}/sealed/", MATTER_FORM_AGAIN
    ),
    "reviews:seal_request": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/approvals/seal/",
        MATTER_FORM_AGAIN,
        body=lambda f: {"purpose": "授权委托书盖章"},
    ),
    "reviews:archive_request": Route(
        "POST", lambda f: f"/matters/{closed_matter(f)}/approvals/archive/", LEADS_WRITE
    ),
    "api:list_reviews": Route(
        "GET", lambda f: f"/api/v1/matters/{due_review(f) and f.matter.pk}/reviews", API_MATTER_READ
    ),
    "api:record_review": Route(
        "POST",
        lambda f: f"/api/v1/matters/{due_review(f) and f.matter.pk}/reviews",
        API_COMPLETE,
        body=lambda f: {"score": 4, "findings": "良好", "follow_ups": ["补充证据目录"]},
        json=True,
    ),
}

API_OPERATIONS = {
    ("get", "/api/v1/matters/{matter_id}/reviews"): "api:list_reviews",
    ("post", "/api/v1/matters/{matter_id}/reviews"): "api:record_review",
}
