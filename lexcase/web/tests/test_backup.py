"""Backups that restore (T18, docs/security.md): the drill and the refusals.

The drill copies the test database (migrated, with a firm, documents and a linked audit
chain) into a *source instance* of its own (a SQLite file, or a PostgreSQL database made from
it), keeps a writer committing rows there in another process, takes `backup DIR` meanwhile,
restores into a *fresh instance* (a new SQLite file / a PostgreSQL database created and
dropped here, a new data folder) and checks that nothing committed before the backup began
is lost, that the row counts are the manifest's, and that the documents are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from lexcase.accounts.models import User
from lexcase.audit.services import audit_link
from lexcase.documents import services as documents
from lexcase.documents.tests.files import text_pdf, upload
from lexcase.parties.services import party_create
from lexcase.testing import build_firm
from lexcase.web.backup import BackupError, backup_create, backup_verify, pg_tool

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]

WRITER = """
import os, sys, time
import django
django.setup()
from django.db import transaction
from lexcase.audit.services import audit_record
from lexcase.parties.models import Party
out, stop = sys.argv[1], sys.argv[2]
i = 0
with open(out, "a") as log:
    while not os.path.exists(stop):
        i += 1
        with transaction.atomic():
            party = Party.objects.create(kind="person", name=f"drill {i}")
            audit_record(actor=None, action="drill.write", obj=party)
        # Written only after the commit: every id in the log is committed.
        log.write(f"{party.pk} {time.time()}\\n")
        log.flush()
        time.sleep(0.01)
"""

# Run in the restored instance: `audit verify`, `documents_verify`, then the lead lawyer signs
# in, opens the matter page and the directory and downloads a document.
SMOKE = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from lexcase.accounts.models import User
from lexcase.documents.models import DocumentVersion
from lexcase.matters.models import Matter
call_command("audit", "verify")
call_command("documents_verify")
client = Client()
client.force_login(User.objects.get(username="lead"))
matter = Matter.objects.get(confidential=False)
version = DocumentVersion.objects.order_by("id").first()
print(client.get(f"/matters/{matter.pk}/").status_code)
print(client.get(f"/parties/").status_code)
print(client.get(f"/documents/{version.document_id}/download/").status_code)
"""


@pytest.fixture
def store(settings, tmp_path):
    """The test instance's documents storage, and no task runs (nothing to extract)."""
    location = tmp_path / "test-var" / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return location


def seed() -> dict[str, str]:
    """A firm with three documents and a linked audit chain; returns file name -> SHA-256."""
    firm = build_firm()
    docs = documents.documents_upload(
        actor=firm.lead,
        matter=firm.matter,
        uploads=[
            upload("起诉状.pdf", text_pdf("civil complaint"), "application/pdf"),
            upload("notes.txt", "证据目录\n".encode() * 500),
            upload("blob.txt", os.urandom(64).hex().encode() * 100),
        ],
    )
    audit_link()
    return {d.current.file_name: d.current.sha256 for d in docs}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Instance:
    """Another LexCase instance: its own database and data folder, run as subprocesses."""

    def __init__(self, *, url: str, var: Path) -> None:
        self.url, self.var = url, var
        var.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "LEXCASE_VAR_DIR": str(self.var),
            "LEXCASE_DEBUG": "1",
            "PYTHONWARNINGS": "ignore",
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lexcase", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def tables(self) -> list[tuple]:
        if self.url.startswith("sqlite"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if not path.exists():
                return []
            return self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return self.query(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )

    def query(self, sql: str) -> list[tuple]:
        if self.url.startswith("sqlite"):
            with closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as conn:
                return conn.execute(sql).fetchall()

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql).fetchall()


def pg_admin(sql: str) -> None:
    params = {**connection.settings_dict}
    with psycopg.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def pg_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def instances(tmp_path, store):
    """(source, fresh): the source a copy of the seeded test database, the fresh one empty."""
    files = seed()
    src_var, dst_var = tmp_path / "src-var", tmp_path / "dst-var"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(tmp_path / "src.sqlite3")) as copy:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode = WAL")
        source = Instance(url=f"sqlite:///{tmp_path / 'src.sqlite3'}", var=src_var)
        fresh = Instance(url=f"sqlite:///{tmp_path / 'dst.sqlite3'}", var=dst_var)
        created = []
    else:
        template = connection.settings_dict["NAME"]
        suffix = uuid.uuid4().hex[:8]
        created = [f"{template}_drill_src_{suffix}", f"{template}_drill_dst_{suffix}"]
        connections.close_all()
        pg_admin(f'CREATE DATABASE "{created[0]}" TEMPLATE "{template}"')
        pg_admin(f'CREATE DATABASE "{created[1]}"')
        source = Instance(url=pg_url(created[0]), var=src_var)
        fresh = Instance(url=pg_url(created[1]), var=dst_var)
    # The source's documents are the test instance's files.
    (src_var / "documents").parent.mkdir(parents=True, exist_ok=True)
    os.rename(store, src_var / "documents")
    try:
        yield source, fresh, files
    finally:
        for name in created:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def committed(log: Path) -> list[tuple[int, float]]:
    if not log.exists():
        return []
    rows = []
    for line in log.read_text().splitlines():
        pk, at = line.split()
        rows.append((int(pk), float(at)))
    return rows


