"""A lawyer uploads a document on a matter page, sees the suggested category and finds the
document listed with its version, size and text status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots/h4")


def test_upload_on_matter_page(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, doc_storage: Path
) -> None:
    from lexcase.documents.models import Document
    from lexcase.matters.models import MatterType
    from lexcase.matters.services import matter_create

    matter = matter_create(
        actor=users["lawyer"],
        title="华泰科技诉王伟买卖合同纠纷",
        matter_type=MatterType.CIVIL,
        priority="P2",
        parties=[],
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, "lawyer")
    page.goto(f"{live_server.url}/matters/{matter.pk}/")
    section = page.locator("section#documents")
    assert section.count() == 1

    page.set_input_files(
        "form.doc-upload input[type=file]",
        files=[
            {
                "name": "民事判决书.txt",
                "mimeType": "text/plain",
                "buffer": "北京市朝阳区人民法院 民事判决书 本院认为 判决如下".encode(),
            }
        ],
    )
    # documents.js asks the server and preselects the suggested category.
    from playwright.sync_api import expect

    expect(page.locator("form.doc-upload select.doc-category")).to_have_value("court")
    page.screenshot(path=str(SHOTS / "01-before-upload.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.doc-upload button.primary")

    document = Document.objects.get(matter=matter)
    assert (document.title, document.category) == ("民事判决书", "court")
    row = page.locator("section#documents table.doc-list tbody tr")
    assert row.count() == 1
    text = row.inner_text()
    assert "民事判决书" in text
    assert "v1" in text
    page.screenshot(path=str(SHOTS / "02-listed.png"), full_page=True)
    page.csp.assert_clean()

    page.click("section#documents a:has-text('民事判决书')")
    page.wait_for_url(f"{live_server.url}/documents/{document.pk}/")
    assert document.current.sha256 in page.locator("#versions").inner_text()
    page.screenshot(path=str(SHOTS / "03-detail.png"), full_page=True)
    page.csp.assert_clean()
