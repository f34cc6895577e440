"""Legacy Word 97-2003 (.doc) and WPS 文字 (.wps) files (issue 16 item 19): accepted by their
content, their text through antiword when it is installed, else stored with "no text"."""

from __future__ import annotations

import io

import pytest

from lexcase.documents import extract, files, services
from lexcase.documents.extract import NoText, extract_text
from lexcase.documents.models import DocumentVersion, TextStatus
from lexcase.documents.tests.files import compound_file, upload, word97_bytes
from lexcase.testing import client_for

needs_antiword = pytest.mark.skipif(
    extract.antiword_path() is None, reason="antiword is not installed (make install)"
)

TEXT = "民事判决书\r原告张三诉被告李四民间借贷纠纷一案。\r"


def run_upload(firm, name, data, capture):
    with capture(execute=True):
        (document,) = services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload(name, data)]
        )
    return DocumentVersion.objects.select_related("document").get(pk=document.current_id)


def test_a_word_binary_file_is_recognised_by_its_content_whatever_its_name():
    data = word97_bytes(TEXT)
    assert files.sniff(io.BytesIO(data)) == files.DOC
    assert files.check_upload(upload("起诉状.wps", data)) == files.DOC
    assert files.check_upload(upload("起诉状.doc", data)) == files.DOC
    assert files.EXTENSIONS[files.DOC] == "doc"


def test_other_compound_files_are_refused():
    # An Excel 97 workbook or an installer is a compound file too, without a WordDocument.
    workbook = compound_file({"Workbook": b"\x09\x08" * 100})
    assert files.sniff(io.BytesIO(workbook)) is None
    with pytest.raises(files.ValidationError):
        files.check_upload(upload("账目.doc", workbook))
    # A compound-file header over garbage is not a document.
    assert files.sniff(io.BytesIO(workbook[:512] + b"\xff" * 2048)) is None


@needs_antiword
def test_the_text_of_a_doc_through_antiword():
    result = extract_text(io.BytesIO(word97_bytes(TEXT)), files.DOC)
    assert (result.text, result.method) == (
        "民事判决书\n原告张三诉被告李四民间借贷纠纷一案。",
        "doc",
    )


def test_without_antiword_the_file_has_no_text_and_says_why(monkeypatch):
    monkeypatch.setattr(extract, "antiword_path", lambda: None)
    with pytest.raises(NoText) as raised:
        extract_text(io.BytesIO(word97_bytes(TEXT)), files.DOC)
    assert str(raised.value) == (
        "No text: antiword, which reads Word 97-2003 and WPS files, is not installed."
    )


@needs_antiword
def test_an_uploaded_wps_is_extracted_in_the_child_and_searchable(
    firm, django_capture_on_commit_callbacks
):
    version = run_upload(firm, "起诉状.wps", word97_bytes(TEXT), django_capture_on_commit_callbacks)
    assert (version.content_type, version.text_status, version.text_method, version.text_error) == (
        files.DOC,
        TextStatus.DONE,
        "doc",
        "",
    )
    assert version.text == "民事判决书\n原告张三诉被告李四民间借贷纠纷一案。"
    assert version.original_name == "起诉状.wps"


def test_an_upload_without_a_converter_is_stored_with_no_text_shown_to_the_user(
    firm, django_capture_on_commit_callbacks, monkeypatch
):
    def no_converter(handle, content_type):
        raise NoText("No text: antiword, which reads Word 97-2003 and WPS files, is not installed.")

    monkeypatch.setattr(services, "extract_text_isolated", no_converter)
    version = run_upload(firm, "旧合同.doc", word97_bytes(TEXT), django_capture_on_commit_callbacks)
    assert (version.text_status, version.text) == (TextStatus.NO_TEXT, "")
    assert version.text_error.startswith("No text: antiword")
    page = client_for(firm.lead).get(f"/documents/{version.document_id}/").content.decode()
    assert '<span class="status status-text-no_text">无文本</span>' in page
    # The file itself stands and downloads as uploaded.
    response = client_for(firm.lead).get(f"/documents/{version.document_id}/download/")
    assert b"".join(response.streaming_content) == word97_bytes(TEXT)


def test_antiword_is_installed_by_make_install():
    with open("Makefile", encoding="utf-8") as makefile:
        packages = next(line for line in makefile if line.startswith("DEB_PACKAGES :="))
    assert "antiword" in packages.split()
