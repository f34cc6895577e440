"""Quality bar T08 (csrf_and_safe_methods) over every row of the access table, not a
hand-picked list: a state-changing web route refuses a POST without the CSRF token (403)
for a persona it otherwise admits; a GET to a route that changes state is refused or adds
and removes no row; a GET route adds or removes no row but its audit trail's (row counts
of every table: an UPDATE is not seen); the staff API takes no session cookie at all (a
token only), so a forged cross-site request carries no credential."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from lexcase.core.tests import test_access_table as table
from lexcase.core.tests.access import LOGIN, PERSONAS

pytestmark = pytest.mark.django_db

# Written by reading a page: the audit trail (views are audited), sessions, the cache table
# (throttling counters) and the queued background tasks.
READ_SIDE_EFFECTS = {"audit.auditevent", "sessions.session"}


def admitted(route: Any) -> str | None:
    """The first persona the table lets through (2xx, or 3xx other than to the login page)."""
    for persona, expected in zip(PERSONAS, route.expect, strict=True):
        if persona != "anonymous" and expected != LOGIN and 200 <= expected < 400:
            return persona
    return None


def counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in READ_SIDE_EFFECTS
        and not model._meta.label_lower.startswith("django_tasks_db.")
    }


def client_for(firm: Any, persona: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(table.persona_user(firm, persona))
    return client


def client_reaching(firm: Any, persona: str, path: str) -> Client:
    """The persona's client for `path`: a token for the staff API, else a session."""
    if path.startswith("/api/v1/"):
        _token, raw = table.api_token_create(user=table.persona_user(firm, persona), name="t08")
        return Client(headers={"Authorization": f"Bearer {raw}"})
    return client_for(firm, persona)


@pytest.mark.parametrize("name", sorted(n for n, r in table.TABLE.items() if r.method != "GET"))
def test_a_write_without_the_csrf_token_is_refused(firm, name):
    route = table.TABLE[name]
    persona = admitted(route)
    if persona is None:
        pytest.skip("no persona is admitted: every request is refused anyway")
    with transaction.atomic():
        path = route.path(firm)
        body = route.body(firm) if route.body else {}
        client = client_for(firm, persona, enforce_csrf_checks=True)
        before = counts()
        if route.json:
            response = client.generic(
                route.method, path, json.dumps(body), content_type="application/json"
            )
        else:
            response = getattr(client, route.method.lower())(path, body)
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/portal/"):
            # The staff API ignores the session cookie: no token, no credential.
            assert response.status_code == 401, (name, response.status_code)
        else:
            assert response.status_code == 403, (name, response.status_code)
        assert counts() == before, name
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", sorted(n for n, r in table.TABLE.items() if r.method != "GET"))
def test_a_get_to_a_write_route_changes_nothing(firm, name):
    route = table.TABLE[name]
    persona = admitted(route) or "admin"
    with transaction.atomic():
        path = route.path(firm)
        client = client_reaching(firm, persona, path)
        before = counts()
        response = client.get(path)
        # Refused (405, or 4xx for a GET operation on the same path) or a page that writes nothing.
        assert response.status_code in (200, 302, 400, 401, 403, 404, 405, 422), (
            name,
            response.status_code,
        )
        assert counts() == before, name
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", sorted(n for n, r in table.TABLE.items() if r.method == "GET"))
def test_a_read_adds_no_row_but_its_audit_trail(firm, name):
    route = table.TABLE[name]
    persona = admitted(route)
    if persona is None:
        pytest.skip("no persona is admitted")
    with transaction.atomic():
        path = route.path(firm)
        client = client_reaching(firm, persona, path)
        before = counts()
        client.get(path)
        assert counts() == before, name
        transaction.set_rollback(True)
