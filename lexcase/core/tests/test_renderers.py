"""The form renderer (`lexcase.core.renderers.FastRenderer`) writes Django's hot form
templates out in Python: every form of the project, and the pages that show the most forms,
must render exactly what Django's templates rendered."""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

import lexcase
from lexcase.accounts.models import User
from lexcase.core import once
from lexcase.core.renderers import FastRenderer
from lexcase.documents.models import Document
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def _form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for info in pkgutil.walk_packages(lexcase.__path__, "lexcase."):
        if ".tests" in info.name or not (info.name.endswith(".forms") or ".forms." in info.name):
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__.startswith("lexcase."):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def _instances(cls: type[forms.BaseForm], firm: Any) -> list[forms.BaseForm]:
    """The form unbound, bound to nothing (every required field in error) and bound to
    awkward values, with the arguments its constructor asks for guessed by name."""
    guesses: dict[str, Any] = {
        "user": firm.lead,
        "actor": firm.lead,
        "matter": firm.matter,
        "documents": Document.objects.all(),
        "candidates": User.objects.all(),
        "users": User.objects.all(),
        "prefix": "p",
    }
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "data", "files") or param.kind in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            continue
        if param.default is inspect.Parameter.empty:
            if name not in guesses:
                return []
            kwargs[name] = guesses[name]
    out = []
    for data in (None, {}, {"p-x": "<b>&\"'"}):
        try:
            form = cls(data, **kwargs) if data is not None else cls(**kwargs)
            if data is not None:
                for name in form.fields:
                    form.data = {**form.data, form.add_prefix(name): "<b>&\"' 2026-01-02"}
                form.is_valid()
        except Exception:  # a form that needs more than a guess is skipped
            continue
        out.append(form)
    return out


def _render_both(form: forms.BaseForm) -> tuple[list[str], list[str]]:
    outs: list[list[str]] = []
    for renderer in (DjangoTemplates(), FastRenderer()):
        form.renderer = renderer
        parts = [str(form.as_div())]
        for bf in form:
            parts += [str(bf), str(bf.label_tag()), str(bf.errors), str(bf.as_field_group())]
        parts.append(str(form.non_field_errors()))
        outs.append(parts)
    return outs[0], outs[1]


@pytest.mark.parametrize("lang", ["zh-hans"])
def test_every_form_renders_as_the_templates_do(firm, lang):
    rendered = 0
    with translation.override(lang):
        for cls in _form_classes():
            for form in _instances(cls, firm):
                slow, fast = _render_both(form)
                assert fast == slow, cls
                rendered += 1
    assert rendered > 100


def test_widgets_of_every_kind():
    class Everything(forms.Form):
        text = forms.CharField(help_text="<i>help</i>", initial='a "quoted" <value>')
        number = forms.IntegerField(initial=1234567)
        decimal = forms.DecimalField(initial="12345.60")
        day = forms.DateField(initial=datetime.date(2026, 12, 6))
        when = forms.DateTimeField(initial=datetime.datetime(2026, 12, 6, 8, 30))
        flag = forms.BooleanField(required=False, initial=True)
        hidden = forms.CharField(widget=forms.HiddenInput, initial="h&h")
        notes = forms.CharField(widget=forms.Textarea, initial="line 1\n<line 2>")
        empty_notes = forms.CharField(widget=forms.Textarea, required=False)
        choice = forms.ChoiceField(
            choices=[("", "—"), ("a", "A & B"), ("Group", [("g1", "G1"), ("g2", 2)])],
            initial="g1",
        )
        many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], initial=["y"])
        radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect)
        boxes = forms.MultipleChoiceField(
            choices=[("c", "C")], widget=forms.CheckboxSelectMultiple, required=False
        )
        upload = forms.FileField(required=False)
        email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autofocus": True}))
        off = forms.CharField(required=False, widget=forms.TextInput(attrs={"disabled": False}))

    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for form in (
                Everything(),
                Everything({}),
                Everything({"text": "<x>", "number": "n", "notes": "a\nb", "choice": "zz"}),
                Everything(auto_id=False),
                Everything(prefix="p", label_suffix="："),
            ):
                form.is_valid() if form.is_bound else None
                slow, fast = _render_both(form)
                assert fast == slow


def _page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    # The outcome statistics' link carries a token of the page's own audit event
    # (matters.services.matter_view_token): a new one per page view.
    html = re.sub(r"([?&](?:amp;)?view=)[^\"&]*", r"\1", html)
    # A form sent once carries a new one-time key per page (core.once).
    html = re.sub(rf'name="{once.FIELD}" value="[^"]*"', "", html)
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "", html)  # CSRF tokens, masked per response


@pytest.mark.parametrize("persona", ["lead", "partner", "admin"])
def test_pages_with_many_forms_are_unchanged(firm, settings, persona):
    client = client_for(getattr(firm, persona))
    paths = [
        f"/matters/{firm.matter.pk}/",
        "/matters/",
        "/matters/?q=x&status=open",
        "/matters/new/",
    ]
    pages = {}
    for renderer in (
        "django.forms.renderers.DjangoTemplates",
        "lexcase.core.renderers.FastRenderer",
    ):
        settings.FORM_RENDERER = renderer
        pages[renderer] = [_page(client, path) for path in paths]
    slow, fast = pages.values()
    for path, a, b in zip(paths, slow, fast, strict=True):
        assert a == b, path
