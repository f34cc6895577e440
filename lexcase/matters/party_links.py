"""Database triggers that keep `Party.on_matter` ("on at least one matter") true to the
matter-party link table, whoever writes it: the services, the importer's raw inserts, bulk
loads (the demo firm, benchmarks), cascades when a matter is deleted, SQL by hand.

The party directory finds the parties on no matter (which every member of staff sees)
through partial indexes on that flag (`parties.Party.Meta.indexes`) and proves each one with
a probe of the link table (`matters.selectors.party_visible`): the flag only narrows, so if
it were ever stale a fresh contact could be missing from a narrow reader's directory, but no
party of a matter would be shown to someone who cannot see that matter.

- A new link sets the flag (only when it is not set yet: a party's row is written once).
- A removed link clears it when no other link is left. On PostgreSQL the party's row is
  locked first, so two transactions removing a party's last two links cannot both see the
  other's link and leave the flag set.

On SQLite a migration that rebuilds `matters_matterparty` (most AlterField/RemoveField
operations) would drop these triggers, and one that rebuilds `parties_party` would fail
("error in trigger party_on_matter_insert: no such table"): so on SQLite `migrate` lifts
them before it runs any migration and puts them back, with `backfill()`, after
(`lift_for_migrate` / `restore_after_migrate`, connected in `MattersConfig.ready`). The flag
tests in lexcase/parties/tests/test_on_matter.py fail if the triggers are missing.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = ("matters", "0007_party_on_matter_triggers")

# Constant SQL only (table names written out): nothing here comes from input.
_SET = "UPDATE parties_party SET on_matter = TRUE WHERE id = NEW.party_id AND NOT on_matter"
_CLEAR = (
    "UPDATE parties_party SET on_matter = FALSE WHERE id = OLD.party_id AND on_matter "
    "AND NOT EXISTS (SELECT 1 FROM matters_matterparty WHERE party_id = OLD.party_id)"
)

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lexcase_party_on_matter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_SET};
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM parties_party WHERE id = OLD.party_id FOR NO KEY UPDATE;
        {_CLEAR};
    END IF;
    RETURN NULL;
END
$$
"""

_SQLITE_TRIGGERS = {
    "party_on_matter_insert": f"AFTER INSERT ON matters_matterparty BEGIN {_SET}; END",
    "party_on_matter_delete": f"AFTER DELETE ON matters_matterparty BEGIN {_CLEAR}; END",
    "party_on_matter_update": (
        "AFTER UPDATE OF party_id ON matters_matterparty WHEN NEW.party_id <> OLD.party_id "
        f"BEGIN {_SET}; {_CLEAR}; END"
    ),
}


def install(connection: Any) -> None:
    remove(connection)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(_PG_FUNCTION)
            cur.execute(
                "CREATE TRIGGER party_on_matter AFTER INSERT OR DELETE OR UPDATE OF party_id "
                "ON matters_matterparty FOR EACH ROW EXECUTE FUNCTION lexcase_party_on_matter()"
            )
        elif connection.vendor == "sqlite":
            for name, body in _SQLITE_TRIGGERS.items():
                cur.execute(f"CREATE TRIGGER {name} {body}")
        else:
            raise NotImplementedError(f"no party link triggers for {connection.vendor}")


def remove(connection: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER IF EXISTS party_on_matter ON matters_matterparty")
            cur.execute("DROP FUNCTION IF EXISTS lexcase_party_on_matter()")
        else:
            for name in _SQLITE_TRIGGERS:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def backfill(connection: Any) -> int:
    """Set the flag from the links as they are (after a restore, or rows written while the
    triggers were missing); returns the number of parties changed."""
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE parties_party SET on_matter = TRUE WHERE NOT on_matter AND EXISTS "
            "(SELECT 1 FROM matters_matterparty l WHERE l.party_id = parties_party.id)"
        )
        changed = cur.rowcount
        cur.execute(
            "UPDATE parties_party SET on_matter = FALSE WHERE on_matter AND NOT EXISTS "
            "(SELECT 1 FROM matters_matterparty l WHERE l.party_id = parties_party.id)"
        )
        return changed + cur.rowcount


def lift_for_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`pre_migrate` (SQLite only): no trigger may name a table a migration rebuilds."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        remove(connection)


def restore_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate` (SQLite only): the triggers back once their migration is applied, and
    the flag set from the links (a data migration may have written some meanwhile)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        install(connection)
        backfill(connection)
