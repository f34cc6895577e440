"""What every billing service shares: the reader's language for the calculators' steps, the
LEXCASE_BILLING settings, field-error helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lexcase.core.validators import civil_date_message, civil_day

Errors = dict[str, list[str]]
# The first amount a money column (16 digits, 2 of them decimals) cannot hold.
MAX_AMOUNT = Decimal("100000000000000")


def ui_lang() -> str:
    """The request's language as the pure calculators take it ("zh" or "en")."""
    return "en" if (get_language() or "").startswith("en") else "zh"


def billing_setting(key: str) -> Any:
    return settings.LEXCASE_BILLING[key]


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_past_date(errors: Errors, field: str, value: date | None) -> None:
    """A date money moved or a document was issued: given, in the civil range, not ahead."""
    if value is None:
        add_error(errors, field, _("Enter a date."))
    elif civil_day(value) is None:
        add_error(errors, field, civil_date_message())
    elif value > timezone.localdate():
        add_error(errors, field, _("The date is in the future."))


def check_civil_date(errors: Errors, field: str, value: date | None) -> None:
    """A date the firm's records can hold (the civil range of core/validators), when given:
    0001-01-01 or 9999-12-31 typed by mistake is refused, never stored."""
    if value is not None and civil_day(value) is None:
        add_error(errors, field, civil_date_message())


def check_positive(errors: Errors, field: str, value: Decimal | None) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        add_error(errors, field, _("Enter an amount."))
    elif value <= 0:
        add_error(errors, field, _("The amount must be greater than zero."))
    elif value >= MAX_AMOUNT:
        # Money columns hold 16 digits; a larger figure would fail in the database.
        add_error(errors, field, _("The amount is too large."))
    elif value != value.quantize(Decimal("0.01")):
        add_error(errors, field, _("Amounts have at most two decimal places (fen)."))
