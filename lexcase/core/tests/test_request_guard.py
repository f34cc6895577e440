"""What the request guard refuses before any page sees it (issue 18 item 9, quality bar T21):
NUL characters, unsupported methods, probes for repository files and path traversal."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from lexcase.parties.models import Party
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/parties/?q=%E5%BC%A0%00", "/matters/?q=a%00b", "/search/?q=%00", "/parties/%00/"]
)
def test_nul_in_a_page_request_is_400(firm, path):
    response = client_for(firm.lead).get(path)
    assert response.status_code == 400


def test_nul_in_a_posted_form_is_400_and_saves_nothing(firm):
    before = Party.objects.count()
    response = client_for(firm.lead).post(
        "/parties/new/",
        urlencode({"kind": "person", "name": "张\u0000三", "aliases": ""}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert Party.objects.count() == before


def test_nul_in_a_multipart_form_is_a_form_error(firm):
    # Multipart bodies are left to the form (Django's CharField refuses NUL itself).
    before = Party.objects.count()
    response = client_for(firm.lead).post(
        "/parties/new/", {"kind": "person", "name": "张\u0000三", "aliases": ""}
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["name"]
    assert Party.objects.count() == before


def test_ordinary_form_post_still_works(firm):
    response = client_for(firm.lead).post(
        "/parties/new/", {"kind": "person", "name": "张三", "aliases": ""}
    )
    assert response.status_code == 302
    assert Party.objects.filter(name="张三").count() == 1


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "TRACK", "FOO"])
@pytest.mark.parametrize("path", ["/", "/matters/", "/accounts/login/", "/static/lexcase/app.css"])
def test_unsupported_methods_are_405_everywhere(method, path):
    response = Client().generic(method, path)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "path",
    [
        "/.git/HEAD",
        "/.git/config",
        "/.env",
        "/static/../lexcase/settings.py",
        "/static/%2e%2e/lexcase/settings.py",
        "/static/..%2flexcase/settings.py",
        "/static/lexcase/../../settings.py",
        "/static/%2e%2e/%2e%2e/settings.py",
        "/static/....//settings.py",
        "/api/schema",
        "/api/v1/docs",
        "/__debug__/",
    ],
)
@pytest.mark.parametrize("signed_in", [False, True])
def test_probes_are_404(firm, path, signed_in):
    client = client_for(firm.lead) if signed_in else Client()
    response = client.get(path)
    assert response.status_code == 404
