"""`{% url %}` and `{% translate %}` of lexcase/core/fasttags.py render exactly what
Django's own tags render, in both languages, and the URL memo never hands out a URL built
for other arguments, another script prefix or another URL conf."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Engine, engines
from django.template.backends.django import get_installed_libraries
from django.template.exceptions import TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, include, path, set_script_prefix
from django.utils import translation

from lexcase.core import fasttags
from lexcase.web import views as web_views

# A URL conf of its own (test_the_memo_is_keyed_on_arguments_prefix_and_urlconf).
urlpatterns = [
    path(
        "elsewhere/",
        include(([path("<int:pk>/", web_views.matter_detail, name="detail")], "matters")),
    )
]

# Django's engine as configured before, and this project's (settings.TEMPLATES).
DJANGO = Engine(app_dirs=True, libraries=get_installed_libraries())
OURS = Engine(
    app_dirs=True,
    builtins=["lexcase.core.fasttags"],
    libraries={**get_installed_libraries(), "i18n": "lexcase.core.fasttags_i18n"},
)

TEMPLATES = [
    "{% url 'home' %}",
    "{% url 'matters:detail' 12 %}",
    "{% url 'matters:detail' pk %}",
    "{% url 'matters:detail' pk=pk %}",
    "{% url 'matters:form' pk name %}",
    "{% url 'matters:form' pk 'case-number' as form_url %}[{{ form_url }}]",
    "{% url 'no-such-view' as missing %}[{{ missing }}]",
    "{% url view_name pk %}",
    "{% url 'matters:detail' big %}",
    "{% url 'matters:detail' text_pk %}",
    "{% autoescape off %}{% url 'matters:form' pk odd %}{% endautoescape %}",
    "{% url 'matters:form' pk odd %}",
    "{% load i18n %}{% translate 'Edit' %}",
    "{% load i18n %}{% trans 'Edit' %}",
    "{% load i18n %}{% translate 'Open the form' %}|{% translate 'Log out' %}",
    "{% load i18n %}{% translate '100% done' %}|{% translate '%(x)s %% y' %}",
    "{% load i18n %}{% translate 'Edit' noop %}",
    "{% load i18n %}{% translate 'Edit' as label %}<{{ label }}>",
    "{% load i18n %}{% translate 'Edit'|upper %}",
    "{% load i18n %}{% translate 'May' context 'month name' %}",
    "{% load i18n %}{% translate msg %}",
    "{% load i18n %}{% translate 'a < b & c' %}",
    "{% load i18n %}{% translate '' %}",
    "{% load i18n %}{% blocktranslate count n=2 %}one{% plural %}{{ n }} many"
    "{% endblocktranslate %}",
    "{% load i18n %}{% get_current_language as L %}{{ L }}",
    "{% load i18n %}{% language 'en' %}{% translate 'Edit' %} {% url 'home' %}"
    "{% endlanguage %} {% translate 'Edit' %} {% url 'home' %}",
    "{% load i18n %}{% include '_language_switch.html' %}{% url 'matters:detail' pk %}",
]


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "pk": 7,
        "big": 10**12,
        "text_pk": "42",
        "name": "party",
        "odd": "case-number",
        "view_name": "matters:detail",
        "msg": "Edit",
        "LANGUAGE_CODE": translation.get_language(),
        **extra,
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_same_text_as_django(source: str, language: str, rf: Any) -> None:
    request = rf.get("/matters/7/")
    with translation.override(language):
        want = DJANGO.from_string(source).render(Context(_context(request=request)))
        for _ in range(2):  # the second time from the memo
            got = OURS.from_string(source).render(Context(_context(request=request)))
            assert got == want


def test_a_failed_lookup_still_fails() -> None:
    with pytest.raises(NoReverseMatch):
        OURS.from_string("{% url 'matters:detail' 'x/y' %}").render(Context({}))
    with pytest.raises(NoReverseMatch):
        OURS.from_string("{% url 'no-such-view' %}").render(Context({}))
    with pytest.raises(TemplateSyntaxError):
        OURS.from_string("{% url %}")


def test_the_memo_is_keyed_on_arguments_prefix_and_urlconf() -> None:
    fasttags._URLS.clear()
    template = OURS.from_string("{% url 'matters:detail' pk %}")
    assert template.render(Context({"pk": 1})) == "/matters/1/"
    assert template.render(Context({"pk": 2})) == "/matters/2/"
    assert template.render(Context({"pk": "1"})) == "/matters/1/"
    set_script_prefix("/firm/")
    try:
        assert template.render(Context({"pk": 1})) == "/firm/matters/1/"
    finally:
        clear_script_prefix()
        set_script_prefix("/")
    assert template.render(Context({"pk": 1})) == "/matters/1/"
    with override_settings(ROOT_URLCONF=__name__):
        # Another URL conf (this module's): the same name elsewhere.
        assert template.render(Context({"pk": 1})) == "/elsewhere/1/"
    assert template.render(Context({"pk": 1})) == "/matters/1/"


def test_an_argument_other_than_int_or_str_is_reversed_each_time() -> None:
    class Key:  # a model instance's str() could change between calls
        value = "5"

        def __str__(self) -> str:
            return self.value

    fasttags._URLS.clear()
    key = Key()
    template = OURS.from_string("{% url 'matters:detail' k %}")
    assert template.render(Context({"k": key})) == "/matters/5/"
    key.value = "6"
    assert template.render(Context({"k": key})) == "/matters/6/"
    assert fasttags._URLS == {}


def test_the_project_engine_uses_them() -> None:
    template = engines["django"].from_string(
        "{% load i18n %}{% url 'home' %}{% translate 'Edit' %}"
    )
    nodes = [type(n) for n in template.template.nodelist]
    assert fasttags.MemoURLNode in nodes
    assert fasttags.LiteralTranslateNode in nodes
