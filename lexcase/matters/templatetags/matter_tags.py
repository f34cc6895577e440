from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from lexcase.core.formcache import kept_cache_register
from lexcase.core.forms import ValuesChoiceField
from lexcase.matters import timeline

register = template.Library()


@register.filter
def timeline_text(entry: Any) -> str:
    return timeline.timeline_text(entry)


@register.simple_tag
def matter_rows(
    items: Iterable[Any], teams: Mapping[int, Sequence[Any]] | None = None, compact: bool = False
) -> SafeString:
    """The rows of `matters/_table.html`, rendered here rather than by the template engine:
    a row through the engine cost ≈ 150 µs (50 rows: the largest part of the matter list's
    rendering; docs/benchmarks.md, "Matter list"). Every value is escaped as the template
    escaped it (`html.escape`, which Django's `escape` wraps); what repeats on a page (a
    choice's label, a code, a team member's name) is escaped once per page. `teams` maps a
    matter's id to the members shown (`matters.selectors.matters_with_leads`)."""
    # Per field, the escaped label of each value met on this page (get_FOO_display once).
    labels: dict[str, dict[Any, str]] = {
        f: {} for f in ("priority", "status", "matter_type", "stage")
    }

    def label(m: Any, field: str) -> str:
        seen = labels[field]
        value = getattr(m, field)
        text = seen.get(value)
        if text is None:
            text = seen[value] = esc(getattr(m, f"get_{field}_display")())
        return text

    codes: dict[str, str] = {}

    def code(value: str) -> str:
        text = codes.get(value)
        if text is None:
            text = codes[value] = esc(value)
        return text

    people: dict[str, str] = {}

    def person(name: str) -> str:
        text = people.get(name)
        if text is None:
            text = people[name] = f'<span class="person">{esc(name)}</span>'
        return text

    # The current time zone once per page (timezone.localtime asked for it per row).
    tz = timezone.get_current_timezone()

    confidential = f' <span class="tag tag-conf">{esc(gettext("Confidential"))}</span>'
    # One reverse() per page: the detail URL of pk 0 with the pk put in its place.
    before, after = esc(reverse("matters:detail", args=[0])).rsplit("/0/", 1)
    no_team: Sequence[Any] = ()
    teams = teams or {}
    rows = []
    for m in items:
        row = (
            f'<tr>\n    <td class="nowrap"><a href="{before}/{int(m.pk)}/{after}">'
            f"{esc(m.number)}</a></td>\n"
            f"    <td>{esc(m.title)}{confidential if m.confidential else ''}</td>\n"
            f'    <td><span class="prio prio-{code(m.priority)}">'
            f"{label(m, 'priority')}</span></td>\n"
            f'    <td><span class="status status-{code(m.status)}">{label(m, "status")}</span></td>'
        )
        if not compact:
            team = "".join([person(lead.name) for lead in teams.get(m.pk, no_team)])
            row += (
                f"\n    <td>{label(m, 'matter_type')}</td>\n    <td>{label(m, 'stage')}</td>"
                f'\n    <td>{team}</td>\n    <td class="nowrap">'
                f"{_minute(m.updated_at, tz)}</td>"
            )
        rows.append(row + "\n  </tr>")
    return mark_safe("\n  ".join(rows))  # noqa: S308 -- every value above is escaped


def _minute(value: Any, tz: Any) -> str:
    """`value` in `tz` as `%Y-%m-%d %H:%M` ("" for None), without strftime's cost for years
    of four digits (the C library's %Y pads no shorter year: those go through it)."""
    if not value:
        return ""
    local = value.astimezone(tz)
    if local.year < 1000:
        return local.strftime("%Y-%m-%d %H:%M")
    return f"{local.year}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


# The filter form's fields as HTML, per what decides them (filter_fields); bounded. Its keys
# and HTML hold the submitted q= (a party's name): dropped when a person is anonymised, in
# every process (core.formcache.kept_cache_register).
_FILTER_HTML: dict[tuple[Any, ...], SafeString] = {}
_FILTER_HTML_MAX = 256
kept_cache_register(_FILTER_HTML.clear, _FILTER_HTML.__len__)


@register.simple_tag
def filter_fields(form: Any) -> SafeString:
    """The fields of a filter form as `{% for field in form %}<div class="field"><label
    for=...>{{ field.label }}</label>{{ field }}</div>{% endfor %}` rendered them, kept per
    language, form class, submitted values, errors and the rows of its `ValuesChoiceField`s
    (read once per request: the people and practice areas as they are now): the same key
    gives the same HTML, so the list pays the rendering (≈ 1.2 ms of its 7 selects) once per
    combination, not on every page. Nothing of the reader is in it: the choices are the
    firm's, the values the request's own."""
    rows = tuple(
        (name, tuple(field.rows()))
        for name, field in form.fields.items()
        if isinstance(field, ValuesChoiceField)
    )
    data = None
    if form.is_bound:
        getlist = getattr(form.data, "getlist", lambda k: [form.data.get(k)])
        data = tuple((name, tuple(getlist(form.add_prefix(name)))) for name in form.fields)
    errors = tuple(sorted(form.errors)) if form.is_bound else ()
    key = (type(form), get_language(), form.prefix, form.auto_id, data, errors, rows)
    html = _FILTER_HTML.get(key)
    if html is None:
        html = mark_safe(  # noqa: S308 -- Django's own rendering of each field, escaped
            "".join(
                f'\n  <div class="field"><label for="{conditional_escape(bf.id_for_label)}">'
                f"{conditional_escape(bf.label)}</label>{bf}</div>\n  "
                for bf in form
            )
        )
        if len(_FILTER_HTML) >= _FILTER_HTML_MAX:
            _FILTER_HTML.clear()
        _FILTER_HTML[key] = html
    return html


def esc(value: Any) -> str:
    return html.escape(str(value))


# A primary key no party has: reversed once per page, then replaced by each row's.
_PK_MARK = 987654321987


def url_of(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for many pks with one reverse (the URL's only argument is
    an integer primary key): the reversed URL of a mark, split around it."""
    head, tail = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"


@register.simple_tag
def party_rows(page: Any) -> SafeString:
    """The rows of the party directory (`parties/list.html`), rendered here rather than by
    the template engine, as `matter_rows` does for the matter list: through the engine the
    50 rows were most of the page's rendering (a `{% url %}` each; docs/benchmarks.md,
    "Party directory"). Values escaped as the template escaped them."""
    detail = url_of("parties:detail")
    kinds: dict[str, str] = {}

    def kind(p: Any) -> str:
        if p.kind not in kinds:
            kinds[p.kind] = esc(p.get_kind_display())
        return kinds[p.kind]

    return mark_safe(  # noqa: S308 -- every value is escaped
        "\n  ".join(
            f'<tr><td><a href="{esc(detail(p.pk))}">{esc(p.name)}</a></td><td>{kind(p)}</td>'
            f'<td>{esc(p.credit_code)}</td><td class="num">{int(n)}</td></tr>'
            for p, n in page.rows
        )
    )
