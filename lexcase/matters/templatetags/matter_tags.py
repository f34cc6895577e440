from __future__ import annotations

from typing import Any

from django import template

from lexcase.matters import timeline

register = template.Library()


@register.filter
def timeline_text(entry: Any) -> str:
    return timeline.timeline_text(entry)
