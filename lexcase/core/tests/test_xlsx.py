"""The workbook writer (core.xlsx): what openpyxl, the reader the tests trust, reads back."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from lexcase.core.xlsx import column_letter, sheet_title, write_workbook


def read(data: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    out = io.BytesIO()
    write_workbook(out, sheets)
    return out.getvalue()


def test_values_read_back_with_their_types_and_formats():
    shanghai = ZoneInfo("Asia/Shanghai")
    rows = [
        ["名称", "数量", "金额", "日期", "时间", "是否", "空"],
        [
            'A & B <公司> "引号"',
            3,
            Decimal("12345.60"),
            dt.date(2026, 12, 7),
            dt.datetime(2026, 12, 7, 8, 30, 15),
            True,
            None,
        ],
        [
            "  前后空格  \n第二行",
            -2,
            Decimal("-0.01"),
            dt.date(1900, 3, 1),
            dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC),
            False,
            "",
        ],
        [1.5, 10**15, Decimal("0"), None, dt.datetime(2026, 1, 1, 12, 0, tzinfo=shanghai)],
    ]
    data = workbook(("应收账款", rows))
    got = read(data)
    assert list(got) == ["应收账款"]
    sheet = got["应收账款"]
    assert sheet[0] == rows[0]
    assert sheet[1] == [
        'A & B <公司> "引号"',
        3,
        12345.6,
        dt.datetime(2026, 12, 7),
        dt.datetime(2026, 12, 7, 8, 30, 15),
        True,
        None,
    ]
    # An aware time is written as the civil time in the firm's zone (Asia/Shanghai).
    assert sheet[2] == [
        "  前后空格  \n第二行",
        -2,
        -0.01,
        dt.datetime(1900, 3, 1),
        dt.datetime(2026, 12, 7, 8, 0),
        False,
        None,
    ]
    assert sheet[3][:5] == [1.5, 10**15, 0, None, dt.datetime(2026, 1, 1, 12, 0)]
    ws = load_workbook(io.BytesIO(data)).active
    assert (ws["C2"].number_format, ws["D2"].number_format, ws["E2"].number_format) == (
        "#,##0.00",
        "yyyy-mm-dd",
        "yyyy-mm-dd hh:mm:ss",
    )
    assert ws["B2"].number_format == "General"
    assert ws["C2"].data_type == "n" and ws["A2"].data_type == "s"


def test_characters_xml_cannot_carry_are_left_out():
    got = read(workbook(("s", [["a\x00b\x01c\x0bd\x1fe\ufffff\tg"]])))
    assert got["s"] == [["abcdef\tg"]]


def test_sheets_titles_and_wide_rows():
    wide = [list(range(30))]
    got = read(
        workbook(
            ("summary", [["x"], [], ["y"]]),
            ("a/b:c*d?[e]\\f", wide),
            ("A/B", wide),
            ("a b", [["same title after cleaning"]]),
            ("很长的名称" * 10, [["z"]]),
        )
    )
    assert list(got) == ["summary", "a b c d  e  f", "A B", "a b 2", ("很长的名称" * 10)[:31]]
    assert got["summary"] == [["x"], [None], ["y"]]
    assert got["A B"] == wide
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
    assert sheet_title("", set()) == "Sheet"


class Unseekable(io.RawIOBase):
    """A pipe-like stream: the writer must not need to seek."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        self.chunks.append(bytes(b))
        return len(b)


def test_rows_stream_into_an_unseekable_output():
    produced = []

    def rows():
        for i in range(20000):
            produced.append(i)
            yield [f"客户{i}", Decimal(i) / 100, dt.date(2026, 1, 1) + dt.timedelta(days=i % 365)]

    out = Unseekable()
    write_workbook(out, [("rows", rows())])
    data = b"".join(out.chunks)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    got = read(data)["rows"]
    assert len(got) == 20000 and len(produced) == 20000
    assert got[12345] == [
        "客户12345",
        123.45,
        dt.datetime(2026, 1, 1) + dt.timedelta(days=12345 % 365),
    ]


def test_a_workbook_needs_a_sheet():
    with pytest.raises(ValueError):
        workbook()
