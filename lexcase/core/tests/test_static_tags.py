"""`{% static %}` (the `static` library of lexcase/core/fasttags.py) and base.html's
`{% htmx_script %}` (core/templatetags/layout.py) render what Django's and django-htmx's
tags render, keep a URL only for the storages whose URL is a function of the path and the
settings, and never hand out a URL kept under other settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.template import Context, Engine, engines
from django.template.backends.django import get_installed_libraries
from django.test import override_settings
from django_htmx.jinja import htmx_script as django_htmx_script

from lexcase.core import fasttags
from lexcase.core.templatetags import layout

DJANGO = Engine(app_dirs=True, libraries=get_installed_libraries())
OURS = Engine(
    app_dirs=True,
    builtins=["lexcase.core.fasttags"],
    libraries={**get_installed_libraries(), "static": "lexcase.core.fasttags_static"},
)
SOURCES = [
    "{% load static %}{% static 'lexcase/app.css' %}",
    "{% load static %}{% static path %}",
    "{% load static %}{% static 'a b/案件 & <x>.css' %}",
    "{% load static %}{% static 'lexcase/app.css' as u %}[{{ u }}]",
    "{% load static %}{% autoescape off %}{% static path %}{% endautoescape %}",
    "{% load static %}{% get_static_prefix %}|{% get_media_prefix %}",
]
PATHS = ["lexcase/app.css", "x/y?a=1&b=<2>.js", "空 格.js"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("path", PATHS)
def test_same_text_as_django(source: str, path: str) -> None:
    fasttags._STATIC.clear()
    for _round in range(2):  # the second from the kept URLs
        context = {"path": path}
        assert OURS.from_string(source).render(Context(context)) == DJANGO.from_string(
            source
        ).render(Context(context))


class CountingStorage(StaticFilesStorage):
    calls = 0

    def url(self, name: Any) -> str:
        CountingStorage.calls += 1
        return super().url(name)


def _storages(backend: str) -> dict[str, Any]:
    return {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}


def test_kept_per_path_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = StaticFilesStorage.url

    def url(self: StaticFilesStorage, name: str) -> str:
        calls.append(name)
        return real(self, name)

    monkeypatch.setattr(StaticFilesStorage, "url", url)
    fasttags._STATIC.clear()
    assert fasttags.static_url("lexcase/app.css") == "/static/lexcase/app.css"
    assert fasttags.static_url("lexcase/app.css") == "/static/lexcase/app.css"
    assert fasttags.static_url("other.js") == "/static/other.js"
    assert calls == ["lexcase/app.css", "other.js"]
    with override_settings(STATIC_URL="/assets/"):
        assert fasttags.static_url("lexcase/app.css") == "/assets/lexcase/app.css"
    assert fasttags.static_url("lexcase/app.css") == "/static/lexcase/app.css"


def test_another_storage_is_asked_every_time() -> None:
    """A storage outside the known pure ones (one that signs or dates its URLs) is asked on
    every call, as Django asks it."""
    with override_settings(STORAGES=_storages(f"{__name__}.CountingStorage")):
        CountingStorage.calls = 0
        for _ in range(3):
            assert fasttags.static_url("lexcase/app.css") == "/static/lexcase/app.css"
        assert CountingStorage.calls == 3


def test_the_project_engine_uses_it() -> None:
    template = engines["django"].from_string("{% load static %}{% static 'x.css' %}")
    node = template.template.nodelist[-1]
    assert isinstance(node, fasttags.MemoStaticNode)


HTMX = "{% load layout %}{% htmx_script %}"
DJANGO_HTMX = "{% load django_htmx %}{% htmx_script %}"


@pytest.mark.parametrize("nonce", [None, "r4nd0m+/=", '"><script>'])
@pytest.mark.parametrize("debug", [False, True])
def test_htmx_script_same_text_as_django_htmx(nonce: str | None, debug: bool) -> None:
    context = {} if nonce is None else {"csp_nonce": nonce}
    with override_settings(DEBUG=debug):
        ours = engines["django"].from_string(HTMX).render(context)
        theirs = engines["django"].from_string(DJANGO_HTMX).render(context)
    assert ours == theirs
    assert ours == str(django_htmx_script(nonce=nonce)) if not debug else True
    assert ("django-htmx.js" in ours) is debug


def test_base_html_draws_its_script_and_stylesheet(client: Any, django_user_model: Any) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="stylesheet" href="/static/lexcase/app.css">' in page
    assert layout.HTMX_SCRIPT in page
