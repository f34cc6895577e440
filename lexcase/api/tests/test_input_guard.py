"""Input the API must refuse with a clear 422 (issue 18 item 9) and errors it must answer in
its own shape (issue 14): NUL characters, dates outside the civil range, times with an
offset, oversized bodies, unknown methods, unhandled exceptions."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.calendar.models import Deadline
from lexcase.comms.models import Communication
from lexcase.matters import party_api as parties_api
from lexcase.parties.models import Party

pytestmark = pytest.mark.django_db


def api(user, **kwargs):
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"}, **kwargs)


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def fields(response):
    return [e["field"] for e in response.json()["errors"]]


# --- NUL characters: PostgreSQL refuses them in text, which used to surface as a 500 -----


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "person", "name": "张\u0000三"}, "name"),
        ({"kind": "person", "name": "张三", "aliases": ["ok", "a\u0000"]}, "aliases.1"),
        ({"kind": "person", "name": "张三", "na\u0000me": "x"}, "na\\u0000me"),
    ],
)
def test_nul_in_json_body_is_422_naming_the_field(firm, body, field):
    before = Party.objects.count()
    response = post(api(firm.lead), "/api/v1/parties", body)
    assert response.status_code == 422
    assert fields(response) == [field]
    assert Party.objects.count() == before


def test_nul_in_nested_json_body_is_422(firm):
    body = {"parties": [{"name": "王\u0000伟", "kind": "person", "role": "opposing"}]}
    response = post(api(firm.lead), "/api/v1/conflicts/check", body)
    assert response.status_code == 422
    assert fields(response) == ["parties.0.name"]


def test_escaped_backslash_u0000_is_ordinary_text(firm):
    # The six characters \u0000 typed as text are not a NUL character.
    response = post(api(firm.lead), "/api/v1/parties", {"kind": "person", "name": "a\\u0000"})
    assert response.status_code == 201
    assert Party.objects.get(pk=response.json()["id"]).name == "a\\u0000"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/parties?q=%E5%BC%A0%00", "q"),
        ("/api/v1/matters?q=a%00b", "q"),
        ("/api/v1/search?q=%00", "q"),
        ("/api/v1/communications?client=%00", "client"),
        ("/api/v1/tasks?assignee=lead%00", "assignee"),
    ],
)
def test_nul_in_query_is_422_naming_the_parameter(firm, path, field):
    response = api(firm.lead).get(path)
    assert response.status_code == 422
    assert fields(response) == [field]


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=" + "张" * 101, "q"), ("after=" + "A" * 501, "after")],
)
def test_matter_list_refuses_oversized_query_naming_the_parameter(firm, query, field):
    client = api(firm.lead)
    assert client.get("/api/v1/matters?q=" + "张" * 100).status_code == 200
    response = client.get("/api/v1/matters?" + query)
    assert response.status_code == 422
    assert fields(response) == [field]


def test_nul_in_path_is_422(firm):
    response = api(firm.lead).get("/api/v1/matters/1%00")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "__all__"


def test_nul_in_multipart_form_field_is_422(firm):
    upload = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    response = api(firm.lead).post(
        f"/api/v1/matters/{firm.matter.pk}/documents", {"file": upload, "title": "合\u0000同"}
    )
    assert response.status_code == 422
    assert fields(response) == ["title"]


# --- dates and times: one civil range for the whole API ---------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1900-12-31", "2101-01-01"])
def test_compute_outside_the_civil_range_is_422(firm, day):
    body = {"rule": "civil.appeal.judgment", "trigger_date": day}
    response = post(api(firm.lead), "/api/v1/deadlines/compute", body)
    assert response.status_code == 422
    assert fields(response) == ["trigger_date"]


@pytest.mark.parametrize("day", ["1901-01-01", "2100-12-31"])
def test_compute_at_the_ends_of_the_civil_range_works(firm, day):
    body = {"rule": "civil.appeal.judgment", "trigger_date": day}
    response = post(api(firm.lead), "/api/v1/deadlines/compute", body)
    assert response.status_code == 200, response.content
    assert response.json()["trigger_date"] == day


@pytest.mark.parametrize(
    "path",
    ["/api/v1/agenda?start=9999-12-31", "/api/v1/communications?end=0001-01-01"],
)
def test_query_dates_outside_the_civil_range_are_422(firm, path):
    response = api(firm.lead).get(path)
    assert response.status_code == 422
    assert fields(response) == [path.rsplit("?", 1)[1].split("=")[0]]


@pytest.mark.parametrize("value", ["10:00:00+05:17", "10:00+00:00", "10:00:00-08:00"])
def test_due_time_with_a_foreign_offset_is_422(firm, value):
    response = post(
        api(firm.lead),
        f"/api/v1/matters/{firm.matter.pk}/deadlines",
        {"title": "提交证据", "due_date": "2026-12-01", "due_time": value},
    )
    assert response.status_code == 422
    assert fields(response) == ["due_time"]
    assert Deadline.objects.count() == 0


@pytest.mark.parametrize("value", ["10:00:00", "10:00+08:00"])
def test_due_time_in_shanghai_time_is_kept_as_wall_clock(firm, value):
    response = post(
        api(firm.lead),
        f"/api/v1/matters/{firm.matter.pk}/deadlines",
        {"title": "提交证据", "due_date": "2026-12-01", "due_time": value},
    )
    assert response.status_code == 201, response.content
    assert response.json()["due_time"] == "10:00:00"


@pytest.mark.parametrize(
    "value", ["0978-03-01T10:00:00", "0978-03-01T10:00:00+08:00", "1900-06-01T10:00:00Z"]
)
def test_occurred_at_outside_the_civil_range_is_422(firm, value):
    body = {
        "channel": "phone",
        "direction": "outbound",
        "summary": "x",
        "occurred_at": value,
    }
    response = post(api(firm.lead), f"/api/v1/matters/{firm.matter.pk}/communications", body)
    assert response.status_code == 422
    assert fields(response) == ["occurred_at"]
    assert Communication.objects.count() == 0


def test_occurred_at_early_in_the_civil_range_is_served_with_the_standard_offset(firm):
    body = {
        "channel": "phone",
        "direction": "outbound",
        "summary": "x",
        "occurred_at": "1901-01-01T00:00:00Z",
    }
    response = post(api(firm.lead), f"/api/v1/matters/{firm.matter.pk}/communications", body)
    assert response.status_code == 201, response.content
    # Not local mean time (+08:05:43), which Asia/Shanghai used before 1901.
    assert response.json()["occurred_at"] == "1901-01-01T08:00:00+08:00"


def test_task_due_at_outside_the_civil_range_is_422(firm):
    response = post(
        api(firm.lead), "/api/v1/tasks", {"title": "x", "due_at": "9999-12-31T23:59:59+08:00"}
    )
    assert response.status_code == 422
    assert fields(response) == ["due_at"]


# --- errors in the API's shape ------------------------------------------------------------


def test_unhandled_exception_is_a_json_500(firm, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(parties_api, "parties_list", boom)
    response = api(firm.lead, raise_request_exception=False).get("/api/v1/parties")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert fields(response) == ["__all__"]
    assert "boom" not in response.content.decode()


def test_unknown_api_path_is_a_json_404(firm):
    response = api(firm.lead).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert fields(response) == ["__all__"]


def test_malformed_json_is_a_400_in_the_error_shape(firm):
    response = api(firm.lead).post("/api/v1/parties", "{", content_type="application/json")
    assert response.status_code == 400
    assert fields(response) == ["__all__"]


def test_undeclared_method_is_a_405_in_the_error_shape(firm):
    response = api(firm.lead).delete("/api/v1/parties")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert fields(response) == ["__all__"]


def test_five_megabyte_json_body_is_a_413_in_the_error_shape(firm):
    before = Party.objects.count()
    body = json.dumps({"kind": "person", "name": "张三", "aliases": ["x" * 1000] * 5000})
    response = api(firm.lead).post("/api/v1/parties", body, content_type="application/json")
    assert response.status_code == 413
    assert fields(response) == ["__all__"]
    assert Party.objects.count() == before


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "TRACK"])
def test_unsupported_method_on_the_api_is_a_json_405(firm, method):
    response = api(firm.lead).generic(method, "/api/v1/matters")
    assert response.status_code == 405
    assert fields(response) == ["__all__"]
    assert response["Allow"]


@pytest.fixture(scope="module")
def gunicorn_url(tmp_path_factory):
    """The production server (gunicorn, gthread) on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    var = tmp_path_factory.mktemp("gunicorn")
    env = {**os.environ, "LEXCASE_VAR_DIR": str(var)}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "lexcase.wsgi", "-k", "gthread"),
            *("--threads", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no gunicorn"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("path", ["/api/v1/parties", "/parties/new/"])
def test_oversized_body_is_answered_not_reset_by_gunicorn(gunicorn_url, path):
    # The body is read and discarded before the 413: a server that answers without reading
    # it closes a socket with unread data, and the client sees a reset instead. No database
    # is touched: the guard answers before any view.
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_url, timeout=30)
    body = json.dumps({"kind": "person", "name": "张三", "aliases": ["x" * 1000] * 5000})
    connection.request(
        "POST", path, body=body.encode(), headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    assert response.status == 413
    if path.startswith("/api/"):
        assert json.loads(response.read())["errors"][0]["field"] == "__all__"
    connection.close()
