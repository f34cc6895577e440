"""The review cadence and thresholds, from settings `LEXCASE_REVIEWS` (JSON in the
environment overrides keys)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Days between periodic reviews, by the matter's priority.
    "cadence_days": {"P1": 14, "P2": 30, "P3": 90},
    # A stage change (and "concluded": the closing review) is reviewed within this many days.
    "stage_review_days": 7,
    # Stage changes older than this when the scheduler first sees them get no review.
    "stage_lookback_days": 30,
    # Follow-up tasks are due this many days after the review.
    "follow_up_days": 7,
    # A survey answer at or below this overall score notifies the responsible partner.
    "low_survey_score": 2,
}


def review_settings() -> dict[str, Any]:
    values = dict(DEFAULTS)
    values.update(getattr(settings, "LEXCASE_REVIEWS", {}) or {})
    cadence = dict(DEFAULTS["cadence_days"])
    cadence.update(values.get("cadence_days") or {})
    values["cadence_days"] = {k: int(v) for k, v in cadence.items()}
    return values


def cadence_days(priority: str) -> int:
    cadence = review_settings()["cadence_days"]
    return cadence.get(priority, cadence["P2"])
