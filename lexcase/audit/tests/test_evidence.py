"""What `audit verify` proves (issue 14): a keyed chain and anchors outside the database."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lexcase.audit import guards
from lexcase.audit.chain import audit_key, event_fields, link_digest
from lexcase.audit.models import AuditEvent, AuditLink
from lexcase.audit.selectors import Anchor, audit_anchors_read, audit_chain_verify
from lexcase.audit.services import audit_anchor, audit_link, audit_record

pytestmark = pytest.mark.django_db


def _payload(seq: int, event: AuditEvent) -> str:
    return json.dumps(
        {"seq": seq, **event_fields(event)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _rewrite(victim_seq: int, digest) -> int:
    """What someone with SQL access would do: alter one event, then recompute every hash
    from there on with `digest` so the chain is consistent again. Returns the event id."""
    links = list(AuditLink.objects.select_related("event").order_by("seq"))
    victim = links[victim_seq - 1].event
    with guards.lifted(connection):
        AuditEvent.objects.filter(pk=victim.pk).update(actor_username="someone-else")
        prev = links[victim_seq - 2].hash if victim_seq > 1 else "0" * 64
        for link in links[victim_seq - 1 :]:
            event = AuditEvent.objects.get(pk=link.event_id)
            prev = digest(prev, link.seq, event)
            AuditLink.objects.filter(pk=link.pk).update(hash=prev)
    return victim.pk


def test_a_row_rewritten_and_rechained_with_plain_sha256_fails_verify(firm):
    audit_link()
    victim = _rewrite(
        3,
        lambda prev, seq, e: hashlib.sha256(f"{prev}\n{_payload(seq, e)}".encode()).hexdigest(),
    )
    report = audit_chain_verify()
    assert (report.ok, report.bad_id, report.checked) == (False, victim, 2)
    assert "recomputed without the key" in report.reason


def test_a_chain_recomputed_with_another_key_fails_verify(firm):
    audit_link()
    other = b"a-guessed-key-" + b"x" * 32
    victim = _rewrite(
        1,
        lambda prev, seq, e: hmac.new(
            other, f"{prev}\n{_payload(seq, e)}".encode(), hashlib.sha256
        ).hexdigest(),
    )
    assert audit_chain_verify().bad_id == victim


def test_a_rewrite_with_the_key_itself_is_caught_by_an_earlier_anchor(firm, tmp_path):
    path = tmp_path / "anchors.jsonl"
    audit_anchor(path=path)
    victim = _rewrite(
        2,
        lambda prev, seq, e: link_digest(
            key=audit_key(), prev_hash=prev, seq=seq, fields=event_fields(e)
        ),
    )
    assert audit_chain_verify().ok  # consistent: only the key holder could do this
    report = audit_chain_verify(anchors=audit_anchors_read(path))
    assert (report.ok, report.bad_id) == (False, AuditLink.objects.get(seq=7).event_id)
    assert "the chain was rewritten" in report.reason
    assert victim != report.bad_id  # the anchor names where it noticed, at its position


def test_deleted_newest_rows_are_detected_through_the_anchor(firm, tmp_path, capsys):
    path = tmp_path / "anchors.jsonl"
    call_command("audit", "anchor", str(path))
    assert "position 7" in capsys.readouterr().out
    newest = list(AuditLink.objects.order_by("-seq").values_list("event_id", flat=True)[:2])
    with guards.lifted(connection):
        AuditLink.objects.filter(event_id__in=newest).delete()
        AuditEvent.objects.filter(pk__in=newest).delete()
    # Without the anchor the shorter chain is consistent: that is what the anchor is for.
    assert audit_chain_verify().ok
    with pytest.raises(CommandError, match="the newest events were removed"):
        call_command("audit", "verify", "--anchor", str(path))


def test_deleted_newest_rows_then_new_events_are_detected_through_the_anchor(firm, tmp_path):
    path = tmp_path / "anchors.jsonl"
    audit_anchor(path=path)
    newest = AuditLink.objects.order_by("-seq").first().event_id
    with guards.lifted(connection):
        AuditLink.objects.filter(event_id=newest).delete()
        AuditEvent.objects.filter(pk=newest).delete()
    audit_record(actor=None, action="later")
    audit_link()
    report = audit_chain_verify(anchors=audit_anchors_read(path))
    assert (report.ok, "the chain was rewritten" in report.reason) == (False, True)


def test_anchor_appends_the_head_and_verify_checks_every_anchor(firm, tmp_path, capsys):
    path = tmp_path / "anchors.jsonl"
    first = audit_anchor(path=path)
    audit_record(actor=None, action="later")
    second = audit_anchor(path=path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(a["seq"], a["hash"]) for a in lines] == [
        (7, first["hash"]),
        (8, AuditLink.objects.get(seq=8).hash),
    ]
    assert second["event_id"] == AuditLink.objects.get(seq=8).event_id
    assert path.stat().st_mode & 0o777 == 0o600
    call_command("audit", "verify", "--anchor", str(path))
    assert "audit chain intact: 8 events verified, 2 anchors matched" in capsys.readouterr().out


def test_anchor_defaults_to_a_file_under_var(firm, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("audit", "anchor")
    assert json.loads((tmp_path / "audit-anchors.jsonl").read_text())["seq"] == 7


def test_verify_refuses_a_malformed_anchor_file(firm, tmp_path):
    path = tmp_path / "anchors.jsonl"
    path.write_text('{"seq": 1}\n')
    with pytest.raises(CommandError, match="not an anchor line"):
        call_command("audit", "verify", "--anchor", str(path))


def test_an_anchor_beyond_an_empty_chain_fails(db):
    report = audit_chain_verify(anchors=[Anchor(seq=3, hash="a" * 64, anchored_at="t")])
    assert (report.ok, report.head_seq) == (False, 0)
