"""Unbound forms' HTML kept per what their rendering reads (core.formcache, the
`{% unbound_form %}` tag): the same HTML as rendering them, never another form's."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.core.cache import cache
from django.tasks.signals import task_started
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from lexcase.comms.forms import CommunicationForm
from lexcase.core import formcache
from lexcase.documents.forms import UploadForm


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formcache, "_HTML", {})


def tag(form: forms.Form, template: str = "") -> str:
    source = (
        "{% load lexcase %}{% unbound_form form " + (f'"{template}"' if template else "") + " %}"
    )
    return engines["django"].from_string(source).render({"form": form})


def comm(documents: list[tuple[int, str]] | None = None) -> CommunicationForm:
    return CommunicationForm(prefix="comm", documents=documents)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_html_is_the_forms_own(language: str) -> None:
    with translation.override(language):
        for make in (lambda: comm(), lambda: comm([(1, "起诉状"), (2, "证据<目录>")])):
            want = render_to_string("comms/_entry_fields.html", {"form": make()})
            assert tag(make(), "comms/_entry_fields.html") == want  # rendered and kept
            assert tag(make(), "comms/_entry_fields.html") == want  # from the cache
        assert tag(UploadForm()) == str(UploadForm().as_div())
        assert tag(UploadForm()) == str(UploadForm().as_div())
    assert len(formcache._HTML) == 3


def test_what_differs_gives_its_own_html() -> None:
    template = "comms/_entry_fields.html"
    with translation.override("en"):
        plain, one, two = (
            tag(comm(), template),
            tag(comm([(1, "甲")]), template),
            tag(comm([(1, "甲"), (2, "乙")]), template),
        )
        renamed = tag(comm([(1, "丙")]), template)
        prefixed = tag(CommunicationForm(prefix="other"), template)
        english = tag(UploadForm())
    with translation.override("zh-hans"):
        chinese = tag(UploadForm())
    assert len({plain, one, two, renamed, prefixed}) == 5
    assert "丙" in renamed and "甲" not in renamed and 'size="2"' in two
    assert 'id="id_other-channel"' in prefixed
    assert english != chinese and "Files" in english


def test_bound_forms_and_initial_values_are_rendered_each_time() -> None:
    bound = comm()
    bound = CommunicationForm({"comm-channel": "nope"}, prefix="comm")
    assert formcache.form_key(bound, "x") is None
    html = tag(bound, "comms/_entry_fields.html")
    assert "field-error" in html and formcache._HTML == {}

    ticks = itertools.count()

    class Ticking(forms.Form):
        n = forms.IntegerField(initial=lambda: next(ticks))

    assert formcache.form_key(Ticking(), "x") is None
    assert [tag(Ticking()) for _ in range(2)] == [
        str(Ticking(initial={"n": n}).as_div()) for n in (0, 1)
    ]

    class WithInitial(forms.Form):
        name = forms.CharField()

    first, second = (
        tag(WithInitial(initial={"name": "张三"})),
        tag(WithInitial(initial={"name": "李四"})),
    )
    assert 'value="张三"' in first and 'value="李四"' in second


def test_a_form_overriding_what_rendering_calls_is_not_kept() -> None:
    class Own(forms.Form):
        name = forms.CharField()

        def get_initial_for_field(self, field, field_name):
            return "each time"

    class OwnWidget(forms.TextInput):
        def format_value(self, value):
            return "own"

    class WithOwnWidget(forms.Form):
        name = forms.CharField(widget=OwnWidget)

    assert formcache.form_key(Own(), "x") is None
    assert formcache.form_key(WithOwnWidget(), "x") is None
    assert formcache.form_key(comm(), "x") is not None


@pytest.mark.django_db
def test_forgetting_drops_the_kept_html_here_and_in_every_other_process(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """`unbound_html_forget()` (a person anonymised: a kept form may list a document by their
    name) empties this process's kept forms at once, and after the commit sets a new
    generation in the shared cache; another process, which kept a form too, drops it at the
    start of its next request once it asks (at most every FORGET_CHECK_S). The receiver of
    `request_started` is called alone (Django's own closes the test's connection)."""
    monkeypatch.setattr(formcache, "_seen", [None])
    monkeypatch.setattr(formcache, "_next_check", [0.0])
    template = "comms/_entry_fields.html"
    tag(comm([(1, "王伟身份证复印件")]), template)
    formcache._check_generation()  # the generation it sees: none yet
    assert len(formcache._HTML) == 1
    with django_capture_on_commit_callbacks(execute=True):
        formcache.unbound_html_forget()
        assert formcache._HTML == {}
        tag(comm([(1, "王伟身份证复印件")]), template)  # kept before the commit
    generation = cache.get(formcache.GENERATION_KEY)
    assert formcache._HTML == {} and generation

    # Another process: it saw no generation before and keeps a form.
    other = {}
    monkeypatch.setattr(formcache, "_HTML", other)
    monkeypatch.setattr(formcache, "_seen", [None])
    tag(comm([(1, "王伟身份证复印件")]), template)
    formcache._check_generation()  # asked less than FORGET_CHECK_S ago: not yet
    assert len(other) == 1
    formcache._next_check[0] = 0.0  # FORGET_CHECK_S later
    formcache._check_generation()
    assert other == {} and formcache._seen == [generation]
    tag(comm([(1, "（已匿名化 7）身份证复印件")]), template)
    formcache._next_check[0] = 0.0
    formcache._check_generation()  # the same generation: kept
    assert len(other) == 1


@pytest.mark.django_db
def test_a_registered_cache_is_dropped_with_the_forms_here_and_in_every_other_process(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """A cache registered with `kept_cache_register` (the matter list's filter fields keyed
    on q=, the search tokenizer's words) is emptied by `unbound_html_forget()` at once; in
    another process that keeps only such a cache (no form HTML), the new generation drops it
    at the start of a request or a task once it asks."""
    monkeypatch.setattr(formcache, "_seen", [None])
    monkeypatch.setattr(formcache, "_next_check", [0.0])
    monkeypatch.setattr(formcache, "_HTML", {})
    monkeypatch.setattr(formcache, "_KEPT", [])
    names: dict[str, str] = {}
    formcache.kept_cache_register(names.clear, names.__len__)
    formcache.kept_cache_register(names.clear, names.__len__)  # once only
    assert len(formcache._KEPT) == 1
    names["q=王伟"] = "<input value=王伟>"
    formcache._check_generation()  # the generation it sees: none yet
    with django_capture_on_commit_callbacks(execute=True):
        formcache.unbound_html_forget()
        assert names == {}
        names["q=王伟"] = "<input value=王伟>"  # kept before the commit
    generation = cache.get(formcache.GENERATION_KEY)
    assert names == {} and generation

    # Another process, a task worker (it indexes text: the tokenizer's words): it saw no
    # generation before and keeps only the registered cache; a task starts.
    monkeypatch.setattr(formcache, "_seen", [None])
    names["华泰科技诉王伟买卖合同纠纷"] = "华泰 科技"
    formcache._next_check[0] = 0.0
    result = SimpleNamespace(id="1", task=SimpleNamespace(module_path="x"), status="RUNNING")
    task_started.send(sender=object, task_result=result)  # as db_worker sends it
    assert names == {} and formcache._seen == [generation]
