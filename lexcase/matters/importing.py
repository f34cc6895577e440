"""Import historical matters and their parties from JSON, CSV or XLSX (docs/import.md).

The whole file is parsed and validated before anything is written: any problem, and the
report lists every problem by row and field while nothing is imported. A valid file is
written in one transaction with bulk inserts. Importing the same file again creates
nothing: matters are matched by number, or, without a number, by title, type, opening
date and client parties; parties by identifier, else by normalised name and kind.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import re
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.core import textcodecs
from lexcase.core.db import bulk_insert
from lexcase.core.exports import FORMULA_SIGNS
from lexcase.core.fieldcrypt import blind_index, blind_indexes, encrypt
from lexcase.core.office import office_zip_refusal
from lexcase.core.validators import (
    civil_date_message,
    civil_day,
    printable_key,
    unstorable_message,
)
from lexcase.matters.events import matters_imported
from lexcase.matters.models import (
    MATTER_TYPE_CODES,
    Matter,
    MatterNumberCounter,
    MatterParty,
    MatterType,
    PartyRole,
    Status,
)
from lexcase.matters.services import matter_number_counter
from lexcase.parties.models import Party, PartyAlias, PartyKind
from lexcase.parties.names import name_keys, normalize_name
from lexcase.parties.services import party_clean

__all__ = [
    "COLUMNS",
    "EXTENSIONS",
    "MAX_UPLOAD_BYTES",
    "ImportError",
    "ImportReport",
    "ImportRowError",
    "import_file",
]

EXTENSIONS = ("json", "csv", "xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Rows per `__in` lookup: far below SQLite's 32766 bound variables.
LOOKUP_CHUNK = 2000

MATTER_FIELDS = ("number", "title", "matter_type", "status", "opened_on", "closed_on")
PARTY_FIELDS = ("name", "kind", "role", "id_number", "credit_code", "aliases")
# The flat (CSV/XLSX) column of each party field; matter fields keep their names.
CSV_PARTY_COLUMNS = {
    "name": "party_name",
    "kind": "party_kind",
    "role": "party_role",
    "id_number": "id_number",
    "credit_code": "credit_code",
    "aliases": "aliases",
}
COLUMNS = (*MATTER_FIELDS, *CSV_PARTY_COLUMNS.values())
REQUIRED_COLUMNS = ("title", "matter_type", "status", "opened_on")
IMPORT_STATUSES = frozenset((Status.OPEN, Status.CLOSED))
# Enum `.values` builds a new list on every access: look them up once.
MATTER_TYPES = frozenset(MatterType.values)
PARTY_ROLES = frozenset(PartyRole.values)
# Words a Chinese firm writes in a spreadsheet for a coded column, besides each choice's code
# and its label in English and Chinese (the words LexCase's pages show): the short forms.
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "matter_type": {
        **{code: str(value) for value, code in MATTER_TYPE_CODES.items()},  # 民, 仲, 劳 …
        "民事": MatterType.CIVIL,
        "非诉讼": MatterType.NON_LITIGATION,
        "常年顾问": MatterType.COUNSEL,
        "法律顾问": MatterType.COUNSEL,
        "法律咨询": MatterType.CONSULTATION,
    },
    "status": {"结案": Status.CLOSED, "已办结": Status.CLOSED, "办结": Status.CLOSED},
    "kind": {
        "个人": PartyKind.PERSON,
        "法人": PartyKind.ORGANIZATION,
        "单位": PartyKind.ORGANIZATION,
        "公司": PartyKind.ORGANIZATION,
        "企业": PartyKind.ORGANIZATION,
        "组织": PartyKind.ORGANIZATION,
        "其他组织": PartyKind.ORGANIZATION,
        "非法人组织": PartyKind.ORGANIZATION,
        "organisation": PartyKind.ORGANIZATION,
    },
    "role": {"客户": PartyRole.CLIENT, "对方": PartyRole.OPPOSING, "关联人": PartyRole.RELATED},
}
ALIAS_SEPARATORS = re.compile(r"[;；]")
DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


@dataclass(frozen=True)
class ImportRowError:
    """One problem: where (row label, field) and what, in the active language."""

    row: str
    field: str
    message: str


# The name the API promises. It shadows the builtin inside this module only: nothing here
# catches the builtin ImportError.
ImportError = ImportRowError


@dataclass
class ImportReport:
    ok: bool
    errors: list[ImportRowError] = field(default_factory=list)
    created_matters: int = 0
    created_parties: int = 0
    reused_parties: int = 0
    skipped_matters: int = 0
    party_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {
            "created_matters": self.created_matters,
            "created_parties": self.created_parties,
            "reused_parties": self.reused_parties,
            "skipped_matters": self.skipped_matters,
        }


# -- Parsed input --------------------------------------------------------------------------


@dataclass
class _PartyIn:
    label: str
    sort: tuple[int, ...]
    values: dict[str, Any]
    cleaned: dict[str, Any] = field(default_factory=dict)  # filled when the party is valid
    key: tuple[str, int] = ("", 0)  # ("e", existing pk) or ("n", new party index)


@dataclass
class _MatterIn:
    label: str
    sort: tuple[int, ...]
    values: dict[str, str]
    # The row each matter field's value came from (CSV/XLSX: any row of the group).
    sources: dict[str, tuple[str, tuple[int, ...]]]
    parties: list[_PartyIn]
    cleaned: dict[str, Any] = field(default_factory=dict)  # filled when the matter is valid
    existing: bool = False


class _Errors:
    def __init__(self) -> None:
        self._items: list[tuple[tuple[int, ...], int, ImportRowError]] = []

    def add(self, sort: tuple[int, ...], row: str, field_name: str, message: str) -> None:
        self._items.append((sort, len(self._items), ImportRowError(row, field_name, message)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def sorted(self) -> list[ImportRowError]:
        return [item[2] for item in sorted(self._items, key=lambda item: item[:2])]


class _Input:
    def __init__(self, flat: bool) -> None:
        self.flat = flat  # CSV/XLSX: party field names are the columns
        self.matters: list[_MatterIn] = []
        self.errors = _Errors()

    def party_field(self, name: str) -> str:
        return CSV_PARTY_COLUMNS[name] if self.flat else name


FILE_SORT = (0,)


def _text(value: Any) -> str:
    """A cell or JSON scalar as stripped text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _key(key: Any) -> str:
    """A JSON key fit to name a field in the report (its NUL or lone surrogate made visible)."""
    return printable_key(key).encode("utf-8", "backslashreplace").decode("utf-8")


