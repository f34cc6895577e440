"""A partner enrols a security key and signs in with it, in Chromium with a virtual
authenticator (DevTools: WebAuthn.enable, WebAuthn.addVirtualAuthenticator), under the
strict CSP (issue 14 item 1). Screenshots in var/screenshots/webauthn-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.personas import PASSWORD
from tests.e2e.test_mfa_login import _password_step

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


def _virtual_key(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_partner_enrols_a_security_key_and_signs_in_with_it(
    page: Any, live_server: Any, users: dict[str, Any], screenshot: Any
) -> None:
    from allauth.mfa.models import Authenticator

    url = live_server.url
    assert url.startswith("http://localhost:")  # a secure context and a valid RP ID
    page.set_default_timeout(30_000)
    cdp, authenticator_id = _virtual_key(page)
    _password_step(page, url, "partner")
    page.wait_for_url(f"{url}/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{url}/accounts/2fa/totp/activate/")
    # A security key instead of the authenticator app.
    page.goto(url + "/accounts/2fa/webauthn/add/")
    add = page.locator("#webauthn-add")
    add.wait_for(state="visible")  # shown by webauthn.js: this browser offers WebAuthn
    assert page.locator("#webauthn-unsupported").is_hidden()
    assert "添加安全密钥" in page.content()
    page.fill("input[name=name]", "办公室 U 盾")
    screenshot(page, "webauthn-1-add.png")
    add.click()
    page.wait_for_url(f"{url}/accounts/2fa/recovery-codes/")
    screenshot(page, "webauthn-2-recovery-codes.png")
    (key,) = Authenticator.objects.filter(user=users["partner"], type="webauthn")
    assert key.wrap().name == "办公室 U 盾"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1
    page.goto(url + "/")
    assert page.url == url + "/"

    page.context.clear_cookies()
    _password_step(page, url, "partner")
    page.wait_for_url(f"{url}/accounts/2fa/authenticate/")
    use_key = page.locator("#webauthn-authenticate")
    use_key.wait_for(state="visible")
    screenshot(page, "webauthn-3-sign-in.png")
    use_key.click()
    page.wait_for_url(url + "/")
    screenshot(page, "webauthn-4-signed-in.png")
    key.refresh_from_db()
    assert key.last_used_at is not None
    page.csp.assert_clean()
