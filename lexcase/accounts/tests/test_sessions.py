"""Sessions and credentials end when they must (issue 18 item 12, issue 14 "Sessions";
quality bar T07): a per-user security stamp in the session hash is bumped on deactivation,
password change and an administrator's "end sessions", whatever the session backend."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from lexcase.accounts.models import ApiToken
from lexcase.accounts.services import api_token_create, user_set_active
from lexcase.audit.models import AuditEvent
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "Zhang-San-new-passphrase-2026"

BACKENDS = (
    "lexcase.accounts.sessions",
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.signed_cookies",
    "django.contrib.sessions.backends.cache",
)


def signed_in(client: Client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
        return False
    assert response.status_code == 200
    return True


def token_works(raw: str) -> bool:
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    status = client.get("/api/v1/matters").status_code
    assert status in (200, 401)
    return status == 200


def change_own_password(client: Client):
    return client.post(
        "/accounts/password/change/",
        {"oldpassword": OLD_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


@pytest.fixture(params=BACKENDS, ids=lambda b: b.rsplit(".", 1)[1])
def session_engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def test_a_reactivated_users_old_cookie_is_refused(firm, session_engine):
    old = client_for(firm.outsider)
    assert signed_in(old)
    user_set_active(user=firm.outsider, active=False, actor=firm.admin)
    assert not signed_in(client_for(None)) and not signed_in(old)
    user_set_active(user=firm.outsider, active=True, actor=firm.admin)
    assert not signed_in(old)
    assert signed_in(client_for(firm.outsider))  # a new sign-in works


def test_deactivation_ends_sessions_and_revokes_tokens(firm):
    old = client_for(firm.outsider)
    _token, raw = api_token_create(user=firm.outsider, name="laptop")
    response = client_for(firm.admin).post(f"/team/users/{firm.outsider.pk}/toggle-active/")
    assert response.status_code == 302
    firm.outsider.refresh_from_db()
    assert firm.outsider.is_active is False
    user_set_active(user=firm.outsider, active=True, actor=firm.admin)
    assert (signed_in(old), token_works(raw)) == (False, False)
    assert ApiToken.objects.filter(user=firm.outsider, revoked_at__isnull=True).count() == 0


def test_own_password_change_revokes_tokens_and_other_sessions(firm, session_engine):
    here, elsewhere = client_for(firm.lead), client_for(firm.lead)
    _token, raw = api_token_create(user=firm.lead, name="script")
    assert token_works(raw)
    response = change_own_password(here)
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("API" in t for t in texts), texts  # the message says the tokens are revoked
    assert (signed_in(here), signed_in(elsewhere), token_works(raw)) == (True, False, False)


def test_password_change_is_audited(firm):
    _token, _raw = api_token_create(user=firm.lead, name="script")
    assert change_own_password(client_for(firm.lead)).status_code == 302
    events = AuditEvent.objects.filter(action="user.password_change").values_list(
        "actor_username", "object_id", "data"
    )
    assert list(events) == [
        ("lead", str(firm.lead.pk), {"by": "self", "tokens_revoked": 1}),
    ]
    # Never the password itself.
    assert not AuditEvent.objects.filter(data__icontains=NEW_PASSWORD).exists()


def test_a_refused_password_change_changes_nothing(firm):
    client = client_for(firm.lead)
    _token, raw = api_token_create(user=firm.lead, name="script")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert (signed_in(client), token_works(raw)) == (True, True)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_admin_ends_a_users_sessions(firm, session_engine):
    first, second = client_for(firm.lead), client_for(firm.lead)
    other_user = client_for(firm.assistant)
    _token, raw = api_token_create(user=firm.lead, name="script")
    admin = client_for(firm.admin)
    page = admin.get("/team/users/")
    assert f"/team/users/{firm.lead.pk}/end-sessions/".encode() in page.content
    response = admin.post(f"/team/users/{firm.lead.pk}/end-sessions/")
    assert (response.status_code, response["Location"]) == (302, "/team/users/")
    assert (signed_in(first), signed_in(second)) == (False, False)
    # Only sessions: the user's other credentials and other users are untouched.
    assert (signed_in(other_user), token_works(raw), signed_in(admin)) == (True, True, True)
    events = AuditEvent.objects.filter(action="user.sessions_end").values_list(
        "actor_username", "object_id"
    )
    assert list(events) == [("admin", str(firm.lead.pk))]
    firm.lead.refresh_from_db()  # as a real sign-in would load it
    assert signed_in(client_for(firm.lead))  # signing in again works


def test_an_admin_ending_their_own_sessions_keeps_this_one(firm):
    here, elsewhere = client_for(firm.admin), client_for(firm.admin)
    response = here.post(f"/team/users/{firm.admin.pk}/end-sessions/")
    assert response.status_code == 302
    assert (signed_in(here), signed_in(elsewhere)) == (True, False)


def test_only_admins_end_sessions(firm):
    victim = client_for(firm.lead)
    for user in (firm.partner, firm.lead, firm.assistant, firm.finance):
        response = client_for(user).post(f"/team/users/{firm.lead.pk}/end-sessions/")
        assert response.status_code == 403, user.username
    assert signed_in(victim)
    assert not AuditEvent.objects.filter(action="user.sessions_end").exists()
    missing = client_for(firm.admin).post("/team/users/999999/end-sessions/")
    assert missing.status_code == 404


def test_a_new_user_and_a_fresh_sign_in_work(firm):
    # The stamp is part of the session hash, so a normal sign-in must still succeed.
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "lead", "password": OLD_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert signed_in(client)
