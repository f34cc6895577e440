"""Forgotten passwords (issue 14 item 3 and quality bar T06 "reset still requires the second
factor"): allauth's link-by-e-mail flow with the same answer for every address, a link that
works once, a new password that ends every session and token, the second factor still asked,
requests throttled and everything audited."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client

from lexcase.accounts.models import ApiToken
from lexcase.accounts.services import api_token_create
from lexcase.accounts.tests.test_mfa import PASSWORD, T0, enrol, sign_in, totp
from lexcase.audit.models import AuditEvent
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Chen-Siyuan-new-passphrase-2026"


@pytest.fixture(autouse=True)
def _tasks_now(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def ask(client: Client, email: str):
    return client.post("/accounts/password/reset/", {"email": email})


def link_in(message) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def set_new_password(client: Client, link: str, password: str = NEW_PASSWORD):
    response = client.get(link)
    # allauth moves the key out of the address (no leak through Referer) into the session.
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("-set-password/")
    page = client.get(form_url)
    assert page.status_code == 200
    return client.post(form_url, {"password1": password, "password2": password})


def test_a_known_and_an_unknown_address_get_the_same_answer(firm):
    firm.lead.email = "Chen@Firm.example"
    firm.lead.save()
    firm.inactive.email = "old@firm.example"
    firm.inactive.save()

    answers = []
    for address in ("chen@firm.example", "nobody@firm.example", "old@firm.example"):
        response = ask(Client(), address)
        assert response.status_code == 302
        answers.append(response["Location"])
    assert answers == ["/accounts/password/reset/done/"] * 3
    page = Client().get("/accounts/password/reset/done/").content.decode()
    assert "如果有账户使用该地址" in page and "60" in page

    # Only the account with the address (case aside) gets mail, in Chinese; nothing goes
    # to an unknown address or to a deactivated account.
    assert [m.to for m in mail.outbox] == [["Chen@Firm.example"]]
    assert "重新设置密码" in mail.outbox[0].subject
    assert "lead" in mail.outbox[0].body
    link_in(mail.outbox[0])

    requests = AuditEvent.objects.filter(action="user.password_reset_request").order_by("pk")
    assert [e.data["accounts"] for e in requests] == [[firm.lead.pk], [], []]
    assert [e.object_id for e in requests] == [str(firm.lead.pk), "", ""]
    assert all("@" not in str(e.data) for e in requests)  # the typed address is not kept
    assert AuditEvent.objects.filter(action="user.password_reset_mail").count() == 1


def test_the_link_works_once_and_ends_every_session_and_token(firm):
    firm.lead.email = "chen@firm.example"
    firm.lead.save()
    signed_in = client_for(firm.lead)
    assert signed_in.get("/").status_code == 200
    api_token_create(user=firm.lead, name="sync")

    ask(Client(), "chen@firm.example")
    link = link_in(mail.outbox[0])
    browser = Client()
    response = set_new_password(browser, link)
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/password/reset/key/done/",
    )
    assert "使用新密码登录" in browser.get(response["Location"]).content.decode()

    # Every session of the user ended, the tokens revoked; the reset did not sign anyone in.
    assert signed_in.get("/")["Location"].startswith("/accounts/login/")
    assert browser.get("/")["Location"].startswith("/accounts/login/")
    assert not ApiToken.objects.filter(user=firm.lead, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        action="user.password_reset", actor_id=firm.lead.pk, object_id=str(firm.lead.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="user.password_change", actor_id=firm.lead.pk).exists()

    # The new password signs in; the link does not work a second time.
    assert Client().login(username="lead", password=NEW_PASSWORD)
    again = Client().get(link)
    assert again.status_code == 200
    assert "链接无效" in again.content.decode()
    assert again.context["token_fail"]


def test_the_password_policy_applies_to_the_new_password(firm):
    firm.lead.email = "chen@firm.example"
    firm.lead.save()
    ask(Client(), "chen@firm.example")
    response = set_new_password(Client(), link_in(mail.outbox[0]), "Password123!")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    firm.lead.refresh_from_db()
    assert firm.lead.check_password(PASSWORD)


def test_the_link_expires(firm, settings):
    firm.lead.email = "chen@firm.example"
    firm.lead.save()
    with time_machine.travel(T0, tick=False) as clock:
        ask(Client(), "chen@firm.example")
        clock.move_to(T0 + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))
        response = Client().get(link_in(mail.outbox[0]))
        assert response.status_code == 200 and response.context["token_fail"]


def test_a_reset_still_asks_for_the_second_factor(firm, settings):
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]
    firm.partner.email = "wang@firm.example"
    firm.partner.save()
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        sign_in(client, "partner")
        secret, _codes = enrol(client)
        client.post("/accounts/logout/")

        ask(Client(), "wang@firm.example")
        set_new_password(Client(), link_in(mail.outbox[0]))

        clock.move_to(T0 + timedelta(minutes=5))
        client = Client()
        response = client.post("/accounts/login/", {"login": "partner", "password": NEW_PASSWORD})
        assert response["Location"] == "/accounts/2fa/authenticate/"
        assert client.get("/")["Location"].startswith("/accounts/login/")
        code = totp(secret, T0 + timedelta(minutes=5))
        assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
        assert client.get("/").status_code == 200


def test_requests_are_throttled_per_address_whether_it_exists_or_not(firm):
    firm.lead.email = "chen@firm.example"
    firm.lead.save()
    for address in ("chen@firm.example", "nobody@firm.example"):
        statuses = [ask(Client(), address).status_code for _ in range(4)]
        assert statuses == [302, 302, 302, 429]
    refused = ask(Client(), "nobody@firm.example")
    assert "请求过于频繁" in refused.content.decode()
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.filter(action="user.password_reset_throttled").count() == 3


def test_a_mail_failure_gives_the_same_answer(firm):
    firm.lead.email = "chen@firm.example"
    firm.lead.save()
    with mock.patch("lexcase.accounts.services.send_mail", side_effect=ConnectionRefusedError):
        response = ask(Client(), "chen@firm.example")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/done/")
    assert not AuditEvent.objects.filter(action="user.password_reset_mail").exists()


def test_the_pages_are_in_chinese_and_linked_from_sign_in(db):
    client = Client()
    assert "/accounts/password/reset/" in client.get("/accounts/login/").content.decode()
    page = client.get("/accounts/password/reset/").content.decode()
    assert "忘记密码" in page and "发送链接" in page
