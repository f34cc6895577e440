from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from lexcase.audit import guards
from lexcase.audit.chain import GENESIS, audit_key, event_fields, link_digest
from lexcase.audit.models import AuditEvent, AuditLink
from lexcase.audit.selectors import audit_chain_verify
from lexcase.audit.services import audit_link, audit_record
from lexcase.matters.services import matter_member_add, matter_wall_add
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_events_are_linked_in_order_with_the_keyed_hash(firm):
    assert AuditLink.objects.count() == 0  # nothing on the request path
    assert audit_link() == 7  # 3 parties, 2 matters and their 2 conflict checks
    links = list(AuditLink.objects.select_related("event").order_by("seq"))
    assert [link.seq for link in links] == [1, 2, 3, 4, 5, 6, 7]
    assert [link.event_id for link in links] == sorted(link.event_id for link in links)
    prev = GENESIS
    for link in links:
        assert link.hash == link_digest(
            key=audit_key(), prev_hash=prev, seq=link.seq, fields=event_fields(link.event)
        )
        prev = link.hash
    assert audit_chain_verify().ok
    assert audit_link() == 0  # linking again finds nothing new


def test_linking_continues_from_the_head(firm):
    audit_link()
    head = AuditLink.objects.order_by("-seq").first()
    event = audit_record(actor=None, action="after")
    assert audit_link() == 1
    link = AuditLink.objects.get(event=event)
    assert link.seq == head.seq + 1
    assert link.hash == link_digest(
        key=audit_key(), prev_hash=head.hash, seq=link.seq, fields=event_fields(event)
    )


def test_verify_command_links_and_passes_on_intact_chain(firm, capsys):
    call_command("audit", "verify")
    assert "audit chain intact: 7 events verified (7 linked just now)" in capsys.readouterr().out
    assert AuditLink.objects.count() == 7


def test_link_command(firm, capsys):
    call_command("audit", "link")
    assert "audit events linked: 7" in capsys.readouterr().out


def test_verify_names_an_altered_row(firm):
    audit_link()
    victim = AuditEvent.objects.filter(action="matter.create").first()
    with guards.lifted(connection):
        AuditEvent.objects.filter(pk=victim.pk).update(actor_username="someone-else")
    report = audit_chain_verify()
    assert (report.ok, report.bad_id) == (False, victim.pk)
    assert "altered" in report.reason
    with pytest.raises(CommandError, match=f"event id {victim.pk}"):
        call_command("audit", "verify")


def test_verify_names_the_row_after_a_deleted_one(firm):
    audit_link()
    links = list(AuditLink.objects.order_by("seq").values_list("event_id", flat=True))
    with guards.lifted(connection):
        AuditLink.objects.filter(event_id=links[2]).delete()
        AuditEvent.objects.filter(pk=links[2]).delete()
    report = audit_chain_verify()
    assert (report.ok, report.bad_id) == (False, links[3])
    assert report.reason == "chain position 3 is missing: events removed"


def test_verify_catches_altered_data_payload(firm):
    audit_link()
    victim = AuditEvent.objects.filter(action="party.create").first()
    with guards.lifted(connection):
        AuditEvent.objects.filter(pk=victim.pk).update(data={"forged": True})
    assert audit_chain_verify().bad_id == victim.pk


def test_verify_reports_events_not_linked_yet(firm):
    report = audit_chain_verify()
    assert (report.ok, report.checked, report.unlinked) == (True, 0, 7)


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


def test_an_event_cannot_be_linked_twice(firm):
    audit_link()
    last = AuditLink.objects.order_by("-seq").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLink.objects.create(event_id=last.event_id, seq=last.seq + 1, hash="f" * 64)
    # nor can two events share a position
    event = audit_record(actor=None, action="after")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLink.objects.create(event=event, seq=last.seq, hash="f" * 64)


def test_pairwise_positions_after_many_events(firm):
    for n in range(30):
        audit_record(actor=None, action="bulk", data={"n": n})
    audit_link(batch_size=8)  # several batches
    seqs = list(AuditLink.objects.order_by("seq").values_list("seq", flat=True))
    assert all(b == a + 1 for a, b in itertools.pairwise(seqs))
    assert (len(seqs), audit_chain_verify().ok) == (37, True)
