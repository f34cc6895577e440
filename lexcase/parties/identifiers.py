"""Validation and masking of Chinese party identifiers.

Covers the resident ID number (居民身份证号码, GB 11643-1999, ISO 7064 MOD 11-2) and the
unified social credit code (统一社会信用代码, GB 32100-2015, MOD 31).

This module is deliberately free of Django: errors carry a stable ``code`` and an English
message, and callers (forms, API schemas) translate them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import parse_qsl, unquote_plus, urlencode

__all__ = [
    "CREDIT_CODE_CHARSET",
    "IdentifierError",
    "credit_code_check_char",
    "id_number_check_char",
    "mask_identifier",
    "mask_identifiers_in",
    "mask_identifiers_in_query",
    "normalize_identifier",
    "validate_credit_code",
    "validate_id_number",
]


class IdentifierError(ValueError):
    """An identifier failed validation.

    ``code`` is one of "length", "format", "checksum", "birth_date" and is stable, so callers
    can map it to a translated message instead of parsing the English text.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_MIN_BIRTH_YEAR = 1800

_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# I, O, S, V and Z are excluded by the standard to avoid confusion with digits.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_CHARSET)}

_DIGITS_17 = re.compile(r"[0-9]{17}")
_DIGITS_15 = re.compile(r"[0-9]{15}")
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")


def _clean(value: str) -> str:
    # NFKC folds full-width digits/letters and U+3000 typed with a Chinese IME into ASCII.
    # Whitespace (a number typed in groups) and invisible format characters (category Cf:
    # bidi controls, zero-width spaces, soft hyphens pasted along with it) are never part of
    # an identifier.
    folded = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf")


# Dashes a number is typed or pasted in groups with (110105-19491231-002X): never part of an
# ID number or a credit code, so their validators drop them; a passport keeps what it was
# stored with. NFKC has already folded the full-width hyphen-minus (U+FF0D).
_DASHES = re.compile("[-\u2010-\u2015\u2212\ufe58\ufe63]")


def normalize_identifier(value: str) -> str:
    """The matching form of any identifier, valid or not: NFKC, no whitespace, no format
    characters, upper case (a lowercase check character ``x`` becomes ``X``)."""
    return _clean(value).upper()


