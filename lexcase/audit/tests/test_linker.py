"""The request path only inserts; linking happens after commit, off the request."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from lexcase.audit import services
from lexcase.audit.models import AuditEvent, AuditLink
from lexcase.audit.selectors import audit_chain_verify
from lexcase.audit.services import audit_link, audit_record
from lexcase.audit.tasks import audit_link_task

pytestmark = pytest.mark.django_db
TASK = "lexcase.audit.tasks.audit_link_task"


def test_recording_an_event_is_one_insert(firm):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        audit_record(actor=firm.lead, action="matter.view", obj=firm.matter)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1
    assert sql[0].startswith('INSERT INTO "audit_auditevent"')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="transaction ids: PostgreSQL")
def test_an_event_carries_its_transaction_id(firm):
    with transaction.atomic():
        event = audit_record(actor=None, action="x")
        with connection.cursor() as cur:
            cur.execute("SELECT pg_current_xact_id()::text::bigint")
            assert event.txid == cur.fetchone()[0]


def test_a_commit_queues_one_delayed_link_task(
    firm, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "_pending_until", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=None, action="first")
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=None, action="second")
    tasks = list(DBTaskResult.objects.filter(task_path=TASK))
    assert len(tasks) == 1  # the second commit is covered by the task not started yet
    delay = (tasks[0].run_after - tasks[0].enqueued_at).total_seconds()
    assert services.LINK_DELAY_S - 1 < delay <= services.LINK_DELAY_S
    monkeypatch.setattr(services, "_pending_until", 0.0)  # that task has started
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=None, action="third")
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2


def test_the_link_task_chains_what_was_committed(firm):
    assert audit_link_task.call() == 7
    assert audit_chain_verify().ok


def test_with_the_immediate_backend_events_are_linked_after_commit(
    firm, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        event = audit_record(actor=None, action="now")
    assert AuditLink.objects.filter(event=event).exists()
    assert AuditLink.objects.count() == 8


def test_the_benchmark_switch_records_nothing(firm, settings):
    settings.LEXCASE_AUDIT_OFF_FOR_BENCHMARK = True
    before = AuditEvent.objects.count()
    audit_record(actor=None, action="x")
    assert AuditEvent.objects.count() == before


def test_full_link_and_incremental_link_agree(firm):
    assert audit_link(full=True) == 7
    assert audit_link() == 0
    audit_record(actor=None, action="later")
    assert audit_link(full=True) == 1
    assert audit_chain_verify().checked == 8
