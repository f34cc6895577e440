"""Schemathesis against the API's own OpenAPI document: generated requests, valid and
invalid, to every operation, as a partner and as an assistant on the staff API and as a
client contact on the portal API. No answer may be a server error, and every answer must
be documented: its status, content type and body schema.

`make test` runs it in both database legs: EXAMPLES per operation and role on PostgreSQL,
a smoke of SMOKE_EXAMPLES on SQLite; LEXCASE_FUZZ_EXAMPLES overrides both (docs/operations.md).
Generation is derandomized: the same code sends the same requests, so CI is stable."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from lexcase.accounts.services import api_token_create
from lexcase.calendar.services import deadline_create, served_document_record
from lexcase.documents.services import documents_upload
from lexcase.portal.tests.factories import make_contact, open_matter
from lexcase.todos.services import task_create
from lexcase.wsgi import application

EXAMPLES = 100
SMOKE_EXAMPLES = 10


def _examples() -> int:
    if os.environ.get("LEXCASE_FUZZ_EXAMPLES"):
        return int(os.environ["LEXCASE_FUZZ_EXAMPLES"])
    engine = django_settings.DATABASES["default"]["ENGINE"]
    return EXAMPLES if "postgresql" in engine else SMOKE_EXAMPLES


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
staff_schema = schema.exclude(tag="portal")
portal_schema = schema.include(tag="portal")

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

FUZZ = settings(
    max_examples=_examples(),
    derandomize=True,
    deadline=None,
    database=None,
    # Function-scoped fixtures (the firm, its tokens) are shared by the examples on purpose:
    # what one request creates, the next may read.
    suppress_health_check=list(HealthCheck),
)

pytestmark = pytest.mark.schemathesis

# Ids of objects that exist, by path parameter name, for the test running now: generated
# ids alone almost never name one, and the operations' success paths would go untested.
KNOWN_IDS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    names = [
        name
        for name, value in (path_parameters or {}).items()
        if KNOWN_IDS.get(name) and isinstance(value, int) and value >= 1
    ]
    if not names:
        return st.just(path_parameters)
    known = st.fixed_dictionaries({name: st.sampled_from(KNOWN_IDS[name]) for name in names})
    return st.one_of(st.just(path_parameters), known.map(lambda ids: {**path_parameters, **ids}))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Requests go to the WSGI handler directly, which closes the database connection at
    # each request's start and end; that would end the test's transaction (PostgreSQL).
    # Django's test client disconnects the same handlers.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(firm, settings, tmp_path):
    storages = dict(settings.STORAGES)
    storages["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "documents"},
    }
    settings.STORAGES = storages
    open_matter(firm.matter)
    lead = firm.lead
    task = task_create(actor=lead, title="核对证据", matter=firm.matter, assignee=firm.assistant)
    deadline = deadline_create(
        actor=lead,
        matter=firm.matter,
        title="举证期限",
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )
    served, _proposals = served_document_record(
        actor=lead,
        matter=firm.matter,
        kind="judgment",
        service_date=timezone.localdate() - dt.timedelta(days=3),
        method="direct",
    )
    (document,) = documents_upload(
        actor=lead,
        matter=firm.matter,
        uploads=[SimpleUploadedFile("起诉状.txt", "起诉状正文".encode(), "text/plain")],
    )
    KNOWN_IDS.clear()
    KNOWN_IDS.update(
        matter_id=[firm.matter.pk, firm.confidential.pk],
        party_id=[firm.client_party.pk, firm.opposing_party.pk],
        task_id=[task.pk],
        deadline_id=[deadline.pk],
        # Both kinds of document share the parameter name.
        document_id=[document.pk, served.pk],
    )
    yield firm
    KNOWN_IDS.clear()


@pytest.fixture
def tokens(world):
    return {
        role: api_token_create(user=getattr(world, role), name="fuzz")[1]
        for role in ("partner", "assistant")
    }


@pytest.fixture
def portal_session(world):
    contact = make_contact(world.client_party, "fuzz-client", name="Fuzz Client")
    client = Client()
    client.force_login(contact.user)
    csrf = "f" * 32  # an unmasked CSRF secret, sent as cookie and header
    return {
        "cookies": {
            django_settings.SESSION_COOKIE_NAME: client.cookies[
                django_settings.SESSION_COOKIE_NAME
            ].value,
            django_settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


@pytest.mark.parametrize("role", ["partner", "assistant"])
@staff_schema.parametrize()
@FUZZ
def test_staff_api(case, role, tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)


@portal_schema.parametrize()
@FUZZ
def test_portal_api(case, portal_session):
    case.call_and_validate(
        headers=portal_session["headers"], cookies=portal_session["cookies"], checks=CHECKS
    )
