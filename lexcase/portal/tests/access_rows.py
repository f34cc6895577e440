"""Access-table rows for the portal (see lexcase/core/tests/access.py), for the eight staff
personas. The portal is not for staff: its client pages answer 403 to every staff user,
the portal API (session of a portal user only) 401. The invitation link works for whoever
holds it. The contacts page is staff-only; acting on a contact needs the client's matter.

The client personas (client A, client B, anonymous) have their own table in
`test_portal_access.py`.
"""

from __future__ import annotations

from conftest import Firm
from lexcase.core.tests.access import ALL_STAFF_200, LOGIN, MATTER_WRITE, E, Route

STAFF_403 = E(LOGIN, LOGIN, *[403] * 6)
API_401 = E(*[401] * 8)
CONTACT_ACTION = E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302)


def _token(f: Firm) -> str:
    from lexcase.portal.tests.factories import invite_token

    return invite_token(f)


def _contact(f: Firm) -> int:
    from lexcase.portal.tests.factories import make_contact

    return make_contact(f.client_party, "contact-row").pk


def _deadline(f: Firm) -> int:
    from lexcase.core.tests.test_access_table import make_deadline

    return make_deadline(f, "open")


def _hearing(f: Firm) -> int:
    from datetime import UTC, datetime

    from lexcase.calendar.models import Hearing

    return Hearing.objects.create(
        matter=f.matter, court="朝阳法院", starts_at=datetime(2026, 12, 20, 1, 0, tzinfo=UTC)
    ).pk


TABLE: dict[str, Route] = {
    "portal:home": Route("GET", lambda f: "/portal/", STAFF_403),
    "portal:matter": Route("GET", lambda f: f"/portal/matters/{f.matter.pk}/", STAFF_403),
    "portal:message_send": Route(
        "POST",
        lambda f: f"/portal/matters/{f.matter.pk}/messages/",
        STAFF_403,
        body=lambda f: {"text": "你好"},
    ),
    "portal:upload": Route("POST", lambda f: f"/portal/matters/{f.matter.pk}/upload/", STAFF_403),
    "portal:document_download": Route("GET", lambda f: "/portal/documents/1/download/", STAFF_403),
    "portal:report": Route("GET", lambda f: "/portal/reports/1/", STAFF_403),
    "portal:accept": Route("GET", lambda f: f"/portal/invite/{_token(f)}/", E(*[200] * 8)),
    "portal:contacts": Route("GET", lambda f: "/portal/contacts/", ALL_STAFF_200),
    "portal:contact_reinvite": Route(
        "POST", lambda f: f"/portal/contacts/{_contact(f)}/reinvite/", CONTACT_ACTION
    ),
    "portal:contact_toggle": Route(
        "POST", lambda f: f"/portal/contacts/{_contact(f)}/toggle-active/", CONTACT_ACTION
    ),
    # The team answers in the portal thread / decides what the client sees of the dates.
    "portal:reply": Route(
        "POST",
        lambda f: f"/portal/matters/{f.matter.pk}/reply/",
        MATTER_WRITE,
        body=lambda f: {"portal-text": "请补充材料"},
    ),
    "portal:deadline_visibility": Route(
        "POST",
        lambda f: f"/portal/deadlines/{_deadline(f)}/client-visible/",
        MATTER_WRITE,
        body=lambda f: {"visible": "1"},
    ),
    "portal:hearing_visibility": Route(
        "POST",
        lambda f: f"/portal/hearings/{_hearing(f)}/client-visible/",
        MATTER_WRITE,
        body=lambda f: {"visible": "1"},
    ),
    # The portal API: a staff token or session is not a portal session.
    "api:portal_matters": Route("GET", lambda f: "/api/v1/portal/matters", API_401),
    "api:portal_matter": Route("GET", lambda f: f"/api/v1/portal/matters/{f.matter.pk}", API_401),
    "api:portal_messages": Route(
        "GET", lambda f: f"/api/v1/portal/matters/{f.matter.pk}/messages", API_401
    ),
    "api:portal_message_send": Route(
        "POST",
        lambda f: f"/api/v1/portal/matters/{f.matter.pk}/messages",
        API_401,
        body=lambda f: {"text": "你好"},
        json=True,
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/portal/matters"): "api:portal_matters",
    ("get", "/api/v1/portal/matters/{matter_id}"): "api:portal_matter",
    ("get", "/api/v1/portal/matters/{matter_id}/messages"): "api:portal_messages",
    ("post", "/api/v1/portal/matters/{matter_id}/messages"): "api:portal_message_send",
}
