"""Generic template tags (any app's templates): query strings, dictionary lookups."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from lexcase.core.formcache import unbound_html
from lexcase.core.once import once_field

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (or removed when empty)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def dict_get(mapping: dict, key: Any) -> Any:
    return mapping.get(key, ()) if mapping else ()


@register.filter
def amount(value: Any) -> str:
    """A sum of money without its currency sign, thousands separated, two decimals:
    1500.5 → 1,500.50 (a figure whose label names the currency, ¥)."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{number:,.2f}"


@register.filter
def groups_of(text: Any, size: int = 4) -> list[str]:
    """A long code cut into groups to read or type by hand (a TOTP secret: ABCD EFGH …)."""
    value = str(text or "")
    return [value[i : i + size] for i in range(0, len(value), size)]


@register.simple_tag
def unbound_form(form: Any, template: str = "") -> SafeString:
    """`{{ form.as_div }}` (or `form` rendered with `template`, whose context is the form
    alone), the HTML kept for an unbound form per everything its rendering reads
    (core.formcache)."""
    if template:
        return unbound_html(form, template, lambda: render_to_string(template, {"form": form}))
    return unbound_html(form, "as_div", form.as_div)


# A one-time key for a form that records something (core.once): `{% once_field %}`.
register.simple_tag(once_field, name="once_field")
