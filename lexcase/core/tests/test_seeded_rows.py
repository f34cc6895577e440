"""After the `flush` that ends every transactional test, the tables hold what migrating the
test database left in them (lexcase/testing_seeds.py), so the ordinary tests a test worker
runs afterwards still find the rows the data migrations seed (RetentionClass, causes of
action, holidays ...)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lexcase import testing_seeds


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_tables_as_migrated():
    migrated = testing_seeds.migrated_contents()
    assert migrated["matters_retentionclass"], "nothing seeded to lose"
    call_command("flush", interactive=False, verbosity=0)  # what the test's teardown runs
    after = testing_seeds.table_contents()
    changed = {
        table: (len(migrated.get(table, [])), len(after.get(table, [])))
        for table in sorted(set(migrated) | set(after))
        if migrated.get(table) != after.get(table)
    }
    assert changed == {}, "table: (rows after migrating, rows after the flush)"
