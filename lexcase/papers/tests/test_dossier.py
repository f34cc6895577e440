from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from weasyprint import HTML

from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.files import documents_storage
from lexcase.documents.models import Document
from lexcase.documents.services import documents_upload
from lexcase.papers import services
from lexcase.papers.tests.helpers import demo_matter, docx_with
from lexcase.testing import client_for


def pdf_of(*pages: str) -> bytes:
    """A PDF with one page per text (ASCII markers, so the text reads back exactly)."""
    body = "".join(f'<p style="page-break-after: always">{p}</p>' for p in pages)
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, "PNG")
    return out.getvalue()


def upload(f, matter, name: str, content: bytes, category: str, title: str) -> Document:
    (document,) = documents_upload(
        actor=f.lead,
        matter=matter,
        uploads=[SimpleUploadedFile(name, content)],
        category=category,
        title=title,
    )
    return document


def read_pages(content: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(content)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def stored(document: Document) -> bytes:
    document.refresh_from_db()
    with documents_storage().open(document.current_version().file_name) as fh:
        return fh.read()


@pytest.fixture
def matter_with_documents(firm):
    matter = demo_matter(firm)
    docs = {
        "complaint": upload(
            firm,
            matter,
            "complaint.pdf",
            pdf_of("ALPHA-ONE", "ALPHA-TWO"),
            "pleading",
            "Complaint A",
        ),
        "photo": upload(firm, matter, "photo.png", png(), "evidence", "Photo B"),
        "word": upload(
            firm, matter, "notes.docx", docx_with("x").read(), "correspondence", "Word C"
        ),
        "judgment": upload(
            firm,
            matter,
            "judgment.pdf",
            pdf_of("GAMMA-ONE", "GAMMA-TWO", "GAMMA-THREE"),
            "court",
            "Judgment D",
        ),
    }
    return matter, docs


@pytest.mark.django_db
def test_the_contents_page_numbers_match_the_merged_pages(firm, matter_with_documents):
    matter, docs = matter_with_documents
    order = [docs["judgment"], docs["word"], docs["complaint"], docs["photo"]]
    dossier = services.dossier_assemble(
        actor=firm.lead, matter=matter, document_ids=[d.pk for d in order]
    )
    assert (dossier.title, dossier.category) == (f"卷宗（{matter.number}）", "other")
    pages = read_pages(stored(dossier))
    # cover, contents, then 3 + 0 + 2 + 1 pages
    assert len(pages) == 2 + 3 + 2 + 1
    assert "档号 （未归档）" in pages[0]
    assert f"本所案号 {matter.number}" in pages[0] and "委托人 张三丰" in pages[0]
    contents = pages[1]
    assert "序号 文件名称 日期 页数 页码" in contents

    def page_range(title: str) -> str:
        # Each row: seq, title, date, page count, pages ("4-6"); the reader gives one cell
        # per line.
        match = re.search(re.escape(title) + r"\s+(?:\S+\s+)?(\d+)\s+(\d+(?:-\d+)?)\s", contents)
        assert match, contents
        return f"{match.group(1)}:{match.group(2)}"

    assert page_range("Judgment D") == "3:3-5"
    assert page_range("Complaint A") == "2:6-7"
    assert page_range("Photo B") == "1:8"
    assert "Word C" in contents and "Word 文件，未转换为 PDF" in contents
    assert "GAMMA-ONE" in pages[2] and "GAMMA-THREE" in pages[4]
    assert "ALPHA-ONE" in pages[5] and "ALPHA-TWO" in pages[6]
    # Every merged page carries its number.
    for number in range(3, 9):
        assert re.search(rf"(^|\s){number}\s*$", pages[number - 1].strip()), pages[number - 1]
    event = AuditEvent.objects.get(action="dossier.assemble")
    assert event.data["documents"] == [d.pk for d in order]
    assert event.data["not_converted"] == [docs["word"].pk]


@pytest.mark.django_db
def test_assembling_again_is_a_new_version_and_never_includes_itself(firm, matter_with_documents):
    matter, docs = matter_with_documents
    first = services.dossier_assemble(
        actor=firm.lead, matter=matter, document_ids=[docs["photo"].pk]
    )
    assert first.pk not in {d.pk for d in services.dossier_candidates(matter=matter)}
    with pytest.raises(ValidationError):
        services.dossier_assemble(actor=firm.lead, matter=matter, document_ids=[first.pk])
    second = services.dossier_assemble(
        actor=firm.lead, matter=matter, document_ids=[docs["complaint"].pk]
    )
    assert second.pk == first.pk
    assert second.versions.count() == 2


@pytest.mark.django_db
def test_the_page_orders_by_the_position_fields(firm, matter_with_documents):
    matter, docs = matter_with_documents
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/papers/dossier/assemble/",
        {
            "document": [str(docs["complaint"].pk), str(docs["judgment"].pk)],
            f"position-{docs['complaint'].pk}": "2",
            f"position-{docs['judgment'].pk}": "1",
        },
    )
    dossier = Document.objects.get(matter=matter, title__startswith="卷宗")
    assert response["Location"] == f"/documents/{dossier.pk}/"
    pages = read_pages(stored(dossier))
    assert "GAMMA-ONE" in pages[2] and "ALPHA-ONE" in pages[5]
    page = client_for(firm.lead).get(f"/matters/{matter.pk}/papers/dossier/").content.decode()
    # The default order: engagement, contract, pleadings, evidence, court, correspondence.
    titles = re.findall(r'<label for="dossier-doc-\d+">([^<]+)</label>', page)
    assert titles == ["Complaint A", "Photo B", "Judgment D", "Word C"]


@pytest.mark.django_db
def test_only_members_assemble(firm, matter_with_documents):
    matter, docs = matter_with_documents
    with pytest.raises(NotAllowed):
        services.dossier_assemble(actor=firm.admin, matter=matter, document_ids=[docs["photo"].pk])
