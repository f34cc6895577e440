"""Geometry of server-rendered SVG bar charts: no JavaScript, no inline style (strict CSP);
the template draws rects and texts from these numbers, CSS classes colour them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lexcase.insights.selectors import Section


def bar_chart(section: Section, *, width: int = 360) -> dict[str, Any] | None:
    col = section.chart_column
    pairs = [
        (str(row[0]), float(row[col]))
        for row in section.rows
        if len(row) > col and isinstance(row[col], int | float)
    ]
    if not pairs:
        return None
    top = max([v for _label, v in pairs] + [1.0])
    if section.chart_unit == "percent":
        top = 100.0
    bar_h, gap, label_w, value_w = 16, 6, 120, 50
    span = width - label_w - value_w
    bars = []
    for i, (label, value) in enumerate(pairs):
        w = round(span * value / top, 1)
        if section.chart_unit == "percent":
            shown = f"{value:g}%"
        elif col in section.money_columns:
            # Yuan, whole (the bar's label has no room for fen), half up as money rounds.
            shown = f"{Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP):,}"
        else:
            shown = f"{value:g}"
        bars.append(
            {
                "label": label,
                "value": shown,
                "y": i * (bar_h + gap),
                "text_y": i * (bar_h + gap) + bar_h - 4,
                "width": w,
                "value_x": label_w + w + 4,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": len(bars) * (bar_h + gap),
        "label_w": label_w,
        "bar_h": bar_h,
    }
