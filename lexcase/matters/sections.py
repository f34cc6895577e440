"""Sections other apps contribute to a matter's page, in page order.

Each entry names a function `(request, matter) -> dict | None`; the dict holds a
`template` and that template's context (reached as `section.<key>`). The function is
called only after the gate has let the user see the matter, so it may read the matter's
rows directly but must still check its own action permissions.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

from lexcase.matters.models import Matter

MATTER_SECTIONS: tuple[str, ...] = (
    "lexcase.matters.archive_views.matter_section",
    "lexcase.todos.views.matter_section",
    "lexcase.documents.views.matter_section",
    "lexcase.search.views.matter_section",
    "lexcase.comms.views.matter_section",
    "lexcase.billing.views.work.matter_section",
    "lexcase.portal.views.matter_section",
    "lexcase.insights.views.matter_section",
    "lexcase.reviews.views.matter_section",
)


def matter_sections(request: HttpRequest, matter: Matter) -> list[dict[str, Any]]:
    sections = []
    for dotted in MATTER_SECTIONS:
        section = import_string(dotted)(request, matter)
        if section is not None:
            sections.append(section)
    return sections
