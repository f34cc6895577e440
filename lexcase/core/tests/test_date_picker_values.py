"""A date picker (``<input type=date>`` / ``datetime-local``) shows its value only in ISO
form. Django formats a widget's value in the UI language (zh-hans: ``2026/12/08 18:00``),
which the browser rejects and shows empty: editing a task, a document or a hearing in
Chinese then cleared its date on save. Every picker of every form renders ISO."""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation

import lexcase

ISO = {"date": "2026-12-08", "datetime-local": "2026-12-08T18:00"}


def _form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for info in pkgutil.walk_packages(lexcase.__path__, "lexcase."):
        name = info.name
        if (
            ".tests" in name
            or ".migrations" in name
            or not (name.endswith(".forms") or ".forms." in name)
        ):
            continue
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == name:
                found[f"{name}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def _pickers() -> list[tuple[str, forms.Widget]]:
    rows = []
    for form in _form_classes():
        for field_name, field in form.base_fields.items():
            if getattr(field.widget, "input_type", None) in ISO:
                rows.append((f"{form.__module__}.{form.__qualname__}.{field_name}", field.widget))
    return rows


def test_the_scan_finds_the_pickers():
    names = [name for name, _ in _pickers()]
    assert "lexcase.todos.forms.TaskEditForm.due_at" in names
    assert "lexcase.documents.forms.EditForm.on_date" in names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_picker_renders_its_value_in_iso_form(language):
    value = {
        "date": datetime.date(2026, 12, 8),
        "datetime-local": datetime.datetime(2026, 12, 8, 18),
    }
    wrong = []
    with translation.override(language):
        for name, widget in _pickers():
            shown = widget.format_value(value[widget.input_type])
            if shown != ISO[widget.input_type]:
                wrong.append(f"{name}: {shown!r}")
    assert wrong == []
