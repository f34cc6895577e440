"""Second factor (issue 14 item 1, quality bar T06): required for admins and partners,
TOTP codes computed here under a frozen clock, a replayed code refused, recovery codes
single-use, secrets not stored in the clear, pages in Chinese."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import struct
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.apps import apps as global_apps
from django.test import Client

from lexcase.accounts.recovery_codes import HashedRecoveryCodes, code_hash

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


def test_recovery_codes_are_stored_hashed_and_shown_only_once(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "admin")
        _secret, codes = enrol(client)
        assert len(codes) == 10 and all(code.isdigit() for code in codes)
        row = Authenticator.objects.get(user=firm.admin, type="recovery_codes")
        assert set(row.data) == {"salt", "hashes", "viewed_at"}  # no seed, no pending codes
        assert row.data["hashes"] == [code_hash(code, row.data["salt"]) for code in codes]
        # The page shows them once; afterwards only how many are left.
        again = client.get("/accounts/2fa/recovery-codes/").content.decode()
        assert not any(code in again for code in codes)
        assert client.get("/accounts/2fa/recovery-codes/download/").status_code == 403
        client.post("/accounts/logout/")

        client = Client()
        sign_in(client, "admin")
        assert client.post("/accounts/2fa/authenticate/", {"code": codes[3]}).status_code == 302
        row.refresh_from_db()
        assert row.data["hashes"][3] == "" and sum(1 for h in row.data["hashes"] if h) == 9
        assert not any(code in str(row.data) for code in codes)


def test_regenerated_codes_replace_the_old_ones(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "admin")
        _secret, old = enrol(client)
        response = client.post("/accounts/2fa/recovery-codes/generate/")
        assert response.status_code == 302
        new = list(client.get("/accounts/2fa/recovery-codes/").context["unused_codes"])
        assert len(new) == 10 and set(new).isdisjoint(old)
        client.post("/accounts/logout/")
        client = Client()
        sign_in(client, "admin")
        assert client.post("/accounts/2fa/authenticate/", {"code": old[0]}).status_code == 200
        assert client.post("/accounts/2fa/authenticate/", {"code": new[0]}).status_code == 302


def test_the_migration_replaces_a_seed_by_the_hashes_of_the_unused_codes(firm):
    seeded = HashedRecoveryCodes.__mro__[1]
    row = Authenticator.objects.create(
        user=firm.admin,
        type="recovery_codes",
        data={"seed": encrypt(seeded.generate_seed()), "used_mask": 0b10},
    )
    codes = seeded(row).generate_codes()
    migration = importlib.import_module("lexcase.accounts.migrations.0008_recovery_codes_hashed")

    migration.forwards(global_apps, None)

    row.refresh_from_db()
    assert "seed" not in row.data and len(row.data["hashes"]) == 9
    wrapper = row.wrap()
    assert not wrapper.validate_code(codes[1])  # used before the migration
    assert wrapper.validate_code(codes[0])
    assert not wrapper.validate_code(codes[0])
    assert wrapper.validate_code(codes[9])


def test_recovery_codes_survive_a_secret_key_rotation(firm, settings):
    row = HashedRecoveryCodes.activate(firm.admin).instance
    codes = row.wrap().get_unused_codes()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "n" * 40
    assert row.wrap().validate_code(codes[0])
    assert not row.wrap().validate_code(codes[0])
    settings.SECRET_KEY_FALLBACKS = []
    assert not row.wrap().validate_code(codes[1])
