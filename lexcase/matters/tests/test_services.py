from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters import services
from lexcase.matters.models import Matter, MatterMember, Stage, Status, TimelineEntry
from lexcase.testing import approve_intake

pytestmark = pytest.mark.django_db


def test_matter_number_follows_pattern_and_counts_up(firm):
    first = services.matter_create(actor=firm.lead, title="甲", matter_type="civil")
    second = services.matter_create(actor=firm.lead, title="乙", matter_type="civil")
    criminal = services.matter_create(actor=firm.lead, title="丙", matter_type="criminal")
    year, _type, seq = first.number.split("-")
    assert re.fullmatch(r"\d{4}-民-\d{4}", first.number)
    # The firm fixture created civil matter 0001 already.
    assert int(seq) == 2
    assert second.number == f"{year}-民-0003"
    assert criminal.number == f"{year}-刑-0001"


def test_matter_number_pattern_is_configurable(firm, settings):
    settings.LEXCASE_MATTER_NUMBER_PATTERN = "（{year}）律{type}字第{seq:05d}号"
    matter = services.matter_create(actor=firm.lead, title="甲", matter_type="labor_arbitration")
    assert re.fullmatch(r"（\d{4}）律劳字第00001号", matter.number)


def test_matter_create_rejects_bad_input_and_saves_nothing(firm):
    before = Matter.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.matter_create(
            actor=firm.lead, title="  ", matter_type="divorce", priority="P9", amount="-3"
        )
    assert set(exc.value.message_dict) == {"title", "matter_type", "priority", "amount"}
    assert Matter.objects.count() == before


def test_finance_cannot_register_matters(firm):
    with pytest.raises(NotAllowed):
        services.matter_create(actor=firm.finance, title="x", matter_type="civil")


def test_lawyer_registering_without_lead_leads(firm):
    matter = services.matter_create(actor=firm.outsider, title="甲", matter_type="civil")
    assert list(
        MatterMember.objects.filter(matter=matter).values_list("user__username", "role")
    ) == [("outsider", "lead")]


def test_creator_joins_the_team(firm):
    matter = services.matter_create(actor=firm.assistant, title="甲", matter_type="civil")
    assert list(
        MatterMember.objects.filter(matter=matter).values_list("user__username", "role")
    ) == [("assistant", "assistant")]


def test_stale_update_is_refused_and_audited(firm):
    matter = firm.matter
    loaded_version = matter.version
    services.matter_update(actor=firm.lead, matter=matter, version=loaded_version, title="新标题")
    with pytest.raises(StaleEdit):
        services.matter_update(
            actor=firm.partner, matter=matter, version=loaded_version, title="另一个标题"
        )
    matter.refresh_from_db()
    assert matter.title == "新标题"
    assert matter.version == loaded_version + 1
    actions = list(
        AuditEvent.objects.filter(
            matter_id=matter.pk, action__startswith="matter.update"
        ).values_list("action", "actor_username")
    )
    assert actions == [("matter.update", "lead"), ("matter.update_conflict", "partner")]


def test_update_rejects_unknown_fields(firm):
    with pytest.raises(ValidationError) as exc:
        services.matter_update(
            actor=firm.lead, matter=firm.matter, version=firm.matter.version, number="X-1"
        )
    assert list(exc.value.message_dict) == ["number"]


def test_lifecycle_transitions(firm):
    matter = firm.matter
    assert matter.status == Status.INTAKE
    with pytest.raises(NotAllowed):
        services.matter_open(actor=firm.lead, matter=matter)  # lawyers cannot open
    with pytest.raises(ValidationError) as exc:
        services.matter_open(actor=firm.partner, matter=matter)  # no cleared conflict check
    assert list(exc.value.message_dict) == ["status"]
    approve_intake(matter, firm.partner)
    services.matter_open(actor=firm.partner, matter=matter)
    assert matter.status == Status.OPEN and matter.opened_on is not None
    with pytest.raises(ValidationError):
        services.matter_open(actor=firm.partner, matter=matter)  # already open
    with pytest.raises(ValidationError):
        services.matter_archive(actor=firm.lead, matter=matter)  # open -> archived is illegal
    services.matter_close(actor=firm.lead, matter=matter, outcome="调解结案")
    assert (matter.status, matter.outcome) == (Status.CLOSED, "调解结案")
    services.matter_archive(actor=firm.lead, matter=matter)
    with pytest.raises(ValidationError):
        services.matter_reopen(actor=firm.lead, matter=matter)
    kinds = list(
        TimelineEntry.objects.filter(matter=matter, kind="status")
        .order_by("id")
        .values_list("data__new", flat=True)
    )
    assert kinds == ["open", "closed", "archived"]


def test_stage_transitions(firm):
    matter = firm.matter
    with pytest.raises(ValidationError):
        services.matter_change_stage(actor=firm.lead, matter=matter, stage=Stage.FIRST_INSTANCE)
    approve_intake(matter, firm.partner)
    services.matter_open(actor=firm.partner, matter=matter)
    services.matter_change_stage(actor=firm.lead, matter=matter, stage=Stage.FIRST_INSTANCE)
    services.matter_change_stage(actor=firm.lead, matter=matter, stage=Stage.SECOND_INSTANCE)
    with pytest.raises(ValidationError) as exc:
        services.matter_change_stage(actor=firm.lead, matter=matter, stage=Stage.FIRST_INSTANCE)
    assert list(exc.value.message_dict) == ["stage"]
    matter.refresh_from_db()
    assert matter.stage == Stage.SECOND_INSTANCE


def test_case_numbers_parsed_and_canonicalised(firm):
    ccn = services.matter_case_number_add(
        actor=firm.lead,
        matter=firm.matter,
        number="(2024)京0105民初12345号",
        stage="first_instance",
    )
    assert ccn.number == "（2024）京0105民初12345号"
    assert (ccn.year, ccn.court_code, ccn.type_code) == (2024, "京0105", "民初")
    with pytest.raises(ValidationError) as exc:
        services.matter_case_number_add(
            actor=firm.lead,
            matter=firm.matter,
            number="〔2024〕京0105民初12345号",
            stage="first_instance",
        )
    assert list(exc.value.message_dict) == ["number"]  # duplicate after normalising
    with pytest.raises(ValidationError):
        services.matter_case_number_add(
            actor=firm.lead, matter=firm.matter, number="2024京民初号", stage="first_instance"
        )


def test_team_roles_single_seat(firm):
    services.matter_member_add(
        actor=firm.partner, matter=firm.matter, user=firm.outsider, role="lead"
    )
    roles = dict(
        MatterMember.objects.filter(matter=firm.matter).values_list("user__username", "role")
    )
    assert roles["outsider"] == "lead"
    assert roles["lead"] == "member"  # the previous lead stays on the team


def test_walled_user_cannot_join_and_wall_removes_member(firm):
    with pytest.raises(ValidationError):
        services.matter_member_add(
            actor=firm.partner, matter=firm.matter, user=firm.walled, role="member"
        )
    services.matter_wall_add(
        actor=firm.partner, matter=firm.matter, user=firm.assistant, reason="亲属关系"
    )
    assert not MatterMember.objects.filter(matter=firm.matter, user=firm.assistant).exists()


def test_only_leads_manage_team(firm):
    with pytest.raises(NotAllowed):
        services.matter_member_add(
            actor=firm.assistant, matter=firm.matter, user=firm.outsider, role="member"
        )
