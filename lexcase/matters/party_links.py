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

from lexcase.core.triggers import RowTriggers

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


_TRIGGERS = RowTriggers(
    table="matters_matterparty",
    trigger="party_on_matter",
    function="lexcase_party_on_matter",
    function_sql=_PG_FUNCTION,
    events="INSERT OR DELETE OR UPDATE OF party_id",
    sqlite=_SQLITE_TRIGGERS,
)
install = _TRIGGERS.install
remove = _TRIGGERS.remove


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


# -- Who shares a matter with a party (`matters.PartyReach`) -------------------------------
#
# One row per (user, party) while the user is a member of at least one matter the party is
# on; `links` counts the (membership, link) pairs. Each trigger adds or removes the pairs of
# the row it sees against the other table as it is, so any order of writes (a matter deleted
# with its members and links, in either order) ends at the same count. A rename or a change
# of kind is copied to the party's rows. On PostgreSQL the matter's row is locked first, so
# a member and a link added to the same matter by two transactions at once cannot each miss
# the other (the second waits, then sees the first's row).

REACH_MIGRATION = ("matters", "0010_party_reach")

_REACH_ADD_MEMBER = (
    "INSERT INTO matters_partyreach (user_id, party_id, name, kind, links) "
    "SELECT NEW.user_id, l.party_id, p.name, p.kind, COUNT(*) "
    "FROM matters_matterparty l JOIN parties_party p ON p.id = l.party_id "
    "WHERE l.matter_id = NEW.matter_id GROUP BY l.party_id, p.name, p.kind "
    "ON CONFLICT (party_id, user_id) DO UPDATE "
    "SET links = matters_partyreach.links + excluded.links"
)
_REACH_DROP_MEMBER = (
    "UPDATE matters_partyreach SET links = links - (SELECT COUNT(*) FROM matters_matterparty l "
    "WHERE l.matter_id = OLD.matter_id AND l.party_id = matters_partyreach.party_id) "
    "WHERE user_id = OLD.user_id AND party_id IN "
    "(SELECT party_id FROM matters_matterparty WHERE matter_id = OLD.matter_id)",
    "DELETE FROM matters_partyreach WHERE user_id = OLD.user_id AND links <= 0 AND party_id IN "
    "(SELECT party_id FROM matters_matterparty WHERE matter_id = OLD.matter_id)",
)
_REACH_ADD_LINK = (
    "INSERT INTO matters_partyreach (user_id, party_id, name, kind, links) "
    "SELECT m.user_id, p.id, p.name, p.kind, 1 "
    "FROM matters_mattermember m JOIN parties_party p ON p.id = NEW.party_id "
    "WHERE m.matter_id = NEW.matter_id "
    "ON CONFLICT (party_id, user_id) DO UPDATE SET links = matters_partyreach.links + 1"
)
_REACH_DROP_LINK = (
    "UPDATE matters_partyreach SET links = links - 1 WHERE party_id = OLD.party_id AND user_id IN "
    "(SELECT user_id FROM matters_mattermember WHERE matter_id = OLD.matter_id)",
    "DELETE FROM matters_partyreach WHERE party_id = OLD.party_id AND links <= 0",
)
_REACH_RENAME = (
    "UPDATE matters_partyreach SET name = NEW.name, kind = NEW.kind WHERE party_id = NEW.id"
)


def _pg_reach_function(name: str, add: str, drop: tuple[str, ...]) -> str:
    lock = "PERFORM 1 FROM matters_matter WHERE id = {}.matter_id FOR NO KEY UPDATE"
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {lock.format("OLD")};
        {drop[0]};
        {drop[1]};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {lock.format("NEW")};
        {add};
    END IF;
    RETURN NULL;
END
$$
"""


_PG_REACH = {
    # trigger name: (function, its body, the table and events)
    "party_reach_member": (
        "lexcase_party_reach_member",
        _pg_reach_function("lexcase_party_reach_member", _REACH_ADD_MEMBER, _REACH_DROP_MEMBER),
        "AFTER INSERT OR DELETE OR UPDATE OF user_id, matter_id ON matters_mattermember",
    ),
    "party_reach_link": (
        "lexcase_party_reach_link",
        _pg_reach_function("lexcase_party_reach_link", _REACH_ADD_LINK, _REACH_DROP_LINK),
        "AFTER INSERT OR DELETE OR UPDATE OF party_id, matter_id ON matters_matterparty",
    ),
    "party_reach_rename": (
        "lexcase_party_reach_rename",
        f"""
