"""Upload, new version, download round trip; bad files; permissions; archived matters."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.documents import services
from lexcase.documents.models import Document, DocumentVersion
from lexcase.documents.tests.files import sha, stored_files, upload
from lexcase.matters.models import Matter
from lexcase.testing import client_for

CONTRACT = "买卖合同\n甲方：北京华泰科技有限公司\n乙方：王伟\n违约责任".encode()


def api_client(user):
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def read_all(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_creates_document_version_and_file(firm, doc_store):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("买卖合同.txt", CONTRACT)]
    )
    version = document.current
    assert (document.title, document.category, document.category_suggested) == (
        "买卖合同",
        "contract",
        True,
    )
    assert (version.number, version.size, version.sha256, version.content_type) == (
        1,
        len(CONTRACT),
        sha(CONTRACT),
        "text/plain",
    )
    assert version.original_name == "买卖合同.txt"
    assert version.uploaded_by == firm.lead
    assert [p.read_bytes() for p in stored_files(doc_store)] == [CONTRACT]
    assert version.file_name.startswith("documents/")
    assert AuditEvent.objects.filter(action="document.upload", object_id=str(document.pk)).count()


def test_new_version_and_old_versions_download_with_same_hash(firm, doc_store):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("合同.txt", b"v1 text")]
    )
    v2 = services.document_version_add(
        actor=firm.assistant, document=document, upload=upload("合同-修订.txt", b"v2 text")
    )
    document.refresh_from_db()
    assert (v2.number, document.current_id, document.versions.count()) == (2, v2.pk, 2)
    client = client_for(firm.lead)
    current = client.get(f"/documents/{document.pk}/download/")
    assert sha(read_all(current)) == sha(b"v2 text") == v2.sha256
    v1 = document.versions.get(number=1)
    old = client.get(f"/documents/versions/{v1.pk}/download/")
    assert read_all(old) == b"v1 text"
    assert sha(b"v1 text") == v1.sha256
    assert old["Content-Disposition"].startswith("attachment;")
    assert old["X-Content-Type-Options"] == "nosniff"
    assert old["Content-Type"] == "text/plain; charset=utf-8"
    downloads = AuditEvent.objects.filter(action="document.download", actor=firm.lead)
    assert [e.data["version"] for e in downloads.order_by("id")] == [2, 1]


def test_pdf_served_inline_only_when_asked(firm):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("判决书.pdf", pdf)]
    )
    client = client_for(firm.lead)
    inline = client.get(f"/documents/{document.pk}/download/?inline=1")
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline;")
    assert client.get(f"/documents/{document.pk}/download/")["Content-Disposition"].startswith(
        "attachment;"
    )


def test_text_is_never_inline(firm):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"hello")]
    )
    response = client_for(firm.lead).get(f"/documents/{document.pk}/download/?inline=1")
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.pdf", b""),
        ("big.txt", b"a" * (1024 * 1024 + 1)),
        ("判决书.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("page.txt", b"<html><body><script>alert(1)</script></body></html>"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
    ],
)
def test_bad_files_refused_and_nothing_stored(firm, doc_store, name, data):
    with pytest.raises(ValidationError) as exc:
        services.documents_upload(actor=firm.lead, matter=firm.matter, uploads=[upload(name, data)])
    assert list(exc.value.message_dict) == ["file"]
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (0, 0)
    assert stored_files(doc_store) == []


def test_one_bad_file_refuses_the_whole_batch(firm, doc_store):
    with pytest.raises(ValidationError):
        services.documents_upload(
            actor=firm.lead,
            matter=firm.matter,
            uploads=[upload("a.txt", b"fine"), upload("b.pdf", b"MZ\x90\x00")],
        )
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_many_files_at_once(firm, doc_store):
    documents = services.documents_upload(
        actor=firm.lead,
        matter=firm.matter,
        uploads=[upload("授权委托书.txt", b"one"), upload("证据目录.txt", b"two")],
        title="ignored for several files",
    )
    assert [(d.title, d.category) for d in documents] == [
        ("授权委托书", "engagement"),
        ("证据目录", "evidence"),
    ]
    assert len(stored_files(doc_store)) == 2


def test_people_off_the_matter_cannot_upload(firm):
    with pytest.raises(NotAllowed):
        services.documents_upload(
            actor=firm.partner_other, matter=firm.matter, uploads=[upload("a.txt", b"x")]
        )


@translation.override("en")
def test_archived_matter_documents_are_read_only(firm, doc_store):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    Matter.objects.filter(pk=firm.matter.pk).update(status="archived")
    firm.matter.refresh_from_db()
    document.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload("b.txt", b"y")]
        )
    with pytest.raises(ValidationError, match="archived"):
        services.document_version_add(
            actor=firm.lead, document=document, upload=upload("b.txt", b"y")
        )
    with pytest.raises(ValidationError, match="archived"):
        services.document_update(
            actor=firm.lead,
            document=document,
            version=document.version,
            title="x",
            category="other",
            on_date=None,
            notes="",
            shared_with_client=False,
        )
    with pytest.raises(ValidationError, match="archived"):
        services.document_delete(actor=firm.admin, document=document)
    assert len(stored_files(doc_store)) == 1
    # Still readable.
    assert client_for(firm.lead).get(f"/documents/{document.pk}/download/").status_code == 200
    api = api_client(firm.lead)
    response = api.post(
        f"/api/v1/matters/{firm.matter.pk}/documents",
        {"file": upload("c.txt", b"z")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "__all__", "message": "This matter is archived: its documents are read-only."}
    ]


def test_update_is_optimistic(firm):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    stale = document.version
    services.document_update(
        actor=firm.lead,
        document=document,
        version=stale,
        title="新标题",
        category="evidence",
        on_date=None,
        notes="",
        shared_with_client=True,
    )
    document.refresh_from_db()
    assert (document.title, document.category, document.category_suggested) == (
        "新标题",
        "evidence",
        False,
    )
    assert document.shared_with_client is True
    with pytest.raises(StaleEdit):
        services.document_update(
            actor=firm.assistant,
            document=document,
            version=stale,
            title="覆盖",
            category="other",
            on_date=None,
            notes="",
            shared_with_client=False,
        )
    document.refresh_from_db()
    assert document.title == "新标题"


def test_delete_removes_rows_and_files(firm, doc_store, django_capture_on_commit_callbacks):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    services.document_version_add(actor=firm.lead, document=document, upload=upload("b.txt", b"y"))
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=firm.lead, document=document)
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (0, 0)
    assert stored_files(doc_store) == []


def test_web_upload_several_files_and_see_them_on_the_matter(firm, doc_store):
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/documents/",
        {"files": [upload("起诉状.txt", b"one"), upload("notes.txt", b"two")], "category": ""},
    )
    assert response.status_code == 302
    assert Document.objects.filter(matter=firm.matter).count() == 2
    html = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert 'id="documents"' in html
    assert "起诉状" in html
    assert "notes" in html
    assert 'src="/static/js/documents.js"' in html


def test_web_upload_of_disguised_file_shows_error_and_stores_nothing(firm, doc_store):
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/documents/",
        {"files": [upload("判决书.pdf", b"MZ\x90\x00")]},
        follow=True,
    )
    assert "判决书.pdf" in response.content.decode()
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_detail_page_lists_versions(firm):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    services.document_version_add(actor=firm.lead, document=document, upload=upload("b.txt", b"y"))
    html = client_for(firm.assistant).get(f"/documents/{document.pk}/").content.decode()
    assert html.count("/download/") >= 3  # current + each version
    assert sha(b"x") in html
    assert sha(b"y") in html


def test_suggest_endpoint(firm):
    response = client_for(firm.lead).get(
        f"/matters/{firm.matter.pk}/documents/suggest/", {"name": "（2024）民事判决书.pdf"}
    )
    assert response.json()["category"] == "court"


# -- API -----------------------------------------------------------------------------------


def test_api_upload_get_list_download(firm):
    api = api_client(firm.lead)
    created = api.post(
        f"/api/v1/matters/{firm.matter.pk}/documents",
        {"file": upload("合同.txt", CONTRACT), "title": "主合同", "category": "contract"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body == {
        "id": body["id"],
        "version": 1,
        "sha256": sha(CONTRACT),
        "size": len(CONTRACT),
        "content_type": "text/plain",
        "text_status": "pending",
    }
    got = api.get(f"/api/v1/documents/{body['id']}").json()
    assert (got["title"], got["category"], got["category_suggested"]) == (
        "主合同",
        "contract",
        False,
    )
    assert [v["number"] for v in got["versions"]] == [1]
    listed = api.get(f"/api/v1/matters/{firm.matter.pk}/documents").json()
    assert [d["id"] for d in listed] == [body["id"]]
    download = api.get(f"/api/v1/documents/{body['id']}/download")
    assert sha(read_all(download)) == sha(CONTRACT)
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert api.get(f"/api/v1/documents/{body['id']}/download?version=9").status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("empty.txt", b"", 422),
        # Stopped while the body arrives (test_upload_limits.py), hence 413.
        ("big.txt", b"a" * (1024 * 1024 + 1), 413),
        ("x.pdf", b"MZ\x90\x00", 422),
    ],
)
def test_api_bad_files_refused_naming_file(firm, doc_store, name, data, status):
    response = api_client(firm.lead).post(
        f"/api/v1/matters/{firm.matter.pk}/documents", {"file": upload(name, data)}
    )
    assert response.status_code == status
    assert [e["field"] for e in json.loads(response.content)["errors"]] == ["file"]
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])


def test_api_missing_file_422(firm):
    response = api_client(firm.lead).post(f"/api/v1/matters/{firm.matter.pk}/documents", {})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["file"]


def test_outsider_and_walled_get_404_everywhere(firm):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    for user in (firm.outsider, firm.walled):
        client = client_for(user)
        assert client.get(f"/documents/{document.pk}/").status_code == 404
        assert client.get(f"/documents/{document.pk}/download/").status_code == 404
        assert client.get(f"/documents/versions/{document.current_id}/download/").status_code == 404
        api = api_client(user)
        assert api.get(f"/api/v1/documents/{document.pk}").status_code == 404
        assert api.get(f"/api/v1/documents/{document.pk}/download").status_code == 404
    assert not AuditEvent.objects.filter(action="document.download").exists()


def test_api_unknown_category_422_and_nothing_stored(firm, doc_store):
    response = api_client(firm.lead).post(
        f"/api/v1/matters/{firm.matter.pk}/documents",
        {"file": upload("a.txt", b"x"), "category": "nonsense"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["category"]
    assert (Document.objects.count(), stored_files(doc_store)) == (0, [])
