"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from django.utils import timezone

from lexcase.core.tests.access import ALL_STAFF_200, LOGIN, MATTER_READ, MATTER_WRITE, E, Route
from lexcase.papers.models import CourtMessage
from lexcase.testing import Firm


def court_message(f: Firm) -> int:
    """A court message filed on the matter, pasted by its lead."""
    return CourtMessage.objects.create(
        text="【北京市朝阳区人民法院】（2026）京0105民初12345号开庭传票已送达。",
        received_on=timezone.localdate(),
        case_number="（2026）京0105民初12345号",
        kind="summons",
        matter=f.matter,
        matched_by="case_number",
        created_by=f.lead,
    ).pk


# Generating (and previewing the merged values) is for members of the matter: the lead and
# the assistant; an administrator who is not on the matter sees it but may not generate.
MEMBERS_READ = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 403, 404)
MEMBERS_WRITE = E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 403, 404)

TABLE: dict[str, Route] = {
    "papers:templates": Route("GET", lambda f: "/papers/templates/", ALL_STAFF_200),
    # An upload without a file: the administrator's form comes back with its errors.
    "papers:templates#upload": Route(
        "POST",
        lambda f: "/papers/templates/",
        E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 400, 404),
        body=lambda f: {"key": "letter", "name": "律师函", "category": "correspondence"},
    ),
    "papers:template_download": Route(
        "GET", lambda f: "/papers/templates/power_of_attorney/download/", ALL_STAFF_200
    ),
    "papers:matter": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/papers/?template=firm_letter", MEMBERS_READ
    ),
    "papers:generate": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/papers/generate/",
        MEMBERS_WRITE,
        body=lambda f: {"template": "power_of_attorney"},
    ),
    "papers:dossier": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/papers/dossier/", MEMBERS_READ
    ),
    # Nothing ticked: members are sent back to the page with the error.
    # No document chosen: refused, the page again with why (422), nothing assembled.
    "papers:dossier_assemble": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/papers/dossier/assemble/",
        E(LOGIN, LOGIN, 404, 404, 422, 422, 404, 403, 404),
    ),
    # Court SMS intake: everyone who works on matters (not finance).
    "papers:court_messages": Route(
        "GET",
        lambda f: "/papers/court-messages/",
        E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404),
    ),
    "papers:court_messages#paste": Route(
        "POST",
        lambda f: "/papers/court-messages/",
        E(LOGIN, LOGIN, 403, 302, 302, 302, 302, 302, 404),
        body=lambda f: {"text": "【北京市朝阳区人民法院】（2026）京0105民初1号举证通知书。"},
    ),
    # Refused (nothing pasted): the text as sent with its error, 422.
    "papers:court_messages#refused": Route(
        "POST",
        lambda f: "/papers/court-messages/",
        E(LOGIN, LOGIN, 403, 422, 422, 422, 422, 422, 404),
        body=lambda f: {"text": " "},
    ),
    # A message on a matter is seen with the matter.
    "papers:court_message": Route(
        "GET", lambda f: f"/papers/court-messages/{court_message(f)}/", MATTER_READ
    ),
    "papers:court_message_match": Route(
        "POST",
        lambda f: f"/papers/court-messages/{court_message(f)}/match/",
        MATTER_WRITE,
        body=lambda f: {"matter": str(f.matter.pk)},
    ),
    # Refused (no matter with the typed number): the message's page, the number as typed, 422.
    "papers:court_message_match#refused": Route(
        "POST",
        lambda f: f"/papers/court-messages/{court_message(f)}/match/",
        E(LOGIN, LOGIN, 404, 404, 422, 422, 404, 422, 404),
        body=lambda f: {"number": "2099-民-9999"},
    ),
    "papers:court_message_reparse": Route(
        "POST", lambda f: f"/papers/court-messages/{court_message(f)}/reparse/", MATTER_WRITE
    ),
    "api:document_templates_list": Route(
        "GET",
        lambda f: "/api/v1/document-templates",
        E(401, 401, 200, 200, 200, 200, 200, 200, 401),
    ),
    "api:document_generate": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/documents/generate",
        E(401, 401, 404, 404, 201, 201, 404, 403, 401),
        body=lambda f: {"template": "power_of_attorney"},
        json=True,
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/document-templates"): "api:document_templates_list",
    ("post", "/api/v1/matters/{matter_id}/documents/generate"): "api:document_generate",
}
