"""Audited requests under concurrency (issue 15 item 0): appends never fail or wait on
each other, and the linker chains every committed event exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from lexcase.audit.models import AuditEvent, AuditLink
from lexcase.audit.selectors import audit_chain_verify
from lexcase.audit.services import audit_link, audit_record

# Real threads need real concurrent transactions: the SQLite test database is in memory
# with a shared cache, where a second writer fails at once instead of waiting.
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="thread concurrency is exercised on PostgreSQL"
)

THREADS, PER_THREAD = 24, 30


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_many_threads_append_concurrently_without_errors_and_the_chain_verifies():
    errors: list[str] = []
    start = threading.Barrier(THREADS + 1)
    writing = threading.Event()
    writing.set()

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                if i % 2:
                    # Inside a caller's transaction, as services do.
                    with transaction.atomic():
                        audit_record(actor=None, action="load.write", data={"t": n, "i": i})
                else:
                    # Autocommit, as an audited read does.
                    audit_record(actor=None, action="load.read", data={"t": n, "i": i})
        except Exception as exc:  # every failure is collected, none may happen
            errors.append(repr(exc))
        finally:
            connections.close_all()

    def link_while_writing() -> None:
        # Two linkers racing each other and the writers, as two db_workers would.
        try:
            start.wait()
            while writing.is_set():
                audit_link(batch_size=50)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    writers = [threading.Thread(target=work, args=(n,)) for n in range(THREADS - 1)]
    linkers = [threading.Thread(target=link_while_writing) for _ in range(2)]
    for t in [*writers, *linkers]:
        t.start()
    for t in writers:
        t.join(timeout=120)
    writing.clear()
    for t in linkers:
        t.join(timeout=120)

    total = (THREADS - 1) * PER_THREAD
    assert errors == []
    assert AuditEvent.objects.count() == total
    audit_link()
    assert AuditLink.objects.count() == total
    report = audit_chain_verify()
    assert (report.ok, report.checked, report.unlinked) == (True, total, 0)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_committing_after_a_higher_id_is_linked_later_not_skipped():
    inserted, release, done = threading.Event(), threading.Event(), threading.Event()
    slow: dict[str, int] = {}

    def slow_request() -> None:
        try:
            with transaction.atomic():
                slow["id"] = audit_record(actor=None, action="slow").pk
                inserted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=slow_request)
    thread.start()
    inserted.wait(timeout=30)
    fast = audit_record(actor=None, action="fast")
    assert fast.pk > slow["id"]
    assert audit_link() == 1  # only the committed one
    release.set()
    done.wait(timeout=30)
    thread.join()
    assert audit_link() == 1  # the lower id, committed later, comes next on the chain
    order = list(AuditLink.objects.order_by("seq").values_list("event_id", flat=True))
    assert order == [fast.pk, slow["id"]]
    assert audit_chain_verify().ok


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_linking_inside_a_transaction_that_keeps_recording_misses_nothing():
    # A snapshot's xmin leaves out the reader's own transaction: with a younger transaction
    # committed meanwhile, the recorded bound must still not pass our own id.
    def elsewhere() -> None:
        try:
            audit_record(actor=None, action="elsewhere")
        finally:
            connections.close_all()

    with transaction.atomic():
        audit_record(actor=None, action="own.1")
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        assert audit_link() == 2
        audit_record(actor=None, action="own.2")
        assert audit_link() == 1
    assert audit_chain_verify().checked == 3
