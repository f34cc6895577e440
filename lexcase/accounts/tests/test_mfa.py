"""Second factor (issue 14 item 1, quality bar T06): required for admins and partners,
TOTP codes computed here under a frozen clock, a replayed code refused, recovery codes
single-use, secrets not stored in the clear, pages in Chinese."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def totp(secret: str, at: datetime) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), independent of allauth's own code."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at.timestamp()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


def sign_in(client: Client, username: str):
    return client.post("/accounts/login/", {"login": username, "password": PASSWORD})


def reauthenticate(client: Client) -> None:
    """Enrolment asks for the password again (allauth's reauthentication)."""
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 200:
        return
    assert page["Location"] == (
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    assert "输入您的密码" in client.get(page["Location"]).content.decode()
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302


def enrol(client: Client) -> tuple[str, list[str]]:
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret, T0)})
    assert response.status_code == 302, response.content
    codes_page = client.get("/accounts/2fa/recovery-codes/")
    return secret, list(codes_page.context["unused_codes"])


def test_a_partner_without_mfa_can_do_nothing_but_enrol(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        response = sign_in(client, "partner")
        assert response.status_code == 302
        for path in ("/", f"/matters/{firm.matter.pk}/", "/team/tokens/", "/accounts/2fa/"):
            response = client.get(path)
            if path == "/accounts/2fa/":
                assert response.status_code == 200
            else:
                assert (response.status_code, response["Location"]) == (
                    302,
                    "/accounts/2fa/totp/activate/",
                ), path
        assert client.get("/api/v1/matters").status_code in (401, 403)
        reauthenticate(client)
        page = client.get("/accounts/2fa/totp/activate/")
        assert "激活身份验证器应用" in page.content.decode()
        enrol(client)
        assert client.get("/").status_code == 200


def test_a_lawyer_is_not_forced_unless_the_firm_requires_everyone(firm, settings):
    client = Client()
    sign_in(client, "lead")
    assert client.get("/").status_code == 200
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["all"]
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_sign_in_needs_the_code_and_a_replayed_code_is_refused(firm):
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        sign_in(client, "partner")
        secret, _codes = enrol(client)
        client.post("/accounts/logout/")

        clock.move_to(T0 + timedelta(minutes=5))
        code = totp(secret, T0 + timedelta(minutes=5))
        client = Client()
        response = sign_in(client, "partner")
        assert response["Location"] == "/accounts/2fa/authenticate/"
        # The password alone does not sign in.
        assert client.get("/")["Location"].startswith("/accounts/login/")
        sign_in(client, "partner")
        assert client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 302
        assert client.get("/").status_code == 200

        # Someone who saw the code tries it again within its 30 seconds.
        thief = Client()
        sign_in(thief, "partner")
        response = thief.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert thief.get("/")["Location"].startswith("/accounts/login/")

        # A clock 30 s off still works (drift of one period).
        clock.move_to(T0 + timedelta(minutes=10))
        drifted = Client()
        sign_in(drifted, "partner")
        response = drifted.post(
            "/accounts/2fa/authenticate/", {"code": totp(secret, T0 + timedelta(minutes=9.5))}
        )
        assert response.status_code == 302


def test_recovery_codes_are_single_use_and_secrets_are_not_stored_in_the_clear(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "admin")
        secret, codes = enrol(client)
        assert len(codes) == 10
        client.post("/accounts/logout/")

        client = Client()
        sign_in(client, "admin")
        assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
        client.post("/accounts/logout/")
        again = Client()
        sign_in(again, "admin")
        assert again.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200

    stored = "".join(str(a.data) for a in Authenticator.objects.filter(user=firm.admin))
    assert secret not in stored
    assert not any(code in stored for code in codes)


def test_a_partner_cannot_remove_the_required_second_factor(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "partner")
        enrol(client)
        response = client.post("/accounts/2fa/totp/deactivate/")
        assert Authenticator.objects.filter(user=firm.partner, type="totp").count() == 1
        assert response.status_code in (200, 302)
