"""The form renderer (settings.FORM_RENDERER): Django's own templates, with the hot ones
written out in Python.

Django renders every form, field, label and widget through a template, and a `<select>`
includes one template per `<option>`: on the matter page (17 forms) that was about 40% of
the page's time. `FastRenderer` renders Django's built-in form, field, label, error-list and
input / select / textarea widget templates with functions that produce the same text
(`lexcase/core/tests/test_renderers.py` compares them with the templates for every form of
the project); any other template (a custom widget such as `matters/widgets/cause_select.html`,
radio buttons, multi-widgets, a non-empty error list) goes through the template as before.
This renderer's engine searches Django's form templates before the apps' directories, so
an app cannot override the built-in names these functions stand for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString

_CONTEXT = Context(autoescape=True)


def _v(value: Any) -> str:
    """`{{ value }}` with autoescape on."""
    if type(value) is str:
        return escape(value)
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, str):
        return conditional_escape(value)
    return render_value_in_context(value, _CONTEXT)


def _s(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` with autoescape on."""
    if type(value) is str:
        return escape(value)
    try:
        out = str(value) if isinstance(value, tuple) else "%s" % (value,)  # noqa: UP031 (stringformat's own %-formatting)
    except (ValueError, TypeError):
        return ""
    return out if isinstance(value, SafeData) else escape(out)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _v(name))
            if value is not True:
                out.append('="' + _s(value) + '"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (its trailing newline included)."""
    value = widget["value"]
    return (
        f'<input type="{_v(widget["type"])}" name="{_v(widget["name"])}"'
        + (f' value="{_s(value)}"' if value != None else "")  # noqa: E711 (the template's !=)
        + _attrs(widget["attrs"])
        + ">\n"
    )


def _option(option: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html (its trailing newline included)."""
    return (
        f'<option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_v(option['label'])}</option>\n"
    )


_OPTION = "django/forms/widgets/select_option.html"


def _select(widget: dict[str, Any]) -> str | None:
    out = [f'<select name="{_v(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_v(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_v(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        + (_v(value) if value else "")
        + "</textarea>\n"
    )


def _label(context: dict[str, Any]) -> str:
    """django/forms/label.html."""
    if context["use_tag"]:
        tag = _v(context["tag"])
        return f"<{tag}{_attrs(context['attrs'] or {})}>{_v(context['label'])}</{tag}>\n"
    return _v(context["label"]) + "\n"


def _errors(context: dict[str, Any]) -> str | None:
    """django/forms/errors/list/default.html of an empty list (non-empty: the template)."""
    return None if context["errors"] else ""


def _field(context: dict[str, Any]) -> str:
    """django/forms/field.html."""
    field = context["field"]
    use_fieldset = field.use_fieldset
    out = []
    if use_fieldset:
        described = field.aria_describedby
        out.append(
            "\n  <fieldset"
            + (f' aria-describedby="{_v(described)}"' if described else "")
            + ">\n  "
            + (_v(field.legend_tag()) if field.label else "")
            + "\n"
        )
    else:
        out.append("\n  " + (_v(field.label_tag()) if field.label else "") + "\n")
    out.append("\n")
    help_text = field.help_text
    if help_text:
        auto_id = field.auto_id
        out.append(
            '<div class="helptext"'
            + (f' id="{_v(auto_id)}_helptext"' if auto_id else "")
            + f">{help_text}</div>"
        )
    out.append("\n" + _v(field.errors) + "\n" + _v(field) + ("</fieldset>" if use_fieldset else ""))
    out.append("\n")
    return "".join(out)


def _form(context: dict[str, Any]) -> str:
    """django/forms/div.html."""
    errors = context["errors"]
    fields = context["fields"]
    hidden_fields = context["hidden_fields"]

    def hidden() -> str:
        return "".join(_v(f) for f in hidden_fields)

    out = [_v(errors), "\n"]
    if errors and not fields:
        out.append("\n  <div>" + hidden() + "</div>\n")
    out.append("\n")
    last = len(fields) - 1
    for i, (field, _field_errors) in enumerate(fields):
        classes = field.css_classes()
        out.append(
            "\n  <div"
            + (f' class="{_v(classes)}"' if classes else "")
            + ">\n    "
            + _v(field.as_field_group())
            + "\n    "
            + (f"\n      {hidden()}\n    " if i == last else "")
            + "\n</div>\n"
        )
    out.append("\n")
    if not fields and not errors:
        out.append("\n  " + hidden() + "\n")
    out.append("\n")
    return "".join(out)


_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input checkbox color date datetime email file hidden number password search tel "
        "text time url"
    ).split()
}
_FAST: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{name: lambda c: _input(c["widget"]) for name in _INPUTS},
    "django/forms/widgets/select.html": lambda c: _select(c["widget"]),
    "django/forms/widgets/textarea.html": lambda c: _textarea(c["widget"]),
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    "django/forms/field.html": _field,
    "django/forms/div.html": _form,
}


class FastRenderer(DjangoTemplates):
    """Django's DjangoTemplates form renderer, the hot built-in templates in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = _FAST.get(template_name)
        if fast is not None:
            out = fast(context)
            if out is not None:
                return SafeString(out.strip())
        return super().render(template_name, context, request)
