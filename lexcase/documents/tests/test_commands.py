"""Maintenance: integrity verification, search reindex hook, archived matter page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lexcase.documents import services
from lexcase.documents.tests.files import upload
from lexcase.matters.models import Matter
from lexcase.search.models import SearchEntry
from lexcase.search.selectors import search
from lexcase.testing import client_for


def test_verify_detects_altered_and_missing_files(firm, doc_store):
    _a, b, c = services.documents_upload(
        actor=firm.lead,
        matter=firm.matter,
        uploads=[upload("a.txt", b"one"), upload("b.txt", b"two"), upload("c.txt", b"three")],
    )
    out = StringIO()
    call_command("documents_verify", stdout=out)
    assert out.getvalue().strip() == "ok: 3, missing: 0, altered: 0"
    (doc_store / b.current.file_name).write_bytes(b"tampered")
    (doc_store / c.current.file_name).unlink()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("documents_verify", stdout=out)
    assert out.getvalue().strip().splitlines() == [
        f"missing: version {c.current.pk}",
        f"altered: version {b.current.pk}",
        "ok: 1, missing: 1, altered: 1",
    ]


def test_search_reindex_hook_rebuilds_document_entries(firm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload("函.txt", "催告 货款".encode())]
        )
    SearchEntry.objects.filter(kind="document").delete()
    assert search(user=firm.lead, q="货款", kind="document") == []
    assert services.documents_search_reindex() == 1
    assert [h.id for h in search(user=firm.lead, q="货款", kind="document")] == [document.pk]


def test_archived_matter_page_offers_no_upload(firm):
    services.documents_upload(actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")])
    Matter.objects.filter(pk=firm.matter.pk).update(status="archived")
    client = client_for(firm.lead)
    client.cookies["django_language"] = "en"
    html = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "its documents are read-only" in html
    assert 'class="form-inline doc-upload"' not in html
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/documents/", {"files": [upload("b.txt", b"y")]}
    )
    # Refused: the upload form again, with the reason (nothing filed).
    assert response.status_code == 422
    assert "本案已归档：其文件为只读。" in response.content.decode()
    assert firm.matter.documents.count() == 1
