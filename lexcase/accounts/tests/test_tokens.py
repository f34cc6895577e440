"""API tokens expire and carry a scope; owners and administrators revoke them (issue 14
item 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lexcase.accounts.models import ApiToken, TokenScope
from lexcase.accounts.services import api_token_create, api_token_revoke
from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_a_read_only_token_reads_but_every_write_is_403_json(firm):
    _token, raw = api_token_create(user=firm.lead, name="ro", scope=TokenScope.READ)
    client = api(raw)
    assert client.get(f"/api/v1/matters/{firm.matter.pk}").status_code == 200
    title = firm.matter.title
    writes = [
        ("post", "/api/v1/matters"),
        ("patch", f"/api/v1/matters/{firm.matter.pk}"),
    ]
    for method, path in writes:
        response = getattr(client, method)(
            path,
            data={"title": "改名", "version": firm.matter.version},
            content_type="application/json",
        )
        assert response.status_code == 403, method
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "errors": [{"field": "__all__", "message": "此 API 令牌为只读。"}]
        }
    firm.matter.refresh_from_db()
    assert firm.matter.title == title


def test_a_read_write_token_writes(firm):
    _token, raw = api_token_create(user=firm.lead, name="rw", scope=TokenScope.WRITE)
    response = api(raw).patch(
        f"/api/v1/matters/{firm.matter.pk}",
        data={"priority": "P1", "version": firm.matter.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_a_token_stops_working_when_it_expires(firm):
    token, raw = api_token_create(user=firm.lead, name="short", days=2)
    assert token.expires_at is not None
    assert api(raw).get("/api/v1/matters").status_code == 200
    with time_machine.travel(token.expires_at - timedelta(seconds=1)):
        assert api(raw).get("/api/v1/matters").status_code == 200
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        assert api(raw).get("/api/v1/matters").status_code == 401


def test_default_lifetime_and_limits(firm, settings):
    settings.LEXCASE_API_TOKEN_DAYS = 30
    before = timezone.now()
    token, _raw = api_token_create(user=firm.lead)
    assert timedelta(days=30) <= token.expires_at - before < timedelta(days=30, seconds=5)
    for days in (0, settings.LEXCASE_API_TOKEN_MAX_DAYS + 1):
        with pytest.raises(ValidationError) as exc:
            api_token_create(user=firm.lead, days=days)
        assert list(exc.value.message_dict) == ["days"]
    with pytest.raises(ValidationError):
        api_token_create(user=firm.lead, scope="admin")


def test_the_token_page_creates_a_read_only_token_by_default(firm):
    client = client_for(firm.lead)
    page = client.get("/team/tokens/")
    assert page["Cache-Control"] == "no-store"
    form = page.context["form"]
    response = client.post(
        "/team/tokens/",
        {"name": "报表", "scope": form["scope"].initial, "days": form["days"].initial},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=firm.lead)
    assert (token.name, token.scope) == ("报表", TokenScope.READ)
    assert response.context["raw"].startswith(token.prefix)


def test_an_administrator_revokes_another_users_token_and_it_is_audited(firm):
    token, raw = api_token_create(user=firm.lead, name="leak")
    admin = client_for(firm.admin)
    page = admin.get("/team/tokens/")
    assert [t.pk for t in page.context["others"]] == [token.pk]
    assert admin.post(f"/team/tokens/{token.pk}/revoke/").status_code == 302
    assert api(raw).get("/api/v1/matters").status_code == 401
    event = AuditEvent.objects.filter(action="token.revoke").get()
    assert (event.actor_id, event.data) == (firm.admin.pk, {"owner": "lead", "by": "admin"})


def test_nobody_else_revokes_a_token(firm):
    token, raw = api_token_create(user=firm.lead, name="mine")
    for user in (firm.partner, firm.outsider, firm.assistant):
        assert client_for(user).post(f"/team/tokens/{token.pk}/revoke/").status_code == 404
        assert client_for(user).get("/team/tokens/").context["others"].count() == 0
        with pytest.raises(NotAllowed):
            api_token_revoke(token=token, actor=user)
    assert api(raw).get("/api/v1/matters").status_code == 200
    assert client_for(firm.lead).post(f"/team/tokens/{token.pk}/revoke/").status_code == 302
    assert api(raw).get("/api/v1/matters").status_code == 401
