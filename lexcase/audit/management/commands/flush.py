"""Django's `flush`, which refuses to empty the append-only audit tables.

The triggers (lexcase/audit/guards.py) make a plain flush fail, and roll back, on any
database holding an audit log. Only the test suite (TransactionTestCase empties every
table after each test) lifts them, inside the flush's transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from lexcase.audit import guards


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not guards.FLUSH_LIFTS_GUARDS:
            return super().handle(**options)
        with guards.lifted(connections[options["database"]]):
            return super().handle(**options)
