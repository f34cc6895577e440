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


def _enrolment_page(page: Any, url: str) -> str:
    _password_step(page, url, "partner")
    page.wait_for_url(f"{url}/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit], form button[type=submit]").last.click()
    page.wait_for_url(f"{url}/accounts/2fa/totp/activate/")
    return page.input_value("#authenticator_secret")


def _secret_is_whole(page: Any, secret: str) -> None:
    # No navigation into the app until enrolled.
    assert page.locator("nav.nav").count() == 0
    assert page.locator("a[href='/matters/']").count() == 0
    # The field shows the whole secret (nothing scrolled out of it), is read-only rather
    # than disabled (so it can be selected and copied), and the page is no wider than the
    # screen.
    field = page.locator("#authenticator_secret")
    assert field.evaluate("e => e.scrollWidth <= e.clientWidth") is True
    assert (field.get_attribute("readonly"), field.is_disabled()) == ("", False)
    field.click()
    field.press("Control+a")
    assert (
        page.evaluate(
            "() => { const e = document.getElementById('authenticator_secret');"
            " return e.value.substring(e.selectionStart, e.selectionEnd); }"
        )
        == secret
    )
    groups = page.locator(".totp-secret-groups")
    assert groups.inner_text().replace(" ", "").replace("\n", "") == secret
    box = groups.bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_enrolment_page_on_a_laptop_and_a_phone(
    browser: Any, live_server: Any, users: dict[str, Any], screenshot: Any
) -> None:
    url = live_server.url
    for name, options in (
        ("1366", {"viewport": {"width": 1366, "height": 768}}),
        (
            "390",
            {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 2,
                "is_mobile": True,
                "has_touch": True,
            },
        ),
    ):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            secret = _enrolment_page(page, url)
            assert len(secret) == 32
            assert (
                "您的角色必须启用双因素认证：请先完成设置，然后才能继续使用系统。" in page.content()
            )
            _secret_is_whole(page, secret)
            screenshot(page, f"mfa-enrol-{name}.png")
        finally:
            context.close()