def test_backup_drill_under_writes_restores_everything_into_a_fresh_instance(tmp_path, instances):
    source, fresh, files = instances
    log, stop = tmp_path / "writer.log", tmp_path / "writer.stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(log), str(stop)],
        cwd=ROOT,
        env={**source.env, "DJANGO_SETTINGS_MODULE": "lexcase.settings"},
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while len(committed(log)) < 20:
            assert writer.poll() is None, writer.stderr.read().decode()
            assert time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.1)
        before = committed(log)
        started = time.time()
        done = source.run("backup", str(tmp_path / "backup"))
        finished = time.time()
        time.sleep(0.5)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert done.returncode == 0, done.stderr
    assert "backup written" in done.stdout
    during = [pk for pk, at in committed(log) if started <= at <= finished]
    assert during, "no write committed while the backup ran"
    assert writer.returncode == 0, writer.stderr.read().decode()

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert set(manifest["documents"]) == set(files)
    assert manifest["audit"]["head_seq"] > 0

    # A changed file in the backup: the restore refuses and the fresh instance stays empty,
    # so the real restore below goes into the very same target.
    shutil.copytree(tmp_path / "backup", tmp_path / "tampered")
    changed = tmp_path / "tampered" / "documents" / sorted(files)[0]
    changed.write_bytes(changed.read_bytes() + b"!")
    refused = fresh.run("restore", str(tmp_path / "tampered"))
    assert refused.returncode != 0
    assert "SHA-256 differs from the manifest" in refused.stderr
    assert not [n for (n,) in fresh.tables() if not n.startswith("sqlite_")]
    assert not (fresh.var / "documents").exists() or not any((fresh.var / "documents").iterdir())

    restored = fresh.run("restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "restored and verified" in restored.stdout

    # Nothing committed before the backup began is lost.
    present = {pk for (pk,) in fresh.query("SELECT id FROM parties_party")}
    assert {pk for pk, _at in before} <= present
    # The restored instance holds what the manifest counted (writes after the snapshot: not).
    for table in ("parties_party", "audit_auditevent", "audit_auditlink", "matters_matter"):
        (count,) = fresh.query(f"SELECT count(*) FROM {table}")[0]
        assert count == manifest["tables"][table]["rows"], table
    (drill,) = fresh.query("SELECT count(*) FROM parties_party WHERE name LIKE 'drill %'")[0]
    assert len(before) <= drill <= len(committed(log))
    # Documents byte for byte.
    for name, digest in files.items():
        assert sha256(fresh.var / "documents" / name) == digest
        assert sha256(source.var / "documents" / name) == digest

    # Smoke, in the restored instance: its audit chain and files verify, the lead lawyer signs
    # in and opens the matter, the directory and a document.
    opened = subprocess.run(
        [sys.executable, "-c", SMOKE],
        cwd=ROOT,
        env={**fresh.env, "DJANGO_SETTINGS_MODULE": "lexcase.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert opened.returncode == 0, opened.stderr
    lines = opened.stdout.strip().splitlines()
    assert lines[0].startswith("audit chain intact"), lines
    assert lines[1] == f"ok: {len(files)}, missing: 0, altered: 0", lines
    assert lines[2:] == ["200", "200", "200"], lines


@pytest.fixture
def backup(tmp_path, store):
    files = seed()
    folder = tmp_path / "backup"
    backup_create(target=folder)
    return folder, files


def test_verify_accepts_a_backup_and_names_what_it_holds(backup):
    folder, files = backup
    out = StringIO()
    call_command("backup", "verify", str(folder), stdout=out)
    assert f"{len(files)} document files" in out.getvalue()


def test_verify_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("backup", "verify", str(tmp_path / "nowhere"))


def test_verify_refuses_a_tampered_manifest(backup):
    folder, _files = backup
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["parties_party"]["rows"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="signature does not match"):
        backup_verify(source=folder)


def test_verify_refuses_a_changed_or_missing_document_file(backup):
    folder, files = backup
    first, second = sorted(files)[:2]
    (folder / "documents" / first).write_bytes(b"changed")
    (folder / "documents" / second).unlink()
    with pytest.raises(BackupError) as caught:
        backup_verify(source=folder)
    assert f"{first}: SHA-256 differs" in str(caught.value)
    assert f"{second}: missing" in str(caught.value)


def test_verify_refuses_a_changed_database_file(backup):
    folder, _files = backup
    manifest = json.loads((folder / "manifest.json").read_text())
    database = folder / manifest["database"]["file"]
    with database.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(BackupError, match="does not match the manifest"):
        backup_verify(source=folder)


def test_a_backup_goes_into_a_new_or_empty_folder(backup):
    folder, _files = backup
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder))


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(backup, store):
    folder, _files = backup
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM parties_party")
        before = cur.fetchone()[0]
    with pytest.raises(CommandError, match="target database is not empty"):
        call_command("restore", str(folder))
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM parties_party")
        assert cur.fetchone()[0] == before


def test_restore_verifies_the_backup_before_looking_at_the_target(backup):
    folder, files = backup
    (folder / "documents" / sorted(files)[0]).write_bytes(b"changed")
    with pytest.raises(CommandError, match="SHA-256 differs"):
        call_command("restore", str(folder))


def test_a_backup_holds_no_id_number_in_plaintext(tmp_path, store):
    """Identifiers are encrypted at rest (T19): a backup copies ciphertext only."""
    seed()
    marker, secret = "备份标记-7f3a", "11010519491231002X"
    party_create(
        actor=User.objects.get(username="lead"),
        kind="person",
        name="赵六",
        id_number=secret,
        notes=marker,
    )
    folder = tmp_path / "backup"
    manifest = backup_create(target=folder)
    database = folder / manifest["database"]["file"]
    if manifest["vendor"] == "sqlite":
        content = database.read_bytes()
    else:  # the custom format is compressed: read it back as SQL
        content = subprocess.run(
            [pg_tool("pg_restore"), "-f", "-", str(database)], capture_output=True, check=True
        ).stdout
    assert marker.encode() in content  # the search does see the data
    assert secret.encode() not in content
    assert secret.encode("utf-16-le") not in content
