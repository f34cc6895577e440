"""Database triggers that make the audit tables append-only (UPDATE, DELETE, TRUNCATE refused).

What they protect against: application bugs, ORM bulk deletes, and anyone who can run SQL
as the application's database user but does not issue DDL. What they do not stop: a
database owner or superuser who drops or disables the triggers (or the table). That is
what the keyed hash chain and the anchor outside the database are for
(docs/architecture.md, "Audit log").

On SQLite a migration that rebuilds one of these tables (most AlterField/RemoveField
operations) drops its triggers: such a migration must call `install()` again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

TABLES = ("audit_auditevent", "audit_auditlink")

# Set only by the test suite's plugin (lexcase/audit/pytest_plugin.py): Django's test
# framework empties every table between TransactionTestCase tests with `flush`. Anywhere
# else `flush` fails on the audit tables, which is the point.
FLUSH_LIFTS_GUARDS = False

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION lexcase_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def _statements(vendor: str, table: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements for one table."""
    if vendor == "postgresql":
        return (
            [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION lexcase_audit_append_only()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION lexcase_audit_append_only()",
            ],
            [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            ],
        )
    if vendor == "sqlite":
        # SQLite has no TRUNCATE: `DELETE FROM t` without WHERE fires row triggers too (the
        # truncate optimisation is off while a table has triggers).
        return (
            [
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {op} on {table} "
                "refused'); END"
                for op in ("UPDATE", "DELETE")
            ],
            [f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()}" for op in ("UPDATE", "DELETE")],
        )
    raise NotImplementedError(f"no audit guards for {vendor}")


def install(connection: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(_PG_FUNCTION)
        for table in TABLES:
            create, drop = _statements(connection.vendor, table)
            for sql in [*drop, *create]:
                cur.execute(sql)


def remove(connection: Any) -> None:
    with connection.cursor() as cur:
        for table in TABLES:
            for sql in _statements(connection.vendor, table)[1]:
                cur.execute(sql)


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Drop the triggers for the duration, in one transaction (tests and the test `flush`).

    DDL is transactional on both databases: if the body fails, the rollback restores them.
    """
    with transaction.atomic(using=connection.alias):
        remove(connection)
        yield
        install(connection)
