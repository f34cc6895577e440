"""The template backend (lexcase/core/templating.py): what a page was given is freed by its
reference counts once the page is rendered, not left in a reference cycle for the garbage
collector; the text is Django's; the test client still sees the context."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.template import engines
from django.template.backends.django import DjangoTemplates as DjangoBackend
from django.test import Client, RequestFactory

from lexcase.accounts.models import Role
from lexcase.core.templating import DjangoTemplates
from lexcase.testing import make_user

SOURCE = (
    "{% for x in items %}{{ forloop.counter }}:{{ x.name }} {% endfor %}"
    "{% with first=items.0 %}[{{ first.name }}]{% endwith %}"
    "{% if items %}{% for x in items %}{% cycle 'a' 'b' %}{% endfor %}{% endif %}"
    "{{ request.path }}"
)


class Item:
    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def no_collector() -> Iterator[None]:
    """Only reference counts free objects during the test."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _render_and_watch(backend: object) -> tuple[str, list[weakref.ref[Item]]]:
    items = [Item("甲"), Item("<乙>")]
    refs = [weakref.ref(i) for i in items]
    template = backend.from_string(SOURCE)  # type: ignore[attr-defined]
    text = template.render({"items": items}, RequestFactory().get("/matters/"))
    del items
    return text, refs


def test_the_backend_is_in_use() -> None:
    assert isinstance(engines["django"], DjangoTemplates)


def test_what_a_page_was_given_is_freed_without_the_collector(no_collector: None) -> None:
    params = {
        "NAME": "t",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
    text, refs = _render_and_watch(DjangoTemplates(params))
    assert text == "1:甲 2:&lt;乙&gt; [甲]ab/matters/"
    assert [r() for r in refs] == [None, None]
    # Django's own backend leaves them in the context's cycle, for the collector.
    django_text, django_refs = _render_and_watch(DjangoBackend(params))
    assert django_text == text
    assert all(r() is not None for r in django_refs)
    gc.collect()
    assert [r() for r in django_refs] == [None, None]


@pytest.mark.django_db
def test_a_page_of_the_app_leaves_its_matters_to_reference_counts(no_collector: None) -> None:
    """The list page's context (its matters, the form) is not cyclic garbage when served as
    gunicorn serves it (the WSGI handler; the test client keeps the response, and the
    contexts, in cycles of its own)."""
    user = make_user("tpl", Role.LAWYER)
    client = Client()
    client.force_login(user)
    cookie = "; ".join(f"{k}={m.value}" for k, m in client.cookies.items())
    handler = WSGIHandler()

    def get() -> None:
        environ = RequestFactory()._base_environ(
            PATH_INFO="/matters/", REQUEST_METHOD="GET", QUERY_STRING="", HTTP_COOKIE=cookie
        )
        status: list[str] = []
        body = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        b"".join(body)
        body.close()
        assert status[0].startswith("200")

    # As the test client does: the test's connection (and its transaction) stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        get()
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        for _ in range(3):
            get()
        gc.collect()
        kinds = {type(o).__name__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert "WSGIRequest" in kinds  # the request's own cycles (messages, htmx) remain
    assert not kinds & {"MatterPage", "MatterFilterForm", "RequestContext", "ContextDict"}


@pytest.mark.django_db
def test_the_test_client_still_sees_the_context() -> None:
    user = make_user("tpl2", Role.LAWYER)
    client = Client()
    client.force_login(user)
    response = client.get("/matters/")
    assert response.status_code == 200
    assert response.context["page"].items == []
    assert "form" in response.context
