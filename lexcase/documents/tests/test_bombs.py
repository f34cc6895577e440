"""Hostile files (issue 18 item 7): Office decompression bombs are refused at upload, before
they are stored, and again before extraction; extraction runs in a child process whose
memory, CPU and time are limited, so a hostile file ends as a failed extraction on its
version, never as a huge or dead worker.

The bombs are built here with zipfile from 1 MB blocks of one repeated paragraph: the test
process never holds more than a block, and the archives are a few hundred KB."""

from __future__ import annotations

import io
import resource
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lexcase.documents import services
from lexcase.documents.extract import (
    ExtractionError,
    LimitsExceeded,
    TooLarge,
    extract_text_isolated,
)
from lexcase.documents.models import Document, DocumentVersion
from lexcase.documents.tests.files import docx_bytes, stored_files, upload
from lexcase.portal.tests.factories import build_world

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIB = 2**20

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
)
PARAGRAPH = "<w:p><w:r><w:t>甲方应当支付货款。</w:t></w:r></w:p>".encode()
TAIL = b"</w:body></w:document>"


def docx_bomb(inflated_mb: int, *, extra_entries: int = 0) -> bytes:
    """A valid Word file whose document.xml is `inflated_mb` MB of paragraphs."""
    block = PARAGRAPH * (MIB // len(PARAGRAPH))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w") as entry:
            entry.write(HEAD)
            for _ in range(inflated_mb):
                entry.write(block)
            entry.write(TAIL)
        for i in range(extra_entries):
            archive.writestr(f"customXml/item{i}.xml", b"")
    return buffer.getvalue()


def lie_about_size(data: bytes, name: bytes, declared: int) -> bytes:
    """Rewrite the uncompressed size of `name` in its local and central headers."""
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    while local >= 0:
        name_len = struct.unpack_from("<H", out, local + 26)[0]
        if out[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", out, local + 22, declared)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", out, central + 24, declared)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def run_upload(firm, data, capture, name="合同.docx"):
    with capture(execute=True):
        (document,) = services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload(name, data)]
        )
    return DocumentVersion.objects.get(pk=document.current_id)


def test_bomb_over_the_inflated_cap_is_refused_at_upload_and_nothing_stored(
    firm, settings, doc_store
):
    # It was stored and only refused by the extraction task: a zip bomb in the firm's files.
    settings.LEXCASE_OFFICE_MAX_INFLATED_MB = 16
    data = docx_bomb(40)
    assert len(data) < 256 * 1024  # a few hundred KB that inflate to 40 MB
    with pytest.raises(ValidationError) as exc:
        services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload("合同.docx", data)]
        )
    assert exc.value.message_dict == {"file": ["“合同.docx”解压后超过 16 MB，不予接受。"]}
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_high_ratio_bomb_is_refused_at_upload(firm, settings, doc_store):
    settings.LEXCASE_OFFICE_MAX_RATIO = 100
    with pytest.raises(ValidationError) as exc:
        services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload("合同.docx", docx_bomb(8))]
        )
    assert exc.value.message_dict == {
        "file": ["“合同.docx”解压后膨胀超过 100 倍（ZIP 炸弹），不予接受。"]
    }
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_a_bomb_stored_before_the_upload_check_is_still_not_extracted(settings):
    settings.LEXCASE_OFFICE_MAX_INFLATED_MB = 16
    with pytest.raises(TooLarge) as exc:
        extract_text_isolated(io.BytesIO(docx_bomb(40)), DOCX)
    assert str(exc.value) == (
        "Too large to extract: the Office document inflates to 40 MB, more than the 16 MB limit."
    )


def test_bomb_with_a_high_ratio_entry_is_refused(firm, settings):
    settings.LEXCASE_OFFICE_MAX_RATIO = 100
    with pytest.raises(TooLarge) as exc:
        extract_text_isolated(io.BytesIO(docx_bomb(8)), DOCX)
    assert str(exc.value).startswith(
        "Too large to extract: word/document.xml inflates more than 100 times"
    )


