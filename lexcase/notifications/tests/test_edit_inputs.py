"""Edits that lost what was typed or overwrote another's edit (the bad-input rule): an
instalment's description longer than 200 characters, two edits of one group robot, and the
audit record of a refused stale document edit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lexcase.accounts.models import Team
from lexcase.audit.models import AuditEvent
from lexcase.billing.models import FeeAgreement
from lexcase.billing.services.agreements import InstalmentIn, agreement_create
from lexcase.core.exceptions import StaleEdit
from lexcase.documents import services as document_services
from lexcase.documents.models import Document
from lexcase.documents.tests.files import upload
from lexcase.notifications.models import RobotChannel
from lexcase.notifications.services import robot_channel_save
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

DESCRIPTION = "签约后七日内支付，" * 22 + "余款结案后支付"  # 205 characters


def test_an_instalment_description_over_200_characters_is_a_field_error(firm):
    # It was stored cut at 200 characters, without a word.
    assert len(DESCRIPTION) == 205
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/fees/new/",
        {
            "kind": "fixed",
            "fixed_amount": "60000",
            "instalments": f"2026-03-01 60000 {DESCRIPTION}",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "instalments": ["第 1 行：说明有 205 个字符，最多 200 个。"]
    }
    assert FeeAgreement.objects.count() == 0
    # 200 exactly is kept whole.
    response = client.post(
        f"/matters/{firm.matter.pk}/fees/new/",
        {
            "kind": "fixed",
            "fixed_amount": "60000",
            "instalments": f"2026-03-01 60000 {DESCRIPTION[:200]}",
        },
    )
    assert response.status_code == 302
    assert FeeAgreement.objects.get().instalments.get().description == DESCRIPTION[:200]


def test_the_service_refuses_a_long_instalment_description_too(firm):
    with pytest.raises(ValidationError) as exc:
        agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="fixed",
            fixed_amount=Decimal("100"),
            instalments=[
                InstalmentIn(
                    due_on=date(2026, 3, 1), amount=Decimal("100"), description=DESCRIPTION
                )
            ],
        )
    assert exc.value.message_dict["instalments"][-1] == "分期说明最多 200 个字符。"
    assert FeeAgreement.objects.count() == 0


def test_two_edits_of_one_group_robot_do_not_overwrite_each_other(firm):
    team = Team.objects.create(name="诉讼一部")
    channel = RobotChannel.objects.create(
        team=team,
        platform="wecom",
        name="群",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
        events=["digest"],
    )
    first, second = client_for(firm.admin), client_for(firm.admin)
    path = f"/notifications/robots/{channel.pk}/"
    # Both pages carry the version they loaded.
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(path).content.decode()
    form = {
        "team": team.pk,
        "platform": "wecom",
        "events": ["digest"],
        "active": "on",
        "version": 1,
    }
    assert first.post(path, {**form, "name": "诉讼一部群"}).status_code == 302
    response = second.post(path, {**form, "name": "另一个名字", "active": ""})
    # Before: saved over the first edit without a word.
    assert response.status_code == 422
    assert (
        "您编辑期间他人已修改此群机器人。请刷新页面查看其修改后再重新操作。"
        in response.content.decode()
    )
    channel.refresh_from_db()
    assert (channel.name, channel.active, channel.version) == ("诉讼一部群", True, 2)
    conflict = AuditEvent.objects.get(action="robot.update_conflict")
    assert (conflict.actor, conflict.data) == (firm.admin, {"version": 1})
    # Reloaded, the second edit goes through.
    assert 'name="version" value="2"' in second.get(path).content.decode()
    assert second.post(path, {**form, "name": "另一个名字", "version": 2}).status_code == 302


def test_a_refused_stale_document_edit_is_recorded(firm):
    # The record was written inside the refused change and rolled back with it.
    (document,) = document_services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    stale = document.version
    edit = {
        "title": "新标题",
        "category": "evidence",
        "on_date": None,
        "notes": "",
        "shared_with_client": False,
    }
    document_services.document_update(actor=firm.lead, document=document, version=stale, **edit)
    with pytest.raises(StaleEdit):
        document_services.document_update(
            actor=firm.assistant, document=document, version=stale, **{**edit, "title": "旧"}
        )
    conflict = AuditEvent.objects.get(action="document.update_conflict")
    assert (conflict.actor, conflict.object_id, conflict.matter_id, conflict.data) == (
        firm.assistant,
        str(document.pk),
        firm.matter.pk,
        {"version": stale},
    )
    assert Document.objects.get(pk=document.pk).title == "新标题"


def test_a_group_robot_name_over_100_characters_is_a_field_error(firm):
    """The service cut the name at 100 characters without a word."""
    team = Team.objects.create(name="诉讼一部")
    name = "诉讼一部案件提醒群" * 11 + "甲乙"  # 101 characters
    with pytest.raises(ValidationError) as exc:
        robot_channel_save(
            actor=firm.admin,
            channel=None,
            team=team,
            platform="wecom",
            name=name,
            url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
            secret=None,
            events=["digest"],
            active=True,
        )
    assert exc.value.message_dict == {"name": ["名称有 101 个字符，最多 100 个。"]}
    assert RobotChannel.objects.count() == 0
    # The form says it beside the field, the name as typed.
    response = client_for(firm.admin).post(
        "/notifications/robots/",
        {
            "team": team.pk,
            "platform": "wecom",
            "name": name,
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
            "events": ["digest"],
            "active": "on",
        },
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["name"]
    assert RobotChannel.objects.count() == 0
    # 100 exactly is kept whole.
    channel = robot_channel_save(
        actor=firm.admin,
        channel=None,
        team=team,
        platform="wecom",
        name=name[:100],
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
        secret=None,
        events=["digest"],
        active=True,
    )
    assert channel.name == name[:100]
