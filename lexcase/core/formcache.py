"""The HTML of unbound forms, kept per everything their rendering reads.

A page that shows an empty form on every request (the matter page's communication quick
entry and document upload, ≈ 2 ms of its CPU: every field, label and widget rendered) renders
the same HTML whenever the form is built the same way. `unbound_html(form, render)` keeps
that HTML under a key made of what rendering an unbound form reads:

- the language and the current time zone (labels, help texts, choice labels, a datetime's
  initial value), and the template it is rendered with;
- the form's class and its instance state (prefix, auto_id, label suffix, initial values,
  `use_required_attribute` ...) and its renderer's class;
- for each field, in order: its name, class and instance state (label, help text, required,
  disabled, initial, choices, max_length ...) and its widget's class and instance state
  (attrs, choices, format, a checkbox's test when it is Django's `boolean_check` ...).

Values are frozen to plain data (lazy texts in the current language); anything that cannot
be (a queryset, a callable initial value or choices, a model instance) means the form is
rendered as usual and nothing is kept, as does a bound form (its data and errors), and a
form, field or widget class outside Django that overrides a method rendering reads. Nothing
of the reader is in a key: the same key gives the same HTML to whoever asks. Bounded; cleared
when a setting changes (the tests' overrides).

A key and its HTML hold the text the form was built with (a communication entry lists the
matter's documents by title), so `unbound_html_forget()` drops everything kept when such
text must go (a person anonymised, docs/security.md): in this process at once and again once
the transaction commits, and in every other process through a generation in the shared cache
(CACHES: the database table or Redis), which each process compares at the start of a request
or a task (at most every `FORGET_CHECK_S` while it keeps anything) and drops what it keeps on
a change.

Other in-process caches whose keys or values may hold what a person typed or was named by
(the matter list's filter fields keyed on q=, the search tokenizer's words, the conflict
report's folded characters) register with `kept_cache_register(clear, size)`: they are
dropped with the form HTML, here and through the same generation everywhere else."""

from __future__ import annotations

import datetime
import decimal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.signals import request_started, setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.forms.widgets import boolean_check
from django.tasks.signals import task_started
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_HTML: dict[tuple[Any, ...], SafeString] = {}
_HTML_MAX = 256
_LOCK = threading.Lock()
# The generation in the shared cache (`unbound_html_forget`), the last one this process saw,
# and when it next asks.
GENERATION_KEY = "lexcase.core.formcache:generation"
FORGET_CHECK_S = 10.0
_seen: list[Any] = [None]
_next_check = [0.0]
# (clear, size) of the other caches dropped with the form HTML (kept_cache_register).
_KEPT: list[tuple[Callable[[], Any], Callable[[], int]]] = []


class _Unfrozen(Exception):
    """A value whose rendering this module cannot vouch for."""


