"""The database itself refuses UPDATE, DELETE and TRUNCATE on the audit tables."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from lexcase.audit import guards
from lexcase.audit.models import AuditEvent, AuditLink
from lexcase.audit.services import audit_link, audit_record
from lexcase.testing import make_user

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list | None = None) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params or [])


def test_update_of_an_event_is_refused(firm):
    event = AuditEvent.objects.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    _refused("UPDATE audit_auditevent SET actor_username = 'x'")
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_delete_of_an_event_is_refused(firm):
    count = AuditEvent.objects.count()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).delete()
    _refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == count


def test_links_cannot_be_changed_or_deleted(firm):
    audit_link()
    _refused("UPDATE audit_auditlink SET hash = %s", ["0" * 64])
    _refused("DELETE FROM audit_auditlink WHERE seq = 1")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditLink.objects.all().delete()
    assert AuditLink.objects.count() == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_truncate_is_refused(firm):
    audit_link()
    with connection.cursor() as cur:
        # Run the deferred foreign-key checks now, or TRUNCATE refuses for that reason.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused("TRUNCATE audit_auditlink")
    _refused("TRUNCATE audit_auditevent CASCADE")
    assert (AuditEvent.objects.count(), AuditLink.objects.count()) == (7, 7)


def test_flush_outside_the_test_suite_leaves_the_audit_log_alone(firm, monkeypatch):
    monkeypatch.setattr(guards, "FLUSH_LIFTS_GUARDS", False)
    with pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 7


def test_deleting_a_user_updates_no_audit_row(db):
    user = make_user("leaver", "lawyer")
    event = audit_record(actor=user, action="something")
    user_id = user.pk
    user.delete()
    row = AuditEvent.objects.values("actor_id", "actor_username").get(pk=event.pk)
    assert row == {"actor_id": user_id, "actor_username": "leaver"}


def test_inserting_is_still_allowed_while_guarded(firm):
    before = AuditEvent.objects.count()
    audit_record(actor=None, action="after")
    assert AuditEvent.objects.count() == before + 1