def _storable(text: str) -> str:
    """`text` without the characters no database stores, to check the rest of the row."""
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def _split_aliases(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [a.strip() for a in ALIAS_SEPARATORS.split(_text(value)) if a.strip()]


# -- Readers ---------------------------------------------------------------------------------


# What the JSON parser's (English) message means, by how it begins, for the report.
_JSON_PROBLEMS = (
    (
        "Expecting value",
        gettext_lazy("a value is missing or is not JSON (text goes in double quotes)"),
    ),
    ("Expecting ',' delimiter", gettext_lazy("a comma is missing")),
    ("Expecting ':' delimiter", gettext_lazy("a colon is missing after a field name")),
    ("Expecting property name", gettext_lazy("a field name must be in double quotes")),
    ("Illegal trailing comma", gettext_lazy("a comma too many before } or ]")),
    ("Unterminated string", gettext_lazy("a text is not closed with a double quote")),
    (
        "Invalid control character",
        gettext_lazy("a text holds a line break or a control character (write \\n)"),
    ),
    ("Invalid \\uXXXX escape", gettext_lazy("a text holds an invalid \\uXXXX escape")),
    ("Invalid \\escape", gettext_lazy("a text holds an invalid backslash escape")),
    ("Extra data", gettext_lazy("more follows the end of the JSON value")),
)


def _json_error(data: str, exc: ValueError) -> tuple[str, str]:
    """(where, what) of a file `json.loads` refused, in the reader's language: Python's own
    message is English and names characters by their offset."""
    if not isinstance(exc, json.JSONDecodeError):  # an integer of more than 4,300 digits
        return "", _("The file is not valid JSON: %(error)s") % {
            "error": _("a number is too long to read")
        }
    if not data.strip():
        return "", _("The file is empty.")
    problem = next(
        (str(text) for start, text in _JSON_PROBLEMS if exc.msg.startswith(start)),
        _("the text cannot be read there"),
    )
    where = _("line %(line)d, column %(column)d") % {"line": exc.lineno, "column": exc.colno}
    return where, _("The file is not valid JSON: %(error)s") % {"error": problem}


def _read_json(data: bytes, parsed: _Input) -> None:
    errors = parsed.errors
    try:
        # The encodings a CSV file may come in (core.textcodecs): Notepad's "Unicode" and
        # "ANSI" (GB18030) JSON files are read too, anything else refused as a whole.
        text = _decode_text(data, json_file=True)
    except _Unreadable as exc:
        errors.add(FILE_SORT, exc.where, "file", str(exc))
        return
    try:
        doc = json.loads(text)
    except ValueError as exc:
        where, message = _json_error(text, exc)
        errors.add(FILE_SORT, where, "file", message)
        return
    except RecursionError:  # the parser recurses once per nested list or object
        errors.add(FILE_SORT, "", "file", _("The file nests its values too deeply to be read."))
        return
    matters = doc.get("matters") if isinstance(doc, dict) else None
    if not isinstance(matters, list):
        errors.add(FILE_SORT, "", "matters", _("Expected an object with a “matters” list."))
        return
    for m_index, item in enumerate(matters, start=1):
        label = _("matter %(m)d") % {"m": m_index}
        sort = (m_index,)
        if not isinstance(item, dict):
            errors.add(sort, label, "", _("Expected an object."))
            continue
        values: dict[str, str] = {}
        for key, value in item.items():
            if key == "parties":
                continue
            if key not in MATTER_FIELDS:
                errors.add(sort, label, _key(key), _("Unknown field."))
            elif isinstance(value, (list, dict)):
                errors.add(sort, label, key, _("Expected text."))
            else:
                values[key] = _text(value)
        matter = _MatterIn(
            label=label,
            sort=sort,
            values=values,
            sources={f: (label, sort) for f in MATTER_FIELDS},
            parties=[],
        )
        raw_parties = item.get("parties", [])
        if not isinstance(raw_parties, list):
            errors.add(sort, label, "parties", _("Expected a list."))
            raw_parties = []
        for p_index, raw in enumerate(raw_parties, start=1):
            p_label = _("matter %(m)d, party %(p)d") % {"m": m_index, "p": p_index}
            p_sort = (m_index, p_index)
            if not isinstance(raw, dict):
                errors.add(p_sort, p_label, "", _("Expected an object."))
                continue
            p_values: dict[str, Any] = {}
            for key, value in raw.items():
                if key not in PARTY_FIELDS:
                    errors.add(p_sort, p_label, _key(key), _("Unknown field."))
                elif key == "aliases":
                    if isinstance(value, dict) or (
                        isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)
                    ):
                        errors.add(p_sort, p_label, key, _("Expected a list of names."))
                    else:
                        p_values[key] = _split_aliases(value)
                elif isinstance(value, (list, dict)):
                    errors.add(p_sort, p_label, key, _("Expected text."))
                else:
                    p_values[key] = _text(value)
            matter.parties.append(_PartyIn(label=p_label, sort=p_sort, values=p_values))
        parsed.matters.append(matter)


