"""The dashboard as an Excel workbook: a summary sheet (scope, filters, named figures with
their definitions) and one sheet per section with the same numbers as the page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from lexcase.core.exports import safe_cell as _cell
from lexcase.core.xlsx import write_workbook
from lexcase.insights.selectors import Dashboard, Section


def dashboard_workbook(board: Dashboard, *, filters_text: list[tuple[str, str]]) -> bytes:
    def summary() -> Iterator[list[Any]]:
        yield [_("Counts"), board.counts]
        for label, value in filters_text:
            yield [label, _cell(value)]
        yield []
        yield [_("Figure"), _("Name"), _("Value"), _("Unit"), _("Definition")]
        for fig in board.figures():
            value = fig["value"]
            if fig["unit"] == "share" and value is not None:
                value = round(value, 4)
            yield [_cell(fig["label"]), fig["name"], value, fig["unit"], _cell(fig["definition"])]

    def section_rows(section: Section) -> Iterator[list[Any]]:
        yield [_cell(section.title)]
        yield [_cell(section.definition)]
        yield []
        yield [_cell(c) for c in section.columns]
        for row in section.rows:
            yield [_cell(v) for v in row]

    out = io.BytesIO()
    write_workbook(
        out,
        [("summary", summary()), *((s.name, section_rows(s)) for s in board.sections)],
    )
    return out.getvalue()
