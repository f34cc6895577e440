"""PIPL Art. 57: the breach notice fills with the required fields (T20, the tabletop)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from lexcase.accounts.models import FirmProfile
from lexcase.audit.models import AuditEvent

INCIDENT = {
    "occurred_at": "2026-12-01 22:10",
    "discovered_at": "2026-12-02 08:30",
    "summary": "一台办公笔记本电脑在出差途中遗失。",
    "categories": ["姓名", "身份证号码（已加密存储）", "联系电话"],
    "cause": "员工出差途中遗失笔记本电脑，设备已启用全盘加密。",
    "harm": "如加密被破解，可能导致身份信息被冒用。",
    "remedies": ["已远程吊销该设备的全部会话与 API 令牌", "已轮换字段加密密钥"],
    "individual_measures": "请留意以您名义办理的业务，如发现异常请及时与我们联系。",
}


@pytest.fixture
def incident_file(tmp_path, firm):
    FirmProfile.objects.update_or_create(
        pk=1, defaults={"name": "北京示例律师事务所", "phone": "010-12345678"}
    )
    incident = {**INCIDENT, "parties": [firm.client_party.pk, firm.opposing_party.pk]}
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(incident, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_notice_carries_every_art57_field_and_the_firms_contact(incident_file, tmp_path):
    out = tmp_path / "notice.txt"
    call_command("breach_notice", str(incident_file), "--out", str(out))
    notice = out.read_text(encoding="utf-8")
    for heading in (
        "个人信息安全事件告知书",
        "涉及的个人信息种类",
        "事件发生的原因",
        "可能造成的危害",
        "本所已采取的补救措施",
        "您可以采取的减轻危害的措施",
        "联系方式",
    ):
        assert heading in notice
    for value in ("- 身份证号码（已加密存储）", INCIDENT["cause"], INCIDENT["harm"]):
        assert value in notice
    assert "- 已轮换字段加密密钥" in notice
    assert INCIDENT["individual_measures"] in notice
    assert "北京示例律师事务所" in notice and "电话: 010-12345678" in notice
    assert "涉及人数：2" in notice
    event = AuditEvent.objects.get(action="privacy.breach_notice")
    assert event.data["parties"] == 2


def test_a_notice_without_an_art57_field_is_refused_and_nothing_is_recorded(tmp_path, firm):
    incident = {k: v for k, v in INCIDENT.items() if k not in ("cause", "individual_measures")}
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(incident, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("breach_notice", str(path), "--language", "en")
    assert "cause" in str(caught.value)
    assert "individual_measures" in str(caught.value)
    assert "contact" in str(caught.value)  # no firm profile yet, and none given
    assert not AuditEvent.objects.filter(action="privacy.breach_notice").exists()
