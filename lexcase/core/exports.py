"""Lists as spreadsheets: Excel (`core.xlsx`) or CSV with a BOM (which
Excel opens as UTF-8). Every export goes through the same page selector as the page, and the
caller audits it."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from lexcase.core.xlsx import write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Control characters a worksheet cannot hold (openpyxl refuses the whole workbook: an HTTP
# 500) and no spreadsheet shows; tab, line feed and carriage return stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# What a spreadsheet runs as a formula when a cell starts with it (the matter import refuses
# such values: lexcase.matters.importing).
FORMULA_SIGNS = ("=", "+", "-", "@")


def safe_cell(value: Any) -> Any:
    """A cell that never runs as a formula: data starting with = + - @ is text (CSV/Excel
    injection), once the control characters are left out (a control character before "="
    hides no formula); numbers and dates stay as they are."""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        if value.startswith((*FORMULA_SIGNS, "\t", "\r")):
            return "'" + value
    return value


def table_response(
    *,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    as_csv: bool = False,
) -> HttpResponse:
    """`filename` without its extension; Chinese names survive (RFC 6266 filename*)."""
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([safe_cell("" if v is None else v) for v in row])
        response = HttpResponse(
            out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    data = io.BytesIO()
    cells = ([safe_cell(v) for v in row] for row in rows)
    write_workbook(data, [(filename, itertools.chain([list(headers)], cells))])
    response = HttpResponse(data.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
    return response
