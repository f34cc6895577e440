"""Group-robot channels (issue 16 item 11): what 企业微信, 钉钉 and 飞书 receive, exactly, from a
stub server on 127.0.0.1; signatures; retries with backoff; the events that post; the
administrators' page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from datetime import date, datetime, timedelta
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lexcase.accounts.models import Team
from lexcase.calendar import services as calendar_services
from lexcase.calendar.models import Deadline
from lexcase.matters.models import Matter, Status
from lexcase.matters.services import matter_open, matter_update
from lexcase.notifications import services
from lexcase.notifications.kinds import RobotEvent
from lexcase.notifications.models import RobotChannel, RobotDelivery
from lexcase.notifications.services import RobotItem
from lexcase.notifications.tests.robot_stub import robot_stub
from lexcase.testing import approve_intake, client_for
from lexcase.todos.services import sla_breaches_run

pytestmark = pytest.mark.django_db

NOW = 1_765_000_000.25  # the signing clock: 2025-12-06 05:46:40.25 UTC
ALL_EVENTS = list(RobotEvent.values)


@pytest.fixture
def stub():
    with robot_stub() as server:
        yield server


@pytest.fixture
def team(firm):
    team = Team.objects.create(name="诉讼一部")
    for user in (firm.lead, firm.partner):
        user.team = team
        user.save(update_fields=["team"])
    return team


def channel(team, platform, url, secret="", events=ALL_EVENTS, name=""):
    return RobotChannel.objects.create(
        team=team, platform=platform, name=name or platform, url=url, secret=secret, events=events
    )


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(services, "robot_clock", lambda: NOW)


def broadcast(capture, **kwargs):
    with capture(execute=True):
        return services.robot_broadcast(**kwargs)


ITEM = RobotItem(
    matter_id=7, number="2026-民-0007", title="华泰科技诉王伟买卖合同纠纷", due=date(2026, 12, 8)
)


def test_each_platform_receives_its_own_json_and_signature(
    team, stub, django_capture_on_commit_callbacks
):
    channel(team, "wecom", f"{stub.base}/cgi-bin/webhook/send?key=wk-1234")
    channel(team, "dingtalk", f"{stub.base}/robot/send?access_token=dt-5678", secret="SECdt42")
    channel(team, "feishu", f"{stub.base}/open-apis/bot/v2/hook/fs-9012", secret="fs-secret")
    stub.answers["/open-apis/bot/v2/hook/fs-9012"] = [(200, {"code": 0, "msg": "success"})]
    queued = broadcast(
        django_capture_on_commit_callbacks,
        event=RobotEvent.REVIEW_REQUEST,
        team_ids=[team.pk],
        heading="结案审查申请：",
        items=[ITEM],
        key="review_due:1",
    )
    assert queued == 3
    text = "结案审查申请：\n2026-民-0007 华泰科技诉王伟买卖合同纠纷，期限 2026-12-08"

    (wecom,) = stub.of("/cgi-bin/webhook/send")
    assert wecom.path == "/cgi-bin/webhook/send?key=wk-1234"
    assert wecom.content_type == "application/json; charset=utf-8"
    assert wecom.body == {"msgtype": "text", "text": {"content": text}}

    # DingTalk: timestamp in ms; sign = urlencode(base64(HMAC-SHA256(secret, "ts\nsecret"))).
    ms = 1_765_000_000_250
    digest = hmac.new(b"SECdt42", f"{ms}\nSECdt42".encode(), hashlib.sha256).digest()
    (dingtalk,) = stub.of("/robot/send")
    assert dingtalk.path == (
        f"/robot/send?access_token=dt-5678&timestamp={ms}"
        f"&sign={quote_plus(base64.b64encode(digest).decode())}"
    )
    assert dingtalk.body == {"msgtype": "text", "text": {"content": text}}

    # Feishu: timestamp in s; sign = base64(HMAC-SHA256(key="ts\nsecret", msg="")).
    seconds = 1_765_000_000
    key = f"{seconds}\nfs-secret".encode()
    (feishu,) = stub.of("/open-apis/bot/v2/hook/fs-9012")
    assert feishu.path == "/open-apis/bot/v2/hook/fs-9012"
    assert feishu.body == {
        "timestamp": "1765000000",
        "sign": base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode(),
        "msg_type": "text",
        "content": {"text": text},
    }
    assert sorted(RobotDelivery.objects.values_list("status", "attempts")) == [("sent", 1)] * 3


def test_known_signature_vectors():
    # Worked by hand with Python's hmac for a fixed time and secret.
    assert services.robots.dingtalk_sign("SEC000", 1700000000000) == quote_plus(
        base64.b64encode(
            hmac.new(b"SEC000", b"1700000000000\nSEC000", hashlib.sha256).digest()
        ).decode()
    )
    assert (
        services.robots.feishu_sign("abc", 1700000000)
        == base64.b64encode(hmac.new(b"1700000000\nabc", b"", hashlib.sha256).digest()).decode()
    )


def test_once_per_channel_and_key_only_subscribed_channels_no_confidential_matter(
    team, stub, django_capture_on_commit_callbacks
):
    channel(team, "wecom", f"{stub.base}/a?key=1", events=[RobotEvent.DIGEST])
    channel(team, "wecom", f"{stub.base}/b?key=2", events=[RobotEvent.SLA_ESCALATION])
    secret = RobotItem(matter_id=1, number="2026-非-0001", title="保密并购项目", confidential=True)
    args = dict(event=RobotEvent.DIGEST, team_ids=[team.pk], heading="今日：", key="digest:x")
    assert broadcast(django_capture_on_commit_callbacks, items=[ITEM, secret], **args) == 1
    assert broadcast(django_capture_on_commit_callbacks, items=[ITEM, secret], **args) == 0
    # Only confidential matters: nothing is posted at all.
    args["key"] = "digest:y"
    assert broadcast(django_capture_on_commit_callbacks, items=[secret], **args) == 0
    assert [(r.path, r.body["text"]["content"]) for r in stub.received] == [
        ("/a?key=1", "今日：\n2026-民-0007 华泰科技诉王伟买卖合同纠纷，期限 2026-12-08")
    ]


def test_a_failure_is_retried_with_backoff_and_logged(
    team, stub, django_capture_on_commit_callbacks, caplog
):
    channel(team, "dingtalk", f"{stub.base}/robot/send?access_token=t", secret="s")
    stub.answers["/robot/send"] = [
        (500, {}),
        (200, {"errcode": 310000, "errmsg": "sign not match"}),
        (200, {"errcode": 0, "errmsg": "ok"}),
    ]
    with caplog.at_level(logging.WARNING, logger="lexcase.notifications.services"):
        broadcast(
            django_capture_on_commit_callbacks,
            event=RobotEvent.DIGEST,
            team_ids=[team.pk],
            heading="今日：",
            items=[ITEM],
            key="k",
        )
    delivery = RobotDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert len(stub.received) == 3
    assert [r.getMessage().split(": ", 1)[1] for r in caplog.records] == [
        "HTTP 500",
        "refused: sign not match",
    ]
    assert [services.robot_backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 120, 480, 1920]


def test_gives_up_after_the_last_attempt_and_says_why(
    team, stub, django_capture_on_commit_callbacks, caplog
):
    channel(team, "wecom", f"{stub.base}/send?key=x")
    stub.answers["/send"] = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    with caplog.at_level(logging.WARNING, logger="lexcase.notifications.services"):
        broadcast(
            django_capture_on_commit_callbacks,
            event=RobotEvent.DIGEST,
            team_ids=[team.pk],
            heading="今日：",
            items=[ITEM],
            key="k",
        )
    delivery = RobotDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        services.ROBOT_MAX_ATTEMPTS,
        "refused: invalid webhook url",
    )
    assert [r.levelname for r in caplog.records] == ["WARNING"] * 4 + ["ERROR"]


def test_the_request_does_not_wait_for_the_platform(team, stub):
    # Inside the transaction nothing is sent: the task is queued on commit.
    channel(team, "wecom", f"{stub.base}/send?key=x")
    services.robot_broadcast(
        event=RobotEvent.DIGEST, team_ids=[team.pk], heading="h", items=[ITEM], key="k"
    )
    assert stub.received == []
    assert RobotDelivery.objects.get().status == "pending"


def test_morning_job_posts_the_team_digest_and_the_overdue_statutory_deadline(
    firm, team, stub, django_capture_on_commit_callbacks
):
    # An open matter (its conflict check decided): an intake is posted by its number only.
    Matter.objects.filter(pk=firm.matter.pk).update(status=Status.OPEN)
    today = date(2026, 12, 1)
    channel(team, "wecom", f"{stub.base}/send?key=x")
    Deadline.objects.create(
        matter=firm.matter,
        title="上诉期限",
        due_date=today - timedelta(days=1),
        responsible=firm.lead,
        rule_id="civil.appeal_judgment",
    )
    Deadline.objects.create(
        matter=firm.matter,
        title="约定付款日",
        due_date=today - timedelta(days=1),
        responsible=firm.lead,
    )
    Deadline.objects.create(
        matter=firm.matter,
        title="举证期限",
        due_date=today + timedelta(days=2),
        responsible=firm.lead,
    )
    Deadline.objects.create(
        matter=firm.confidential, title="签约", due_date=today, responsible=firm.lead
    )
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.reminders_run(today=today)
    number, title = firm.matter.number, firm.matter.title
    assert [r.body["text"]["content"] for r in stub.received] == [
        f"法定期限已届满而未完成：\n{number} {title}，期限 2026-11-30",
        f"团队 2026-12-01 议程：\n{number} {title}，期限 2026-12-03",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.reminders_run(today=today)
    assert len(stub.received) == 2  # once per day and deadline


def test_sla_escalation_posts_to_the_team(firm, team, stub, django_capture_on_commit_callbacks):
    channel(team, "feishu", f"{stub.base}/open-apis/bot/v2/hook/abc", secret="")
    stub.answers["/open-apis/bot/v2/hook/abc"] = [(200, {"code": 0, "msg": "success"})]
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(t0, tick=False):
        matter = matter_update(
            actor=firm.lead, matter=firm.matter, version=firm.matter.version, priority="P1"
        )
        approve_intake(matter, firm.partner_other)
        matter_open(actor=firm.admin, matter=matter)
    with time_machine.travel(t0 + timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sla_breaches_run() == 1
    assert [r.body for r in stub.received] == [
        {
            "msg_type": "text",
            "content": {
                "text": "SLA 已超时，已上报承办合伙人：\n"
                f"{matter.number} {matter.title}，期限 2026-12-02"
            },
        }
    ]


# -- The administrators' page -----------------------------------------------------------


def test_only_administrators_configure_robots_and_secrets_are_never_shown_back(firm, team):
    assert client_for(firm.partner).get("/notifications/robots/").status_code == 403
    client = client_for(firm.admin)
    url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef1234567890"
    response = client.post(
        "/notifications/robots/",
        {
            "team": team.pk,
            "platform": "dingtalk",
            "name": "诉讼一部群",
            "url": url,
            "secret": "SECsupersecretvalue9876",
            "events": ["digest", "deadline_overdue"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    stored = RobotChannel.objects.get()
    assert (stored.url, stored.secret, stored.events) == (
        url,
        "SECsupersecretvalue9876",
        ["digest", "deadline_overdue"],
    )
    page = client.get("/notifications/robots/").content.decode()
    assert "abcdef1234567890" not in page and "SECsupersecretvalue9876" not in page
    assert "access_token=…7890" in page and "…9876" in page
    edit = client.get(f"/notifications/robots/{stored.pk}/").content.decode()
    assert "abcdef1234567890" not in edit and "supersecret" not in edit
    # Saving the edit form with the URL and secret left empty keeps them.
    client.post(
        f"/notifications/robots/{stored.pk}/",
        {"team": team.pk, "platform": "dingtalk", "name": "群", "events": ["digest"], "version": 1},
    )
    stored.refresh_from_db()
    assert (stored.name, stored.url, stored.secret, stored.active) == (
        "群",
        url,
        "SECsupersecretvalue9876",
        False,
    )


def test_a_webhook_address_must_be_the_platforms(firm, team, settings):
    settings.LEXCASE_ROBOT_EXTRA_HOSTS = []
    client = client_for(firm.admin)
    base = {"team": team.pk, "platform": "wecom", "events": ["digest"], "active": "on"}

    def error(url: str) -> list[str]:
        page = client.post("/notifications/robots/", {**base, "url": url}).content.decode()
        return re.findall(r'<span class="field-error">([^<]*)</span>', page)

    assert error("https://evil.example.com/hook?key=1") == [
        "这不是企业微信的机器人 Webhook 地址（qyapi.weixin.qq.com）。"
    ]
    assert error("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1") == [
        "请使用平台提供的 https 地址。"
    ]
    assert RobotChannel.objects.count() == 0
    assert error("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1") == []
    assert RobotChannel.objects.count() == 1


def test_a_test_message_from_the_page(firm, team, stub, django_capture_on_commit_callbacks):
    ch = channel(team, "wecom", f"{stub.base}/send?key=x")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(firm.admin).post(f"/notifications/robots/{ch.pk}/test/")
    assert response.status_code == 302
    assert [r.body["msgtype"] for r in stub.received] == ["text"]
    assert RobotDelivery.objects.get().status == "sent"
