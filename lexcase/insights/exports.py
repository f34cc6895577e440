"""The dashboard as an Excel workbook: a summary sheet (scope, filters, named figures with
their definitions) and one sheet per section with the same numbers as the page."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from lexcase.core.exports import safe_cell as _cell
from lexcase.insights.selectors import Dashboard


def dashboard_workbook(board: Dashboard, *, filters_text: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook  # heavy: only when exporting

    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    ws.append([_("Counts"), board.counts])
    for label, value in filters_text:
        ws.append([label, _cell(value)])
    ws.append([])
    ws.append([_("Figure"), _("Name"), _("Value"), _("Unit"), _("Definition")])
    for fig in board.figures():
        value = fig["value"]
        if fig["unit"] == "share" and value is not None:
            value = round(value, 4)
        ws.append([_cell(fig["label"]), fig["name"], value, fig["unit"], _cell(fig["definition"])])
    for section in board.sections:
        sheet = wb.create_sheet(section.name[:31])
        sheet.append([_cell(section.title)])
        sheet.append([_cell(section.definition)])
        sheet.append([])
        sheet.append([_cell(c) for c in section.columns])
        for row in section.rows:
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