def id_number_check_char(first17: str) -> str:
    """Return the MOD 11-2 check character for the first 17 digits of an ID number."""
    if _DIGITS_17.fullmatch(first17) is None:
        raise IdentifierError("Expected exactly 17 digits.", "format")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def credit_code_check_char(first17: str) -> str:
    """Return the MOD 31 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(ch not in _CREDIT_VALUES for ch in first17):
        raise IdentifierError("Expected exactly 17 credit code characters.", "format")
    total = sum(
        _CREDIT_VALUES[ch] * weight for ch, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    check = 31 - total % 31
    return CREDIT_CODE_CHARSET[0 if check == 31 else check]


def _check_birth_date(yyyymmdd: str) -> None:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise IdentifierError("ID number has an invalid birth date.", "birth_date") from None
    if born.year < _ID_MIN_BIRTH_YEAR or born > date.today():
        raise IdentifierError("ID number has an invalid birth date.", "birth_date")


def validate_id_number(value: str) -> str:
    """Validate a resident ID number and return its normalised 18-character form.

    Legacy 15-digit numbers (issued before 1999, all births in the 1900s) are upgraded to
    18 digits. The address code is not checked: codes are retired and reissued over time,
    so a list would reject genuine old IDs.
    """
    cleaned = _DASHES.sub("", _clean(value))
    if len(cleaned) == 15:
        if _DIGITS_15.fullmatch(cleaned) is None:
            raise IdentifierError("A 15-digit ID number must contain only digits.", "format")
        first17 = cleaned[:6] + "19" + cleaned[6:]
        _check_birth_date(first17[6:14])
        return first17 + id_number_check_char(first17)

    if len(cleaned) != 18:
        raise IdentifierError("ID number must have 18 characters.", "length")
    if cleaned[-1] == "x":
        cleaned = cleaned[:-1] + "X"
    if _ID_18.fullmatch(cleaned) is None:
        raise IdentifierError("ID number must be 17 digits followed by a digit or X.", "format")
    _check_birth_date(cleaned[6:14])
    if id_number_check_char(cleaned[:17]) != cleaned[17]:
        raise IdentifierError("ID number check digit is wrong.", "checksum")
    return cleaned


def validate_credit_code(value: str) -> str:
    """Validate a unified social credit code and return it normalised (upper case, no spaces).

    Positions 1-2 (registration authority and entity type) may be letters, so no part of the
    code is required to be numeric.
    """
    cleaned = _DASHES.sub("", _clean(value)).upper()
    if len(cleaned) != 18:
        raise IdentifierError("Credit code must have 18 characters.", "length")
    if any(ch not in _CREDIT_VALUES for ch in cleaned):
        raise IdentifierError(
            "Credit code may only contain digits and capital letters other than I, O, S, V, Z.",
            "format",
        )
    if credit_code_check_char(cleaned[:17]) != cleaned[17]:
        raise IdentifierError("Credit code check character is wrong.", "checksum")
    return cleaned


def mask_identifier(value: str) -> str:
    """Mask an identifier for display, keeping the first 3 and last 4 characters.

    Values shorter than 8 characters keep only their last 2; values of 2 or fewer characters
    are masked entirely, since showing "the last 2" would reveal all of them.
    """
    cleaned = _clean(value)
    length = len(cleaned)
    if length <= 2:
        return "*" * length
    if length < 8:
        return "*" * (length - 2) + cleaned[-2:]
    return cleaned[:3] + "*" * (length - 7) + cleaned[-4:]


# ID numbers and credit codes inside free text: search terms, query strings, log lines. A
# user may type them in groups (spaces, hyphens), with invisible format characters pasted
# along, or in full-width digits (\d matches those). Two passes: whole tokens first, then
# runs of digit groups joined by separators whose digits add up to exactly an ID number (a
# date next to a phone number is a run of 19 digits, not an ID).
_SEP_CHARS = "\\s\\-\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_X = "XxＸｘ"
_ID_TOKEN = re.compile(rf"(?<!\d)(?:\d{{17}}[\d{_X}]|\d{{15}})(?![\d{_X}])")
_CC = "0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y"
_CREDIT_TOKEN = re.compile(rf"(?<![0-9A-Za-z])[{_CC}]{{2}}\d{{6}}[{_CC}]{{10}}(?![0-9A-Za-z])")
_ID_RUN = re.compile(rf"(?<!\d)\d(?:[{_SEP_CHARS}]{{0,3}}\d)*(?:[{_SEP_CHARS}]{{0,3}}[{_X}])?")
_SEPARATORS = re.compile(rf"[{_SEP_CHARS}]")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = _SEPARATORS.sub("", run)
    if _SEPARATORS.search(run) and (
        (len(digits) == 18 and digits[:17].isdigit()) or (len(digits) == 15 and digits.isdigit())
    ):
        return mask_identifier(digits)
    return run


def _has_identifier(text: str) -> bool:
    return bool(
        _ID_TOKEN.search(text)
        or _CREDIT_TOKEN.search(text)
        or any(_mask_run(m) != m.group(0) for m in _ID_RUN.finditer(text))
    )


def mask_identifiers_in(text: str) -> str:
    """`text` with every ID-number-like (15 or 18 digits, a final X) or credit-code-like
    substring replaced by its `mask_identifier` form; anything else unchanged."""
    if not text:
        return text
    text = _ID_TOKEN.sub(lambda m: mask_identifier(m.group(0)), text)
    text = _CREDIT_TOKEN.sub(lambda m: mask_identifier(m.group(0)), text)
    return _ID_RUN.sub(_mask_run, text)


def mask_identifiers_in_query(query: str) -> str:
    """A URL query string with identifiers masked in its decoded keys and values (so
    `q=110105+19491231+002X` and `%31%31...` are caught), re-encoded; returned unchanged
    when it holds none."""

    if not query or not _has_identifier(unquote_plus(query)):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(mask_identifiers_in(k), mask_identifiers_in(v)) for k, v in pairs], safe="*")
