from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "lexcase.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        # Closing a matter needs its closing review (or a partner's override with a reason).
        from lexcase.matters.archive import CLOSING_REQUIREMENTS
        from lexcase.reviews.selectors import closing_review_missing

        if closing_review_missing not in CLOSING_REQUIREMENTS:
            CLOSING_REQUIREMENTS.append(closing_review_missing)
