"""Invitations without mail (issue 16 item 14): the link on the page, readable mail files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from lexcase.accounts.models import FirmProfile
from lexcase.core.mail import ReadableFileBackend
from lexcase.portal.models import ClientContact
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver/portal/invite/([\w-]+)/")


def _invite(firm):
    return client_for(firm.lead).post(
        "/portal/contacts/",
        {
            "party": firm.client_party.pk,
            "name": "赵经理",
            "email": "zhao@huatai.example",
            "matters": [firm.matter.pk],
        },
    )


def test_when_mail_fails_the_inviter_gets_the_link_to_pass_on(firm, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no mail server")

    monkeypatch.setattr("lexcase.portal.services.send_mail", refuse)
    response = _invite(firm)
    page = response.content.decode()
    assert response.status_code == 200
    assert "邮件未能发出" in page
    (raw,) = LINK.findall(page)
    # The shown link is the working one-time link.
    assert client_for(None).get(f"/portal/invite/{raw}/").status_code == 200
    assert mail.outbox == []


def test_a_new_link_retires_the_shown_one(firm):
    first = LINK.findall(_invite(firm).content.decode())
    contact = ClientContact.objects.get()
    again = client_for(firm.lead).post(f"/portal/contacts/{contact.pk}/reinvite/")
    second = LINK.findall(again.content.decode())
    assert len(first) == len(second) == 1 and first != second
    assert client_for(None).get(f"/portal/invite/{first[0]}/").status_code == 404
    assert client_for(None).get(f"/portal/invite/{second[0]}/").status_code == 200


def test_development_mail_is_a_readable_utf8_file(tmp_path: Path):
    backend = ReadableFileBackend(file_path=str(tmp_path))
    message = EmailMessage("您的客户门户邀请", "您好 赵经理：\n请打开链接。\n" * 20, to=["z@x.cn"])
    assert backend.send_messages([message]) == 1
    (written,) = tmp_path.iterdir()
    text = written.read_text(encoding="utf-8")
    assert text.startswith("From: ")
    assert "Subject: 您的客户门户邀请\n" in text
    assert "您好 赵经理：\n请打开链接。\n" in text
    assert "base64" not in text and "=?utf-8?" not in text


def test_the_invitation_mail_names_the_firm(firm):
    """Issue 16 item 13 (walk): the invitation's subject named the firm, its body still said
    '您的律师事务所已为您开通…'."""
    FirmProfile.objects.update_or_create(pk=1, defaults={"name": "北京明德律师事务所"})
    assert _invite(firm).status_code == 200
    [message] = mail.outbox
    assert message.subject == "北京明德律师事务所 客户门户邀请"
    assert "北京明德律师事务所已为您开通客户门户账号" in message.body
    assert "您的律师事务所" not in message.body
