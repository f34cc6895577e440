"""Bad input on every write of the access table (the bad-input rule: a clear error and
nothing changed, never a 500).

Each POST/PATCH/PUT row that sends a body is sent again by a persona the row admits, once
per bad variant of each of its values: a NUL character, a text far over any column's
length, a number that overflows its column (`max_digits`, a 64-bit key), a negative one, a
date outside the civil range (year 10000, year 0001) and a required text of blanks. The
answer is never a 5xx (PostgreSQL refuses NUL and an over-long varchar with an error where
SQLite stores them: run it on both), and a refused request (4xx) changes nothing: no row
more or less in any table (the audit log aside: a refusal may be recorded on purpose).

A value a row accepts is not checked here (a long note is a note): the silent truncations
this walk cannot see have tests of their own (the robot's name, holiday names)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from lexcase.api.api import api
from lexcase.audit.models import AuditEvent
from lexcase.calendar import services as calendar_services
from lexcase.calendar.models import HolidayYear
from lexcase.core.tests.access import LOGIN, PERSONAS, Route
from lexcase.core.tests.test_access_table import TABLE, client_as
from lexcase.portal.tests.factories import build_world
from lexcase.portal.tests.test_portal_access import PORTAL_PERSONAS, portal_client
from lexcase.portal.tests.test_portal_access import ROWS as PORTAL_ROWS
from lexcase.testing import Firm, use_document_store

pytestmark = pytest.mark.django_db

WRITES = ("POST", "PATCH", "PUT")
# The persona that sends each row: the first one the row admits, in this order.
SENDERS = ("admin", "lead", "assistant", "finance", "outsider", "walled", "collaborator")
LONG = "长" * 70_000  # past every limit a form or schema sets (comms summary: 20,000)
NUMBER = re.compile(r"-?\d+(\.\d+)?")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _rows() -> list[str]:
    return sorted(
        name
        for name, route in TABLE.items()
        if route.method in WRITES and route.body is not None and _sender(route) is not None
    )


def _sender(route: Route) -> str | None:
    admitted = dict(zip(PERSONAS, route.expect, strict=True))
    for persona in SENDERS:
        status = admitted[persona]
        if status != LOGIN and status not in (401, 403, 404, 405):
            return persona
    return None


def _variants(value: Any) -> Iterator[tuple[str, Any]]:
    """(name, bad value) for one value of a body."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (int, float)) or (isinstance(value, str) and NUMBER.fullmatch(value)):
        text = str(value)
        yield "overflow", ("9" * 40) if isinstance(value, str) else 10**40
        yield "overflow-decimal", "99999999999999999999.99"
        yield "negative", f"-{text.lstrip('-')}" if isinstance(value, str) else -abs(value) - 1
        if isinstance(value, str):
            yield "nul", text + "\x00"
        return
    if isinstance(value, str) and DAY.fullmatch(value):
        yield "year-10000", "10000-01-01"
        yield "year-0001", "0001-01-01"
        yield "nul", value + "\x00"
        return
    if isinstance(value, str):
        yield "long", value + LONG
        yield "nul", value[:1] + "\x00" + value[1:]
        yield "blank", "   "


def _mutations(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, body) with one value replaced by a bad one; nested lists of objects (JSON
    parties) and lists of values (checkboxes) are walked one level down."""
    for key, value in body.items():
        if isinstance(value, list):
            for index, item in enumerate(value[:1]):
                if isinstance(item, dict):
                    for sub, (label, bad) in (
                        (sub, v) for sub, sv in item.items() for v in _variants(sv)
                    ):
                        copy = [dict(i) for i in value]
                        copy[index][sub] = bad
                        yield f"{key}[{index}].{sub}:{label}", {**body, key: copy}
                else:
                    for label, bad in _variants(item):
                        yield f"{key}[{index}]:{label}", {**body, key: [bad, *value[1:]]}
            continue
        if hasattr(value, "read"):  # an uploaded file
            continue
        for label, bad in _variants(value):
            yield f"{key}:{label}", {**body, key: bad}


_COUNT_SQL = ""


def _fingerprint() -> tuple[int, ...]:
    """The number of rows of every table of the project's models (one query). The audit
    log aside: a refusal may be recorded on purpose (a stale edit's conflict)."""
    global _COUNT_SQL
    if not _COUNT_SQL:
        tables = sorted(
            {
                m._meta.db_table
                for m in apps.get_models()
                if m._meta.managed and not m._meta.proxy and m is not AuditEvent
            }
        )
        quote = connection.ops.quote_name
        _COUNT_SQL = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL)
        return tuple(cursor.fetchone())


