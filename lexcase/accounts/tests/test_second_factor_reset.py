"""An administrator resets another user's second factor (a lost phone; issue 14): a named
rule (administrators, never on themselves), the service removes every authenticator and the
recovery codes, ends the user's sessions so a role that must have a second factor enrols
again at the next sign-in, is audited with who, whom and why, and mails the user."""

from __future__ import annotations

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from lexcase.accounts.models import Role
from lexcase.accounts.rules import may_reset_second_factor
from lexcase.accounts.services import user_second_factor_reset
from lexcase.accounts.tests.test_mfa import T0, enrol, sign_in
from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed
from lexcase.testing import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    # Partners must have a second factor; the administrator's own is not what is tested here
    # (client_for signs in without one).
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["partner"]


def test_only_an_administrator_and_never_on_themselves(firm):
    other_admin = make_user("admin2", Role.ADMIN)
    assert may_reset_second_factor(firm.admin, firm.partner) is True
    assert may_reset_second_factor(firm.admin, other_admin) is True
    assert may_reset_second_factor(firm.admin, firm.admin) is False
    for actor in (firm.partner, firm.lead, firm.assistant, firm.finance, firm.collaborator):
        assert may_reset_second_factor(actor, firm.outsider) is False, actor.username
    other_admin.is_active = False
    other_admin.save()
    assert may_reset_second_factor(other_admin, firm.partner) is False
    with pytest.raises(NotAllowed):
        user_second_factor_reset(user=firm.admin, actor=firm.admin, reason="lost phone")
    with pytest.raises(NotAllowed):
        user_second_factor_reset(user=firm.outsider, actor=firm.partner, reason="lost phone")


def test_an_administrator_resets_a_partners_lost_phone_and_they_enrol_again(
    firm, django_capture_on_commit_callbacks
):
    firm.partner.email = "partner@firm.example"
    firm.partner.save()
    with time_machine.travel(T0, tick=False):
        phone = Client()
        sign_in(phone, "partner")
        enrol(phone)
        assert sorted(
            Authenticator.objects.filter(user=firm.partner).values_list("type", flat=True)
        ) == ["recovery_codes", "totp"]
        assert phone.get("/").status_code == 200

        admin = client_for(firm.admin)
        users = admin.get("/team/users/").content.decode()
        assert f"/team/users/{firm.partner.pk}/second-factor/reset/" in users
        assert f"/team/users/{firm.admin.pk}/second-factor/reset/" not in users
        page = admin.get(f"/team/users/{firm.partner.pk}/second-factor/reset/")
        assert page.status_code == 200
        assert "重置 Partner（partner）的双因素认证" in page.content.decode()

        # The reason is required: a field error in Chinese, nothing removed, nothing mailed.
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(
                f"/team/users/{firm.partner.pk}/second-factor/reset/", {"reason": "  "}
            )
        assert response.status_code == 422
        assert response.context["form"].errors == {"reason": ["请说明重置双因素认证的原因。"]}
        assert Authenticator.objects.filter(user=firm.partner).count() == 2
        assert mail.outbox == []

        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(
                f"/team/users/{firm.partner.pk}/second-factor/reset/",
                {"reason": "手机丢失，本人来电"},
            )
        assert (response.status_code, response["Location"]) == (302, "/team/users/")
        assert Authenticator.objects.filter(user=firm.partner).count() == 0

        event = AuditEvent.objects.get(action="user.second_factor_reset")
        assert (event.actor_id, event.object_id, event.data) == (
            firm.admin.pk,
            str(firm.partner.pk),
            {"reason": "手机丢失，本人来电", "removed": {"recovery_codes": 1, "totp": 1}},
        )

        assert [m.to for m in mail.outbox] == [["partner@firm.example"]]
        message = mail.outbox[0]
        assert message.subject.endswith("：您的双因素认证已被重置")
        assert "管理员 Admin 已移除" in message.body
        assert "下次登录时，您需要先设置新的身份验证器应用才能继续。" in message.body
        assert "手机丢失" not in message.body

        # Signed out everywhere; the next sign-in goes to enrolment, and to nothing else.
        assert phone.get("/")["Location"].startswith("/accounts/login/")
        again = Client()
        assert sign_in(again, "partner").status_code == 302
        assert again.get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_the_service_wants_a_reason(firm):
    with pytest.raises(ValidationError) as caught:
        user_second_factor_reset(user=firm.partner, actor=firm.admin, reason=" ")
    assert caught.value.message_dict == {"reason": ["请说明重置双因素认证的原因。"]}
    assert AuditEvent.objects.filter(action="user.second_factor_reset").count() == 0


def test_a_lawyer_without_a_second_factor_is_reset_and_not_forced(
    firm, django_capture_on_commit_callbacks
):
    # No address, no mail; the reset is still recorded (the sessions end).
    with django_capture_on_commit_callbacks(execute=True):
        removed = user_second_factor_reset(user=firm.lead, actor=firm.admin, reason="换手机")
    assert removed == {}
    assert mail.outbox == []
    client = Client()
    sign_in(client, "lead")
    assert client.get("/").status_code == 200


def test_an_administrator_may_not_reset_their_own_here_and_others_learn_nothing(firm):
    admin = client_for(firm.admin)
    assert admin.get(f"/team/users/{firm.admin.pk}/second-factor/reset/").status_code == 403
    assert (
        admin.post(f"/team/users/{firm.admin.pk}/second-factor/reset/", {"reason": "x"})
    ).status_code == 403
    assert admin.get("/team/users/999999/second-factor/reset/").status_code == 404
    # A non-administrator is refused before the lookup: no difference between ids.
    lead = client_for(firm.lead)
    assert lead.get("/team/users/999999/second-factor/reset/").status_code == 403
    assert lead.get(f"/team/users/{firm.partner.pk}/second-factor/reset/").status_code == 403
    assert AuditEvent.objects.filter(action="user.second_factor_reset").count() == 0