class _Unreadable(Exception):
    """The file cannot be read as rows; the message says why, in the reader's language, and
    `where` the place when there is one (a byte)."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


class _TooManyRows(Exception):
    """More rows than `max_rows`: reading stopped there."""


def _decode_text(data: bytes, *, json_file: bool = False) -> str:
    """The text of a CSV (or JSON) file in whichever encoding Excel, Notepad or a Chinese
    firm's system wrote it (core.textcodecs: UTF-8 with or without BOM, UTF-16, GB18030/GBK,
    Big5); _Unreadable when it is none of them. `json_file`: the advice names UTF-8, not
    Excel's "CSV UTF-8"."""
    codec = textcodecs.text_encoding(data)
    try:
        if codec is not None:
            return textcodecs.decode(data, codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-8-sig":
            byte = exc.start + len(codecs.BOM_UTF8) + 1
            if json_file:
                raise _Unreadable(
                    _("The file is not UTF-8 text."), where=_("byte %(n)d") % {"n": byte}
                ) from None
            raise _Unreadable(
                _("The file says it is UTF-8 but byte %(n)d is not: save it again as CSV UTF-8.")
                % {"n": byte}
            ) from None
        if json_file:
            raise _Unreadable(
                _("The file looks like UTF-16 but cannot be read: save it again as UTF-8.")
            ) from None
        raise _Unreadable(
            _("The file looks like UTF-16 but cannot be read: save it again as CSV UTF-8.")
        ) from None
    if json_file:
        raise _Unreadable(
            _(
                "The file's encoding is not recognised: it is not UTF-8, UTF-16, GBK (GB18030) "
                "or Big5 text. Save it as UTF-8 and upload it again."
            )
        )
    raise _Unreadable(
        _(
            "The file's encoding is not recognised: it is not UTF-8, UTF-16, GBK (GB18030) or "
            "Big5 text. In Excel, save it as “CSV UTF-8” and upload it again."
        )
    )


def _limited(rows: Iterable[list[str]], max_rows: int | None) -> list[list[str]]:
    """The header and the rows after it, stopping (without reading on) at the first row past
    `max_rows` that is not blank."""
    kept: list[list[str]] = []
    filled = 0
    for row in rows:
        kept.append(row)
        if max_rows is not None and len(kept) > 1 and "".join(row).strip():
            filled += 1
            if filled > max_rows:
                raise _TooManyRows
    return kept


def _csv_rows(data: bytes, max_rows: int | None) -> list[list[str]]:
    text = _decode_text(data)
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" separates the cells by tabs.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return _limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), max_rows)


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+):([A-Z]+[0-9]+)\"")


def _merged_ranges(workbook: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based, of each merged range of the sheet,
    by first row: the read-only reader streams the cells and skips the <mergeCells> list
    after them, so it is found in the sheet's XML here."""
    # imported lazily: only XLSX imports need openpyxl
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    found: set[tuple[int, int, int, int]] = set()
    # openpyxl keeps the open archive and the sheet's part name privately in read-only mode.
    with workbook._archive.open(sheet._worksheet_path) as part:
        tail = b""
        while chunk := part.read(1 << 20):
            buffer = tail + chunk
            for match in _MERGE_REF.finditer(buffer):
                (c1, r1), (c2, r2) = (coordinate_from_string(match[i].decode()) for i in (1, 2))
                found.add((r1, column_index_from_string(c1), r2, column_index_from_string(c2)))
            # A tag cut by the chunk's end is whole in the next buffer (the set drops a
            # range seen twice).
            tail = buffer[-200:]
    return sorted(found)


def _xlsx_rows(data: bytes, max_rows: int | None) -> list[list[str]]:
    from openpyxl import load_workbook  # imported lazily: only XLSX imports need it

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        merged = _merged_ranges(workbook, sheet)
        # Some writers record a wrong used range; read every row that is really there.
        sheet.reset_dimensions()

        def rows() -> Iterator[list[str]]:
            # A merged range's value is in its first cell; every cell of it reads that value,
            # as the sheet shows it (a title merged down the rows of its parties).
            upcoming = iter(merged)
            next_span = next(upcoming, None)
            active: list[tuple[int, int, int, str]] = []  # (bottom, left, right, value)
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_text(cell) for cell in row]
                while next_span is not None and next_span[0] <= number:
                    top, left, bottom, right = next_span
                    if top == number:
                        value = cells[left - 1] if left <= len(cells) else ""
                        active.append((bottom, left, right, value))
                    next_span = next(upcoming, None)
                active = [span for span in active if span[0] >= number]
                for _bottom, left, right, value in active:
                    cells.extend([""] * (right - len(cells)))
                    cells[left - 1 : right] = [value] * (right - left + 1)
                yield cells

        return _limited(rows(), max_rows)
    finally:
        workbook.close()


