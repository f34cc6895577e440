"""OFD files (电子送达, issue 16 item 19): accepted by content and their text extracted."""

from __future__ import annotations

import io
import zipfile

import pytest

from lexcase.documents import files
from lexcase.documents.extract import ExtractionError, extract_text
from lexcase.documents.tests.files import ofd_bytes, upload

JUDGMENT = [
    ["北京市朝阳区人民法院", "民事判决书", "（2025）京0105民初12345号"],
    ["本判决为终审判决。"],
]


def test_an_ofd_file_is_recognised_by_its_content_whatever_its_name():
    assert files.sniff(io.BytesIO(ofd_bytes(JUDGMENT))) == files.OFD
    assert files.check_upload(upload("判决书.pdf", ofd_bytes(JUDGMENT))) == files.OFD


def test_the_text_of_every_page_in_page_order():
    result = extract_text(io.BytesIO(ofd_bytes(JUDGMENT)), files.OFD)
    assert (result.text, result.method) == (
        "北京市朝阳区人民法院\n民事判决书\n（2025）京0105民初12345号\n\n本判决为终审判决。",
        "ofd",
    )


def test_a_broken_ofd_page_is_a_failed_extraction_not_a_crash():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", "<not xml")
    with pytest.raises(ExtractionError):
        extract_text(io.BytesIO(buf.getvalue()), files.OFD)


def test_an_ofd_page_with_entities_is_refused():
    laughs = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">]><p>&a;&a;</p>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", laughs)
    with pytest.raises(ExtractionError, match="DTD"):
        extract_text(io.BytesIO(buf.getvalue()), files.OFD)