def _freeze(value: Any) -> Any:
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, Promise):
        return ("lazy", str(value))
    if isinstance(value, str):  # a choices enum member
        return (type(value), str(value))
    if isinstance(value, list | tuple):
        return (type(value), tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((_freeze(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal):
        return (type(value), str(value), getattr(value, "tzinfo", None) is not None)
    if isinstance(value, type):
        return value
    raise _Unfrozen(type(value).__name__)


# What rendering an unbound form calls, per class: a class outside Django that defines one of
# these could render from something the key does not hold.
_FORM_METHODS = frozenset(
    {"get_initial_for_field", "get_context", "render", "__getitem__", "__iter__",
     "_bound_items", "as_div", "add_prefix", "add_initial_prefix", "get_bound_field",
     "hidden_fields", "visible_fields", "non_field_errors", "errors", "full_clean"}
)  # fmt: skip
_FIELD_METHODS = frozenset(
    {"widget_attrs", "prepare_value", "bound_data", "get_bound_field", "has_changed",
     "valid_value", "_get_choices", "_set_choices", "choices"}
)  # fmt: skip
_WIDGET_METHODS = frozenset(
    {"get_context", "render", "_render", "format_value", "optgroups", "create_option",
     "id_for_label", "build_attrs", "use_required_attribute", "options", "subwidgets",
     "is_initial", "value_omitted_from_data"}
)  # fmt: skip
_FORM_SKIP = frozenset({"fields", "_bound_fields_cache", "renderer", "data", "files", "_errors"})
_FIELD_SKIP = frozenset({"widget", "validators", "error_messages", "coerce"})
_CHECKED: dict[type, bool] = {}


def _plain(cls: type, methods: frozenset[str]) -> bool:
    """Whether no class of `cls`'s outside Django defines one of `methods`."""
    if cls not in _CHECKED:
        _CHECKED[cls] = not any(
            not klass.__module__.startswith("django.") and methods & set(vars(klass))
            for klass in cls.__mro__
        )
    return _CHECKED[cls]


def _state(obj: Any, skip: frozenset[str]) -> Any:
    return tuple(
        (k, "boolean_check" if k == "check_test" and v is boolean_check else _freeze(v))
        for k, v in vars(obj).items()
        if k not in skip
    )


def form_key(form: Any, template: str) -> tuple[Any, ...] | None:
    """The key of `form`'s HTML rendered with `template`, or None: not kept."""
    if form.is_bound or not _plain(type(form), _FORM_METHODS):
        return None
    try:
        fields = []
        for name, field in form.fields.items():
            widget = field.widget
            if not (_plain(type(field), _FIELD_METHODS) and _plain(type(widget), _WIDGET_METHODS)):
                return None
            fields.append(
                (
                    name,
                    type(field),
                    _state(field, _FIELD_SKIP),
                    type(widget),
                    _state(widget, _FIELD_SKIP),
                )
            )
        return (
            template,
            get_language(),
            timezone.get_current_timezone_name(),
            type(form),
            type(form.renderer),
            _state(form, _FORM_SKIP),
            tuple(fields),
        )
    except _Unfrozen:
        return None


def unbound_html(form: Any, template: str, render: Callable[[], str]) -> SafeString:
    """`render()` (the form rendered with `template`), kept per `form_key`."""
    key = form_key(form, template)
    if key is None:
        return mark_safe(render())  # noqa: S308 -- Django's rendering of the form, escaped
    html = _HTML.get(key)
    if html is None:
        html = mark_safe(render())  # noqa: S308 -- Django's rendering of the form, escaped
        with _LOCK:
            if len(_HTML) >= _HTML_MAX:
                _HTML.clear()
            _HTML[key] = html
    return html


def kept_cache_register(clear: Callable[[], Any], size: Callable[[], int]) -> None:
    """Drop this cache with the form HTML, in this process and in every other one
    (`unbound_html_forget`): `clear()` empties it, `size()` says whether it holds anything."""
    if all(c != clear for c, _size in _KEPT):  # bound methods: equal, not identical
        _KEPT.append((clear, size))


def _clear_kept() -> None:
    _HTML.clear()
    for clear, _size in _KEPT:
        clear()


def _keeps_anything() -> bool:
    return bool(_HTML) or any(size() for _clear, size in _KEPT)


def unbound_html_forget() -> None:
    """Drop every form HTML kept, and every cache registered with `kept_cache_register`,
    here and in every other process (see the module's doc): text they were built with (a
    document's title, a person's name) is being removed. Call it inside the transaction
    that removes it."""
    _clear_kept()
    transaction.on_commit(_forget_everywhere)


def _forget_everywhere() -> None:
    # Again after the commit: a request of this process may have kept the old text between.
    _clear_kept()
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


@receiver([request_started, task_started])
def _check_generation(**kwargs: Any) -> None:
    """Drop what this process keeps when another process forgot (a new generation), at the
    start of a request or of a task (`db_worker` indexes text: the tokenizer's words). Asks
    the shared cache only while something is kept, at most every FORGET_CHECK_S."""
    if not _keeps_anything():
        return
    now = time.monotonic()
    if now < _next_check[0]:
        return
    _next_check[0] = now + FORGET_CHECK_S
    generation = cache.get(GENERATION_KEY)
    if generation != _seen[0]:
        _seen[0] = generation
        _clear_kept()


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    _HTML.clear()
