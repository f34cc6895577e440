"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import (
    ALL_STAFF_200,
    API_MATTER_READ,
    LOGIN,
    MATTER_READ,
    E,
    Route,
)
from lexcase.testing import Firm


def open_matter(f: Firm) -> int:
    from lexcase.matters.models import Matter

    Matter.objects.filter(pk=f.matter.pk).update(status="open")
    return f.matter.pk


def due_review(f: Firm) -> int:
    """A periodic review due on the open matter, for its responsible partner."""
    from django.utils import timezone

    from lexcase.reviews.models import Review

    open_matter(f)
    return Review.objects.create(
        matter=f.matter, kind="periodic", due_on=timezone.localdate(), reviewer=f.partner
    ).pk


# Completing: the reviewer (here the responsible partner, no persona), the responsible
# partner, an administrator; the team sees the review but may not complete it.
COMPLETE = E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302)
API_COMPLETE = E(401, 401, 404, 404, 403, 403, 404, 201)
LEADS_WRITE = E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302)
STAFF_403 = E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 403)
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
