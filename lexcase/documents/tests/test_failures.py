"""Nothing half-done: a failure injected at each step of an upload leaves no visible
document, no row without its file and (but for a hard crash, which the orphan command
cleans up) no file without its row. Real commits, so these run in transactional tests."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connections

from lexcase.documents import files, services
from lexcase.documents.models import Document, DocumentVersion
from lexcase.documents.selectors import documents_visible_to
from lexcase.documents.tests.files import stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)
DATA = "合同正文".encode() * 40_000  # ~470 KB: several chunks, so a failure can hit mid-write


class Boom(Exception):
    pass


def assert_nothing_left(firm, doc_store) -> None:
    assert list(documents_visible_to(firm.lead)) == []
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (0, 0)
    assert stored_files(doc_store) == []


def do_upload(firm):
    return services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("合同.txt", DATA)]
    )


def test_storage_save_fails(firm, doc_store, monkeypatch):
    def fail(self, name, content):
        raise OSError("disk full")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage._save", fail)
    with pytest.raises(OSError, match="disk full"):
        do_upload(firm)
    assert_nothing_left(firm, doc_store)


def test_hashing_fails_mid_write(firm, doc_store, monkeypatch):
    class FailingHasher:
        calls = 0

        def update(self, data):
            FailingHasher.calls += 1
            if FailingHasher.calls == 3:  # two chunks already on disk
                raise Boom("hash")

        def hexdigest(self):
            return "0" * 64

    monkeypatch.setattr(files, "_new_hasher", FailingHasher)
    with pytest.raises(Boom):
        do_upload(firm)
    assert FailingHasher.calls == 3
    assert_nothing_left(firm, doc_store)


def test_version_row_insert_fails(firm, doc_store, monkeypatch):
    def fail(**kwargs):
        raise IntegrityError("insert failed")

    monkeypatch.setattr(DocumentVersion.objects, "create", fail)
    with pytest.raises(IntegrityError):
        do_upload(firm)
    assert_nothing_left(firm, doc_store)


def test_failure_after_the_rows_before_commit(firm, doc_store, monkeypatch):
    def fail(**kwargs):
        raise Boom("audit")

    monkeypatch.setattr(services, "audit_record", fail)
    with pytest.raises(Boom):
        do_upload(firm)
    assert_nothing_left(firm, doc_store)


def test_commit_fails(firm, doc_store):
    wrapper = connections["default"]
    calls = []

    def fail_once():
        calls.append(1)
        raise DatabaseError("commit failed")

    wrapper.commit = fail_once  # an instance attribute shadows the method for one upload
    try:
        with pytest.raises(DatabaseError, match="commit failed"):
            do_upload(firm)
    finally:
        del wrapper.commit
    assert calls == [1]
    assert_nothing_left(firm, doc_store)


def test_new_version_row_fails_keeps_old_version(firm, doc_store, monkeypatch):
    (document,) = do_upload(firm)
    before = stored_files(doc_store)

    def fail(**kwargs):
        raise IntegrityError("insert failed")

    monkeypatch.setattr(DocumentVersion.objects, "create", fail)
    with pytest.raises(IntegrityError):
        services.document_version_add(
            actor=firm.lead, document=document, upload=upload("v2.txt", b"v2")
        )
    document.refresh_from_db()
    assert (document.version, document.versions.count()) == (1, 1)
    assert stored_files(doc_store) == before


def test_enqueue_fails_after_commit_upload_stands_and_is_extracted_later(
    firm, doc_store, monkeypatch
):
    def fail(version_id):
        raise Boom("queue down")

    monkeypatch.setattr(services, "_enqueue_extract", fail)
    (document,) = do_upload(firm)
    version = DocumentVersion.objects.get(document=document)
    assert version.text_status == "pending"
    assert [p.read_bytes() for p in stored_files(doc_store)] == [DATA]
    assert list(documents_visible_to(firm.lead)) == [document]
    out = StringIO()
    call_command("documents_extract", stdout=out)
    assert out.getvalue().strip() == "done: 1"
    version.refresh_from_db()
    assert (version.text_status, version.text[:4]) == ("done", "合同正文")


def test_crash_after_save_leaves_an_orphan_the_command_removes(firm, doc_store, monkeypatch):
    # A hard crash (the process killed between storing and committing) cannot run the
    # cleanup: simulate it by disabling the cleanup and failing the insert.
    monkeypatch.setattr(files, "discard", lambda name: None)

    def fail(**kwargs):
        raise IntegrityError("crash")

    monkeypatch.setattr(DocumentVersion.objects, "create", fail)
    with pytest.raises(IntegrityError):
        do_upload(firm)
    monkeypatch.undo()
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (0, 0)
    (orphan,) = stored_files(doc_store)

    (kept,) = do_upload(firm)  # a committed upload is never an orphan
    out = StringIO()
    call_command("documents_orphans", stdout=out)  # within the grace period: nothing
    assert out.getvalue().strip().splitlines() == ["orphans: 0 (use --delete to remove them)"]

    old = time.time() - timedelta(hours=25).total_seconds()
    for path in stored_files(doc_store):
        os.utime(path, (old, old))
    out = StringIO()
    call_command("documents_orphans", stdout=out)
    name = orphan.relative_to(doc_store).as_posix()
    assert out.getvalue().strip().splitlines() == [name, "orphans: 1 (use --delete to remove them)"]
    assert orphan.exists()
    out = StringIO()
    call_command("documents_orphans", "--delete", "--grace-hours", "24", stdout=out)
    assert out.getvalue().strip().splitlines() == [name, "orphans: 1, deleted: 1"]
    assert not orphan.exists()
    assert [p.read_bytes() for p in stored_files(doc_store)] == [DATA]
    assert DocumentVersion.objects.get().document == kept


def test_file_is_synced_to_disk_before_its_rows_commit(firm, doc_store, monkeypatch):
    synced = []
    real_fsync = files.os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    do_upload(firm)
    # The file, then its directory entry.
    assert len(synced) == 2


def test_fsync_failure_stores_nothing(firm, doc_store, monkeypatch):
    def fail(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(OSError, match="I/O error"):
        do_upload(firm)
    assert_nothing_left(firm, doc_store)


@pytest.mark.parametrize("hours", ["1e999", "nan", "1e12"])
def test_orphans_grace_hours_past_a_century_are_refused(firm, doc_store, hours):
    # inf, NaN and 1e12 overflowed the cutoff's timedelta: a traceback, not a message.
    with pytest.raises(CommandError, match="--grace-hours must be at most"):
        call_command("documents_orphans", "--delete", "--grace-hours", hours, stdout=StringIO())
