"""A lawyer who forgot their password asks for a link on the sign-in page, follows the
e-mailed link, chooses a new password and signs in with it (issue 14, docs/security.md
"Forgotten passwords"). Screenshots in var/screenshots/pwreset-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Chen-Siyuan-new-passphrase-2026"


@pytest.fixture(autouse=True)
def _mail_now(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_a_lawyer_resets_a_forgotten_password_and_signs_in(
    page: Any, live_server: Any, users: dict[str, Any], screenshot: Any
) -> None:
    url = live_server.url
    page.set_default_timeout(30_000)
    lawyer = users["lawyer"]
    lawyer.email = "chen@firm.example"
    lawyer.save()

    page.goto(url + "/accounts/login/")
    page.click("text=忘记密码？")
    page.wait_for_url(url + "/accounts/password/reset/")
    page.fill("input[name=email]", "chen@firm.example")
    screenshot(page, "pwreset-1-request.png")
    page.click("button:has-text('发送链接')")
    page.wait_for_url(url + "/accounts/password/reset/done/")
    assert "请查收电子邮件" in page.content()
    screenshot(page, "pwreset-2-sent.png")

    assert [m.to for m in mail.outbox] == [["chen@firm.example"]]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(0))
    page.wait_for_url(re.compile(r".*-set-password/$"))
    assert "设置新密码" in page.content()
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    screenshot(page, "pwreset-3-new-password.png")
    page.click("button:has-text('保存新密码')")
    page.wait_for_url(url + "/accounts/password/reset/key/done/")
    screenshot(page, "pwreset-4-done.png")

    page.click("main a:has-text('登录')")
    page.wait_for_url(url + "/accounts/login/")
    page.fill("input[name=login]", "lawyer")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(url + "/")
    screenshot(page, "pwreset-5-signed-in.png")

    # The used link is dead.
    page.goto(link.group(0))
    assert "此链接无效" in page.content()
    screenshot(page, "pwreset-6-link-used.png")
    page.csp.assert_clean()
