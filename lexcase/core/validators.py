"""Input rules shared by every entry point (API, forms, middleware).

- The civil range: dates and datetimes a law firm's records can hold. Asia/Shanghai used
  local mean time (+08:05:43) before 1901, and far dates overflow date arithmetic (a
  deadline computed from 9999-12-31), so anything outside 1901-01-01..2100-12-31 is a typo
  or a probe. One constant, one check: the API's schema types (`core/schema.py`) use it and
  a form field can add `validate_civil_date` as a validator.
- NUL characters: PostgreSQL cannot store them in text, and no person types one.
- MAX_AMOUNT: the largest amount in 元 an input may give. Money columns hold 14 integer
  digits, but SQLite keeps decimals as binary floats (exact to 15 significant digits):
  99,999,999,999,999.98 read back as 100,000,000,000,000.00 and failed to load. Below one
  trillion 元 with the fen, every figure survives both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CIVIL_TZ = ZoneInfo("Asia/Shanghai")
CIVIL_DATE_MIN = date(1901, 1, 1)
CIVIL_DATE_MAX = date(2100, 12, 31)

NUL = "\x00"

MAX_AMOUNT = Decimal("999999999999.99")


def civil_date_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {
        "min": CIVIL_DATE_MIN.isoformat(),
        "max": CIVIL_DATE_MAX.isoformat(),
    }


def civil_day(value: date | datetime) -> date | None:
    """The civil (Asia/Shanghai) day of `value`, or None when it has none in range.

    A naive datetime is already civil time; an aware one is converted first (which can
    overflow at the ends of Python's calendar)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            try:
                value = value.astimezone(CIVIL_TZ)
            except OverflowError:
                return None
        value = value.date()
    return value if CIVIL_DATE_MIN <= value <= CIVIL_DATE_MAX else None


def validate_civil_date(value: date | datetime) -> None:
    """Django validator for form and model fields: the value lies in the civil range."""
    if civil_day(value) is None:
        raise ValidationError(civil_date_message(), code="civil_range")


def has_utf8(text: str) -> bool:
    """False for text no database can store, such as a lone surrogate (U+D800 alone)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def nul_message() -> str:
    return _("Remove the NUL character (U+0000); it cannot be stored.")


def unstorable_message(text: str) -> str | None:
    """Why `text` cannot be stored (a NUL, a lone surrogate), or None when it can."""
    if NUL in text:
        return nul_message()
    if not has_utf8(text):
        return _("Remove the character that cannot be stored (a lone UTF-16 surrogate).")
    return None


def printable_key(key: object) -> str:
    """A parameter or key name fit to appear in an error message (its NUL made visible)."""
    return str(key).replace(NUL, "\\u0000")


def _walk(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            key_path = (*path, printable_key(key))
            if NUL in str(key):
                yield key_path
            else:
                yield from _walk(item, key_path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, str(index)))


def nul_fields(value: Any) -> list[str]:
    """Dotted paths (`parties.0.name`) of every string in a parsed JSON value, or a
    `{name: [values]}` mapping, that holds a NUL character; `__all__` for the value itself."""
    return [".".join(path) or "__all__" for path in _walk(value, ())]


def querydict_nul_fields(data: Any) -> list[str]:
    """Names of the parameters of a QueryDict (query string or form) holding a NUL."""
    return [
        printable_key(key)
        for key, values in data.lists()
        if NUL in key or any(NUL in v for v in values if isinstance(v, str))
    ]
