"""The header's language switch (`{% language_switch %}`, core/templatetags/layout.py): the
text `{% include "_language_switch.html" %}` rendered, CSRF tokens aside."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory

INCLUDE = '{% load layout %}[{% include "_language_switch.html" %}]'
TAG = "{% load layout %}[{% language_switch %}]"


def _token_free(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


@pytest.mark.parametrize("language", ["zh-hans", "en", None])
@pytest.mark.parametrize("path", ["/", "/matters/?q=%3Cb%3E&a=1&b=\"'", "/matters/?q=张&after=x"])
def test_the_switch_is_the_includes_text(language, path):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    get_token(request)
    engine = engines["django"]
    context = {} if language is None else {"LANGUAGE_CODE": language}
    want = engine.from_string(INCLUDE).render(context, request)
    got = engine.from_string(TAG).render(context, request)
    assert _token_free(got) == _token_free(want)
    # Without LANGUAGE_CODE of its own, the context processor's (the request's language).
    assert ('name="csrfmiddlewaretoken"' in got, got.count("<button")) == (True, 1)


def test_without_a_request_no_path_and_no_token():
    engine = engines["django"]
    for context in ({"LANGUAGE_CODE": "en"}, {}):
        got = engine.from_string(TAG).render(context)
        assert got == engine.from_string(INCLUDE).render(context)
    assert (got.count("<button"), 'value=""' in got, "csrfmiddlewaretoken" in got) == (
        2,
        True,
        False,
    )
