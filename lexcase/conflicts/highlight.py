"""Which part of a hit's name matched the checked name, marked up for the report.

The engine compares normalised keys (width, brackets, spacing, traditional characters and
case folded; legal forms and region prefixes dropped for core and trade names), so the
matched part is found in a per-character normalisation of the stored name and mapped back
to the characters the reviewer sees. When the mapping cannot place it (a folding that spans
characters), nothing is marked rather than the wrong part.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from lexcase.conflicts.engine import clean_credit_code, clean_id_number, clean_passport
from lexcase.core.fieldcrypt import decrypt
from lexcase.core.formcache import kept_cache_register
from lexcase.parties.identifiers import mask_identifier
from lexcase.parties.names import name_keys, normalize_name

# Matches where the stored name as a whole is what matched.
_WHOLE = {"name", "alias"}
# Matches where a key of the checked name appears inside the stored name.
_PART = {"core_name", "trade", "substring"}


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    return normalize_name(char)


# One character per key, never a name; dropped all the same when a person is anonymised (in
# every process: core.formcache.kept_cache_register), so no cache outlives the name's text.
kept_cache_register(_fold.cache_clear, lambda: _fold.cache_info().currsize)


def _folded(text: str) -> tuple[str, list[int]]:
    """The per-character normalised text, and for each of its characters the index of the
    original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold(char):
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


def match_span(text: str, needles: list[str]) -> tuple[int, int] | None:
    """(start, end) in `text` of the first needle found in its normalised form."""
    folded, origin = _folded(text)
    for needle in needles:
        if not needle:
            continue
        at = folded.find(needle)
        if at >= 0:
            return origin[at], origin[at + len(needle) - 1] + 1
    return None


def mark_span(text: str, span: tuple[int, int] | None) -> SafeString:
    if span is None:
        return escape(text)
    start, end = span
    return format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])


def _needles(matched_on: str, query: dict[str, Any]) -> list[str]:
    keys = name_keys(str(query.get("name") or ""), kind=str(query.get("kind") or "person"))
    if matched_on == "core_name":
        return [keys["core"]]
    if matched_on == "trade":
        return [keys["trade"]]
    # A substring hit may have matched the normalised, core or trade name: longest first.
    return sorted(dict.fromkeys(keys.values()), key=len, reverse=True)


def _identifier(query: dict[str, Any]) -> str:
    # A person's ID or passport number is shown masked: whoever reads the report (the whole
    # team of an intake) needs to see that it matched, not the number. A credit code is a
    # public registration number and is shown in full.
    # The report stores them encrypted (conflicts.services._json_query).
    personal = clean_id_number(decrypt(str(query.get("id_number") or ""))) or clean_passport(
        decrypt(str(query.get("passport") or ""))
    )
    if personal:
        return mask_identifier(personal)
    return clean_credit_code(str(query.get("credit_code") or ""))


def highlight_hit(hit: dict[str, Any], queries: list[dict[str, Any]]) -> SafeString:
    """The hit's party name as safe HTML with what matched the checked party in <mark>.

    A match on an alias or former name shows that name after the party's current name; an
    identifier match marks the identifier (an ID or passport number masked). Redacted hits
    have no name and give "".
    """
    name = hit.get("party_name") or ""
    if not name:
        return mark_safe("")
    index = hit.get("query")
    query = queries[index] if isinstance(index, int) and 0 <= index < len(queries) else {}
    matched_on = hit.get("matched_on") or ""
    matched_text = hit.get("matched_text") or name
    if matched_on == "id":
        identifier = _identifier(query)
        if not identifier:
            return escape(name)
        return format_html("{} <mark>{}</mark>", name, identifier)
    if matched_on in _WHOLE:
        span: tuple[int, int] | None = (0, len(matched_text))
    elif matched_on in _PART:
        span = match_span(matched_text, _needles(matched_on, query))
    else:
        # Fuzzy, pinyin and related hits share no exact text with the query worth marking.
        span = None
    marked = mark_span(matched_text, span)
    if normalize_name(matched_text) == normalize_name(name):
        return marked
    return format_html("{} ({})", name, marked)
