"""A partner enrols an authenticator app and signs in with it; a locked-out user sees why
(issue 14). Screenshots in var/screenshots/mfa-*.png."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lexcase.accounts.tests.test_mfa import totp
from tests.e2e.personas import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


def _password_step(page: Any, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")


def test_partner_enrols_totp_and_signs_in_with_it(
    page: Any, live_server: Any, users: dict[str, Any], screenshot: Any
) -> None:
    url = live_server.url
    page.set_default_timeout(30_000)  # a loaded machine: Argon2 and the first page are slow
    _password_step(page, url, "partner")
    # Nothing but enrolment: first the password again, then the authenticator app.
    page.wait_for_url(f"{url}/accounts/reauthenticate/**")
    screenshot(page, "mfa-1-reauthenticate.png")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit], form button[type=submit]").last.click()
    page.wait_for_url(f"{url}/accounts/2fa/totp/activate/")
    assert "激活身份验证器应用" in page.content()
    screenshot(page, "mfa-2-activate.png")
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", totp(secret, datetime.now(UTC)))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{url}/accounts/2fa/**")
    screenshot(page, "mfa-3-recovery-codes.png")
    page.goto(url + "/")
    assert page.url == url + "/"

    page.context.clear_cookies()
    _password_step(page, url, "partner")
    page.wait_for_url(f"{url}/accounts/2fa/authenticate/")
    screenshot(page, "mfa-4-code.png")
    # The next period's code (one period of drift is accepted): the enrolment code is used.
    page.fill("input[name=code]", totp(secret, datetime.now(UTC) + timedelta(seconds=30)))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(url + "/")
    screenshot(page, "mfa-5-signed-in.png")
    page.csp.assert_clean()


def test_a_locked_out_user_sees_the_message(
    page: Any, live_server: Any, users: dict[str, Any], screenshot: Any
) -> None:
    url = live_server.url
    page.set_default_timeout(30_000)
    for _ in range(6):
        page.goto(url + "/accounts/login/")
        page.fill("input[name=login]", "lawyer")
        page.fill("input[name=password]", "not-the-password")
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_load_state()
        time.sleep(0.05)
    assert "登录失败次数过多，此账户已暂时锁定" in page.content()
    screenshot(page, "mfa-6-locked-out.png")
