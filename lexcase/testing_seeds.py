"""The rows data migrations seed, put back after a transactional test empties the tables.

Data migrations seed reference rows (practice areas, causes of action, holidays, retention
classes, checklists ...) that ordinary tests rely on. A transactional test
(`django_db(transaction=True)`, `transactional_db`, `live_server`) ends with Django's `flush`,
which empties every table, the seeded ones too. Django and pytest-django run such tests after
all the others, so nothing needed the rows afterwards; pytest-xdist breaks that order: with
`--dist worksteal` a worker that has run its own share, transactional tests included, takes
the tail of another worker's queue (ordinary tests) and runs it on the emptied database.

`flush` ends by sending `post_migrate` (without a migration plan, unlike `migrate`); the
suite's conftest connects `reseed_after_flush`, which runs the seeding migrations' own
RunPython functions again, in migration order, on the historical models of the latest
migration state (what `migrate` would see: no model signals, no history rows). The rows come
back with new primary keys (flush keeps the sequences), as they are equal in everything else.

`django_db(serialized_rollback=True)` or `available_apps=` would make the teardown flush skip
`post_migrate`, and the rows would not come back: no test uses them.

`lexcase/core/tests/test_seeded_rows.py` compares the tables after a flush with the state the
worker's test database had right after migrating, so a seeding migration left out of
SEED_MIGRATIONS (or a seed whose replay differs) fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps as global_apps
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

# (app label, migration name) of each migration whose RunPython operations seed rows. The
# other RunPython operations transform existing rows (none in a new test database) or install
# triggers, which a flush leaves alone.
SEED_MIGRATIONS = frozenset(
    {
        ("accounts", "0002_practice_areas"),
        ("billing", "0002_contingency_bans"),
        ("lexcase_calendar", "0002_seed_holidays"),
        ("conflicts", "0003_intake_lock"),
        ("matters", "0002_reference_data"),
        ("matters", "0005_archive_reference_data"),
        ("matters", "0006_cause_kinds"),
        ("matters", "0008_personal_data_retention"),
        ("reviews", "0002_default_checklist"),
        ("todos", "0002_default_checklists"),
    }
)

Seed = Callable[[Any, Any], object]


@cache
def _seeds() -> tuple[tuple[Seed, ...], Any]:
    """The seeding functions in migration order, and the latest state's historical apps."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    order: list[tuple[str, str]] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        order.extend(node for node in loader.graph.forwards_plan(leaf) if node not in order)
    missing = SEED_MIGRATIONS - set(order)
    if missing:
        raise LookupError(f"SEED_MIGRATIONS names migrations that do not exist: {missing}")
    seeds: list[Seed] = []
    for node in order:
        if node in SEED_MIGRATIONS:
            codes = [
                op.code for op in loader.graph.nodes[node].operations if isinstance(op, RunPython)
            ]
            if not codes:
                raise LookupError(f"{node} in SEED_MIGRATIONS has no RunPython operation")
            seeds.extend(codes)
    return tuple(seeds), loader.project_state().apps


def reseed(using: str = "default") -> None:
    """Run the seeding migrations' functions again (into emptied tables)."""
    seeds, state_apps = _seeds()
    connection = connections[using]
    # The functions take (apps, schema_editor); none of them runs DDL, so the editor is
    # not entered (entering one on SQLite would switch foreign-key checks off).
    schema_editor = connection.schema_editor()
    with transaction.atomic(using=using):
        for seed in seeds:
            seed(state_apps, schema_editor)


@cache
def _last_app_label() -> str:
    return [a for a in global_apps.get_app_configs() if a.models_module is not None][-1].label


def reseed_after_flush(*, app_config: Any, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate` receiver: after `flush` (no `plan`), once, on the last app's signal."""
    if "plan" in kwargs or app_config.label != _last_app_label():
        return
    reseed(using)


_migrated: dict[str, dict[str, list[str]]] = {}


def remember_migrated(using: str = "default") -> None:
    """Keep `table_contents` of the test database as migrated (before any test ran)."""
    _migrated[using] = table_contents(using)


def migrated_contents(using: str = "default") -> dict[str, list[str]]:
    return _migrated[using]


def _comparable(field: Any) -> bool:
    """Not a key (those of reseeded rows differ) nor a value of the moment of insertion
    (auto_now, a default such as timezone.now or uuid4)."""
    if field.primary_key or field.is_relation:
        return False
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    return not callable(field.default) or field.default in (list, dict)


def table_contents(using: str = "default") -> dict[str, list[str]]:
    """Every model table with rows: its rows as text, sorted, in their comparable columns."""
    connection = connections[using]
    existing = set(connection.introspection.django_table_names(only_existing=True))
    contents: dict[str, list[str]] = {}
    for model in global_apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table not in existing or model._meta.proxy or table in contents:
            continue
        names = [f.attname for f in model._meta.concrete_fields if _comparable(f)]
        manager = model._base_manager.using(using)
        rows = manager.values_list(*names) if names else manager.values_list("pk")
        if names:
            texts = sorted(repr(row) for row in rows)
        else:
            texts = [repr(()) for _ in rows]
        if texts:
            contents[table] = texts
    return contents
