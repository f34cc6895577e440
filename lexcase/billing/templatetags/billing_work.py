"""Money in templates: `{{ amount|yuan }}` → ¥17,956,000.00 (half-up to the fen, once)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from lexcase.billing.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return _yuan(Decimal(value))


@register.filter
def hours(minutes: Any) -> str:
    """Minutes as hours with two decimals (90 → 1.50)."""
    if not minutes:
        return "0.00"
    return f"{Decimal(minutes) / 60:.2f}"
