"""File names: a name over 200 characters is shortened with its extension kept and the
uploader is told; a list shows each document's extension, so two uploads of one name in two
formats are told apart."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from lexcase.documents import files
from lexcase.documents.models import DocumentVersion
from lexcase.documents.tests.files import docx_bytes, upload
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

LONG = "关于北京华泰科技有限公司诉北京远大贸易有限公司买卖合同纠纷一案的" * 7 + "证据目录.pdf"


def test_a_long_name_is_shortened_to_200_keeping_its_extension():
    assert len(LONG) == 232
    name = files.safe_original_name(LONG)
    assert (name, len(name), files.name_shortened(LONG)) == (LONG[:196] + ".pdf", 200, True)
    assert files.name_shortened("证据目录.pdf") is False
    # An extension longer than an extension is not one: the name is cut as it is.
    assert files.safe_original_name("a" * 210 + ".x" + "b" * 20) == ("a" * 210)[:200]


def test_the_uploader_is_told_when_a_name_is_shortened(firm, doc_store):
    # It was shortened silently: the list and the download carried another name.
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/documents/",
        {"files": [upload(LONG, b"%PDF-1.4\n%%EOF\n")], "category": "evidence"},
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get(document__matter=firm.matter)
    assert version.original_name == LONG[:196] + ".pdf"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"文件名有 232 个字符，已缩短保存为“{LONG[:196]}.pdf”（最多 200 个字符，保留扩展名）。",
        "已保存。",
    ]


def test_a_list_shows_each_documents_extension(firm, doc_store):
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/documents/",
        {
            "files": [
                upload("scan_summons.pdf", b"%PDF-1.4\n%%EOF\n"),
                upload("scan_summons.docx", docx_bytes(["传票"])),
                upload("scan_notes", "笔记".encode()),  # no extension: the type's
            ],
            "category": "court",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    for shown in (
        'scan_summons<span class="muted">.pdf</span></a>',
        'scan_summons<span class="muted">.docx</span></a>',
        'scan_notes<span class="muted">.txt</span></a>',
    ):
        assert html.count(shown) == 1, shown
