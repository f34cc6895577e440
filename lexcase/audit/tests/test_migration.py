"""Migration audit.0003 on a database that holds the former (SHA-256, in-row) chain."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lexcase.audit.models import AuditEvent
from lexcase.audit.selectors import audit_chain_verify
from lexcase.audit.services import audit_link

BEFORE, AFTER = ("audit", "0002_username_index"), ("audit", "0003_chain_linker")
step = importlib.import_module("lexcase.audit.migrations.0003_chain_linker")


@pytest.mark.django_db(transaction=True)
def test_the_former_chain_is_closed_and_every_old_event_joins_the_keyed_chain():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        Old = executor.loader.project_state([BEFORE]).apps.get_model("audit", "AuditEvent")
        prev = step.LEGACY_GENESIS
        for n in range(3):
            event = Old(at=timezone.now(), action=f"legacy.{n}", data={"n": n}, prev_hash=prev)
            event.hash = step._legacy_digest(prev, step._legacy_fields(event))
            event.save()
            prev = event.hash
        MigrationExecutor(connection).migrate([AFTER])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    closing = AuditEvent.objects.get(action="audit.rechain")
    assert closing.data == {"legacy_events": 3, "legacy_head": prev, "legacy_chain_ok": True}
    assert audit_link() == 4
    assert (audit_chain_verify().ok, audit_chain_verify().checked) == (True, 4)
