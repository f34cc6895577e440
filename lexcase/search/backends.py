"""Engine backends: one small class per database vendor, chosen by `connection.vendor`.

Both receive an already gated and filtered `SearchEntry` queryset and the parsed query,
and return it restricted to matches and ordered best first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from lexcase.search import tokens as tok

ENTRY = "lexcase_search_searchentry"
FTS = "lexcase_search_fts"


@dataclass(frozen=True)
class Term:
    """One whitespace-separated query term.

    A term matches an entry when EITHER
    - `phrase` occurs: the term's token stream (one token per Chinese character, one per
      other alphanumeric run) at consecutive positions. This is exact substring semantics,
      so any text a `LIKE '%term%'` scan finds is found, whatever jieba made of the text
      (jieba segments by context: 法院 inside 人民法院院长 may not come out as a word) —
      and it is the only way a 1-character term can match at all;
    - OR (all-Chinese terms only) all of `words` occur anywhere: the term's jieba words, so
      合同纠纷 also finds "合同 … 纠纷" written apart. It also lifts entries where the term
      is a whole word in the ranking, since bm25/ts_rank count the extra matching tokens.
    A trailing Latin/digit run matches as a prefix (`zhang` finds `zhangsan`, `0105` finds
    `01050`), close to the substring behaviour users expect from the old LIKE filter.
    """

    phrase: tuple[str, ...]
    words: tuple[str, ...]
    prefix: bool


def parse_query(q: str) -> list[Term]:
    terms: list[Term] = []
    for raw in tok.query_terms(q):
        parts = tok.runs(raw)
        phrase = tuple(tok.stream(raw))
        prefix = bool(parts) and not parts[-1][0]
        words: list[str] = []
        for is_cjk, run in parts:
            if is_cjk and len(run) >= 2:
                words.extend(_query_words(run))
        # Only an all-Chinese term gets the words alternative: one with digits or Latin
        # letters is an identifier (案号 京0105民初, an amount, a name in pinyin) and must
        # match as written — 京0105民初 must not find 苏0105民初 via "0105" AND "民初".
        all_cjk = len(parts) == 1 and parts[0][0]
        has_word = all_cjk and any(len(w) >= 2 for w in words)
        terms.append(Term(phrase, tuple(dict.fromkeys(words)) if has_word else (), prefix))
    return terms


def _query_words(run: str) -> list[str]:
    # Precise mode for the query (fewest, longest words); the index holds cut_for_search
    # words, which include every precise-mode word.
    jieba = tok._jieba_module()
    return [w for w in jieba.cut(run, HMM=True) if len(w) >= 2] or [run]


class Backend:
    vendor = ""

    def expression(self, terms: list[Term]) -> str:
        raise NotImplementedError

    def match(self, qs: QuerySet, terms: list[Term], *, ranked: bool = True) -> QuerySet:
        """`qs` restricted to matches, best first (`ranked`) or newest first."""
        raise NotImplementedError

    def any_phrase_matters(self, terms: list[Term], *, kind: str) -> RawSQL:
        """SQL selecting the `matter_id` of the entries of `kind` that contain the phrase of
        at least one of `terms` (their `words` are not used), unordered: a candidate set for
        `pk__in`, not a ranking. Raw SQL, not an `extra()` queryset: it is used inside
        another query, where Django aliases the entry table and `extra()`'s names break."""
        raise NotImplementedError

    def count(self, qs: QuerySet, terms: list[Term], *, cap: int) -> int:
        """How many entries of `qs` match, counting no further than cap + 1."""
        # No ORDER BY: each engine stops at the first cap + 1 matches in its own order.
        return self.match(qs, terms, ranked=False).order_by().values("id")[: cap + 1].count()


class SqliteBackend(Backend):
    """FTS5 (external content over `tokens`, unicode61), ranked by bm25."""

    vendor = "sqlite"

    @staticmethod
    def _phrase(tokens: tuple[str, ...], prefix: bool) -> str:
        # Tokens are letters/digits only, so double-quoting them is always safe.
        return " + ".join(f'"{t}"' for t in tokens) + (" *" if prefix else "")

    def _term(self, term: Term) -> str:
        phrase = self._phrase(term.phrase, term.prefix)
        if not term.words:
            return f"({phrase})"
        words = " AND ".join(f'"{w}"' for w in term.words)
        return f"(({phrase}) OR ({words}))"

    def expression(self, terms: list[Term]) -> str:
        return " AND ".join(self._term(t) for t in terms)

    def match(self, qs: QuerySet, terms: list[Term], *, ranked: bool = True) -> QuerySet:
        # extra(): the FTS5 table is joined by rowid and ranked with bm25(), which the ORM
        # cannot express; only constant names are interpolated, the query is a parameter.
        # Newest first orders by the FTS rowid (= the entry id), which FTS5 walks in
        # order and stops early; ORDER BY the entry's id would sort every match first.
        select = {"rank": f"bm25({FTS})"} if ranked else {"fts_rowid": f"{FTS}.rowid"}
        matched = qs.extra(  # noqa: S610
            tables=[FTS],
            where=[f"{FTS}.rowid = {ENTRY}.id", f"{FTS} MATCH %s"],
            params=[self.expression(terms)],
            select=select,
        )
        return matched.order_by("rank", "-id") if ranked else matched.order_by("-fts_rowid")

    def any_phrase_matters(self, terms: list[Term], *, kind: str) -> RawSQL:
        expr = " OR ".join(f"({self._phrase(t.phrase, t.prefix)})" for t in terms)
        # Only constant names are interpolated; the query and the kind are parameters.
        return RawSQL(  # noqa: S611
            f"SELECT e.matter_id FROM {FTS} f JOIN {ENTRY} e ON e.id = f.rowid"  # noqa: S608
            f" WHERE f.{FTS} MATCH %s AND e.kind = %s",
            [expr, kind],
        )