def _send(client: Client, route: Route, path: str, body: dict[str, Any]) -> Any:
    if route.json:
        return client.generic(route.method, path, json.dumps(body), content_type="application/json")
    return getattr(client, route.method.lower())(path, body)


@pytest.mark.parametrize("name", _rows())
def test_bad_values_are_refused_cleanly_and_change_nothing(firm: Firm, name: str) -> None:
    route = TABLE[name]
    persona = _sender(route)
    assert persona is not None
    failures: list[str] = []
    with transaction.atomic():
        labels = [label for label, _bad in _mutations(route.body(firm) if route.body else {})]
        transaction.set_rollback(True)
    if not labels:
        pytest.skip("nothing to spoil: the body holds only files or flags")
    # Each variant from the same starting state: the row's path and body (which may create
    # what they name) made again each time, then rolled back.
    for index, label in enumerate(labels):
        try:
            with transaction.atomic():
                path = route.path(firm)
                body = route.body(firm) if route.body else {}
                _label, bad = list(_mutations(body))[index]
                client = client_as(firm, persona, path)
                before = _fingerprint()
                response = _send(client, route, path, bad)
                after = _fingerprint()
                transaction.set_rollback(True)
        except Exception as exc:  # the test client re-raises a view's exception: a 500
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:160]}")
            continue
        status = response.status_code
        if status >= 500:
            failures.append(f"{label}: {status}")
        elif status >= 400 and before != after:
            failures.append(f"{label}: {status} but rows changed")
    assert failures == [], f"{name} as {persona}"


# -- Commands given bad arguments: a clear error, nothing changed -----------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reminders", "--date", "0001-01-01"], "--date must lie between 1901-01-01"),
        (["reminders", "--date", "9999-12-31"], "--date must lie between 1901-01-01"),
        (["reminders", "--date", "10000-01-01"], "--date must be YYYY-MM-DD"),
        (["client_updates", "--at", "0001-01-01T00:00"], "--at must lie between 1901-01-01"),
        (["client_updates", "--at", "9999-12-31T23:59:59+14:00"], "--at must lie between"),
        (["createuser", "张", "--role", "lawyer", "--team", "团" * 101], "team: "),
        (["createuser", "张", "--role", "lawyer", "--team", "诉讼\x00部"], "team: "),
        (["createuser", "a" * 151, "--role", "lawyer"], "username: "),
        (["createuser", "wang\x00", "--role", "lawyer"], "username: "),
        (["createuser", "wang wei", "--role", "lawyer"], "username: "),
        (["createuser", "wang", "--role", "lawyer", "--name", "王" * 101], "name: "),
        (["createuser", "wang", "--role", "lawyer", "--email", "not-an-address"], "email: "),
        (["token", "create", "lead", "--name", "t" * 101], "最多 100 个"),
        (["token", "create", "lead", "--name", "t\x00"], "U+0000"),
    ],
)
def test_a_command_with_a_bad_argument_says_why_and_changes_nothing(
    firm: Firm, args: list[str], message: str
) -> None:
    """Each was a traceback (date arithmetic past year 9999, or PostgreSQL refusing a NUL or
    an over-long varchar), or stored a team before refusing the user."""
    before = _fingerprint()
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert message in str(exc.value)
    assert _fingerprint() == before


