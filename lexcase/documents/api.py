from __future__ import annotations

import datetime as dt

from django.http import FileResponse, Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import Id, Version
from lexcase.documents import selectors, services
from lexcase.documents.models import Document, DocumentVersion
from lexcase.documents.views import version_response
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_read, matter_record_view

router = Router(tags=["documents"])


class UploadOut(Schema):
    id: int
    version: int
    sha256: str
    size: int
    content_type: str
    text_status: str


class VersionOut(Schema):
    id: int
    number: int
    original_name: str
    size: int
    sha256: str
    content_type: str
    uploaded_by: str | None
    uploaded_at: dt.datetime
    text_status: str
    text_error: str


class DocumentOut(Schema):
    id: int
    matter_id: int
    title: str
    category: str
    category_suggested: bool
    on_date: dt.date | None
    notes: str
    from_client: bool
    shared_with_client: bool
    version: int
    current: VersionOut
    versions: list[VersionOut] | None = None


def _version_out(v: DocumentVersion) -> VersionOut:
    return VersionOut(
        id=v.pk,
        number=v.number,
        original_name=v.original_name,
        size=v.size,
        sha256=v.sha256,
        content_type=v.content_type,
        uploaded_by=v.uploaded_by.username if v.uploaded_by else None,
        uploaded_at=v.uploaded_at,
        text_status=v.text_status,
        text_error=v.text_error,
    )


def _document_out(d: Document, *, with_versions: bool = False) -> DocumentOut:
    versions = (
        [_version_out(v) for v in selectors.document_versions(document=d)]
        if with_versions
        else None
    )
    return DocumentOut(
        id=d.pk,
        matter_id=d.matter_id,
        title=d.title,
        category=d.category,
        category_suggested=d.category_suggested,
        on_date=d.on_date,
        notes=d.notes,
        from_client=d.from_client,
        shared_with_client=d.shared_with_client,
        version=d.version,
        current=_version_out(d.current_version()),
        versions=versions,
    )


@router.post(
    "/matters/{matter_id}/documents",
    response={201: UploadOut},
    operation_id="document_upload",
)
def document_upload(
    request: AuthedRequest,
    matter_id: Id,
    file: File[UploadedFile],
    category: Form[str] = "",
    title: Form[str] = "",
) -> Status:
    matter = matter_get(user=request.user, pk=matter_id)
    if not request.user.has_perm("documents.upload", matter):
        raise NotAllowed
    (document,) = services.documents_upload(
        actor=request.user, matter=matter, uploads=[file], category=category, title=title
    )
    version = document.current_version()
    return Status(
        201,
        UploadOut(
            id=document.pk,
            version=version.number,
            sha256=version.sha256,
            size=version.size,
            content_type=version.content_type,
            text_status=version.text_status,
        ),
    )


@router.get(
    "/matters/{matter_id}/documents",
    response=list[DocumentOut],
    operation_id="matter_documents",
)
def matter_documents(request: AuthedRequest, matter_id: Id) -> list[DocumentOut]:
    matter = matter_get(user=request.user, pk=matter_id)
    matter_record_view(actor=request.user, matter=matter, page="matter_documents", via="api")
    return [
        _document_out(d)
        for d in selectors.matter_documents(matter=matter).select_related("current__uploaded_by")
    ]


@router.get("/documents/{document_id}", response=DocumentOut, operation_id="document_get")
def document_get(request: AuthedRequest, document_id: Id) -> DocumentOut:
    document = selectors.document_get(user=request.user, pk=document_id)
    matter_record_read(
        actor=request.user,
        obj=document,
        matter_id=document.matter_id,
        page="document_get",
        via="api",
    )
    return _document_out(document, with_versions=True)


@router.get("/documents/{document_id}/download", operation_id="document_download")
def document_download(
    request: AuthedRequest, document_id: Id, version: Version | None = None
) -> FileResponse:
    document = selectors.document_get(user=request.user, pk=document_id)
    target = document.current_version()
    if version is not None:
        chosen = document.versions.filter(number=version).first()
        if chosen is None:
            raise Http404
        target = chosen
    return version_response(
        target,
        inline=False,
        record=lambda: services.document_download_record(
            actor=request.user, version=target, via="api"
        ),
    )
