"""The templates and generating a paper, over the API (the pages' services and rules)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import Id
from lexcase.documents.api import UploadOut
from lexcase.matters.selectors import matter_get
from lexcase.papers import services
from lexcase.papers.selectors import templates_available

router = Router(tags=["papers"])


class TemplateOut(Schema):
    key: str
    name: str
    category: str
    builtin: bool
    version: int | None
    fields: list[str]


class GenerateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    template: str
    # Reserved for template options (一般授权 / 特别授权 …); none are read yet.
    options: dict[str, Any] | None = None


@router.get(
    "/document-templates", response=list[TemplateOut], operation_id="document_templates_list"
)
def document_templates_list(request: AuthedRequest) -> list[TemplateOut]:
    if not request.user.has_perm("papers.view_templates"):
        raise NotAllowed
    return [
        TemplateOut(
            key=t.key,
            name=t.name,
            category=t.category,
            builtin=t.builtin,
            version=t.version_no,
            fields=t.fields,
        )
        for t in templates_available()
    ]


@router.post(
    "/matters/{matter_id}/documents/generate",
    response={201: UploadOut},
    operation_id="document_generate",
)
def document_generate(request: AuthedRequest, matter_id: Id, payload: GenerateIn) -> Status:
    """Merge a template with the matter and store the result as a matter document (a new
    version when generated before); 201 with the document as the upload API returns it."""
    matter = matter_get(user=request.user, pk=matter_id)
    document = services.paper_generate(actor=request.user, matter=matter, key=payload.template)
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
