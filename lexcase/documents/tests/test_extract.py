"""Text extraction per type, OCR of a scanned Chinese PDF, and the way into search."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from lexcase.documents import extract, services
from lexcase.documents.extract import (
    ExtractionError,
    Limits,
    TooLarge,
    clean_ocr_text,
    extract_text,
)
from lexcase.documents.models import DocumentVersion
from lexcase.documents.tests.files import (
    docx_bytes,
    png,
    render_lines,
    scanned_pdf,
    text_pdf,
    upload,
    xlsx_bytes,
)
from lexcase.search.selectors import search
from lexcase.testing import client_for

needs_tesseract = pytest.mark.skipif(
    not Path("/usr/bin/tesseract").exists(), reason="/usr/bin/tesseract is not installed"
)

SCAN_LINES = [
    "北京市朝阳区人民法院",
    "民事判决书",
    "原告北京华泰科技有限公司与被告王伟买卖合同纠纷一案",
    "本院认为，被告应当支付货款。",
]


def run_upload(firm, name, data, capture):
    with capture(execute=True):
        (document,) = services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload(name, data)]
        )
    return DocumentVersion.objects.select_related("document").get(pk=document.current_id)


def test_pdf_text_layer():
    result = extract_text(io.BytesIO(text_pdf("买卖合同 甲方 乙方 违约责任")), "application/pdf")
    assert result.method == "pdf"
    assert "买卖合同" in result.text.replace(" ", "")


def test_docx_and_xlsx_and_text():
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert extract_text(io.BytesIO(docx_bytes(["授权委托书", "受托人"])), docx_type).text == (
        "授权委托书\n受托人"
    )
    assert extract_text(io.BytesIO(xlsx_bytes([["发票", 100]])), xlsx_type).text == "发票\t100"
    assert extract_text(io.BytesIO("\ufeff正文".encode()), "text/plain").text == "正文"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "big5", "utf-8-sig"])
def test_a_chinese_text_file_is_extracted_in_its_encoding(
    firm, encoding, django_capture_on_commit_callbacks
):
    # A GBK .txt was refused at upload as "not UTF-8" (Notepad's ANSI on a Chinese Windows).
    text = (
        "民事起诉状\n原告：陳思遠\n被告：北京远大贸易有限公司"
        if encoding != "big5"
        else "民事起訴狀"
    )
    version = run_upload(
        firm, "起诉状.txt", text.encode(encoding), django_capture_on_commit_callbacks
    )
    assert (version.content_type, version.text_status, version.text) == (
        "text/plain",
        "done",
        text,
    )


def test_broken_pdf_fails_with_reason():
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text(io.BytesIO(b"%PDF-1.4 garbage"), "application/pdf")


def test_ocr_spaces_between_chinese_characters_removed():
    assert clean_ocr_text("人 民 法 院 判决 ABC DEF\n\n\n\nx") == "人民法院判决 ABC DEF\n\nx"


def zero_page_pdf() -> bytes:
    # pdfium loads in the extraction child only; the test needs it just here.
    import pypdfium2 as pdfium

    out = io.BytesIO()
    pdf = pdfium.PdfDocument.new()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


UNREADABLE_ZH = (
    "此文件无法打开：文件已损坏、不完整或没有页面。文件已按收到的原样保存；请向发送方索取新的副本。"
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4 not really", "The PDF cannot be read: "),
        (lambda: text_pdf("判决书")[:800], "The PDF cannot be read: "),  # cut short
        (zero_page_pdf, "The PDF cannot be read: "),  # pdfium refuses a PDF without pages
    ],
)
def test_a_pdf_no_reader_can_open_is_kept_and_shown_as_such(
    firm, data, reason, django_capture_on_commit_callbacks
):
    """Stored silently before (a 0-page PDF as text "done", a damaged one as "failed" with
    pdfium's English). A lawyer expects the file kept as received — it is what the court or
    client sent, with its SHA-256 and time, and another reader may still open it — and to
    be told plainly, on the list and the document, to ask for a new copy."""
    data = data() if callable(data) else data
    version = run_upload(firm, "判决书.pdf", data, django_capture_on_commit_callbacks)
    assert (version.text_status, version.text_error[: len(reason)]) == ("unreadable", reason)
    assert version.document.current_id == version.pk
    lead = client_for(firm.lead)
    page = lead.get(f"/documents/{version.document_id}/").content.decode()
    assert UNREADABLE_ZH in page
    assert '<span class="status status-text-unreadable">无法打开</span>' in page
    matter_page = lead.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert (
        f'<span class="status status-text-unreadable" title="{UNREADABLE_ZH}">无法打开</span>'
        in matter_page
    )


def test_text_refines_a_suggested_category(firm, django_capture_on_commit_callbacks):
    data = "甲方：华泰科技\n乙方：王伟\n违约责任\n本协议一式两份".encode()
    version = run_upload(firm, "scan001.txt", data, django_capture_on_commit_callbacks)
    version.document.refresh_from_db()
    assert (version.text_status, version.document.category) == ("done", "contract")


def test_text_never_overrides_a_chosen_category(firm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = services.documents_upload(
            actor=firm.lead,
            matter=firm.matter,
            uploads=[upload("x.txt", "甲方 乙方 违约责任 协议".encode())],
            category="evidence",
        )
    document.refresh_from_db()
    assert document.category == "evidence"


@needs_tesseract
def test_scanned_chinese_pdf_is_found_by_a_two_character_word_only_by_those_who_see_it(
    firm, django_capture_on_commit_callbacks
):
    data = scanned_pdf(SCAN_LINES)
    assert b"/Font" not in data  # image only: no text layer to cheat with
    version = run_upload(firm, "scan.pdf", data, django_capture_on_commit_callbacks)
    assert (version.text_status, version.text_method) == ("done", "ocr")
    for line in SCAN_LINES[:3]:
        assert line in version.text
    # The scanned judgment is filed as a court document from its text.
    version.document.refresh_from_db()
    assert version.document.category == "court"

    def found(user, q):
        return [(h.kind, h.id) for h in search(user=user, q=q, kind="document")]

    expected = [("document", version.document_id)]
    for word in ("货款", "法院", "王伟"):
        assert found(firm.lead, word) == expected, word
        assert found(firm.assistant, word) == expected, word
        assert found(firm.admin, word) == expected, word
        assert found(firm.outsider, word) == [], word
        assert found(firm.walled, word) == [], word
        assert found(firm.finance, word) == [], word
    assert found(firm.lead, "货物") == []


@needs_tesseract
def test_image_upload_is_ocred(firm, django_capture_on_commit_callbacks):
    version = run_upload(
        firm, "photo.png", png(["转账凭证", "金额壹万元"]), django_capture_on_commit_callbacks
    )
    assert (version.text_status, version.text_method) == ("done", "ocr")
    assert "转账凭证" in version.text


def test_documents_leave_the_index_when_deleted(firm, django_capture_on_commit_callbacks):
    version = run_upload(
        firm, "律师函.txt", "催告函 货款".encode(), django_capture_on_commit_callbacks
    )
    assert [h.id for h in search(user=firm.lead, q="货款", kind="document")] == [
        version.document_id
    ]
    services.document_delete(actor=firm.lead, document=version.document)
    assert search(user=firm.lead, q="货款", kind="document") == []


@pytest.mark.django_db(transaction=True)
def test_database_queue_and_worker_batch(firm, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("答辩状.txt", "答辩人 王伟".encode())]
    )
    version = DocumentVersion.objects.get(document=document)
    assert version.text_status == "pending"
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    version.refresh_from_db()
    assert (version.text_status, version.text) == ("done", "答辩人 王伟")


def test_giant_scanned_page_is_rendered_within_the_pixel_cap(monkeypatch):
    buffer = io.BytesIO()
    # 1 dpi: the page claims to be about 1,700 × 450 inches.
    render_lines(["证据"]).convert("RGB").save(buffer, format="PDF", resolution=1.0)
    seen = []

    def fake_ocr(path):
        with Image.open(path) as image:
            seen.append(image.width * image.height)
        return "证 据"

    monkeypatch.setattr(extract, "_ocr_image", fake_ocr)
    result = extract_text(io.BytesIO(buffer.getvalue()), "application/pdf")
    assert (result.text, result.method) == ("证据", "ocr")
    assert 0 < seen[0] <= extract.MAX_RENDER_PIXELS


def test_office_zip_bomb_is_not_inflated():
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with pytest.raises(TooLarge, match="inflates"):
        extract_text(
            io.BytesIO(docx_bytes(["合同"] * 200)),
            docx_type,
            limits=Limits(office_inflated_bytes=1000),
        )