def _read_rows(rows: list[list[str]], parsed: _Input, max_rows: int | None) -> None:
    errors = parsed.errors
    if not rows:
        errors.add(FILE_SORT, "", "file", _("The file has no rows."))
        return
    header = [h.strip().lstrip("\ufeff").lower() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            errors.add((1,), "1", name, _("Unknown column."))
        elif name in seen:
            errors.add((1,), "1", name, _("This column appears more than once."))
        seen.add(name)
    for name in (*REQUIRED_COLUMNS, "party_name", "party_kind", "party_role"):
        if name not in seen:
            errors.add((1,), "1", name, _("This column is missing."))
    if errors:
        return
    index = {name: header.index(name) for name in COLUMNS if name in header}
    by_number: dict[str, _MatterIn] = {}
    previous: _MatterIn | None = None  # the last number-less matter, for grouping by title
    for row_number, row in enumerate(rows[1:], start=2):
        if not "".join(row).strip():
            previous = None
            continue
        if len(row) > len(header) and "".join(row[len(header) :]).strip():
            errors.add(
                (row_number,), str(row_number), "", _("This row has more cells than columns.")
            )
        values = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        label, sort = str(row_number), (row_number,)
        number, title = values.get("number", ""), values.get("title", "")
        if number:
            matter = by_number.get(number)
            previous = None
        elif previous is not None and title and previous.values.get("title") == title:
            matter = previous
        else:
            matter = None
        if matter is None:
            matter = _MatterIn(label=label, sort=sort, values={}, sources={}, parties=[])
            parsed.matters.append(matter)
            if number:
                by_number[number] = matter
            else:
                previous = matter
        for name in MATTER_FIELDS:
            value = values.get(name, "")
            if not value:
                continue
            current = matter.values.get(name)
            if current is None:
                matter.values[name] = value
                matter.sources[name] = (label, sort)
            elif current != value:
                errors.add(
                    sort,
                    label,
                    name,
                    _("Differs from row %(row)s of the same matter.")
                    % {"row": matter.sources[name][0]},
                )
        party_values: dict[str, Any] = {
            f: values.get(column, "") for f, column in CSV_PARTY_COLUMNS.items() if f != "aliases"
        }
        party_values["aliases"] = _split_aliases(values.get("aliases", ""))
        if any(party_values.values()):
            matter.parties.append(_PartyIn(label=label, sort=sort, values=party_values))


# -- Validation ------------------------------------------------------------------------------


def _parse_date(value: str) -> date | None:
    match = DATE_RE.fullmatch(value)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _formula_message(value: str) -> str:
    """A problem for a value that a spreadsheet would run as a formula, or "": the signs
    `core.exports.safe_cell` neutralises on export (CSV/Excel injection)."""
    if not value.startswith(FORMULA_SIGNS):
        return ""
    return _(
        "Starts with “%(sign)s”, which a spreadsheet runs as a formula: remove the sign, or "
        "enter the value itself."
    ) % {"sign": value[0]}


def _choice_key(value: str) -> str:
    return "".join(value.split()).casefold()


@cache
def _choice_lookup(name: str) -> dict[str, str]:
    """Written value (spaces removed, case folded) → code, for a coded column: the code, its
    label in English and in Chinese, and CHOICE_WORDS."""
    by_name: dict[str, list[tuple[Any, Any]]] = {
        "matter_type": list(MatterType.choices),
        "status": [(s.value, s.label) for s in (Status.OPEN, Status.CLOSED)],
        "kind": list(PartyKind.choices),
        "role": list(PartyRole.choices),
    }
    choices = by_name[name]
    lookup: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            lookup.update({_choice_key(str(label)): str(value) for value, label in choices})
    lookup.update({_choice_key(word): str(code) for word, code in CHOICE_WORDS[name].items()})
    lookup.update({_choice_key(str(value)): str(value) for value, _label in choices})
    return lookup


def _choice(name: str, value: str) -> str:
    """The code a coded column's value names, or the value as written when it names none."""
    return _choice_lookup(name).get(_choice_key(value), value)


def _list_words(words: list[str]) -> str:
    return ("、" if translation.get_language().startswith("zh") else ", ").join(words)


def _clean_matter(matter: _MatterIn, parsed: _Input) -> None:
    errors = parsed.errors
    ok = True

    def error(name: str, message: str) -> None:
        nonlocal ok
        ok = False
        label, sort = matter.sources.get(name, (matter.label, matter.sort))
        errors.add(sort, label, name, message)

    values = matter.values
    for name in MATTER_FIELDS:
        # PostgreSQL stores no NUL and no database a lone surrogate (from a JSON escape).
        message = unstorable_message(values.get(name, ""))
        if message:
            error(name, message)
            values[name] = _storable(values[name])
        elif message := _formula_message(values.get(name, "")):
            error(name, message)
    number = values.get("number", "")
    if len(number) > 40:
        error("number", _("At most %(n)d characters.") % {"n": 40})
    title = " ".join(values.get("title", "").split())
    if not title:
        error("title", _("This field is required."))
    elif len(title) > 200:
        error("title", _("At most %(n)d characters.") % {"n": 200})
    matter_type = _choice("matter_type", values.get("matter_type", ""))
    if matter_type not in MATTER_TYPES:
        error(
            "matter_type",
            _("Unknown matter type “%(value)s”. Use one of: %(types)s.")
            % {
                "value": values.get("matter_type", ""),
                "types": _list_words([str(label) for label in MatterType.labels]),
            },
        )
    status = _choice("status", values.get("status", ""))
    if status not in IMPORT_STATUSES:
        error("status", _("Status must be open or closed."))
    dates: dict[str, date | None] = {}
    for name in ("opened_on", "closed_on"):
        raw = values.get(name, "")
        day = dates[name] = _parse_date(raw) if raw else None
        if raw and day is None:
            error(name, _("Enter a date as YYYY-MM-DD."))
        elif day is not None and civil_day(day) is None:
            error(name, civil_date_message())
            dates[name] = None
    opened_on, closed_on = dates["opened_on"], dates["closed_on"]
    if not values.get("opened_on"):
        error("opened_on", _("This field is required."))
    if status == Status.CLOSED and not values.get("closed_on"):
        error("closed_on", _("A closed matter needs a closing date."))
    if status == Status.OPEN and values.get("closed_on"):
        error("closed_on", _("An open matter has no closing date."))
    if opened_on and closed_on and closed_on < opened_on:
        error("closed_on", _("The closing date cannot be before the opening date."))
    if ok:
        matter.cleaned = {
            "number": number,
            "title": title,
            "matter_type": matter_type,
            "status": status,
            "opened_on": opened_on,
            "closed_on": closed_on if status == Status.CLOSED else None,
        }


def _clean_party(party: _PartyIn, parsed: _Input) -> None:
    values = party.values
    ok = True
    for name, value in list(values.items()):
        texts = value if isinstance(value, list) else [value]
        message = next(
            filter(None, (unstorable_message(t) or _formula_message(t) for t in texts)), None
        )
        if message:
            ok = False
            parsed.errors.add(party.sort, party.label, parsed.party_field(name), message)
            values[name] = (
                [_storable(t) for t in texts] if isinstance(value, list) else _storable(value)
            )
    try:
        cleaned = party_clean(
            kind=_choice("kind", values.get("kind", "")),
            name=values.get("name", ""),
            id_number=values.get("id_number", ""),
            credit_code=values.get("credit_code", ""),
            aliases=values.get("aliases", []),
        )
    except ValidationError as exc:
        ok = False
        for name, messages in exc.message_dict.items():
            for message in messages:
                parsed.errors.add(party.sort, party.label, parsed.party_field(name), message)
    role = _choice("role", values.get("role", ""))
    if not role:
        ok = False
        parsed.errors.add(
            party.sort, party.label, parsed.party_field("role"), _("This field is required.")
        )
    elif role not in PARTY_ROLES:
        ok = False
        parsed.errors.add(
            party.sort,
            party.label,
            parsed.party_field("role"),
            _("Unknown party role “%(role)s”.") % {"role": values.get("role", "")},
        )
    if ok:
        party.cleaned = {**cleaned, "role": role}


def _chunks(items: list[Any], size: int = LOOKUP_CHUNK) -> Any:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Parties:
    """Resolves file parties to existing parties or to new ones, without writing."""

    def __init__(self, parties: list[_PartyIn]) -> None:
        self.normalized: dict[str, str] = {}
        for party in parties:
            name = party.cleaned["name"]
            if name not in self.normalized:
                self.normalized[name] = normalize_name(name)
        self.by_identifier: dict[tuple[str, str], int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self._load_existing(parties)
        self.new: list[dict[str, Any]] = []
        self.new_by_identifier: dict[tuple[str, str], int] = {}
        self.new_by_name: dict[tuple[str, str], int] = {}

    def _load_existing(self, parties: list[_PartyIn]) -> None:
        for field_name in ("id_number", "credit_code"):
            wanted = sorted({p.cleaned[field_name] for p in parties if p.cleaned[field_name]})
            if field_name == "id_number":
                # Encrypted: looked up by keyed hash (core/fieldcrypt.py), under every key.
                by_hash = {h: value for value in wanted for h in blind_indexes(value)}
                lookup, wanted = "id_number_hash", sorted(by_hash)
            else:
                by_hash, lookup = {}, field_name
            for chunk in _chunks(wanted):
                rows = Party.objects.filter(**{f"{lookup}__in": chunk}).order_by("pk")
                for pk, value in rows.values_list("pk", lookup):
                    self.by_identifier.setdefault((field_name, by_hash.get(value, value)), pk)
        names = sorted(set(self.normalized.values()))
        candidates: dict[tuple[str, str], list[tuple[bool, int]]] = defaultdict(list)
        for chunk in _chunks(names):
            named = Party.objects.filter(name_normalized__in=chunk).values_list(
                "pk", "kind", "name_normalized", "id_number_hash", "credit_code"
            )
            for pk, kind, normalized, id_number, credit_code in named:
                candidates[(kind, normalized)].append((bool(id_number or credit_code), pk))
        # Several parties with one name: prefer one without an identifier, then the oldest.
        self.by_name = {key: min(found)[1] for key, found in candidates.items()}

    def resolve(self, party: _PartyIn) -> tuple[str, int]:
        cleaned = party.cleaned
        kind = cleaned["kind"]
        identifier_field = "id_number" if kind == PartyKind.PERSON else "credit_code"
        identifier = cleaned[identifier_field]
        name_key = (kind, self.normalized[cleaned["name"]])
        if identifier:
            key = (identifier_field, identifier)
            if key in self.by_identifier:
                return ("e", self.by_identifier[key])
            if key in self.new_by_identifier:
                return ("n", self.new_by_identifier[key])
        else:
            if name_key in self.by_name:
                return ("e", self.by_name[name_key])
            if name_key in self.new_by_name:
                return ("n", self.new_by_name[name_key])
        index = len(self.new)
        self.new.append(cleaned)
        if identifier:
            self.new_by_identifier[(identifier_field, identifier)] = index
        self.new_by_name.setdefault(name_key, index)
        return ("n", index)


def _number_regex() -> re.Pattern[str] | None:
    """The firm number pattern as a regex with year, type and seq groups, if it has them."""
    parts = []
    groups: set[str] = set()
    codes = "|".join(re.escape(code) for code in MATTER_TYPE_CODES.values())
    for literal, name, _spec, _conv in string.Formatter().parse(
        settings.LEXCASE_MATTER_NUMBER_PATTERN
    ):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name in groups or name not in ("year", "type", "seq"):
            return None
        groups.add(name)
        parts.append(
            {"year": r"(?P<year>\d{4})", "type": rf"(?P<type>{codes})", "seq": r"(?P<seq>\d+)"}[
                name
            ]
        )
    if groups != {"year", "type", "seq"}:
        return None
    return re.compile("".join(parts))


def _existing_matters_by_key(
    titles: list[str],
) -> dict[tuple[str, str, date | None, frozenset[int]], list[int]]:
    found: dict[tuple[str, str, date | None, frozenset[int]], list[int]] = defaultdict(list)
    rows: list[tuple[int, str, str, date | None]] = []
    for chunk in _chunks(titles):
        rows += list(
            Matter.objects.filter(title__in=chunk).values_list(
                "pk", "title", "matter_type", "opened_on"
            )
        )
    clients: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks([row[0] for row in rows]):
        links = MatterParty.objects.filter(matter_id__in=chunk, role=PartyRole.CLIENT)
        for matter_id, party_id in links.values_list("matter_id", "party_id"):
            clients[matter_id].add(party_id)
    for pk, title, matter_type, opened_on in sorted(rows):
        found[(title, matter_type, opened_on, frozenset(clients[pk]))].append(pk)
    return found


def _validate(parsed: _Input) -> _Parties | None:
    errors = parsed.errors
    for matter in parsed.matters:
        _clean_matter(matter, parsed)
        for party in matter.parties:
            _clean_party(party, parsed)
    # Numbers: unique in the file (JSON; CSV groups rows by number) and not another matter's.
    first_with: dict[str, _MatterIn] = {}
    for matter in parsed.matters:
        number = matter.values.get("number", "")
        if not number:
            continue
        if number in first_with:
            label, sort = matter.sources["number"]
            errors.add(
                sort,
                label,
                "number",
                _("This number appears more than once in the file (first at %(row)s).")
                % {"row": first_with[number].label},
            )
        else:
            first_with[number] = matter
    existing_numbers: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(sorted(first_with)):
        for number, title, matter_type in Matter.objects.filter(number__in=chunk).values_list(
            "number", "title", "matter_type"
        ):
            existing_numbers[number] = (title, matter_type)
    for number, matter in first_with.items():
        if number not in existing_numbers or not matter.cleaned:
            continue
        if existing_numbers[number] == (matter.cleaned["title"], matter.cleaned["matter_type"]):
            matter.existing = True
        else:
            label, sort = matter.sources["number"]
            errors.add(sort, label, "number", _("This number is used by a different matter."))
    # Parties: resolve every valid one to an existing or a new party.
    valid_parties = [p for m in parsed.matters for p in m.parties if p.cleaned]
    parties = _Parties(valid_parties)
    for matter in parsed.matters:
        seen: set[tuple[tuple[str, Any], str]] = set()
        for party in matter.parties:
            if not party.cleaned:
                continue
            party.key = parties.resolve(party)
            if (party.key, party.cleaned["role"]) in seen:
                errors.add(
                    party.sort,
                    party.label,
                    parsed.party_field("name"),
                    _("%(name)s is listed twice in the same role.")
                    % {"name": party.cleaned["name"]},
                )
            seen.add((party.key, party.cleaned["role"]))
    if errors:
        return None
    # Number-less matters: the same title, type, opening date and clients is the same matter.
    numberless = [m for m in parsed.matters if not m.cleaned["number"]]
    if numberless:
        existing = _existing_matters_by_key(sorted({m.cleaned["title"] for m in numberless}))
        for matter in numberless:
            client_keys = [p.key for p in matter.parties if p.cleaned["role"] == PartyRole.CLIENT]
            if any(key[0] == "n" for key in client_keys):
                continue  # a new client: cannot be a matter we already have
            cleaned = matter.cleaned
            key = (
                cleaned["title"],
                cleaned["matter_type"],
                cleaned["opened_on"],
                frozenset(k[1] for k in client_keys),
            )
            if existing.get(key):
                existing[key].pop(0)  # one existing matter answers for one file matter
                matter.existing = True
    return parties


# -- Writing ---------------------------------------------------------------------------------


def _reserve_numbers(
    needed: dict[tuple[int, str], int], floors: dict[tuple[int, str], int]
) -> dict[tuple[int, str], int]:
    """Take `needed` numbers per (year, type code) from the counters, past any `floors`."""
    starts: dict[tuple[int, str], int] = {}
    for year, code in sorted(set(needed) | set(floors)):
        counter = matter_number_counter(year=year, type_code=code).select_for_update().get()
        start = max(counter.last, floors.get((year, code), 0))
        last = start + needed.get((year, code), 0)
        if last != counter.last:
            MatterNumberCounter.objects.filter(pk=counter.pk).update(last=last)
        starts[(year, code)] = start
    return starts


def _other_names(
    to_create: list[_MatterIn],
    new_parties: list[dict[str, Any]],
    party_ids: dict[int, int],
    keys_for: Callable[[str, str], dict[str, str]],
) -> tuple[list[tuple[int, str, str, str]], list[int]]:
    """The names a file gives a party beyond the ones it will have: a row linked to an
    existing party by its identifier (whatever the name), or a later row of a party the file
    creates (a former name, another spelling). Each becomes an alias, so the next conflict
    check finds every name the firm's files used for the party; the existing party is not
    otherwise changed. Returns the alias rows and the existing parties that gained one."""

    def normalized(name: str, kind: str) -> tuple[str, str]:
        keys = keys_for(normalize_name(name), kind)
        return keys["normalized"][:200], keys["core"][:200]

    have: dict[int, set[str]] = defaultdict(set)
    for index, pk in party_ids.items():
        cleaned = new_parties[index]
        for name in (cleaned["name"], *cleaned["aliases"]):
            have[pk].add(normalized(name, cleaned["kind"])[0])
    existing = sorted({p.key[1] for m in to_create for p in m.parties if p.key[0] == "e"})
    for chunk in _chunks(existing):
        for model, column in ((Party, "pk"), (PartyAlias, "party_id")):
            rows = model.objects.filter(**{f"{column}__in": chunk})
            for pk, name in rows.values_list(column, "name_normalized"):
                have[pk].add(name)
    aliases: list[tuple[int, str, str, str]] = []
    gained: set[int] = set()
    for matter in to_create:
        for party in matter.parties:
            source, ref = party.key
            pk = ref if source == "e" else party_ids[ref]
            for name in (party.cleaned["name"], *party.cleaned["aliases"]):
                key, core = normalized(name, party.cleaned["kind"])
                if key and key not in have[pk]:
                    have[pk].add(key)
                    aliases.append((pk, name, key, core))
                    if source == "e":
                        gained.add(pk)
    return aliases, sorted(gained)


def _write(
    parsed: _Input, parties: _Parties, report: ImportReport, actor: User | None, filename: str
) -> None:
    to_create = [m for m in parsed.matters if not m.existing]
    # Only parties that a created matter needs are created.
    used_new = sorted({p.key[1] for m in to_create for p in m.parties if p.key[0] == "n"})
    pattern = settings.LEXCASE_MATTER_NUMBER_PATTERN
    number_regex = _number_regex()
    floors: dict[tuple[int, str], int] = {}
    if number_regex is not None:
        for matter in parsed.matters:
            match = number_regex.fullmatch(matter.cleaned["number"])
            if match:
                key = (int(match["year"]), match["type"])
                floors[key] = max(floors.get(key, 0), int(match["seq"]))
    needed: dict[tuple[int, str], int] = defaultdict(int)
    for matter in to_create:
        cleaned = matter.cleaned
        if not cleaned["number"]:
            code = MATTER_TYPE_CODES[MatterType(cleaned["matter_type"])]
            needed[(cleaned["opened_on"].year, code)] += 1
    starts = _reserve_numbers(needed, floors)

    keys_cache: dict[tuple[str, str], dict[str, str]] = {}

    def keys_for(normalized: str, kind: str) -> dict[str, str]:
        # Keys of a name equal those of its normalised form (every key is idempotent), and
        # are computed once per distinct normalised name.
        keys = keys_cache.get((kind, normalized))
        if keys is None:
            keys = keys_cache[(kind, normalized)] = name_keys(normalized, kind=kind)
        return keys

    party_rows = []
    for index in used_new:
        cleaned = parties.new[index]
        keys = keys_for(parties.normalized[cleaned["name"]], cleaned["kind"])
        party_rows.append(
            (
                cleaned["kind"],
                cleaned["name"],
                # Written without the model's fields: ciphertext and keyed hash here.
                encrypt(cleaned["id_number"]),
                blind_index(cleaned["id_number"]),
                cleaned["credit_code"],
                keys["normalized"][:200],
                keys["core"][:200],
                keys["trade"][:200],
            )
        )
    party_fields: tuple[str, ...] = ("kind", "name", "id_number", "id_number_hash", "credit_code")
    party_fields += ("name_normalized", "name_core", "name_trade")
    party_ids = dict(zip(used_new, bulk_insert(Party, party_fields, party_rows), strict=True))
    alias_rows = []
    for index in used_new:
        kind = parties.new[index]["kind"]
        for alias in parties.new[index]["aliases"]:
            keys = keys_for(normalize_name(alias), kind)
            alias_rows.append(
                (party_ids[index], alias, keys["normalized"][:200], keys["core"][:200])
            )
    more_rows, renamed = _other_names(to_create, parties.new, party_ids, keys_for)
    bulk_insert(
        PartyAlias, ("party_id", "name", "name_normalized", "name_core"), alias_rows + more_rows
    )

    matter_rows = []
    for matter in to_create:
        cleaned = matter.cleaned
        number = cleaned["number"]
        if not number:
            code = MATTER_TYPE_CODES[MatterType(cleaned["matter_type"])]
            year = cleaned["opened_on"].year
            starts[(year, code)] += 1
            number = pattern.format(year=year, type=code, seq=starts[(year, code)])
        matter_rows.append(
            (
                number,
                cleaned["title"],
                cleaned["matter_type"],
                cleaned["status"],
                cleaned["opened_on"],
                cleaned["closed_on"],
            )
        )
    matter_ids = bulk_insert(
        Matter,
        ("number", "title", "matter_type", "status", "opened_on", "closed_on"),
        matter_rows,
        constants={"created_by_id": actor.pk if actor else None},
    )
    links = []
    for matter, matter_id in zip(to_create, matter_ids, strict=True):
        for party in matter.parties:
            kind, ref = party.key
            party_id = ref if kind == "e" else party_ids[ref]
            links.append((matter_id, party_id, party.cleaned["role"]))
    bulk_insert(MatterParty, ("matter_id", "party_id", "role"), links)

    report.created_matters = len(matter_ids)
    report.created_parties = len(party_ids)
    report.party_ids = list(party_ids.values())
    audit_record(
        actor=actor,
        action="import",
        username="" if actor else "command line",
        data={**report.counts(), "filename": filename, "links": len(links)},
    )
    # History counts in conflict checks from the moment it is imported (conflicts indexes the
    # parties in this transaction); search indexes the matters in the task worker.
    # The existing parties that gained a name from the file are indexed again with them.
    matters_imported.send(
        sender=Matter, matter_ids=matter_ids, party_ids=[*report.party_ids, *renamed]
    )


# -- Entry point -----------------------------------------------------------------------------


def _read_error(exc: OSError) -> str:
    """Why the file could not be read, in the reader's language: the operating system's own
    text (`[Errno 13] Permission denied: '/srv/x.json'`) is English and names the path."""
    reason = {
        errno.ENOENT: gettext_lazy("it does not exist"),
        errno.EACCES: gettext_lazy("permission denied"),
        errno.EPERM: gettext_lazy("permission denied"),
        errno.EISDIR: gettext_lazy("it is a folder, not a file"),
    }.get(exc.errno or 0, gettext_lazy("reading it failed"))
    return _("The file cannot be read: %(error)s") % {"error": reason}


def _read_bytes(path_or_file: str | Path | IO[bytes]) -> bytes:
    if isinstance(path_or_file, (str, Path)):
        return Path(path_or_file).read_bytes()
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    data = path_or_file.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _too_many_rows(max_rows: int | None) -> str:
    return _(
        "The file has more than %(n)s rows: at most %(n)s rows are imported at once here. "
        "Split the file, or import it with the command (python -m lexcase import)."
    ) % {"n": f"{max_rows or 0:,}"}


def import_file(
    *,
    path_or_file: str | Path | IO[bytes],
    filename: str,
    actor: User | None,
    dry_run: bool = False,
    max_rows: int | None = None,
) -> ImportReport:
    """Validate the whole file, then import it in one transaction; never raises on bad input.

    `filename` decides the format by its extension (.json, .csv, .xlsx). With `dry_run`
    the report says what would be created, and nothing is written.
    """
    report = ImportReport(ok=False, dry_run=dry_run)
    extension = Path(filename).suffix.lower().lstrip(".")
    parsed = _Input(flat=extension != "json")
    if extension not in EXTENSIONS:
        parsed.errors.add(FILE_SORT, "", "file", _("Upload a .json, .csv or .xlsx file."))
        report.errors = parsed.errors.sorted()
        return report
    try:
        data = _read_bytes(path_or_file)
    except OSError as exc:
        parsed.errors.add(FILE_SORT, "", "file", _read_error(exc))
        report.errors = parsed.errors.sorted()
        return report
    refusal = office_zip_refusal(io.BytesIO(data), name=filename) if extension == "xlsx" else None
    if refusal:
        parsed.errors.add(FILE_SORT, "", "file", refusal)
    elif extension == "json":
        _read_json(data, parsed)
    else:
        try:
            rows = _csv_rows(data, max_rows) if extension == "csv" else _xlsx_rows(data, max_rows)
        except _Unreadable as exc:
            parsed.errors.add(FILE_SORT, "", "file", str(exc))
            rows = None
        except _TooManyRows:
            parsed.errors.add(FILE_SORT, "", "file", _too_many_rows(max_rows))
            rows = None
        except Exception:  # any reader failure is a bad file, not a crash
            message = (
                _("The file is not a readable CSV file.")
                if extension == "csv"
                else _("The file is not a readable Excel workbook.")
            )
            parsed.errors.add(FILE_SORT, "", "file", message)
            rows = None
        if rows is not None:
            _read_rows(rows, parsed, max_rows)
    if (
        not parsed.errors
        and max_rows is not None
        and sum(max(1, len(m.parties)) for m in parsed.matters) > max_rows
    ):
        parsed.errors.add(FILE_SORT, "", "file", _too_many_rows(max_rows))
    if not parsed.errors and not parsed.matters:
        parsed.errors.add(FILE_SORT, "", "file", _("The file has no matters."))
    # Rows are validated even when the file already has problems, to report all of them.
    parties = _validate(parsed) if parsed.matters else None
    if parties is None or parsed.errors:
        report.errors = parsed.errors.sorted()
        return report

    to_create = [m for m in parsed.matters if not m.existing]
    report.skipped_matters = len(parsed.matters) - len(to_create)
    report.reused_parties = len(
        {p.key[1] for m in parsed.matters for p in m.parties if p.key[0] == "e"}
    )
    if dry_run:
        report.created_matters = len(to_create)
        report.created_parties = len(
            {p.key[1] for m in to_create for p in m.parties if p.key[0] == "n"}
        )
        report.ok = True
        return report
    try:
        with transaction.atomic():
            _write(parsed, parties, report, actor, filename)
    except IntegrityError:
        report.created_matters = report.created_parties = 0
        report.party_ids = []
        report.errors = [
            ImportRowError(
                "",
                "file",
                _("The data changed while importing; nothing was imported. Try again."),
            )
        ]
        return report
    report.ok = True
    return report
