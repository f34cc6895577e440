"""An administrator resets a partner's lost second factor from the users page (issue 14):
the reason is asked for in Chinese, then the partner is sent to enrol again. Screenshots in
var/screenshots/mfa-reset-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.personas import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    # The partner must have a second factor; the administrator's own is not tested here.
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["partner"]


def test_an_administrator_resets_a_partners_second_factor(
    page: Any, live_server: Any, users: dict[str, Any], screenshot: Any
) -> None:
    from allauth.mfa.models import Authenticator

    from lexcase.accounts.services import user_create

    user_create(username="boss", role="admin", password=PASSWORD, name="李主任")
    partner = users["partner"]
    Authenticator.objects.create(user=partner, type=Authenticator.Type.TOTP, data={})
    url = live_server.url
    page.set_default_timeout(30_000)
    page.goto(url + "/accounts/login/")
    page.fill("input[name=login]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(url + "/")
    page.goto(url + "/team/users/")
    page.click(f"a[href='/team/users/{partner.pk}/second-factor/reset/']")
    page.wait_for_url(f"{url}/team/users/{partner.pk}/second-factor/reset/")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").all_inner_texts() == ["请说明重置双因素认证的原因。"]
    screenshot(page, "mfa-reset-1-reason-required.png")
    page.fill("textarea[name=reason]", "手机丢失，本人来电（已回拨核实）")
    page.locator("main form button.primary").click()
    page.wait_for_url(url + "/team/users/")
    assert "已移除 partner 的双因素认证并结束其全部会话" in page.content()
    screenshot(page, "mfa-reset-2-done.png")
    assert Authenticator.objects.filter(user=partner).count() == 0
    page.csp.assert_clean()