def test_entry_count_bomb_is_refused_at_upload_and_nothing_stored(firm, settings, doc_store):
    settings.LEXCASE_MAX_UPLOAD_MB = 4  # 10,000 empty entries take 1.2 MB of headers
    data = docx_bomb(0, extra_entries=10_001)
    with pytest.raises(ValidationError) as exc:
        services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload("合同.docx", data)]
        )
    assert exc.value.message_dict == {
        "file": ["“合同.docx”包含超过 10000 个部件，不能作为 Word 或 Excel 文件读取。"]
    }
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_entry_count_bomb_is_refused_by_extraction_too(settings):
    # A file stored before the cap existed (or under a higher one) is still never parsed.
    settings.LEXCASE_OFFICE_MAX_ENTRIES = 50
    with pytest.raises(TooLarge) as exc:
        extract_text_isolated(io.BytesIO(docx_bomb(0, extra_entries=60)), DOCX)
    assert str(exc.value) == "Too large to extract: the Office document has more than 50 parts."


def test_lying_size_headers_are_caught_while_reading(settings):
    # The headers say 1 KB; the entry really inflates to 8 MB. Counted bytes, not declared
    # ones, decide: the reader stops and the file is reported as damaged.
    data = lie_about_size(docx_bomb(8), b"word/document.xml", 1024)
    with pytest.raises(ExtractionError) as exc:
        extract_text_isolated(io.BytesIO(data), DOCX)
    assert str(exc.value).startswith("The file is not a valid Office document:")


def test_parse_beyond_the_memory_limit_fails_in_the_child_not_here(
    firm, settings, django_capture_on_commit_callbacks
):
    # Under the inflation cap, but parsing 48 MB of paragraphs needs far more than 256 MB:
    # the child process hits its address-space limit; this process never parses anything.
    settings.LEXCASE_OFFICE_MAX_INFLATED_MB = 64
    settings.LEXCASE_OFFICE_MAX_RATIO = 10_000
    settings.LEXCASE_EXTRACT_MEMORY_MB = 256
    data = docx_bomb(48)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    version = run_upload(firm, data, django_capture_on_commit_callbacks)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert (version.text_status, version.text) == ("failed", "")
    assert version.text_error == "Extraction limits exceeded: more than 256 MB of memory."
    assert grown_mb < 64


def test_cpu_limit_stops_the_child(settings):
    settings.LEXCASE_OFFICE_MAX_INFLATED_MB = 64
    settings.LEXCASE_OFFICE_MAX_RATIO = 10_000
    settings.LEXCASE_EXTRACT_CPU_SECONDS = 1
    with pytest.raises(LimitsExceeded) as exc:
        extract_text_isolated(io.BytesIO(docx_bomb(48)), DOCX)
    assert str(exc.value) == "Extraction limits exceeded: more than 1 s of CPU time."


def test_wall_clock_timeout_kills_the_child_and_leaves_no_work_files(settings, tmp_path):
    settings.LEXCASE_EXTRACT_TEMP_DIR = tmp_path / "extract"
    settings.LEXCASE_EXTRACT_TIMEOUT_SECONDS = 0.05
    with pytest.raises(LimitsExceeded) as exc:
        extract_text_isolated(io.BytesIO(docx_bytes(["授权委托书"])), DOCX)
    assert str(exc.value) == "Extraction limits exceeded: took longer than 0.05 s."
    assert list((tmp_path / "extract").iterdir()) == []


def test_a_normal_word_file_is_extracted_through_the_child(settings, tmp_path):
    settings.LEXCASE_EXTRACT_TEMP_DIR = tmp_path / "extract"
    result = extract_text_isolated(io.BytesIO(docx_bytes(["授权委托书", "受托人"])), DOCX)
    assert (result.text, result.method) == ("授权委托书\n受托人", "docx")
    assert list((tmp_path / "extract").iterdir()) == []


def test_portal_client_bomb_is_refused_at_upload(firm, settings, doc_store):
    settings.LEXCASE_OFFICE_MAX_INFLATED_MB = 16
    world = build_world(firm)
    client = Client()
    client.force_login(world.a.user)
    stored_before = stored_files(doc_store)
    response = client.post(
        f"/portal/matters/{world.a_matter.pk}/upload/",
        {"file": upload("补充证据.docx", docx_bomb(40)), "title": "补充证据"},
        follow=True,
    )
    assert "“补充证据.docx”解压后超过 16 MB，不予接受。" in response.content.decode()
    assert Document.objects.filter(title="补充证据").count() == 0
    assert stored_files(doc_store) == stored_before
