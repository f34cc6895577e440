"""A lawyer generates the 授权委托书 from the matter page (pick the template, review the merged
values, generate) and downloads it; the downloaded DOCX holds the client's particulars."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_lawyer_generates_and_downloads_the_power_of_attorney(
    page: Any,
    live_server: Any,
    users: dict[str, Any],
    login: Any,
    doc_storage: Path,
    screenshot: Any,
) -> None:
    from docx import Document as Docx
    from playwright.sync_api import expect

    from lexcase.documents.models import Document
    from lexcase.matters.models import MatterType
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create

    client = party_create(
        actor=users["lawyer"],
        kind="person",
        name="张三丰",
        id_number="11010519491231002X",
        address="北京市海淀区中关村大街27号",
    )
    opposing = party_create(actor=users["lawyer"], kind="organization", name="上海某某贸易有限公司")
    matter = matter_create(
        actor=users["lawyer"],
        title="张三丰诉上海某某贸易有限公司买卖合同纠纷",
        matter_type=MatterType.CIVIL,
        priority="P2",
        court="北京市朝阳区人民法院",
        parties=[
            PartyLink(party=client, role="client", standing="原告"),
            PartyLink(party=opposing, role="opposing", standing="被告"),
        ],
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )
    login(page, "lawyer")
    page.goto(f"{live_server.url}/matters/{matter.pk}/")
    section = page.locator("section#papers")
    section.locator("select[name=template]").select_option(label="授权委托书")
    with page.expect_navigation():
        section.locator("button").click()
    preview = page.locator("section#preview table.merged-values")
    expect(preview).to_contain_text("张三丰")
    # The preview masks the ID number as every page does; the generated paper (audited) has it.
    expect(preview).to_contain_text("110***********002X")
    expect(preview).not_to_contain_text("11010519491231002X")
    screenshot(page, "papers-01-preview.png")
    with page.expect_navigation():
        page.click("#generate-paper")

    document = Document.objects.get(matter=matter)
    assert page.url == f"{live_server.url}/documents/{document.pk}/"
    assert document.title == f"授权委托书（{matter.number}）"
    screenshot(page, "papers-02-document.png")
    with page.expect_download() as caught:
        page.click(f"a[href='/documents/{document.pk}/download/']")
    download = caught.value
    assert download.suggested_filename == f"授权委托书-{matter.number}.docx"
    content = Path(download.path()).read_bytes()
    text = "\n".join(p.text for p in Docx(io.BytesIO(content)).paragraphs)
    assert "委托人：张三丰" in text
    assert "身份证号码/统一社会信用代码：11010519491231002X" in text
    assert "受委托人：陈思远，" in text
    page.csp.assert_clean()
