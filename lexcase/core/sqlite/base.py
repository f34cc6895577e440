"""Django's SQLite backend (settings.DATABASES ENGINE `lexcase.core.sqlite`), with each
query's conversion from Django's `%s` placeholders to SQLite's `?` kept per query text.

Django's `SQLiteCursorWrapper.convert_query` runs a regular expression with a look-behind
(`(?<!%)%s`) over the whole SQL on every execution: 20-100 µs for the 1-4 KB statements of
a page (a select list of every column of a model and its `select_related` ones), ≈ 1-3 ms
of the matter page's ≈ 38 queries, more than SQLite spends running most of them
(docs/benchmarks.md, "Matter list and q="). The conversion depends on the text alone, so
its result is kept per text (bounded; the pages' reads are compiled once, so their texts
repeat) and the text sent to SQLite is the one Django would send. Everything else is
Django's backend."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

_CONVERTED: dict[str, str] = {}
_CONVERTED_MAX = 2048


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is not None:  # "pyformat" style: Django's, as it is
            return super().convert_query(query, param_names=param_names)
        converted = _CONVERTED.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_CONVERTED) >= _CONVERTED_MAX:
                _CONVERTED.clear()
            _CONVERTED[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
