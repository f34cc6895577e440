from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "lexcase.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        # Closing a matter needs its closing review (or a partner's override with a reason).
        # Archiving needs the responsible partner's approval (归档审批).
        # Imported here, not at the top: these modules import models, loaded only once
        # apps are ready.
        from lexcase.matters.archive import ARCHIVING_REQUIREMENTS, CLOSING_REQUIREMENTS
        from lexcase.matters.extensions import (
            agenda_source_register,
            matter_form_register,
            matter_section_register,
        )
        from lexcase.reviews import approvals, selectors, timeline, views
        from lexcase.reviews.approvals import archive_approval_missing
        from lexcase.reviews.selectors import closing_review_missing

        timeline.register()
        matter_section_register(views.matter_section, order=80)
        for name, form in views.MATTER_FORMS.items():
            matter_form_register(name, form)
        agenda_source_register(selectors.agenda_source, order=40)
        agenda_source_register(approvals.agenda_source, order=50)

        if closing_review_missing not in CLOSING_REQUIREMENTS:
            CLOSING_REQUIREMENTS.append(closing_review_missing)
        if archive_approval_missing not in ARCHIVING_REQUIREMENTS:
            ARCHIVING_REQUIREMENTS.append(archive_approval_missing)
        # Here too: services import models, loaded only once apps are ready.
        from lexcase.matters.events import scrub_on_anonymised
        from lexcase.reviews.services import reviews_anonymise

        scrub_on_anonymised(reviews_anonymise, uid="reviews.party_anonymised")
