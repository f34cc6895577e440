from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from lexcase.conflicts.highlight import highlight_hit
from lexcase.conflicts.models import MatchedOn, Verdict
from lexcase.parties.identifiers import mask_identifier

register = template.Library()


@register.filter
def conflict_highlight(hit: dict[str, Any], queries: list[dict[str, Any]]) -> SafeString:
    """`{{ hit|conflict_highlight:conflict_check.query }}`: the hit's name, matched part marked."""
    return highlight_hit(hit, list(queries or []))


@register.filter
def masked_identifier(value: str) -> str:
    """`{{ party.id_number|masked_identifier }}`: 110***********1233; "" stays ""."""
    return mask_identifier(value) if value else ""


@register.filter
def matched_on_label(value: str) -> str:
    return str(MatchedOn(value).label) if value in MatchedOn.values else value


@register.filter
def verdict_label(verdict: str) -> str:
    return str(Verdict(verdict).label) if verdict in Verdict.values else verdict
