from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import client_for
from lexcase.audit.models import AuditEvent
from lexcase.audit.selectors import audit_chain_verify
from lexcase.audit.services import GENESIS, audit_record

pytestmark = pytest.mark.django_db


def test_chain_links_every_event(firm):
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 7  # 3 parties, 2 matters and their 2 conflict checks
    assert events[0].prev_hash == GENESIS
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    assert audit_chain_verify().ok


def test_verify_command_passes_on_intact_chain(firm, capsys):
    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out


def test_verify_names_an_altered_row(firm):
    victim = AuditEvent.objects.filter(action="matter.create").first()
    AuditEvent.objects.filter(pk=victim.pk).update(actor_username="someone-else")
    report = audit_chain_verify()
    assert (report.ok, report.bad_id) == (False, victim.pk)
    with pytest.raises(CommandError, match=f"event id {victim.pk}"):
        call_command("audit", "verify")


def test_verify_names_the_row_after_a_deleted_one(firm):
    events = list(AuditEvent.objects.order_by("id").values_list("pk", flat=True))
    AuditEvent.objects.filter(pk=events[2]).delete()
    report = audit_chain_verify()
    assert (report.ok, report.bad_id) == (False, events[3])


def test_verify_catches_altered_data_payload(firm):
    victim = AuditEvent.objects.filter(action="party.create").first()
    AuditEvent.objects.filter(pk=victim.pk).update(data={"forged": True})
    assert audit_chain_verify().bad_id == victim.pk


def test_login_success_and_failure_are_logged(firm):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"login": "lead", "password": "wrong-password-1"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    failure = AuditEvent.objects.filter(action="login.failure").last()
    assert (failure.actor_username, failure.ip) == ("lead", "10.1.2.3")
    assert "wrong-password" not in str(failure.data)
    response = client.post(
        "/accounts/login/", {"login": "lead", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    success = AuditEvent.objects.filter(action="login.success").last()
    assert success.actor == firm.lead


def test_matter_view_is_logged(firm):
    before = AuditEvent.objects.filter(action="matter.view").count()
    client_for(firm.lead).get(f"/matters/{firm.matter.pk}/", REMOTE_ADDR="10.9.9.9")
    event = AuditEvent.objects.filter(action="matter.view").last()
    assert AuditEvent.objects.filter(action="matter.view").count() == before + 1
    assert (event.actor, event.matter_id, event.ip) == (firm.lead, firm.matter.pk, "10.9.9.9")


def test_denied_view_is_not_logged_as_a_view(firm):
    before = AuditEvent.objects.filter(action="matter.view").count()
    client_for(firm.outsider).get(f"/matters/{firm.matter.pk}/")
    assert AuditEvent.objects.filter(action="matter.view").count() == before


def test_permission_changes_are_logged(firm):
    from lexcase.matters.services import matter_member_add, matter_wall_add

    matter_member_add(actor=firm.partner, matter=firm.matter, user=firm.outsider, role="member")
    matter_wall_add(actor=firm.partner, matter=firm.matter, user=firm.finance, reason="conflict")
    actions = list(
        AuditEvent.objects.filter(matter_id=firm.matter.pk)
        .order_by("-id")
        .values_list("action", "data")[:2]
    )
    assert actions == [
        ("matter.wall_add", {"user": "finance"}),
        ("matter.member_add", {"user": "outsider", "role": "member"}),
    ]


def test_events_cannot_be_saved_twice_with_the_same_predecessor(firm):
    from django.db import IntegrityError, transaction

    last = AuditEvent.objects.order_by("-id").first()
    clone = AuditEvent(at=last.at, action="forged", prev_hash=last.prev_hash, hash="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    assert audit_record(actor=None, action="after").prev_hash == last.hash
