"""The owner is told by mail whenever their password changes (self-service change or a reset
by link; issue 14): in Chinese, in English when that is the language they use, never with
the password; nothing when the account has no address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from lexcase.accounts.tests.test_password_reset import ask, link_in, set_new_password
from lexcase.accounts.tests.test_sessions import NEW_PASSWORD, OLD_PASSWORD, change_own_password
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_now(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_a_changed_password_is_mailed_in_chinese_without_the_password(
    firm, django_capture_on_commit_callbacks
):
    firm.lead.email = "lead@firm.example"
    firm.lead.save()
    client = client_for(firm.lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert change_own_password(client).status_code == 302
    assert [m.to for m in mail.outbox] == [["lead@firm.example"]]
    message = mail.outbox[0]
    assert message.subject.endswith("：您的密码已更改")
    assert "您在 " in message.body and "的账户“lead”的密码已更改。" in message.body
    assert "如果不是您本人更改的，请立即告知律所管理员" in message.body
    assert NEW_PASSWORD not in message.body + message.subject
    assert OLD_PASSWORD not in message.body + message.subject


def test_in_english_when_the_user_reads_english(firm, django_capture_on_commit_callbacks):
    firm.lead.email = "lead@firm.example"
    firm.lead.save()
    client = client_for(firm.lead)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        change_own_password(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith(": your password was changed")
    assert "the password of your" in mail.outbox[0].body
    assert NEW_PASSWORD not in mail.outbox[0].body


def test_a_reset_by_link_is_mailed_too(firm, django_capture_on_commit_callbacks):
    firm.lead.email = "lead@firm.example"
    firm.lead.save()
    ask(Client(), "lead@firm.example")
    link = link_in(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert set_new_password(Client(), link).status_code == 302
    assert [m.subject.endswith("：您的密码已更改") for m in mail.outbox] == [False, True]
    assert mail.outbox[1].to == ["lead@firm.example"]
    assert NEW_PASSWORD not in mail.outbox[1].body


def test_no_address_no_mail(firm, django_capture_on_commit_callbacks):
    client = client_for(firm.lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert change_own_password(client).status_code == 302
    assert mail.outbox == []
