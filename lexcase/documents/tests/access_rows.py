"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from lexcase.core.tests.access import (
    API_MATTER_READ,
    LOGIN,
    MATTER_FORM_AGAIN,
    MATTER_READ,
    MATTER_WRITE,
    E,
    Route,
)
from lexcase.documents.files import documents_storage
from lexcase.documents.models import Document, DocumentVersion
from lexcase.testing import Firm

# One fixed file shared by every run of the table: the rows pointing at it are rolled back
# after each request, so a generated name would leave a new orphan each time.
FIXTURE_NAME = "documents/access-table/fixture.txt"


def make_document(f: Firm) -> int:
    storage = documents_storage()
    if not storage.exists(FIXTURE_NAME):
        storage.save(FIXTURE_NAME, ContentFile("买卖合同 甲方 乙方".encode()))
    document = Document.objects.create(matter=f.matter, category="contract", title="买卖合同")
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        file_name=FIXTURE_NAME,
        original_name="买卖合同.txt",
        size=storage.size(FIXTURE_NAME),
        sha256="0" * 64,
        content_type="text/plain",
        uploaded_by=f.lead,
    )
    Document.objects.filter(pk=document.pk).update(current=version)
    return document.pk


def make_version(f: Firm) -> int:
    return Document.objects.get(pk=make_document(f)).current_id


def disguised(name: str = "file") -> dict:
    # An executable named .pdf: refused after the gate, so nothing is ever stored here.
    return {name: SimpleUploadedFile("合同.pdf", b"MZ\x90\x00" + b"\x00" * 60)}


DOCUMENT_DELETE = E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404)

TABLE: dict[str, Route] = {
    "documents:upload": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/documents/",
        MATTER_FORM_AGAIN,
        body=lambda f: disguised("files"),
    ),
    "documents:suggest": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/documents/suggest/?name=判决书.pdf", MATTER_READ
    ),
    "documents:detail": Route("GET", lambda f: f"/documents/{make_document(f)}/", MATTER_READ),
    "documents:edit": Route(
        "POST",
        lambda f: f"/documents/{make_document(f)}/edit/",
        MATTER_WRITE,
        body=lambda f: {"title": "改名", "category": "evidence", "version": 1},
    ),
    "documents:delete": Route(
        "POST", lambda f: f"/documents/{make_document(f)}/delete/", DOCUMENT_DELETE
    ),
    "documents:version_add": Route(
        "POST",
        lambda f: f"/documents/{make_document(f)}/versions/",
        MATTER_FORM_AGAIN,
        body=lambda f: disguised("file"),
    ),
    "documents:download": Route(
        "GET", lambda f: f"/documents/{make_document(f)}/download/", MATTER_READ
    ),
    "documents:version_download": Route(
        "GET", lambda f: f"/documents/versions/{make_version(f)}/download/", MATTER_READ
    ),
    "api:document_upload": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/documents",
        E(401, 401, 404, 404, 422, 422, 404, 422, 401),
        body=lambda f: disguised("file"),
    ),
    "api:matter_documents": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/documents", API_MATTER_READ
    ),
    "api:document_get": Route(
        "GET", lambda f: f"/api/v1/documents/{make_document(f)}", API_MATTER_READ
    ),
    "api:document_download": Route(
        "GET", lambda f: f"/api/v1/documents/{make_document(f)}/download", API_MATTER_READ
    ),
}
API_OPERATIONS: dict[tuple[str, str], str] = {
    ("post", "/api/v1/matters/{matter_id}/documents"): "api:document_upload",
    ("get", "/api/v1/matters/{matter_id}/documents"): "api:matter_documents",
    ("get", "/api/v1/documents/{document_id}"): "api:document_get",
    ("get", "/api/v1/documents/{document_id}/download"): "api:document_download",
}
