"""Pydantic types for API schemas: dates and times as a law firm means them, and bounded
numbers.

Every date, datetime and time an API operation accepts uses one of these (a test walks
every operation's inputs), so the civil range of `core/validators.py` holds everywhere.
Every integer and amount an operation accepts has a maximum the database can store (the
same test): an unbounded integer reaching a query overflows the column (an HTTP 500)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from lexcase.core.validators import MAX_AMOUNT, civil_date_message, civil_day


class CivilRange:
    """Marks a schema type as checked against the civil range."""

    def __repr__(self) -> str:
        return "CivilRange()"


CIVIL_RANGE = CivilRange()
SHANGHAI_OFFSET = dt.timedelta(hours=8)


def _in_range[T: (dt.date, dt.datetime)](value: T) -> T:
    if civil_day(value) is None:
        raise PydanticCustomError("civil_range", civil_date_message())
    return value


def _wall_clock(value: dt.time) -> dt.time:
    # A time without a date cannot be converted between offsets; the firm's times are
    # Asia/Shanghai wall-clock times, so only that offset (or none) is meaningful.
    if value.tzinfo is not None:
        if value.utcoffset() != SHANGHAI_OFFSET:
            raise PydanticCustomError(
                "civil_time",
                _("Give the time in Asia/Shanghai time, without another UTC offset."),
            )
        value = value.replace(tzinfo=None)
    return value


CivilDate = Annotated[dt.date, AfterValidator(_in_range), CIVIL_RANGE]
CivilDateTime = Annotated[dt.datetime, AfterValidator(_in_range), CIVIL_RANGE]
CivilTime = Annotated[dt.time, AfterValidator(_wall_clock), CIVIL_RANGE]


# Primary keys are BigAutoField (signed 64-bit); PositiveIntegerField (version counters,
# document version numbers) is signed 32-bit on PostgreSQL.
MAX_ID = 2**63 - 1
MAX_COUNTER = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_COUNTER)]
# An amount in 元 with at most two decimals (fen), never rounded silently.
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]


# A field limited to a model's choices: `Choices[str, Matter.Status]` (any `TextChoices`).
# The schema gets `Literal[<the enum's values>]`, computed from the enum when the module is
# read, so the OpenAPI document keeps an inline `enum` (no shared component per enum: many
# apps have a `Kind` or a `Status`) and the value stays a plain string; type checkers see
# `Annotated[str, <enum>]`, a `str`. The choices are written once, on the model.
if TYPE_CHECKING:
    from typing import Annotated as Choices
else:

    class Choices:
        def __class_getitem__(cls, params: tuple[type, Any]) -> Any:
            base, enum = params
            if base is not str:
                raise TypeError("Choices[str, SomeTextChoices]")
            return Literal[tuple(enum.values)]
