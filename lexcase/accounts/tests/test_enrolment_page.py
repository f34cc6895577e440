"""The forced enrolment page (issue 14): no navigation into the app until a second factor is
set up, the secret whole and in groups; and one Chinese term for two-factor authentication
(双因素认证) and one for recovery codes (恢复码) on the pages that show allauth's strings next
to ours."""

from __future__ import annotations

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from lexcase.accounts.tests.test_mfa import T0, enrol, reauthenticate, sign_in, totp

pytestmark = pytest.mark.django_db

OTHER_TERMS = (
    "两步验证",
    "双因素身份认证",
    "双因素验证",
    "多因素认证",
    "第二重验证",
    "双重身份验证",
)


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


def test_the_enrolment_page_has_no_navigation_and_shows_the_secret_whole_and_grouped(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "partner")
        reauthenticate(client)
        page = client.get("/accounts/2fa/totp/activate/")
        html = page.content.decode()
        secret = page.context["form"].secret
        assert "accounts/enrolment_base.html" in [t.name for t in page.templates]
        assert '<nav class="nav">' not in html
        for path in ("/matters/", "/parties/", "/team/tokens/", "/calendar/"):
            assert f'href="{path}' not in html, path
        assert (
            '<p class="enrolment-notice" role="status">'
            "您的角色必须启用双因素认证：请先完成设置，然后才能继续使用系统。</p>" in html
        )
        assert (
            f'<input id="authenticator_secret" class="totp-secret" type="text" value="{secret}" '
            "readonly" in html
        )
        groups = " ".join(f"<span>{secret[i : i + 4]}</span>" for i in range(0, len(secret), 4))
        assert groups in html
        # Both allauth's sentence and ours, in one term.
        assert "为使用双因素认证保护您的帐户" in html
        assert [term for term in OTHER_TERMS if term in html] == []

        # Once enrolled, allauth's pages are in the firm's layout again.
        enrol(client)
        index = client.get("/accounts/2fa/").content.decode()
        assert '<nav class="nav">' in index
        assert "双因素认证" in index
        assert [term for term in OTHER_TERMS if term in index] == []


def test_one_term_on_the_code_step_and_in_our_messages(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "partner")
        enrol(client)
        client.post("/accounts/logout/")
        client = Client()
        sign_in(client, "partner")
        html = client.get("/accounts/2fa/authenticate/").content.decode()
        assert "双因素认证" in html
        assert [term for term in OTHER_TERMS if term in html] == []


def test_one_term_for_recovery_codes_on_the_mfa_pages(firm):
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "partner")
        enrol(client)
        pages = {
            "index": client.get("/accounts/2fa/").content.decode(),
            "codes": client.get("/accounts/2fa/recovery-codes/").content.decode(),
            "generate": client.get("/accounts/2fa/recovery-codes/generate/").content.decode(),
        }
        generated = client.post("/accounts/2fa/recovery-codes/generate/")
        assert generated["Location"] == "/accounts/2fa/recovery-codes/"
        pages["generated"] = client.get(generated["Location"]).content.decode()
        # allauth's message after new codes, added once they are committed (never inside
        # the test's transaction), rendered here on its own.
        with translation.override("zh-hans"):
            message = render_to_string(
                "mfa/messages/recovery_codes_generated.txt",
                {"MFA_RECOVERY_CODES_SHOW_ONCE": False},
            )
        assert message.strip() == "已生成一组新的恢复码。"
        assert {name: "恢复代码" in html for name, html in pages.items()} == dict.fromkeys(
            pages, False
        )
        assert {name: "恢复码" in html for name, html in pages.items()} == dict.fromkeys(
            pages, True
        )
        assert "在 10个恢复码中，有 10 个可用。" in pages["index"]
        assert "未使用的恢复码" in pages["generated"]
        assert "您即将为您的帐户生成一组新的恢复码。" in pages["generate"]
        assert "此操作将使您现有的恢复码全部失效。" in pages["generate"]


def test_the_api_refuses_with_the_words_of_the_enrolment_page(firm):
    """The API's refusal of a user who must still set up a second factor says what the
    enrolment page says, in the same words and the same translation."""
    client = Client()
    sign_in(client, "partner")
    notice = {
        "zh-hans": "您的角色必须启用双因素认证：请先完成设置，然后才能继续使用系统。",
        "en": "Your role requires two-factor authentication: set it up to continue.",
    }
    page = client.get("/accounts/2fa/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert notice["zh-hans"] in page
    refused = {}
    for language in notice:
        response = client.get("/api/v1/matters", HTTP_ACCEPT_LANGUAGE=language)
        refused[language] = (response.status_code, response.json())
    assert refused == {
        language: (403, {"errors": [{"field": "__all__", "message": text}]})
        for language, text in notice.items()
    }


def test_the_recovery_codes_page_ends_enrolment_with_a_way_on(firm):
    """Enrolment ends on the recovery codes, shown once. allauth's page then offers nothing
    to press (no download, no new codes): a checkbox, and the partner who had just set up
    the app was left there. The codes are labelled above them, and one button goes on."""
    with time_machine.travel(T0, tick=False):
        client = Client()
        sign_in(client, "partner")
        reauthenticate(client)
        secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
        activated = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret, T0)})
        assert activated["Location"] == "/accounts/2fa/recovery-codes/"
        response = client.get(activated["Location"])
    page = response.content.decode()
    done = '<a class="button primary" id="recovery-codes-done" href="/">'
    assert page.count(done) == 1
    assert page.split(done)[1].split("</a>")[0] == "我已保存我的恢复码"
    assert len(response.context["unused_codes"]) == 10
    assert '<label for="recovery_codes">未使用的恢复码</label>' in page
