"""The portal's own access table: client A, client B and an anonymous visitor over every
portal route and every portal API operation.

Client A (华泰科技) and client B (王伟) are on opposite sides of `a_matter`; B is also the
client on `b_matter`. A sees A's matter only; B sees B's matter only (being the *opposing*
party on A's matter admits nothing). Denied objects are 404 so existence never leaks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from lexcase.api.api import api
from lexcase.core.tests.access import LOGIN
from lexcase.portal.tests import access_rows
from lexcase.portal.tests.factories import PortalWorld, invite_token, pdf_upload

PORTAL_PERSONAS = ("client_a", "client_b", "anonymous")


@dataclass(frozen=True)
class Row:
    name: str  # URL name or API table key
    method: str
    path: Callable[[PortalWorld], str]
    expect: tuple[Any, Any, Any]  # client_a, client_b, anonymous
    body: Callable[[PortalWorld], dict] | None = None
    json: bool = False


def _deadline(w: PortalWorld) -> int:
    return access_rows._deadline(w.firm)


def _hearing(w: PortalWorld) -> int:
    return access_rows._hearing(w.firm)


def _reinvite_path(w: PortalWorld) -> str:
    return f"/portal/contacts/{w.a.pk}/reinvite/"


ROWS: dict[str, Row] = {
    "home": Row("portal:home", "GET", lambda w: "/portal/", (200, 200, LOGIN)),
    "matter A": Row(
        "portal:matter", "GET", lambda w: f"/portal/matters/{w.a_matter.pk}/", (200, 404, LOGIN)
    ),
    "matter B": Row(
        "portal:matter", "GET", lambda w: f"/portal/matters/{w.b_matter.pk}/", (404, 200, LOGIN)
    ),
    "confidential matter": Row(
        "portal:matter",
        "GET",
        lambda w: f"/portal/matters/{w.firm.confidential.pk}/",
        (404, 404, LOGIN),
    ),
    "message to A's matter": Row(
        "portal:message_send",
        "POST",
        lambda w: f"/portal/matters/{w.a_matter.pk}/messages/",
        (302, 404, LOGIN),
        body=lambda w: {"text": "请问开庭时间？"},
    ),
    "message to B's matter": Row(
        "portal:message_send",
        "POST",
        lambda w: f"/portal/matters/{w.b_matter.pk}/messages/",
        (404, 302, LOGIN),
        body=lambda w: {"text": "请问开庭时间？"},
    ),
    "upload to A's matter": Row(
        "portal:upload",
        "POST",
        lambda w: f"/portal/matters/{w.a_matter.pk}/upload/",
        (302, 404, LOGIN),
        body=lambda w: {"file": pdf_upload("补充证据.pdf")},
    ),
    "A's shared document": Row(
        "portal:document_download",
        "GET",
        lambda w: f"/portal/documents/{w.a_shared.pk}/download/",
        (200, 404, LOGIN),
    ),
    "A's unshared document": Row(
        "portal:document_download",
        "GET",
        lambda w: f"/portal/documents/{w.a_unshared.pk}/download/",
        (404, 404, LOGIN),
    ),
    "B's shared document": Row(
        "portal:document_download",
        "GET",
        lambda w: f"/portal/documents/{w.b_shared.pk}/download/",
        (404, 200, LOGIN),
    ),
    "A's report": Row(
        "portal:report", "GET", lambda w: f"/portal/reports/{w.a_report.pk}/", (200, 404, LOGIN)
    ),
    "B's report": Row(
        "portal:report", "GET", lambda w: f"/portal/reports/{w.b_report.pk}/", (404, 200, LOGIN)
    ),
    "bills": Row("portal:bills", "GET", lambda w: "/portal/bills/", (200, 200, LOGIN)),
    "bills of A's matter": Row(
        "portal:bills",
        "GET",
        lambda w: f"/portal/bills/?matter={w.a_matter.pk}",
        (200, 404, LOGIN),
    ),
    "bills of B's matter": Row(
        "portal:bills",
        "GET",
        lambda w: f"/portal/bills/?matter={w.b_matter.pk}",
        (404, 200, LOGIN),
    ),
    "bills of the confidential matter": Row(
        "portal:bills",
        "GET",
        lambda w: f"/portal/bills/?matter={w.firm.confidential.pk}",
        (404, 404, LOGIN),
    ),
    "A's bill": Row(
        "portal:bill", "GET", lambda w: f"/portal/bills/{w.a_bill.pk}/", (200, 404, LOGIN)
    ),
    "B's bill": Row(
        "portal:bill", "GET", lambda w: f"/portal/bills/{w.b_bill.pk}/", (404, 200, LOGIN)
    ),
    "A's draft bill": Row(
        "portal:bill", "GET", lambda w: f"/portal/bills/{w.a_draft.pk}/", (404, 404, LOGIN)
    ),
    "A's void bill": Row(
        "portal:bill", "GET", lambda w: f"/portal/bills/{w.a_void.pk}/", (404, 404, LOGIN)
    ),
    "own notification settings": Row(
        "portal:preferences", "GET", lambda w: "/portal/notifications/", (200, 200, LOGIN)
    ),
    "save own notification settings": Row(
        "portal:preferences",
        "POST",
        lambda w: "/portal/notifications/",
        (302, 302, LOGIN),
        body=lambda w: {"email_document_shared": "on"},
    ),
    "invitation link": Row(
        "portal:accept", "GET", lambda w: f"/portal/invite/{invite_token(w.firm)}/", (200,) * 3
    ),
    "bad invitation link": Row(
        "portal:accept", "GET", lambda w: "/portal/invite/not-a-token/", (404,) * 3
    ),
    "staff contacts page": Row(
        "portal:contacts", "GET", lambda w: "/portal/contacts/", (403, 403, LOGIN)
    ),
    "staff reinvite": Row("portal:contact_reinvite", "POST", _reinvite_path, (403, 403, LOGIN)),
    "staff contact page": Row(
        "portal:contact", "GET", lambda w: f"/portal/contacts/{w.a.pk}/", (403, 403, LOGIN)
    ),
    "staff grant": Row(
        "portal:contact_grant",
        "POST",
        lambda w: f"/portal/contacts/{w.b.pk}/matters/",
        (403, 403, LOGIN),
        body=lambda w: {"matter": w.a_matter.pk},
    ),
    "staff revoke": Row(
        "portal:contact_revoke",
        "POST",
        lambda w: f"/portal/contacts/{w.a.pk}/matters/{w.a_matter.pk}/revoke/",
        (403, 403, LOGIN),
    ),
    "staff: bills switch": Row(
        "portal:contact_bills",
        "POST",
        lambda w: f"/portal/contacts/{w.b.pk}/matters/{w.b_matter.pk}/bills/",
        (403, 403, LOGIN),
        body=lambda w: {"visible": "1"},
    ),
    "staff toggle": Row(
        "portal:contact_toggle",
        "POST",
        lambda w: f"/portal/contacts/{w.b.pk}/toggle-active/",
        (403, 403, LOGIN),
    ),
    "staff: reply": Row(
        "portal:reply",
        "POST",
        lambda w: f"/portal/matters/{w.a_matter.pk}/reply/",
        (403, 403, LOGIN),
        body=lambda w: {"portal-text": "请补充材料"},
    ),
    "staff: deadline visibility": Row(
        "portal:deadline_visibility",
        "POST",
        lambda w: f"/portal/deadlines/{_deadline(w)}/client-visible/",
        (403, 403, LOGIN),
        body=lambda w: {"visible": "1"},
    ),
    "staff: hearing visibility": Row(
        "portal:hearing_visibility",
        "POST",
        lambda w: f"/portal/hearings/{_hearing(w)}/client-visible/",
        (403, 403, LOGIN),
        body=lambda w: {"visible": "1"},
    ),
    "api: matters": Row(
        "api:portal_matters", "GET", lambda w: "/api/v1/portal/matters", (200, 200, 401)
    ),
    "api: matter A": Row(
        "api:portal_matter",
        "GET",
        lambda w: f"/api/v1/portal/matters/{w.a_matter.pk}",
        (200, 404, 401),
    ),
    "api: matter B": Row(
        "api:portal_matter",
        "GET",
        lambda w: f"/api/v1/portal/matters/{w.b_matter.pk}",
        (404, 200, 401),
    ),
    "api: messages A": Row(
        "api:portal_messages",
        "GET",
        lambda w: f"/api/v1/portal/matters/{w.a_matter.pk}/messages",
        (200, 404, 401),
    ),
    "api: messages B": Row(
        "api:portal_messages",
        "GET",
        lambda w: f"/api/v1/portal/matters/{w.b_matter.pk}/messages",
        (404, 200, 401),
    ),
    "api: bills": Row("api:portal_bills", "GET", lambda w: "/api/v1/portal/bills", (200, 200, 401)),
    "api: bills of A's matter": Row(
        "api:portal_bills",
        "GET",
        lambda w: f"/api/v1/portal/bills?matter={w.a_matter.pk}",
        (200, 404, 401),
    ),
    "api: bills of B's matter": Row(
        "api:portal_bills",
        "GET",
        lambda w: f"/api/v1/portal/bills?matter={w.b_matter.pk}",
        (404, 200, 401),
    ),
    "api: bills of the confidential matter": Row(
        "api:portal_bills",
        "GET",
        lambda w: f"/api/v1/portal/bills?matter={w.firm.confidential.pk}",
        (404, 404, 401),
    ),
    "api: A's bill": Row(
        "api:portal_bill", "GET", lambda w: f"/api/v1/portal/bills/{w.a_bill.pk}", (200, 404, 401)
    ),
    "api: B's bill": Row(
        "api:portal_bill", "GET", lambda w: f"/api/v1/portal/bills/{w.b_bill.pk}", (404, 200, 401)
    ),
    "api: A's draft bill": Row(
        "api:portal_bill", "GET", lambda w: f"/api/v1/portal/bills/{w.a_draft.pk}", (404, 404, 401)
    ),
    "api: A's void bill": Row(
        "api:portal_bill", "GET", lambda w: f"/api/v1/portal/bills/{w.a_void.pk}", (404, 404, 401)
    ),
    "api: send to A": Row(
        "api:portal_message_send",
        "POST",
        lambda w: f"/api/v1/portal/matters/{w.a_matter.pk}/messages",
        (201, 404, 401),
        body=lambda w: {"text": "收到，谢谢"},
        json=True,
    ),
    "api: send to B": Row(
        "api:portal_message_send",
        "POST",
        lambda w: f"/api/v1/portal/matters/{w.b_matter.pk}/messages",
        (404, 201, 401),
        body=lambda w: {"text": "收到，谢谢"},
        json=True,
    ),
}


def portal_client(w: PortalWorld, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login({"client_a": w.a, "client_b": w.b}[persona].user)
    return client


def portal_request(w: PortalWorld, persona: str, row: Row, client: Client | None = None) -> Any:
    client = client or portal_client(w, persona)
    path = row.path(w)
    body = row.body(w) if row.body else {}
    if row.json:
        return client.generic(row.method, path, json.dumps(body), content_type="application/json")
    return getattr(client, row.method.lower())(path, body)


def outcome(response: Any) -> Any:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


def test_every_portal_route_and_operation_has_a_persona_row():
    assert {r.name for r in ROWS.values()} == {key.split("#")[0] for key in access_rows.TABLE}
    schema = api.get_openapi_schema()
    portal_ops = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith("/api/v1/portal/")
    }
    assert portal_ops == set(access_rows.API_OPERATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(ROWS))
def test_portal_access_table(world, key):
    row = ROWS[key]
    actual = []
    for persona in PORTAL_PERSONAS:
        with transaction.atomic():
            actual.append(outcome(portal_request(world, persona, row)))
            transaction.set_rollback(True)
    assert dict(zip(PORTAL_PERSONAS, actual, strict=True)) == dict(
        zip(PORTAL_PERSONAS, row.expect, strict=True)
    )
