from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from lexcase.audit.models import AuditEvent
from lexcase.comms.models import Communication
from lexcase.comms.services import communication_create
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Document
from lexcase.todos.models import Task


def test_communication_create_splits_team_and_client_contacts(firm):
    comm = communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="outbound",
        summary="告知客户开庭时间",
        participants=["assistant", "张总（客户法务）", " ", "assistant"],
        follow_up="寄送证据清单",
    )
    assert list(comm.team.values_list("username", flat=True)) == ["assistant"]
    assert comm.contacts == ["张总（客户法务）"]
    assert comm.follow_up == "寄送证据清单"
    assert comm.created_by == firm.lead
    assert (
        AuditEvent.objects.filter(action="communication.create", object_id=str(comm.pk)).count()
        == 1
    )


def test_communication_create_bad_input_names_fields_and_writes_nothing(firm):
    with pytest.raises(ValidationError) as exc:
        communication_create(
            actor=firm.lead,
            matter=firm.matter,
            channel="fax",
            direction="sideways",
            summary="  ",
            occurred_at=timezone.now() + timedelta(days=1),
            participants="lead",  # type: ignore[arg-type]
        )
    assert sorted(exc.value.message_dict) == [
        "channel",
        "direction",
        "occurred_at",
        "participants",
        "summary",
    ]
    assert Communication.objects.count() == 0


def test_communication_create_naive_datetime_is_local(firm):
    comm = communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="meeting",
        direction="inbound",
        summary="面谈",
        occurred_at=datetime(2026, 1, 5, 9, 30),
    )
    assert timezone.localtime(comm.occurred_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:30"


@pytest.mark.parametrize(
    "occurred_at",
    [datetime(978, 3, 1, 10, 0), datetime(1900, 12, 31, 23, 0), datetime(1, 1, 1, tzinfo=UTC)],
)
def test_communication_outside_the_civil_range_is_refused(firm, occurred_at):
    # Before 1901 Asia/Shanghai is local mean time: it would be shown as +08:05:43.
    with pytest.raises(ValidationError) as exc:
        communication_create(
            actor=firm.lead,
            matter=firm.matter,
            channel="meeting",
            direction="inbound",
            summary="面谈",
            occurred_at=occurred_at,
        )
    assert list(exc.value.message_dict) == ["occurred_at"]
    assert Communication.objects.count() == 0


@pytest.mark.parametrize("who", ["outsider", "finance", "walled", "partner_other"])
def test_communication_create_refused_off_the_matter(firm, who):
    with pytest.raises(NotAllowed):
        communication_create(
            actor=getattr(firm, who),
            matter=firm.matter,
            channel="phone",
            direction="outbound",
            summary="x",
        )
    assert Communication.objects.count() == 0


def test_follow_up_creates_a_task_on_the_matter(firm):
    comm = communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="inbound",
        summary="客户来电询问证据",
        follow_up="周五前寄送证据清单\n附件：证据目录",
        create_task=True,
    )
    task = Task.objects.get(pk=comm.task_id)
    assert (task.title, task.matter_id, task.assignee_id) == (
        "周五前寄送证据清单",
        firm.matter.pk,
        firm.lead.pk,
    )
    assert "客户来电询问证据" in task.notes


def test_create_task_needs_a_follow_up(firm):
    with pytest.raises(ValidationError) as exc:
        communication_create(
            actor=firm.lead,
            matter=firm.matter,
            channel="phone",
            direction="inbound",
            summary="x",
            create_task=True,
        )
    assert list(exc.value.message_dict) == ["follow_up"]


def test_documents_are_attached_by_id_only_from_the_same_matter(firm):
    mine = Document.objects.create(matter=firm.matter, category="contract", title="买卖合同")
    other = Document.objects.create(matter=firm.confidential, category="contract", title="保密")
    with pytest.raises(ValidationError) as exc:
        communication_create(
            actor=firm.lead,
            matter=firm.matter,
            channel="email",
            direction="outbound",
            summary="发送合同",
            documents=[mine.pk, other.pk],
        )
    assert list(exc.value.message_dict) == ["documents"]
    comm = communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="email",
        direction="outbound",
        summary="发送合同",
        documents=[mine.pk, mine.pk],
    )
    assert comm.document_ids == [mine.pk]


def test_colleagues_who_cannot_see_the_matter_cannot_be_participants(firm):
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        communication_create(
            actor=firm.lead,
            matter=firm.matter,
            channel="meeting",
            direction="inbound",
            summary="面谈",
            participants=["walled", "outsider", "assistant"],
        )
    assert exc.value.message_dict == {"participants": ["Not on this matter: walled, outsider."]}
