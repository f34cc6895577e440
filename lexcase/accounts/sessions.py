"""The session engine (settings.SESSION_ENGINE): Django's database sessions, with the read
of every request's session compiled once.

Django's `SessionStore._get_session_from_db` builds, compiles and runs
`Session.objects.get(session_key=..., expire_date__gt=now)` on every request (≈ 0.8 ms of
ORM for a ≈ 30 µs query on SQLite: a large part of a list page's own CPU, docs/benchmarks.md
"Matter list and q="). Here the same query (the session's key, not expired) is compiled by
the ORM once per database connection with placeholder values, and each call binds the key
and the time, adapted as the ORM adapts them, into its parameters. Only the session's data
is read (`load` decodes nothing else). Everything else (saving, creating, deleting,
`exists`, the async methods, clearing expired rows) is Django's, so the rows are the same
and a store from either engine reads the other's sessions.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

_KEY = "\x00session_key\x00"
_NOW = datetime.datetime(1901, 1, 2, 3, 4, 5, 424_242, tzinfo=datetime.UTC)

# (connection id, model) -> (connection, SQL, parameters, index of the key, index of now)
_COMPILED: dict[tuple[int, Any], tuple[Any, str, tuple[Any, ...], int, int]] = {}
_LOCK = threading.Lock()


class _Row:
    __slots__ = ("session_data",)

    def __init__(self, session_data: str) -> None:
        self.session_data = session_data


def _compiled(model: Any, using: str) -> tuple[Any, str, tuple[Any, ...], int, int]:
    connection = connections[using]
    hit = _COMPILED.get((id(connection), model))
    if hit is not None and hit[0] is connection:
        return hit
    qs = model.objects.using(using).filter(session_key=_KEY, expire_date__gt=_NOW)
    qs = qs.order_by().values_list("session_data")[:1]
    sql, params = qs.query.get_compiler(using=using).as_sql()
    now = _adapted(model, connection, _NOW)
    key_at = [i for i, p in enumerate(params) if p == _KEY]
    now_at = [i for i, p in enumerate(params) if p == now]
    if len(key_at) != 1 or len(now_at) != 1:
        raise RuntimeError("the session read's placeholders are not among its parameters")
    hit = (connection, sql, tuple(params), key_at[0], now_at[0])
    with _LOCK:
        _COMPILED[id(connection), model] = hit
    return hit


def _adapted(model: Any, connection: Any, when: datetime.datetime) -> Any:
    """`when` as the ORM sends it for `expire_date__gt`."""
    field = model._meta.get_field("expire_date")
    return field.get_db_prep_value(field.get_prep_value(when), connection, prepared=True)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:  # no cookie, or a key Django refused (SessionBase._validate_session_key)
            self._session_key = None
            return None
        using = router.db_for_read(self.model)
        connection, sql, params, key_at, now_at = _compiled(self.model, using)
        bound = list(params)
        bound[key_at] = key
        bound[now_at] = _adapted(self.model, connection, timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Row(row[0])
