"""Texts of the timeline kinds `reviews` writes (registered with `matters.timeline`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lexcase.matters.models import TimelineKind
from lexcase.matters.timeline import TimelineText, timeline_texts_register


def _review_kind(kind: str) -> str:
    labels = {
        "periodic": _("periodic review"),
        "stage": _("stage review"),
        "closing": _("closing review"),
    }
    return str(labels.get(kind, kind))


TEXTS: dict[TimelineKind, TimelineText] = {
    TimelineKind.REVIEW_DONE: lambda d: (
        _("Review done (%(kind)s): score %(score)s/5, %(follow_ups)s follow-up actions")
        % {**d, "kind": _review_kind(d["kind"])}
    ),
    TimelineKind.REVIEW_OVERDUE: lambda d: (
        _("Review overdue (%(kind)s, due %(due)s): escalated to the responsible partner")
        % {**d, "kind": _review_kind(d["kind"])}
    ),
    TimelineKind.SURVEY: lambda d: (
        _(
            "Client satisfaction survey: overall %(overall)s/5, "
            "responsiveness %(responsiveness)s/5, clarity %(clarity)s/5"
        )
        % d
    ),
}


def register() -> None:
    timeline_texts_register(TEXTS)
