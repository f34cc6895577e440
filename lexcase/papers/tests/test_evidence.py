from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Docx

from lexcase.documents.services import documents_upload
from lexcase.papers import services
from lexcase.papers.tests.helpers import demo_matter, docx_with
from lexcase.papers.tests.test_dossier import pdf_of, png, stored


def add(f, matter, name, content, category, title, on_date=None, notes=""):
    (document,) = documents_upload(
        actor=f.lead,
        matter=matter,
        uploads=[SimpleUploadedFile(name, content)],
        category=category,
        title=title,
        on_date=on_date,
        notes=notes,
    )
    return document


def table_rows(content: bytes) -> list[list[str]]:
    (table,) = Docx(io.BytesIO(content)).tables
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.django_db
def test_the_evidence_list_in_order_with_page_counts(firm):
    matter = demo_matter(firm)
    add(
        firm,
        matter,
        "contract.pdf",
        pdf_of("A", "B"),
        "evidence",
        "买卖合同",
        date(2026, 3, 1),
        "证明双方存在买卖合同关系",
    )
    add(
        firm,
        matter,
        "photo.png",
        png(),
        "evidence",
        "送货现场照片",
        date(2026, 1, 15),
        "证明已交货",
    )
    add(firm, matter, "chat.docx", docx_with("聊天记录").read(), "evidence", "微信聊天记录")
    add(firm, matter, "complaint.pdf", pdf_of("C"), "pleading", "起诉状", date(2026, 1, 1))

    first = services.paper_generate(actor=firm.lead, matter=matter, key="evidence_list")
    expected = [
        ["序号", "证据名称", "日期", "页数", "证明目的"],
        ["1", "送货现场照片", "2026年1月15日", "1", "证明已交货"],
        ["2", "买卖合同", "2026年3月1日", "2", "证明双方存在买卖合同关系"],
        ["3", "微信聊天记录", "", "", ""],
    ]
    assert (first.category, first.title) == ("evidence", f"证据目录（{matter.number}）")
    assert table_rows(stored(first)) == expected
    # The list generated before is itself in the evidence category, and is not listed.
    again = services.paper_generate(actor=firm.lead, matter=matter, key="evidence_list")
    assert again.pk == first.pk
    assert table_rows(stored(again)) == expected
