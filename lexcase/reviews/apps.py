from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "lexcase.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        # Closing a matter needs its closing review (or a partner's override with a reason).
        # Archiving needs the responsible partner's approval (归档审批).
        from lexcase.matters.archive import ARCHIVING_REQUIREMENTS, CLOSING_REQUIREMENTS
        from lexcase.reviews.approvals import archive_approval_missing
        from lexcase.reviews.selectors import closing_review_missing

        if closing_review_missing not in CLOSING_REQUIREMENTS:
            CLOSING_REQUIREMENTS.append(closing_review_missing)
        if archive_approval_missing not in ARCHIVING_REQUIREMENTS:
            ARCHIVING_REQUIREMENTS.append(archive_approval_missing)
