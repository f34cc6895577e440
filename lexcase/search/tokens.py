"""Chinese-aware tokenisation shared by indexing and querying (docs/architecture.md,
"Documents, search, archive and the portal").

Neither SQLite FTS5 (`trigram` needs three characters) nor PostgreSQL's parser (a run of
Han characters is one lexeme) finds one- and two-character Chinese terms, so we tokenise
ourselves and hand both engines plain space-separated tokens:

- the *stream*: the text in order, one token per Han/kana character and one per run of
  other letters/digits (NFKC-normalised, case-folded). Phrase queries over the stream give
  exact substring semantics for Chinese, the same recall as a `LIKE '%term%'` scan;
- followed by the jieba *words* of every Han run (two characters or more), so that words
  are indexed as units too and rank well (bm25 / ts_rank count them).

The stream does not mark where one run ends and the next begins: the characters either
side of a space, a line break or a punctuation mark are adjacent. Chinese is written
without spaces, so a space or line break inside Chinese text is layout (PDF line ends, OCR
spacing): 人民法\n院 must be found by 法院, and is. The price is that a term may also match
across punctuation (院，民 for 院民), which only ever adds hits.

Tokens never mix scripts and contain only letters and digits, so FTS5 `unicode61` and
PostgreSQL's `simple` parser both keep each token exactly as produced.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

from lexcase.core.formcache import kept_cache_register

# Han (incl. extension A and the supplementary planes) and Japanese kana: indexed per character.
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_CJK_ONLY = re.compile(rf"^[{_CJK}]+$")

# An indexed document is capped so one huge OCR result cannot exceed PostgreSQL's 1 MB
# tsvector limit or dominate the index; the raw text is still kept whole for snippets.
MAX_INDEXED_CHARS = 200_000

_jieba_lock = threading.Lock()
_jieba: Any = None


def _jieba_module() -> Any:
    """jieba, imported lazily and its dictionary loaded once per process (≈1 s)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                # jieba's dictionary is large: loaded once, on the first tokenisation.
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def runs(text: str) -> list[tuple[bool, str]]:
    """(is_cjk, run) for each run of Han/kana or of other letters/digits, in order."""
    return [(bool(m.group(1)), m.group(0)) for m in _RUN.finditer(normalize(text))]


def stream(text: str) -> list[str]:
    """One token per CJK character, one per other alphanumeric run, in text order."""
    out: list[str] = []
    for is_cjk, run in runs(text):
        if is_cjk:
            out.extend(run)
        else:
            out.append(run)
    return out


@lru_cache(maxsize=4096)
def _words_cached(run: str) -> tuple[str, ...]:
    return tuple(_words(run))


# Its keys are runs of indexed text and queries (a party's name): dropped when a person is
# anonymised, in every process (core.formcache.kept_cache_register).
kept_cache_register(_words_cached.cache_clear, lambda: _words_cached.cache_info().currsize)


def _words(run: str) -> list[str]:
    jieba = _jieba_module()
    # cut_for_search also yields the shorter words inside long ones (中华人民共和国 → 中华,
    # 人民, 共和国 …), so a query word segmented differently still meets an indexed word.
    return [w for w in jieba.cut_for_search(run, HMM=True) if len(w) >= 2 and _CJK_ONLY.match(w)]


def words(run: str) -> list[str]:
    """jieba words (≥ 2 characters) of one Han run."""
    if len(run) < 2:
        return []
    if len(run) <= 32:
        return list(_words_cached(run))
    return _words(run)


def index_tokens(text: str) -> str:
    """The space-separated token string stored in the index for `text`."""
    text = text[:MAX_INDEXED_CHARS]
    parts = runs(text)
    out: list[str] = []
    for is_cjk, run in parts:
        if is_cjk:
            out.extend(run)
        else:
            out.append(run)
    for is_cjk, run in parts:
        if is_cjk:
            out.extend(words(run))
    return " ".join(out)


def query_terms(q: str) -> list[str]:
    """The user's query split on whitespace; each term is matched, and all must match."""
    return [t for t in q.split() if stream(t)]