def test_a_holiday_name_or_notice_too_long_is_an_error_not_cut(firm: Firm) -> None:
    """Holiday names were stored cut at 100 characters, the notice's name at 300."""
    name = "中华人民共和国国务院办公厅关于部分节假日安排的通知所称元旦假期" * 4  # 124
    with pytest.raises(ValidationError) as exc:
        calendar_services.holiday_year_set(
            actor=firm.admin, year=2027, source="国办", days=[(date(2027, 1, 1), "rest", name)]
        )
    assert exc.value.messages == [f"第 1 行：名称有 {len(name)} 个字符，最多 100 个。"]
    with pytest.raises(ValidationError):
        calendar_services.holiday_year_set(
            actor=firm.admin, year=2027, source="国" * 301, days=[(date(2027, 1, 1), "rest", "")]
        )
    assert not HolidayYear.objects.filter(year=2027).exists()
    # The page says it beside the days, as typed (422).
    response = client_as(firm, "admin", "/").post(
        "/calendar/holidays/",
        {"year": 2027, "source": "国办发明电", "csv": f"2027-01-01,rest,{name}"},
    )
    assert response.status_code == 422
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_an_api_conflict_check_of_a_blank_name_is_a_field_error(firm: Firm) -> None:
    """A name of blanks passed `min_length=1` and ran a check on nothing (200)."""
    response = client_as(firm, "lead", "/api/v1/").post(
        "/api/v1/conflicts/check",
        {"parties": [{"name": "   ", "kind": "person", "role": "opposing"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["parties.0.name"]


# -- The portal's writes, walked as the staff's are ----------------------------------------------

PORTAL_SENDERS = ("client_a", "client_b")


def _portal_sender(row: Any) -> str | None:
    admitted = dict(zip(PORTAL_PERSONAS, row.expect, strict=True))
    for persona in PORTAL_SENDERS:
        if admitted[persona] not in (LOGIN, 401, 403, 404, 405):
            return persona
    return None


def _portal_writes() -> list[str]:
    return sorted(
        key
        for key, row in PORTAL_ROWS.items()
        if row.method in WRITES and row.body is not None and _portal_sender(row) is not None
    )


@pytest.mark.parametrize("key", _portal_writes())
def test_bad_values_on_the_portal_are_refused_cleanly_and_change_nothing(
    firm: Firm, key: str
) -> None:
    row = PORTAL_ROWS[key]
    persona = _portal_sender(row)
    assert persona is not None
    world = build_world(firm)
    labels = [label for label, _bad in _mutations(row.body(world) if row.body else {})]
    failures: list[str] = []
    for index, label in enumerate(labels):
        try:
            with transaction.atomic():
                path = row.path(world)
                _label, bad = list(_mutations(row.body(world) if row.body else {}))[index]
                client = portal_client(world, persona)
                before = _fingerprint()
                response = _send(client, row, path, bad)  # type: ignore[arg-type]
                after = _fingerprint()
                transaction.set_rollback(True)
        except Exception as exc:  # a 500
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:160]}")
            continue
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")
        elif response.status_code >= 400 and before != after:
            failures.append(f"{label}: {response.status_code} but rows changed")
    assert failures == [], f"{key} as {persona}"


# -- Query parameters: every GET row (pages, partials, exports, API lists, the portal) ---------
#
# Each GET row is requested once to learn which query parameters its view reads (a `QueryDict`
# that records the names asked of it: `request.GET.get`, a filter form bound to it), plus
# those its path carries, those the API's schema declares, and `page` and `ordering`
# (read or not); then once per bad value of each: an integer past 64 bits, a negative one, a
# NUL character, 70,000 characters, a date in year 10000 and in year 0001. The answer is never
# a 5xx: a clear 4xx, or the value ignored (PostgreSQL refuses NUL in text and an integer past
# 64 bits; SQLite's driver overflows on the latter: run it on both).

QUERY_VARIANTS = (
    ("past-64-bits", str(2**64)),
    ("negative", "-1"),
    ("nul", "1\x00"),
    ("long", LONG),
    ("year-10000", "10000-01-01"),
    ("year-0001", "0001-01-01"),
)
ALWAYS_SPOILED = ("page", "ordering")
_READ: set[str] = set()


class _RecordingQueryDict(QueryDict):
    """A request's query parameters that note each name a view asks for."""

    def __getitem__(self, key: str) -> Any:
        _READ.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        _READ.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> Any:
        _READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            _READ.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording_get(monkeypatch: pytest.MonkeyPatch) -> None:
    def get(self: WSGIRequest) -> QueryDict:
        raw = self.environ.get("QUERY_STRING", "")
        return _RecordingQueryDict(raw.encode("latin-1", "replace"), encoding=self._encoding)

    monkeypatch.setattr(WSGIRequest, "GET", cached_property(get), raising=True)
    WSGIRequest.GET.__set_name__(WSGIRequest, "GET")


def _api_query_names(path: str) -> set[str]:
    """The query parameters the API's schema declares for the GET operation of `path`."""
    if not path.startswith("/api/v1/"):
        return set()
    names: set[str] = set()
    bare = path.partition("?")[0].removeprefix("/api/v1")
    for template, item in api.get_openapi_schema()["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template.removeprefix("/api/v1"))
        if "get" in item and re.fullmatch(pattern, bare):
            names |= {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"}
    return names


def _spoiled(path: str, name: str, value: str) -> str:
    base, _sep, query = path.partition("?")
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != name]
    return f"{base}?{urlencode([*params, (name, value)])}"


def _walk_query(get: Any, path: str) -> list[str]:
    """`get(path)` once as listed (recording what is read), then once per bad value of each
    parameter; the failures."""
    _READ.clear()
    with transaction.atomic():
        # A parameter of no meaning, so that a form bound to the query only when there is
        # one (`request.GET or None`) is bound, and its fields are read.
        get(_spoiled(path, "probe-of-the-walk", "1"))
        transaction.set_rollback(True)
    query = {k for k, _v in parse_qsl(path.partition("?")[2], keep_blank_values=True)}
    read = _READ - {"probe-of-the-walk"}
    names = sorted((read | query | _api_query_names(path) | set(ALWAYS_SPOILED)) - {""})
    failures: list[str] = []
    for name in names:
        for label, value in QUERY_VARIANTS:
            try:
                with transaction.atomic():
                    response = get(_spoiled(path, name, value))
                    transaction.set_rollback(True)
            except Exception as exc:  # the test client re-raises a view's exception: a 500
                failures.append(f"{name}:{label}: {type(exc).__name__}: {str(exc)[:160]}")
                continue
            if response.status_code >= 500:
                failures.append(f"{name}:{label}: {response.status_code}")
    return failures


def _get_rows() -> list[str]:
    return sorted(
        name
        for name, route in TABLE.items()
        if route.method == "GET" and _get_reader(route) is not None
    )


def _get_reader(route: Route) -> str | None:
    admitted = dict(zip(PERSONAS, route.expect, strict=True))
    for persona in SENDERS:
        if admitted[persona] not in (LOGIN, 401, 403, 404, 405):
            return persona
    return None


@pytest.mark.parametrize("name", _get_rows())
def test_bad_query_parameters_never_answer_a_5xx(
    firm: Firm, settings: Any, tmp_path: Any, recording_get: None, name: str
) -> None:
    use_document_store(settings, tmp_path / "store")
    route = TABLE[name]
    persona = _get_reader(route)
    assert persona is not None
    path = route.path(firm)
    client = client_as(firm, persona, path)
    assert _walk_query(client.get, path) == [], f"{name} as {persona}"


def _portal_get_rows() -> list[str]:
    return sorted(
        key
        for key, row in PORTAL_ROWS.items()
        if row.method == "GET" and _portal_sender(row) is not None
    )


@pytest.mark.parametrize("key", _portal_get_rows())
def test_bad_query_parameters_on_the_portal_never_answer_a_5xx(
    firm: Firm, settings: Any, tmp_path: Any, recording_get: None, key: str
) -> None:
    use_document_store(settings, tmp_path / "store")
    world = build_world(firm)
    row = PORTAL_ROWS[key]
    persona = _portal_sender(row)
    assert persona is not None
    client = portal_client(world, persona)
    assert _walk_query(client.get, row.path(world)) == [], f"{key} as {persona}"


# -- What the query walk found ---------------------------------------------------------------


def test_a_matter_id_past_64_bits_in_a_query_names_no_matter(firm: Firm) -> None:
    """The gate's fixed read passed it to SQLite's driver: OverflowError, a 500."""
    client = client_as(firm, "lead", "/")
    assert client.get(f"/conflicts/check/?consultation={2**64}").status_code == 404
    assert client.get(f"/conflicts/check/?consultation={2**63}").status_code == 404


def test_a_nul_in_the_money_matters_search_is_no_error(firm: Firm) -> None:
    """PostgreSQL refused the NUL in the query: a 500. The request guard (core) now refuses a
    NUL in a query string before any view: a plain 400."""
    response = client_as(firm, "finance", "/").get("/fees/matters/", {"q": "华泰\x00"})
    assert response.status_code == 400
