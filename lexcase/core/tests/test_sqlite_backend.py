"""The SQLite backend with its query conversion kept (lexcase/core/sqlite/): the text sent
to SQLite is Django's conversion of the query, kept per text."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from lexcase.core.sqlite import base

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")


def test_the_settings_name_this_backend() -> None:
    assert settings.DATABASES["default"]["ENGINE"] == "lexcase.core.sqlite"
    assert isinstance(connections["default"], base.DatabaseWrapper)


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("SELECT %s, %s", (1, 2)),
        ("SELECT '100%%', %s", ("x",)),
        ("SELECT '%%s', %s", ("y",)),
        ("SELECT %(a)s, %(b)s", {"a": 1, "b": 2}),
    ],
)
@pytest.mark.django_db
def test_queries_convert_as_djangos_and_run(query: str, params: object) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        assert type(raw) is base.SQLiteCursorWrapper
        names = list(params) if isinstance(params, dict) else None
        want = DjangoCursor.convert_query(raw, query, param_names=names)
        for _ in range(2):  # converted, then kept
            assert raw.convert_query(query, param_names=names) == want
        cursor.execute(query, params)
        first = cursor.fetchone()
    expected = {
        "SELECT %s, %s": (1, 2),
        "SELECT '100%%', %s": ("100%", "x"),
        "SELECT '%%s', %s": ("%s", "y"),
        "SELECT %(a)s, %(b)s": (1, 2),
    }[query]
    assert first == expected


@pytest.mark.django_db
def test_the_kept_conversions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_CONVERTED", {})
    monkeypatch.setattr(base, "_CONVERTED_MAX", 3)
    with connection.cursor() as cursor:
        for i in range(10):
            cursor.execute(f"SELECT %s + {i}", (1,))
            assert cursor.fetchone() == (1 + i,)
    assert 1 <= len(base._CONVERTED) <= 3
