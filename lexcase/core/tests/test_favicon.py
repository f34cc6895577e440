"""/favicon.ico: a browser asks for it on every page that names no icon (the 500 page, a PDF
or an image opened in the browser, the API); it answered 404 and filled the access log."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_redirects_to_the_static_icon_for_everyone():
    response = Client().get("/favicon.ico")
    assert (response.status_code, response["Location"], response["Cache-Control"]) == (
        302,
        "/static/lexcase/favicon.ico",
        "public, max-age=86400",
    )
    icon = Client().get(response["Location"])
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert (icon.status_code, body[:4]) == (200, b"\x00\x00\x01\x00")  # an ICO file
    with open(finders.find("lexcase/favicon.ico"), "rb") as f:
        assert body == f.read()


def test_favicon_takes_only_get_and_head():
    assert Client().post("/favicon.ico").status_code == 405
    assert Client().head("/favicon.ico").status_code == 302
