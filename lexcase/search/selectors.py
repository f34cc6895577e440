"""Search reads. Every query goes through the confidentiality gate (visible_through)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lexcase.accounts.models import AnyUser
from lexcase.matters.selectors import visible_through
from lexcase.search import tokens as tok
from lexcase.search.backends import Term, backend, parse_query
from lexcase.search.models import SearchEntry

SNIPPET_CHARS = 160


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    matter_id: int
    title: str
    snippet: str  # HTML-safe: everything escaped, matched terms wrapped in <mark>


def search(
    *,
    user: AnyUser,
    q: str,
    matter_id: int | None = None,
    category: str | None = None,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    terms = parse_query(q or "")
    if not terms or limit <= 0:
        return []
    qs = SearchEntry.objects.all()
    if matter_id is not None:
        qs = qs.filter(matter_id=matter_id)
    if category:
        qs = qs.filter(category=category)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from is not None:
        qs = qs.filter(on_date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(on_date__lte=date_to)
    engine = backend()
    ranked = engine.count(qs, terms, cap=RANK_CAP) <= RANK_CAP
    gated = qs.filter(visible_through(user, "matter"))
    ids = list(engine.match(gated, terms, ranked=ranked).values_list("id", flat=True)[:limit])
    by_id = SearchEntry.objects.defer("tokens").in_bulk(ids)
    rows = [by_id[i] for i in ids if i in by_id]
    return [
        SearchHit(
            kind=row.kind,
            id=row.object_id,
            matter_id=row.matter_id,
            title=row.title,
            snippet=snippet(row.text, terms, q),
        )
        for row in rows
    ]


def _substring_phrase(text: str) -> Term | None:
    """The phrase every entry containing `text` (as a substring) is sure to contain, or None
    when the index cannot promise one.

    The index holds one token per Chinese character and one per run of other letters and
    digits (lexcase.search.tokens), so inside a substring match every Chinese character and
    every inner Latin/digit run is a whole token of the entry, the last run may be the
    start of a longer token (a prefix query) and the first may be the end of one (dropped
    from the phrase: `0105民初` is found inside `京10105民初`). What it cannot serve, and the
    matter list then scans for with LIKE:
    - a term that is one Latin/digit run and nothing else (`0001`, `ms`, `105`): it may sit
      anywhere inside a token (`105` in `0105`), and neither FTS5 nor a tsvector finds infixes;
    - a term without letters or digits (`-`, `（`): there is no token to look up.
    """
    parts = tok.runs(text)
    if not parts or (len(parts) == 1 and not parts[0][0]):
        return None
    tokens = tok.stream(text)
    if not parts[0][0]:
        tokens = tokens[1:]
    return Term(tuple(tokens), (), prefix=not parts[-1][0])


def matter_text_candidates(raw: str, normalized: str) -> RawSQL | None:
    """The matter list's text index (registered with matters.extensions): the ids of the
    matters whose entry holds the phrase of `raw` or of `normalized` — a superset of the
    matters whose number, title, 案号 (`raw`) or a party's normalised name (`normalized`;
    the entries index those names too) contain the term — or None when either phrase
    cannot be looked up (see `_substring_phrase`). Not gated: the list's query applies the
    gate and its own conditions to these candidates."""
    terms: list[Term] = []
    for text in dict.fromkeys((raw, normalized)):
        term = _substring_phrase(text)
        if term is None:
            return None
        terms.append(term)
    return backend().any_phrase_matters(terms, kind=SearchEntry.Kind.MATTER.value)


# Ranking costs per match: bm25 / ts_rank over the 90,000 entries that contain 有限公司 take
# hundreds of milliseconds, and a best-first order over so many is no use to a reader
# anyway. Beyond RANK_CAP matches (before the gate) the newest come first, which both
# engines produce by walking the matches in id order and stopping at `limit` visible ones.
RANK_CAP = 2000


def _patterns(terms: list[Term], q: str) -> list[str]:
    """What to highlight: each query term literally, else its words/characters."""
    out: list[str] = []
    for raw in q.split():
        out.append(raw)
    for term in terms:
        out.extend(term.words)
    return [p for p in dict.fromkeys(out) if p]


def snippet(
    text: str, terms: list[Term], q: str | None = None, width: int = SNIPPET_CHARS
) -> SafeString:
    """A window of `text` around the first match, escaped, with matches in <mark>."""
    if q is None:
        q = " ".join("".join(t.phrase) for t in terms)
    patterns = _patterns(terms, q)
    # Longest first so 法院 wins over 法; case-insensitive like the index.
    patterns.sort(key=len, reverse=True)
    # Whitespace may sit between the characters (OCR output, PDF line ends): the index
    # ignores it (lexcase.search.tokens), so the highlighting does too.
    alternatives = ("\\s*".join(re.escape(ch) for ch in p) for p in patterns)
    rx = re.compile("|".join(alternatives), re.IGNORECASE) if patterns else None
    first = rx.search(text) if rx else None
    if first is None:
        window, lead, tail = text[:width], "", "…" if len(text) > width else ""
    else:
        start = max(0, first.start() - width // 3)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
        window = text[start:end]
        lead = "…" if start > 0 else ""
        tail = "…" if end < len(text) else ""
    window = " ".join(window.split())
    if rx is None:
        return escape(lead + window + tail)  # escape() returns a SafeString
    parts: list[str] = [escape(lead)]
    pos = 0
    for m in rx.finditer(window):
        parts.append(escape(window[pos : m.start()]))
        parts.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    parts.append(escape(window[pos:]))
    parts.append(escape(tail))
    return mark_safe("".join(parts))  # noqa: S308 -- every piece above is escaped
