"""Row triggers that keep a derived column true to the rows it is derived from, whoever
writes them (services, raw bulk loads, cascades, SQL by hand): one PostgreSQL trigger calling
a plpgsql function, or its SQLite equivalents (SQLite has no trigger functions). The column
and the SQL are the owning app's (matters.party_links, comms.last_contact)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowTriggers:
    table: str
    trigger: str  # the PostgreSQL trigger's name
    function: str  # the PostgreSQL function it executes
    function_sql: str  # CREATE OR REPLACE FUNCTION <function>() ...
    events: str  # e.g. "INSERT OR DELETE OR UPDATE OF party_id"
    sqlite: dict[str, str]  # SQLite trigger name -> "AFTER ... BEGIN ...; END"

    def install(self, connection: Any) -> None:
        self.remove(connection)
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(self.function_sql)
                cur.execute(
                    f"CREATE TRIGGER {self.trigger} AFTER {self.events} ON {self.table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {self.function}()"
                )
            elif connection.vendor == "sqlite":
                for name, body in self.sqlite.items():
                    cur.execute(f"CREATE TRIGGER {name} {body}")
            else:
                raise NotImplementedError(f"no {self.trigger} triggers for {connection.vendor}")

    def remove(self, connection: Any) -> None:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(f"DROP TRIGGER IF EXISTS {self.trigger} ON {self.table}")
                cur.execute(f"DROP FUNCTION IF EXISTS {self.function}()")
            else:
                for name in self.sqlite:
                    cur.execute(f"DROP TRIGGER IF EXISTS {name}")