class PostgresBackend(Backend):
    """tsvector('simple') stored column with a GIN index, ranked by ts_rank."""

    vendor = "postgresql"

    @staticmethod
    def _joined(tokens: tuple[str, ...], prefix: bool, op: str) -> str:
        """The tokens as tsquery operands joined by `op` (`<->` a phrase, `&` all of them),
        the last one a prefix when `prefix`."""
        parts = [f"'{t}'" for t in tokens]
        if prefix:
            parts[-1] += ":*"
        return f" {op} ".join(parts)

    def _term(self, term: Term) -> str:
        phrase = self._joined(term.phrase, term.prefix, "<->")
        if not term.words:
            return f"({phrase})"
        words = " & ".join(f"'{w}'" for w in term.words)
        return f"(({phrase}) | ({words}))"

    def expression(self, terms: list[Term]) -> str:
        return " & ".join(self._term(t) for t in terms)

    def match(self, qs: QuerySet, terms: list[Term], *, ranked: bool = True) -> QuerySet:
        expr = self.expression(terms)
        # extra(): `tsv` is a generated column the model does not declare; only constant
        # names are interpolated, the query is a parameter.
        matched = qs.extra(  # noqa: S610
            where=[f"{ENTRY}.tsv @@ to_tsquery('simple', %s)"], params=[expr]
        )
        if not ranked:
            return matched.order_by("-id")
        return matched.extra(  # noqa: S610
            select={"rank": f"ts_rank({ENTRY}.tsv, to_tsquery('simple', %s))"},
            select_params=[expr],
        ).order_by("-rank", "-id")

    def any_phrase_matters(self, terms: list[Term], *, kind: str) -> RawSQL:
        """The GIN index is asked for entries holding every token of a phrase (`&`, not
        `<->`), and the phrase itself is looked for in the entry's `tokens` text, where the
        stream is written space-separated in order (lexcase.search.tokens.index_tokens):
        `strpos(tokens, 'a b c') > 0`. Asked with `<->`, the index cannot tell the order
        (GIN keeps no positions), so every entry holding the characters was rechecked on
        its stored vector, which is out of line (TOAST) for about half the matter entries:
        two more page reads and a phrase evaluation per entry. `strpos` reads the `tokens`
        text of the row already read; not `LIKE`, whose estimate ran the pattern over the
        column's statistics (≈ 0.4 ms of planning a call). Each phrase's `a b c` is in the
        `tokens` of every entry the phrase matches (a last Latin/digit token, a prefix,
        may go on), so the candidates are at least the phrase's; the list's own conditions
        decide. One-token phrases need no check: the index answers them exactly (and then
        the check is left off for all: a superset). The characters of 有限公司, which most
        entries hold, are not asked of the index (`_asked`): the `tokens` check still finds
        them in the phrase."""
        phrases = list(dict.fromkeys((t.phrase, t.prefix) for t in terms))
        expr = " | ".join(
            f"({self._joined(_asked(phrase), prefix, '&')})" for phrase, prefix in phrases
        )
        texts = [" ".join(phrase) for phrase, _prefix in phrases]
        check = ""
        if all(len(phrase) > 1 for phrase, _prefix in phrases):
            check = " AND (" + " OR ".join(["strpos(e.tokens, %s) > 0"] * len(texts)) + ")"
        else:
            texts = []
        # Only constant names are interpolated; the query, the kind and the phrases are
        # parameters.
        return RawSQL(  # noqa: S611
            f"SELECT e.matter_id FROM {ENTRY} e"  # noqa: S608
            f" WHERE e.tsv @@ to_tsquery('simple', %s) AND e.kind = %s{check}",
            [expr, kind, *texts],
        )


# Characters held by most matter entries (their parties are mostly companies, …有限公司:
# 公 79%, 司 73%, 有 and 限 70% of the entries at 100k matters). In an AND of the GIN index
# each is a posting tree of most of the table to skip through for every candidate (a full
# party name with 公司 inside its trade name, 惠派国际公司传媒: 1.0 ms of the index scan,
# 0.3 ms without them), and each narrows the candidates little: at most to the share of
# entries that hold it.
_EVERYWHERE = frozenset("有限公司")


def _asked(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens of `phrase` the index is asked for: all but those of `_EVERYWHERE`, unless
    that leaves none (a one-token phrase, which has no `tokens` check, is asked whole).
    A prefix token (Latin letters or digits) is never left out, so it stays the last."""
    if len(phrase) < 2:
        return phrase
    return tuple(t for t in phrase if t not in _EVERYWHERE) or phrase


BACKENDS: dict[str, type[Backend]] = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def backend() -> Backend:
    try:
        return BACKENDS[connection.vendor]()
    except KeyError:
        vendor = connection.vendor
        raise RuntimeError(f"search: no backend for database vendor {vendor!r}") from None
