"""Document pages and downloads. Thin: reads through selectors, writes through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.documents import files, selectors, services
from lexcase.documents.classify import suggest_category
from lexcase.documents.forms import EditForm, UploadForm, VersionForm
from lexcase.documents.models import Document, DocumentVersion
from lexcase.matters.actions import matter_action
from lexcase.matters.models import Matter, Status
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_read


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any] | None:
    """The documents card on the matter page (the gate has already admitted the user)."""
    return {
        "template": "documents/_matter_section.html",
        "groups": selectors.matter_documents_by_category(matter=matter),
        "form": UploadForm(),
        "can_upload": request.user.has_perm("documents.upload", matter),
        "archived": matter.status == Status.ARCHIVED,
        "max_mb": files.max_upload_bytes() // (1024 * 1024),
    }


def version_response(
    version: DocumentVersion, *, inline: bool, record: Callable[[], object]
) -> FileResponse:
    """Stream a stored version: attachment unless asked inline for a PDF or an image; the
    content type is the sniffed one, never guessed from the name. `record` (the download's
    audit event) runs once the file is open: a storage failure records no download that did
    not happen, and a failed record serves nothing (both a generic 500)."""
    handle = files.documents_storage().open(version.file_name, "rb")
    try:
        record()
    except BaseException:
        handle.close()
        raise
    show_inline = inline and version.content_type in files.INLINE_TYPES
    content_type = version.content_type
    if content_type == files.TEXT:
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=not show_inline,
        filename=version.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Matter, data: dict[str, Any]) -> list[str]:
        documents = services.documents_upload(
            actor=request.user,
            matter=matter,
            uploads=data["files"],
            category=data["category"],
            title=data["title"],
            on_date=data["on_date"],
            notes=data["notes"],
        )
        shortened = [
            files.shortened_name_message(upload.name)
            for upload in data["files"]
            if upload is not None and files.name_shortened(upload.name or "")
        ]
        return shortened + [
            _("“%(title)s” filed under %(category)s (suggested; change it if it is wrong).")
            % {"title": d.title, "category": d.get_category_display()}
            for d in documents
            if d.category_suggested
        ]

    form = UploadForm(request.POST, request.FILES)
    return matter_action(
        request, pk, "documents.upload", run, form, title=_("Documents"), submit=_("Upload")
    )


@login_required
@require_GET
def document_suggest(request: AuthedRequest, pk: int) -> JsonResponse:
    """The category the upload form preselects for a chosen file (by its name)."""
    matter_get(user=request.user, pk=pk)
    suggestion = suggest_category(file_name=request.GET.get("name", "")[:255])
    return JsonResponse({"category": suggestion.category, "reasons": list(suggestion.reasons)})


@login_required
@require_GET
def document_detail(request: AuthedRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=document_id)
    matter = document.matter
    matter_record_read(
        actor=request.user, obj=document, matter_id=matter.pk, page="documents:detail"
    )
    return render(
        request,
        "documents/detail.html",
        _detail_context(request, document, matter),
    )


def _detail_context(
    request: AuthedRequest, document: Document, matter: Matter, **forms: Any
) -> dict[str, Any]:
    archived = matter.status == Status.ARCHIVED
    initial = {
        "title": document.title,
        "category": document.category,
        "on_date": document.on_date,
        "notes": document.notes,
        "shared_with_client": document.shared_with_client,
        "version": document.version,
    }
    return {
        "document": document,
        "matter": matter,
        "versions": selectors.document_versions(document=document),
        "archived": archived,
        "can_change": not archived and request.user.has_perm("documents.change", matter),
        "can_delete": not archived and request.user.has_perm("documents.delete", matter),
        "edit_form": forms.get("edit_form") or EditForm(initial=initial),
        "version_form": forms.get("version_form") or VersionForm(),
    }


def _document_action(
    request: AuthedRequest, document_id: int, perm: str, run: Any, form: Any = None, key: str = ""
) -> HttpResponse:
    """Visibility (404), permission (403), then `form` (as `key` of the page's forms) and the
    service: a failed submission shows the document's page again with the form as typed and
    its errors beside the fields (status 422), nothing written."""
    document = selectors.document_get(user=request.user, pk=document_id)
    if not request.user.has_perm(perm, document.matter):
        raise PermissionDenied
    if form is not None and not form.is_valid():
        return _form_again(request, document, key, form)
    try:
        target = run(document, form.cleaned_data if form is not None else {})
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        stale = _("Someone else changed this document meanwhile; reload it and apply your change.")
        if form is not None:
            # What was typed stays on the form (nothing written), with why above it.
            form.add_error(None, stale)
            return _form_again(request, document, key, form, status=409)
        messages.error(request, stale)
    except ValidationError as exc:
        if form is not None:
            apply_service_errors(form, exc)
            return _form_again(request, document, key, form)
        # An action without a form (delete) refused: the document's page with why (422).
        context = _detail_context(request, document, document.matter)
        return render(
            request, "documents/detail.html", {**context, "refused": exc.messages}, status=422
        )
    else:
        messages.success(request, _("Saved."))
        if target is not None:
            return target
    return redirect("documents:detail", document_id=document.pk)


def _form_again(
    request: AuthedRequest, document: Document, key: str, form: Any, status: int = 422
) -> HttpResponse:
    return render(
        request,
        "documents/detail.html",
        _detail_context(request, document, document.matter, **{key: form}),
        status=status,
    )


@login_required
@require_POST
def document_version_add(request: AuthedRequest, document_id: int) -> HttpResponse:
    def run(document: Document, data: dict[str, Any]) -> None:
        services.document_version_add(actor=request.user, document=document, upload=data["file"])
        if files.name_shortened(data["file"].name or ""):
            messages.warning(request, files.shortened_name_message(data["file"].name))

    form = VersionForm(request.POST, request.FILES)
    return _document_action(request, document_id, "documents.upload", run, form, "version_form")


@login_required
@require_POST
def document_edit(request: AuthedRequest, document_id: int) -> HttpResponse:
    def run(document: Document, data: dict[str, Any]) -> None:
        services.document_update(actor=request.user, document=document, **data)

    form = EditForm(request.POST)
    return _document_action(request, document_id, "documents.change", run, form, "edit_form")


@login_required
@require_POST
def document_delete(request: AuthedRequest, document_id: int) -> HttpResponse:
    def run(document: Document, data: dict[str, Any]) -> HttpResponse:
        services.document_delete(actor=request.user, document=document)
        return redirect("matters:detail", pk=document.matter_id)

    return _document_action(request, document_id, "documents.delete", run)


@login_required
@require_GET
def document_download(request: AuthedRequest, document_id: int) -> FileResponse:
    document = selectors.document_get(user=request.user, pk=document_id)
    version = document.current_version()
    return version_response(
        version,
        inline=request.GET.get("inline") == "1",
        record=lambda: services.document_download_record(
            actor=request.user, version=version, via="web"
        ),
    )


@login_required
@require_GET
def version_download(request: AuthedRequest, version_id: int) -> FileResponse:
    version = selectors.version_get(user=request.user, pk=version_id)
    return version_response(
        version,
        inline=request.GET.get("inline") == "1",
        record=lambda: services.document_download_record(
            actor=request.user, version=version, via="web"
        ),
    )
