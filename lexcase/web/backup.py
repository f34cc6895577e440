"""Backups that restore (docs/operations.md, "Backups").

`backup_create` takes one consistent snapshot of the database (SQLite: the online backup
API, one step; PostgreSQL: `pg_dump -Fc` inside an exported REPEATABLE READ snapshot), and
reads from that same snapshot the row count and checksum of every table, the audit chain's
head and the document versions; it copies those documents' files and writes a manifest
signed with a key derived from `LEXCASE_AUDIT_KEY`. `backup_verify` checks a backup
directory without touching any database; `backup_restore` verifies first, refuses a target
that is not empty, restores, then checks the restored database and files against the
manifest and verifies the audit chain up to the head the manifest records.

Never in a backup: `LEXCASE_AUDIT_KEY`, `LEXCASE_FIELD_KEYS`, `LEXCASE_SECRET_KEY` (the
operator keeps them separately; without the same audit key a backup cannot be verified).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files import File
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lexcase.audit.chain import audit_key
from lexcase.audit.selectors import Anchor, audit_chain_verify
from lexcase.audit.services import audit_link
from lexcase.documents.files import documents_storage, stored_names

FORMAT = "lexcase-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
FILES_DIR = "documents"
CHUNK = 1024 * 1024
# Every document version names its file; the backup copies exactly those (orphans stay).
VERSIONS_SQL = "SELECT file_name, sha256, size FROM documents_documentversion"
AUDIT_HEAD_SQL = "SELECT seq, hash FROM audit_auditlink ORDER BY seq DESC LIMIT 1"
AUDIT_UNLINKED_SQL = (
    "SELECT count(*) FROM audit_auditevent e "
    "LEFT JOIN audit_auditlink l ON l.event_id = e.id WHERE l.event_id IS NULL"
)


class BackupError(Exception):
    """A clear, operator-facing reason; nothing was changed unless the message says so."""


# -- hashing and the manifest ----------------------------------------------------------------


def _file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _TableSum:
    """An order-independent checksum of a table: the sum of its rows' SHA-256 (mod 2**256).

    Order-independent so that no ORDER BY (and no collation) decides it: the same rows give
    the same sum on the source and on a restored server.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, row_digest: bytes) -> None:
        self.rows += 1
        self.total = (self.total + int.from_bytes(row_digest, "big")) % (1 << 256)

    def result(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": f"{self.total:064x}"}


def _manifest_key() -> bytes:
    return hmac.new(audit_key(), b"lexcase-backup-manifest", hashlib.sha256).digest()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _sign(body: dict[str, Any]) -> str:
    return hmac.new(_manifest_key(), _canonical(body), hashlib.sha256).hexdigest()


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(f"unsafe file name in the manifest: {name!r}")
    return path


# -- reading one snapshot --------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    tables = {}
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    for name, sql in rows.fetchall():
        # FTS5 virtual tables hold nothing themselves: their shadow tables are summed.
        if (sql or "").upper().startswith("CREATE VIRTUAL TABLE"):
            continue
        summed = _TableSum()
        quoted = '"' + name.replace('"', '""') + '"'
        for row in conn.execute(f"SELECT * FROM {quoted}"):  # noqa: S608 - a table name
            summed.add(hashlib.sha256(repr(row).encode()).digest())
        tables[name] = summed.result()
    return tables


# Session settings that fix how rows print as text (their checksum input).
_PG_TEXT_SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


def _pg_tables(cur: Any) -> dict[str, dict[str, Any]]:
    cur.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    tables = {}
    for schema, table in cur.fetchall():
        key = table if schema == "public" else f"{schema}.{table}"
        ident = f'"{schema.replace(chr(34), chr(34) * 2)}"."{table.replace(chr(34), chr(34) * 2)}"'
        summed = _TableSum()
        cur.execute(f"SELECT sha256(convert_to(t::text, 'UTF8')) FROM {ident} AS t")  # noqa: S608
        while batch := cur.fetchmany(5000):
            for (digest,) in batch:
                summed.add(bytes(digest))
        tables[key] = summed.result()
    return tables


def _pg_connect(**overrides: Any) -> Any:
    # psycopg loads only for a PostgreSQL backup.
    import psycopg

    # Autocommit: the snapshot's transaction is begun and ended explicitly.
    return psycopg.connect(**{**_pg_params(), **overrides}, autocommit=True)


def _pg_params() -> dict[str, Any]:
    db = connection.settings_dict
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if db.get("OPTIONS", {}).get(key):
            params[key] = db["OPTIONS"][key]
    return {k: v for k, v in params.items() if v is not None}


def _pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore (no password on a command line)."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in _pg_params().items()})
    return env


def pg_tool(name: str, *, server_major: int | None = None) -> str:
    """pg_dump / pg_restore: from LEXCASE_PG_BIN if set, else PATH; never older than the server.

    pg_dump refuses a server of a newer major version, and pg_restore may not read a newer
    archive: say so before starting, with what to install.
    """
    folder = os.environ.get("LEXCASE_PG_BIN")
    tool = str(Path(folder) / name) if folder else shutil.which(name)
    if not tool or not Path(tool).exists():
        raise BackupError(
            f"{name} not found: install the PostgreSQL client of the server's version "
            "(Debian: postgresql-client) or set LEXCASE_PG_BIN to the folder holding it"
        )
    output = subprocess.run(  # noqa: S603 - the tool's own path
        [tool, "--version"], capture_output=True, text=True, check=False
    )
    match = re.search(r"(\d+)(?:\.\d+)?", output.stdout)
    if not match:
        raise BackupError(f"cannot tell the version of {tool}: {output.stdout!r}")
    major = int(match[1])
    if server_major is not None and major < server_major:
        raise BackupError(
            f"{tool} is version {major} but the server is {server_major}: install "
            f"postgresql-client-{server_major} (or newer) or set LEXCASE_PG_BIN to its folder"
        )
    return tool


# -- backup ----------------------------------------------------------------------------------


def _prepare_dir(target: Path) -> bool:
    """Create the backup folder (0700); an existing one must be empty. True if created."""
    if target.exists():
        if not target.is_dir():
            raise BackupError(f"{target} exists and is not a folder")
        if any(target.iterdir()):
            raise BackupError(f"{target} is not empty: a backup goes into a new folder")
        return False
    target.mkdir(mode=0o700, parents=True)
    return True


def _snapshot_sqlite(target: Path) -> dict[str, Any]:
    connection.ensure_connection()
    source = connection.connection
    with closing(sqlite3.connect(target / SQLITE_FILE)) as copy:
        # One step (pages=-1): the copy is one consistent read of the database; in WAL mode
        # writers go on meanwhile and their later commits are not in it.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    os.chmod(target / SQLITE_FILE, 0o600)
    with closing(sqlite3.connect(f"file:{target / SQLITE_FILE}?mode=ro", uri=True)) as snap:
        return _read_snapshot(
            tables=_sqlite_tables(snap),
            execute=lambda sql: snap.execute(sql).fetchall(),
            server={"sqlite": sqlite3.sqlite_version},
        )


def _snapshot_postgresql(target: Path) -> dict[str, Any]:
    with closing(_pg_connect()) as conn:
        server_major = conn.info.server_version // 10000
        pg_dump = pg_tool("pg_dump", server_major=server_major)
        with conn.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for statement in _PG_TEXT_SETTINGS:
                cur.execute(statement)
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            # pg_dump reads the very snapshot this transaction holds open, so the manifest's
            # counts and checksums describe exactly the rows in the dump.
            dump = subprocess.Popen(  # noqa: S603 - fixed arguments
                [pg_dump, "-Fc", "--snapshot", snapshot, "-f", str(target / PG_FILE)],
                env=_pg_env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                tables = _pg_tables(cur)

                def execute(sql: str) -> list[tuple[Any, ...]]:
                    cur.execute(sql)
                    return cur.fetchall()

                found = _read_snapshot(
                    tables=tables,
                    execute=execute,
                    server={"postgresql": conn.info.server_version},
                )
            finally:
                _, err = dump.communicate()
                cur.execute("ROLLBACK")
            if dump.returncode != 0:
                raise BackupError(f"pg_dump failed: {err.decode(errors='replace').strip()}")
    found["server"]["pg_dump"] = pg_dump
    return found


def _read_snapshot(
    *,
    tables: dict[str, dict[str, Any]],
    execute: Callable[[str], list[tuple[Any, ...]]],
    server: dict[str, Any],
) -> dict[str, Any]:
    head = execute(AUDIT_HEAD_SQL)
    seq, head_hash = head[0] if head else (0, "0" * 64)
    return {
        "tables": tables,
        "audit": {
            "head_seq": int(seq),
            "head_hash": head_hash,
            "unlinked": int(execute(AUDIT_UNLINKED_SQL)[0][0]),
        },
        "versions": [(name, digest, int(size)) for name, digest, size in execute(VERSIONS_SQL)],
        "server": server,
    }


def _copy_documents(target: Path, versions: Iterable[tuple[str, str, int]]) -> dict[str, Any]:
    storage = documents_storage()
    files: dict[str, Any] = {}
    problems = []
    for name, recorded, _size in sorted(versions):
        destination = target / FILES_DIR / _safe_relative(name)
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with storage.open(name, "rb") as source, destination.open("wb") as out:
                for chunk in iter(partial(source.read, CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            problems.append(f"{name}: missing from the documents storage")
            continue
        os.chmod(destination, 0o600)
        if digest.hexdigest() != recorded:
            problems.append(f"{name}: does not match the SHA-256 its version records")
        files[name] = {"sha256": digest.hexdigest(), "size": size}
    if problems:
        raise BackupError(
            "document files could not be backed up as recorded (run `documents_verify`; a "
            "document deleted during the backup: run it again): " + "; ".join(problems[:20])
        )
    return files


def backup_create(*, target: Path) -> dict[str, Any]:
    """Write a backup into `target` (a new or empty folder); return the manifest."""
    started = time.monotonic()
    created = _prepare_dir(target)
    try:
        # Everything committed so far joins the chain, so the head in the manifest covers it.
        audit_link()
        vendor = connection.vendor
        if vendor == "sqlite":
            snapshot, db_file = _snapshot_sqlite(target), SQLITE_FILE
        elif vendor == "postgresql":
            snapshot, db_file = _snapshot_postgresql(target), PG_FILE
        else:
            raise BackupError(f"no backup for the {vendor} database")
        files = _copy_documents(target, snapshot["versions"])
        digest, size = _file_sha256(target / db_file)
        body = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "server": snapshot["server"],
            "database": {"file": db_file, "sha256": digest, "size": size},
            "tables": snapshot["tables"],
            "documents": files,
            "audit": snapshot["audit"],
            "seconds": round(time.monotonic() - started, 3),
        }
        manifest = {**body, "signature": _sign(body)}
        partial = target / (MANIFEST + ".part")
        partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        os.chmod(partial, 0o600)
        partial.replace(target / MANIFEST)  # a manifest present means a complete backup
        return manifest
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


# -- verify ----------------------------------------------------------------------------------


def _compare_tables(expected: dict[str, Any], found: dict[str, Any], where: str) -> None:
    problems = []
    for name in sorted(set(expected) | set(found)):
        want, got = expected.get(name), found.get(name)
        if want is None:
            problems.append(f"table {name} is not in the backup")
        elif got is None:
            problems.append(f"table {name} is missing")
        elif want["rows"] != got["rows"]:
            problems.append(f"table {name}: {got['rows']} rows, the manifest says {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"table {name}: checksum differs from the manifest")
    if problems:
        raise BackupError(f"{where}: " + "; ".join(problems[:20]))


def backup_verify(*, source: Path) -> dict[str, Any]:
    """Check a backup folder without touching any database; return its manifest."""
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder")
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} holds no {MANIFEST}: not a backup, or not a complete one"
        ) from None
    except ValueError as exc:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is not a {FORMAT} manifest")
    body = {k: v for k, v in manifest.items() if k != "signature"}
    if not hmac.compare_digest(str(manifest.get("signature", "")), _sign(body)):
        raise BackupError(
            "the manifest's signature does not match: it was altered, or LEXCASE_AUDIT_KEY is "
            "not the key the backup was taken with"
        )
    database = source / manifest["database"]["file"]
    if not database.is_file():
        raise BackupError(f"{database} is missing")
    if _file_sha256(database)[0] != manifest["database"]["sha256"]:
        raise BackupError(f"{database} does not match the manifest's SHA-256")
    problems = []
    for name, meta in manifest["documents"].items():
        path = source / FILES_DIR / _safe_relative(name)
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _file_sha256(path)[0] != meta["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest")
    if (source / FILES_DIR).exists():
        listed = {str(_safe_relative(n)) for n in manifest["documents"]}
        for path in (source / FILES_DIR).rglob("*"):
            if path.is_file() and str(path.relative_to(source / FILES_DIR)) not in listed:
                problems.append(f"{path.relative_to(source)}: not in the manifest")
    if problems:
        raise BackupError("document files: " + "; ".join(problems[:20]))
    if manifest["vendor"] == "sqlite":
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as snap:
            _compare_tables(manifest["tables"], _sqlite_tables(snap), "the backup's database")
    else:
        pg_restore = pg_tool("pg_restore")
        listing = subprocess.run(  # noqa: S603 - fixed arguments
            [pg_restore, "--list", str(database)], capture_output=True, check=False
        )
        if listing.returncode != 0:
            raise BackupError(f"pg_restore cannot read {database}: {listing.stderr.decode()}")
    return manifest


# -- restore ---------------------------------------------------------------------------------


def _target_tables() -> list[str]:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return [row[0] for row in cur.fetchall()]
    with closing(_pg_connect()) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return [row[0] for row in rows]


def _restored_tables() -> dict[str, dict[str, Any]]:
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        with closing(sqlite3.connect(f"file:{name}?mode=ro", uri=True)) as conn:
            return _sqlite_tables(conn)
    with closing(_pg_connect()) as conn, conn.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for statement in _PG_TEXT_SETTINGS:
            cur.execute(statement)
        tables = _pg_tables(cur)
        cur.execute("ROLLBACK")
        return tables


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Restore a verified backup into this instance's empty database and documents storage."""
    manifest = backup_verify(source=source)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['vendor']} database; this instance uses "
            f"{connection.vendor}"
        )
    tables = _target_tables()
    if tables:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables): restore only into a new, "
            "empty database"
        )
    storage = documents_storage()
    existing = stored_names()
    if existing:
        raise BackupError(
            f"the documents storage is not empty ({len(existing)} files, e.g. {existing[0]}): "
            "restore only into an empty data folder"
        )
    database = source / manifest["database"]["file"]
    connection.close()
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        with (
            closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as backup,
            closing(sqlite3.connect(name)) as target,
        ):
            backup.backup(target)
            target.execute("PRAGMA journal_mode = WAL")
    else:
        with closing(_pg_connect()) as conn:
            server_major = conn.info.server_version // 10000
        pg_restore = pg_tool("pg_restore", server_major=server_major)
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                _pg_params()["dbname"],
                str(database),
            ],
            env=_pg_env(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(
                "pg_restore failed (nothing was restored: one transaction): "
                + done.stderr.decode(errors="replace").strip()
            )
    for name in sorted(manifest["documents"]):
        with (source / FILES_DIR / _safe_relative(name)).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"the documents storage stored {name} as {saved}")
    after = "the restored data does not match the backup (drop the target before trying again)"
    _compare_tables(manifest["tables"], _restored_tables(), after)
    problems = []
    for name, meta in manifest["documents"].items():
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for chunk in iter(partial(handle.read, CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != meta["sha256"]:
            problems.append(name)
    if problems:
        raise BackupError(f"{after}: files differ: {', '.join(problems[:20])}")
    audit = manifest["audit"]
    anchors = (
        [Anchor(audit["head_seq"], audit["head_hash"], manifest["created_at"])]
        if audit["head_seq"]
        else []
    )
    report = audit_chain_verify(anchors=anchors)
    if not report.ok or report.head_seq != audit["head_seq"]:
        raise BackupError(
            f"{after}: audit chain: {report.reason or 'the head is not the one in the manifest'}"
        )
    return manifest


def migrations_pending() -> int:
    """How many migrations this code has that the restored database has not applied."""

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
