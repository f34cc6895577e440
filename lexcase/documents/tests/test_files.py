"""Content sniffing and upload checks: the bytes decide, never the name."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from lexcase.documents import files
from lexcase.documents.tests.files import docx_bytes, png, upload, xlsx_bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%...", files.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, files.PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, files.JPEG),
        (b"II*\x00" + b"\x00" * 20, files.TIFF),
        (b"MM\x00*" + b"\x00" * 20, files.TIFF),
        ("民事起诉状\n原告：张三".encode(), files.TEXT),
        (b"\xef\xbb\xbfUTF-8 with a BOM", files.TEXT),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows executable
        (b"\x7fELF\x02\x01\x01", None),
        # Chinese firms' text files: GBK/GB18030 (Notepad's ANSI), UTF-16 (its "Unicode"),
        # Big5 (refused as "not UTF-8" before).
        ("民事起诉状\n原告：张三".encode("gbk"), files.TEXT),
        ("中文".encode("gbk"), files.TEXT),
        ("答辩状：被告王喆".encode("gb18030"), files.TEXT),
        ("民事起诉状\r\n原告：张三".encode("utf-16"), files.TEXT),
        ("民事起訴狀\n原告：陳思遠".encode("big5"), files.TEXT),
        ("<html><script>alert(1)</script></html>".encode("utf-16"), None),
        ("café société".encode("latin-1"), None),  # no Chinese code reads it
        (b"<html><script>alert(1)</script></html>", None),
        (b'<?xml version="1.0"?><svg onload="alert(1)"></svg>', None),
        (b"  <svg><script>alert(1)</script></svg>", None),
        (b"PK\x03\x04not really a zip", None),
    ],
)
def test_sniff_by_content(data, expected):
    assert files.sniff(io.BytesIO(data)) == expected


def test_sniff_office_files_by_their_parts():
    assert files.sniff(io.BytesIO(docx_bytes(["合同"]))) == files.DOCX
    assert files.sniff(io.BytesIO(xlsx_bytes([["金额", 100]]))) == files.XLSX
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("payload.exe", b"MZ")
    assert files.sniff(other) is None


def test_sniff_real_png():
    assert files.sniff(io.BytesIO(png(["证据"]))) == files.PNG


def test_check_upload_refuses_exe_renamed_pdf_naming_the_file():
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("判决书.pdf", b"MZ\x90\x00" + b"\x00" * 100))
    assert list(exc.value.message_dict) == ["file"]
    assert "判决书.pdf" in exc.value.message_dict["file"][0]


def test_check_upload_refuses_empty_and_oversized(settings):
    settings.LEXCASE_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("a.txt", b""))
    assert list(exc.value.message_dict) == ["file"]
    with pytest.raises(ValidationError) as exc:
        files.check_upload(upload("a.txt", b"a" * (1024 * 1024 + 1)))
    assert list(exc.value.message_dict) == ["file"]
    assert files.check_upload(upload("a.txt", b"a" * (1024 * 1024))) == files.TEXT


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("/abs/path/合同.pdf", "合同.pdf"),
        ("evil\x00name\n.pdf", "evilname.pdf"),
        ("..", "file"),
        ("", "file"),
    ],
)
def test_original_name_is_only_a_label(name, expected):
    assert files.safe_original_name(name) == expected


def test_storage_names_are_generated():
    name = files.new_storage_name(files.PDF)
    assert name.startswith("documents/")
    assert name.endswith(".pdf")
    assert len(name.rsplit("/", 1)[1]) == 32 + 4
