"""Parsing and canonical formatting of Chinese court case numbers (案号).

Layout, per 最高人民法院关于人民法院案件案号的若干规定 (2015, amended 2018)::

    （2024）京0105民初12345号
    │       │     │   └ sequence number, then 号
    │       │     └ 类型代字 (case type code), optionally preceded by a 专门审判代字 such as 知
    │       └ 法院代字: 最高法, or a province abbreviation + 2 digits (intermediate court)
    │         or 4 digits (basic court); the abbreviation alone is the high court
    └ year the case was filed, in brackets

Input is forgiving about what people actually paste (ASCII or full-width brackets, 〔〕,
square brackets, stray whitespace, full-width digits); output is always the canonical form
with full-width ``（）``. Suffixes used on individual documents (``…号之一``) are not part of
the case number and are rejected.

``TYPE_CODES`` covers the common codes only, not the full appendix of the 规定; unknown
codes are rejected so typos surface early, which means a rare but valid code needs adding
here before it can be entered.

This module is deliberately free of Django: errors carry a stable ``code`` and an English
message, and callers (forms, API schemas) translate them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from lexcase.matters.courts_data import COURT_CODES

__all__ = [
    "MAX_SEQ",
    "MIN_YEAR",
    "PROVINCE_CODES",
    "SPECIAL_CODES",
    "SUPREME_COURT_CODE",
    "TYPE_CODES",
    "CaseNumber",
    "CaseNumberError",
    "ErrorCode",
    "court_name_for",
    "max_year",
    "parse_case_number",
]

ErrorCode = Literal["format", "year", "court", "type", "number"]
CourtLevel = Literal["supreme", "high", "intermediate", "basic"]

MIN_YEAR = 1990
MAX_SEQ = 99_999_999  # 8 digits

SUPREME_COURT_CODE = "最高法"
# 兵 is the Xinjiang Production and Construction Corps court system, 军 the military courts;
# 港澳台 are in the national code table even though those courts do not use 案号 in practice.
PROVINCE_CODES = frozenset(
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳台兵军"
)
# 专门审判代字: the specialised-trial marker between the court code and the type code,
# e.g. （2019）最高法知民终1号.
SPECIAL_CODES = frozenset("知金海环互")

TYPE_CODES: dict[str, str] = {
    # Civil
    "民初": "civil first instance",
    "民终": "civil second instance",
    "民申": "civil retrial application",
    "民抗": "civil protest by procuratorate",
    "民再": "civil retrial",
    "民监": "civil trial supervision",
    "民特": "civil special procedure",
    "民督": "civil payment order",
    "民催": "civil public summons",
    "民辖": "civil jurisdiction objection",
    "民辖终": "civil jurisdiction appeal",
    "民辖监": "civil jurisdiction supervision",
    "民撤": "civil third-party revocation",
    "民他": "civil other",
    # Criminal
    "刑初": "criminal first instance",
    "刑终": "criminal second instance",
    "刑核": "criminal sentence review",
    "刑申": "criminal retrial application",
    "刑抗": "criminal protest by procuratorate",
    "刑再": "criminal retrial",
    "刑辖": "criminal jurisdiction",
    "刑更": "criminal sentence commutation or parole",
    "刑医": "criminal compulsory medical treatment",
    "刑他": "criminal other",
    # Administrative
    "行初": "administrative first instance",
    "行终": "administrative second instance",
    "行申": "administrative retrial application",
    "行抗": "administrative protest by procuratorate",
    "行再": "administrative retrial",
    "行监": "administrative trial supervision",
    "行辖": "administrative jurisdiction",
    "行审": "administrative non-litigation enforcement review",
    "行他": "administrative other",
    # Preservation outside litigation
    "财保": "property preservation",
    "行保": "conduct preservation",
    # Enforcement
    "执": "enforcement",
    "执恢": "enforcement resumption",
    "执保": "enforcement preservation",
    "执异": "enforcement objection",
    "执复": "enforcement reconsideration",
    "执监": "enforcement supervision",
    "执协": "enforcement coordination",
    "执他": "enforcement other",
    # Bankruptcy
    "破": "bankruptcy",
    "破申": "bankruptcy application",
    # State compensation and judicial aid
    "赔": "state compensation",
    "委赔": "state compensation committee",
    "法赔": "state compensation by court",
    "司救": "judicial aid",
}

# The stage of the proceedings a type code names (民初 → first instance, 民终 → second
# instance, 民申 → retrial …), keyed by the type code without its specialised-trial marker
# (知民终 → 民终). Codes that do not tell a stage (民特, 民辖, 财保, 破 …) are absent: the
# stage is then the one the lawyer chose or the matter's current stage. A firm adds or
# changes rows with the setting LEXCASE_CASE_NUMBER_STAGES ({"民辖终": "second_instance"}).
TYPE_CODE_STAGES: dict[str, str] = {
    **dict.fromkeys(("民初", "刑初", "行初"), "first_instance"),
    **dict.fromkeys(("民终", "刑终", "行终"), "second_instance"),
    **dict.fromkeys(
        ("民申", "民抗", "民再", "民监", "刑申", "刑抗", "刑再", "行申", "行抗", "行再", "行监"),
        "retrial",
    ),
    **dict.fromkeys(("执", "执恢", "执保", "执异", "执复", "执监", "执协"), "enforcement"),
}

_OPEN_BRACKETS = "(〔[【"
_CLOSE_BRACKETS = ")〕]】"
# Brackets are matched independently rather than as pairs: mixed pairs such as "(2024）"
# are a common artefact of switching input method mid-typing and carry no ambiguity.
_SHAPE = re.compile(
    rf"[{re.escape(_OPEN_BRACKETS)}](?P<year>[^{re.escape(_CLOSE_BRACKETS)}]*)"
    rf"[{re.escape(_CLOSE_BRACKETS)}](?P<body>.*)号"
)
# [0-9] rather than \d or str.isdigit(): those also accept e.g. Arabic-Indic digits, which
# NFKC leaves alone and int() would silently convert.
_YEAR = re.compile(r"[0-9]{4}")
_ASCII_DIGITS = frozenset("0123456789")


class CaseNumberError(ValueError):
    """A case number failed to parse.

    ``code`` is one of "format", "year", "court", "type", "number" and is stable, so callers
    can map it to a translated message instead of parsing the English text.
    """

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.message = message
        self.code: ErrorCode = code


@dataclass(frozen=True)
class CaseNumber:
    """The components of a case number; ``court`` includes its digits (``京0105``)."""

    year: int
    court: str
    special: str
    type_code: str
    seq: int

    @property
    def canonical(self) -> str:
        return f"（{self.year}）{self.court}{self.special}{self.type_code}{self.seq}号"

    @property
    def type_label(self) -> str:
        return TYPE_CODES[self.type_code]

    @property
    def court_level(self) -> CourtLevel:
        if self.court == SUPREME_COURT_CODE:
            return "supreme"
        levels: dict[int, CourtLevel] = {1: "high", 3: "intermediate"}
        return levels.get(len(self.court), "basic")

    def __str__(self) -> str:
        return self.canonical


def max_year() -> int:
    """Latest acceptable year: next year, so numbers issued over New Year are not rejected."""
    return date.today().year + 1


def _clean(text: str) -> str:
    # NFKC folds full-width digits and brackets （）［］ into ASCII; internal whitespace is
    # removed because people copy case numbers out of PDFs with spaces between the parts.
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace())


# What a stored 案号 and a searched fragment of one are compared on: the canonical
# full-width brackets stand for every bracket the parser accepts, so (2026) finds （2026）.
# Stored numbers are canonical already; `matters.selectors` folds ASCII brackets in SQL.
SEARCH_BRACKETS = {**dict.fromkeys(_OPEN_BRACKETS, "（"), **dict.fromkeys(_CLOSE_BRACKETS, "）")}


def case_number_search_key(text: str) -> str:
    """`text` as the matter list compares it with stored 案号: NFKC-folded (full-width
    digits, ［］ and （） become ASCII), whitespace removed, every accepted bracket mapped
    to the canonical （ or ）. A fragment (`(2026)京01`) keeps its partial shape."""
    folded = _clean(text)
    return "".join(SEARCH_BRACKETS.get(ch, ch) for ch in folded)


def _parse_year(raw: str) -> int:
    if _YEAR.fullmatch(raw) is None:
        raise CaseNumberError(f"Year {raw!r} must be four digits.", "year")
    year = int(raw)
    latest = max_year()
    if not MIN_YEAR <= year <= latest:
        raise CaseNumberError(f"Year {year} must be between {MIN_YEAR} and {latest}.", "year")
    return year


def _digits_end(text: str, start: int) -> int:
    """Index just past the run of ASCII digits beginning at ``start``."""
    end = start
    while end < len(text) and text[end] in _ASCII_DIGITS:
        end += 1
    return end


def _split_court(body: str) -> tuple[str, str]:
    """Split the court code off the front of ``body``; return (court, remainder)."""
    if body.startswith(SUPREME_COURT_CODE):
        court, rest = SUPREME_COURT_CODE, body[len(SUPREME_COURT_CODE) :]
        if rest[:1] in _ASCII_DIGITS:
            raise CaseNumberError(
                "The Supreme People's Court code 最高法 takes no digits.", "court"
            )
        return court, rest
    if not body or body[0] not in PROVINCE_CODES:
        raise CaseNumberError(
            f"Court code must start with 最高法 or a province abbreviation, got {body[:1]!r}.",
            "court",
        )
    # Every digit run straight after the province belongs to the court code, because the
    # type code always separates it from the sequence number.
    end = _digits_end(body, 1)
    if end - 1 not in (0, 2, 4):
        raise CaseNumberError(
            f"Court code {body[:end]!r} must have 0, 2 or 4 digits after the province "
            "abbreviation.",
            "court",
        )
    return body[:end], body[end:]


def _split_type(letters: str) -> tuple[str, str]:
    """Split ``letters`` into (special, type_code); the longest type code wins."""
    if not letters:
        raise CaseNumberError("Case type code is missing.", "type")
    if letters in TYPE_CODES:
        return "", letters
    if letters[0] in SPECIAL_CODES and letters[1:] in TYPE_CODES:
        return letters[0], letters[1:]
    raise CaseNumberError(f"Unknown case type code {letters!r}.", "type")


def _parse_seq(digits: str, tail: str) -> int:
    if tail:
        raise CaseNumberError(f"Unexpected {tail!r} in the case sequence number.", "number")
    if not digits:
        raise CaseNumberError("Case sequence number is missing.", "number")
    if len(digits) > 8:
        raise CaseNumberError("Case sequence number has more than 8 digits.", "number")
    seq = int(digits)
    if seq == 0:
        raise CaseNumberError("Case sequence number must be positive.", "number")
    return seq


def parse_case_number(text: str) -> CaseNumber:
    """Parse a case number such as ``（2024）京0105民初12345号``.

    Raises ``CaseNumberError`` whose ``code`` says which part is wrong; problems are
    reported in reading order (format, year, court, type, number).
    """
    cleaned = _clean(text)
    if not cleaned:
        raise CaseNumberError("Case number is empty.", "format")
    shape = _SHAPE.fullmatch(cleaned)
    if shape is None:
        raise CaseNumberError(
            "Case number must look like （2024）京0105民初12345号: a bracketed year, court, "
            "type, number and a final 号.",
            "format",
        )
    year = _parse_year(shape["year"])
    court, rest = _split_court(shape["body"])
    letters_end = 0
    while letters_end < len(rest) and rest[letters_end] not in _ASCII_DIGITS:
        letters_end += 1
    digits_end = _digits_end(rest, letters_end)
    special, type_code = _split_type(rest[:letters_end])
    seq = _parse_seq(rest[letters_end:digits_end], rest[digits_end:])
    return CaseNumber(year=year, court=court, special=special, type_code=type_code, seq=seq)


def court_name_for(court_code: str, extra: dict[str, str] | None = None) -> str | None:
    """The court a 法院代字 stands for (``京0105`` → 北京市朝阳区人民法院) from the shipped
    table (``courts_data.py``, with its source) and the firm's own rows (``extra``), or None:
    a code the tables do not hold is never guessed."""

    table = {**COURT_CODES, **(extra or {})}
    return table.get(court_code)


def stage_for_type_code(type_code: str, extra: dict[str, str] | None = None) -> str | None:
    """The stage a 案号's type code tells (``民终`` → ``second_instance``) from
    `TYPE_CODE_STAGES` and the firm's own rows (``extra``), or None when it tells none."""

    return {**TYPE_CODE_STAGES, **(extra or {})}.get(type_code)
