"""A group chat is read by the whole team: a robot never posts a matter that anyone of the
channel's team is walled off (律师法 Art. 38), nor a confidential one; with no gate
installed it posts no matter at all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lexcase.accounts.models import Team
from lexcase.calendar import services as calendar_services
from lexcase.calendar.models import Deadline
from lexcase.matters.models import Matter, Status
from lexcase.notifications import gate, services
from lexcase.notifications.kinds import RobotEvent
from lexcase.notifications.models import RobotChannel, RobotDelivery
from lexcase.notifications.services import RobotItem
from lexcase.notifications.tests.robot_stub import robot_stub

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub():
    with robot_stub() as server:
        yield server


def _team(name, *users):
    team = Team.objects.create(name=name)
    for user in users:
        user.team = team
        user.save(update_fields=["team"])
    return team


def _channel(team, path):
    return RobotChannel.objects.create(
        team=team, platform="wecom", name=team.name, url=path, events=list(RobotEvent.values)
    )


def _posted(stub) -> dict[str, str]:
    return {r.path: r.body["text"]["content"] for r in stub.received}


def test_the_morning_digest_skips_a_team_with_a_walled_member(
    firm, stub, django_capture_on_commit_callbacks
):
    # The lead's team has the partner walled off the matter in it; the partner's does not.
    # An open matter (its conflict check decided): an intake is posted by its number only.
    Matter.objects.filter(pk=firm.matter.pk).update(status=Status.OPEN)
    walled_team = _team("诉讼一部", firm.lead, firm.walled)
    clear_team = _team("诉讼二部", firm.partner)
    _channel(walled_team, f"{stub.base}/one?key=1")
    _channel(clear_team, f"{stub.base}/two?key=2")
    today = date(2026, 12, 1)
    Deadline.objects.create(
        matter=firm.matter,
        title="上诉期限",
        due_date=today - timedelta(days=1),
        responsible=firm.lead,
        rule_id="civil.appeal_judgment",
    )
    Deadline.objects.create(
        matter=firm.matter,
        title="举证期限",
        due_date=today + timedelta(days=2),
        responsible=firm.lead,
    )
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.reminders_run(today=today)
    number, title = firm.matter.number, firm.matter.title
    # The statutory deadline goes to the teams of the lead and the partner: the partner's
    # only. The lead's digest (their team's agenda) goes nowhere.
    assert [(r.path, r.body["text"]["content"]) for r in stub.received] == [
        ("/two?key=2", f"法定期限已届满而未完成：\n{number} {title}，期限 2026-11-30"),
    ]
    assert RobotDelivery.objects.filter(channel__team=walled_team).count() == 0


def test_a_broadcast_leaves_out_only_the_walled_matter(
    firm, stub, django_capture_on_commit_callbacks
):
    team = _team("诉讼一部", firm.lead, firm.walled)
    _channel(team, f"{stub.base}/one?key=1")
    items = [
        RobotItem(matter_id=firm.matter.pk, number=firm.matter.number, title=firm.matter.title),
        RobotItem(
            matter_id=firm.confidential.pk,
            number=firm.confidential.number,
            title=firm.confidential.title,
            confidential=True,
        ),
        RobotItem(matter_id=firm.matter.pk + 1000, number="2026-民-0999", title="另一案件"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.robot_broadcast(
            event=RobotEvent.DIGEST, team_ids=[team.pk], heading="今日：", items=items, key="k1"
        )
    assert queued == 1
    assert _posted(stub) == {"/one?key=1": "今日：\n2026-民-0999 另一案件"}
    # Only walled or confidential matters: nothing is posted.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.robot_broadcast(
                event=RobotEvent.DIGEST,
                team_ids=[team.pk],
                heading="今日：",
                items=items[:2],
                key="k2",
            )
            == 0
        )
    assert len(stub.received) == 1


def test_without_the_gate_no_matter_is_posted(firm, stub, monkeypatch):
    team = _team("诉讼二部", firm.partner)
    _channel(team, f"{stub.base}/two?key=2")
    monkeypatch.setattr(gate, "_gate", None)
    item = RobotItem(matter_id=firm.matter.pk, number=firm.matter.number, title=firm.matter.title)
    assert (
        services.robot_broadcast(
            event=RobotEvent.DIGEST, team_ids=[team.pk], heading="今日：", items=[item], key="k"
        )
        == 0
    )
    assert RobotDelivery.objects.count() == 0


def test_an_intake_is_posted_by_its_number_only_until_its_check_is_decided(
    firm, stub, django_capture_on_commit_callbacks
):
    # The review request goes out before the conflict check is decided: the title names the
    # parties of a matter the firm may yet refuse, so the group chat reads the number only.
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create

    team = _team("诉讼一部", firm.lead, firm.partner)
    _channel(team, f"{stub.base}/one?key=1")
    client = party_create(actor=firm.lead, kind="person", name="赵敏")
    with django_capture_on_commit_callbacks(execute=True):
        intake = matter_create(
            actor=firm.lead,
            title="赵敏诉钱多多离婚纠纷",
            matter_type="civil",
            parties=[PartyLink(party=client, role="client")],
            lead_lawyer=firm.lead,
            responsible_partner=firm.partner,
        )
    assert _posted(stub) == {"/one?key=1": f"收案利益冲突审查申请：\n{intake.number}"}
    # The morning digest names an intake by its number too.
    stub.received.clear()
    today = date(2026, 12, 1)
    Deadline.objects.create(
        matter=intake, title="举证期限", due_date=today + timedelta(days=2), responsible=firm.lead
    )
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.reminders_run(today=today)
    (text,) = _posted(stub).values()
    assert intake.number in text and "赵敏" not in text and "离婚" not in text