CREATE OR REPLACE FUNCTION lexcase_party_reach_rename() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_REACH_RENAME};
    RETURN NULL;
END
$$
""",
        "AFTER UPDATE OF name, kind ON parties_party",
    ),
}
_PG_REACH_WHEN = {
    "party_reach_rename": (
        " WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.kind IS DISTINCT FROM NEW.kind)"
    ),
}

_SQLITE_REACH = {
    "party_reach_member_insert": (
        f"AFTER INSERT ON matters_mattermember BEGIN {_REACH_ADD_MEMBER}; END"
    ),
    "party_reach_member_delete": (
        f"AFTER DELETE ON matters_mattermember BEGIN {'; '.join(_REACH_DROP_MEMBER)}; END"
    ),
    "party_reach_member_update": (
        "AFTER UPDATE OF user_id, matter_id ON matters_mattermember "
        "WHEN NEW.user_id <> OLD.user_id OR NEW.matter_id <> OLD.matter_id "
        f"BEGIN {'; '.join(_REACH_DROP_MEMBER)}; {_REACH_ADD_MEMBER}; END"
    ),
    "party_reach_link_insert": f"AFTER INSERT ON matters_matterparty BEGIN {_REACH_ADD_LINK}; END",
    "party_reach_link_delete": (
        f"AFTER DELETE ON matters_matterparty BEGIN {'; '.join(_REACH_DROP_LINK)}; END"
    ),
    "party_reach_link_update": (
        "AFTER UPDATE OF party_id, matter_id ON matters_matterparty "
        "WHEN NEW.party_id <> OLD.party_id OR NEW.matter_id <> OLD.matter_id "
        f"BEGIN {'; '.join(_REACH_DROP_LINK)}; {_REACH_ADD_LINK}; END"
    ),
    "party_reach_rename": (
        "AFTER UPDATE OF name, kind ON parties_party "
        "WHEN NEW.name IS NOT OLD.name OR NEW.kind IS NOT OLD.kind "
        f"BEGIN {_REACH_RENAME}; END"
    ),
}


def install_reach(connection: Any) -> None:
    remove_reach(connection)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for trigger, (_function, body, events) in _PG_REACH.items():
                cur.execute(body)
                when = _PG_REACH_WHEN.get(trigger, "")
                cur.execute(
                    f"CREATE TRIGGER {trigger} {events} FOR EACH ROW{when} "
                    f"EXECUTE FUNCTION {_function}()"
                )
        elif connection.vendor == "sqlite":
            for name, body in _SQLITE_REACH.items():
                cur.execute(f"CREATE TRIGGER {name} {body}")
        else:
            raise NotImplementedError(f"no party reach triggers for {connection.vendor}")


def remove_reach(connection: Any) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for trigger, (function, _body, events) in _PG_REACH.items():
                table = events.rsplit(" ON ", 1)[1]
                cur.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
                cur.execute(f"DROP FUNCTION IF EXISTS {function}()")
        else:
            for name in _SQLITE_REACH:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def backfill_reach(connection: Any) -> None:
    """Rebuild every row from the memberships and links as they are (after a restore, or
    writes made while the triggers were lifted)."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM matters_partyreach")
        cur.execute(
            "INSERT INTO matters_partyreach (user_id, party_id, name, kind, links) "
            "SELECT m.user_id, l.party_id, p.name, p.kind, COUNT(*) "
            "FROM matters_mattermember m "
            "JOIN matters_matterparty l ON l.matter_id = m.matter_id "
            "JOIN parties_party p ON p.id = l.party_id "
            "GROUP BY m.user_id, l.party_id, p.name, p.kind"
        )


def lift_for_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`pre_migrate` (SQLite only): no trigger may name a table a migration rebuilds."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        remove(connection)
        remove_reach(connection)


def restore_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate` (SQLite only): the triggers back once their migration is applied, and
    the flag and the reach rows set from the links (a data migration may have written some
    meanwhile)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    applied = MigrationRecorder(connection).applied_migrations()
    if MIGRATION in applied:
        install(connection)
        backfill(connection)
    if REACH_MIGRATION in applied:
        install_reach(connection)
        backfill_reach(connection)
