"""Writes: uploading a template (a new version, checked in the sandbox first) and generating
a paper for a matter (stored through the documents app's services)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed
from lexcase.documents import files
from lexcase.documents.models import Category, Document
from lexcase.documents.selectors import matter_documents
from lexcase.documents.services import document_version_add, documents_upload
from lexcase.matters.models import Matter, Status
from lexcase.papers.dossier import dossier_pdf
from lexcase.papers.fields import merge_context
from lexcase.papers.models import DocumentTemplate, Generation, TemplateVersion
from lexcase.papers.sandbox import template_check, template_render
from lexcase.papers.selectors import template_content, template_get

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,49}$")
DOCX_TYPE = files.DOCX


def _read_docx(upload: Any) -> bytes:
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    size = getattr(upload, "size", 0) or 0
    if size > MAX_TEMPLATE_BYTES:
        raise ValidationError({"file": [_("A template may be at most 5 MB.")]})
    if files.check_upload(upload) != DOCX_TYPE:
        raise ValidationError({"file": [_("A template must be a Word (.docx) file.")]})
    # check_upload has refused a zip bomb (core.office) in the reader's language.
    upload.seek(0)
    return bytes(upload.read())


@transaction.atomic
def template_upload(
    *,
    actor: User,
    key: str,
    name: str,
    category: str,
    upload: Any,
    description: str = "",
) -> TemplateVersion:
    """A new version of the template `key` (created if new; a starter's key replaces the
    built-in text). Refused, with each unknown field or construct named, unless every merge
    field is on the documented list."""
    if not actor.has_perm("papers.manage_templates"):
        raise NotAllowed
    errors: dict[str, list[str]] = {}
    key = (key or "").strip().lower()
    if not _KEY.match(key) or key == DOSSIER_KEY:
        errors["key"] = [_("2–50 lower-case letters, digits, - or _.")]
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give the template a name (at most 100 characters).")]
    if category not in Category.values:
        errors["category"] = [_("Choose a valid category.")]
    if errors:
        raise ValidationError(errors)
    content = _read_docx(upload)
    used = template_check(content)
    template, _created = DocumentTemplate.objects.select_for_update().get_or_create(
        key=key, defaults={"name": name, "category": category, "description": description}
    )
    template.name, template.category, template.description = name, category, description
    template.active = True
    last = template.versions.aggregate(n=Max("number"))["n"] or 0
    version = TemplateVersion.objects.create(
        template=template,
        number=last + 1,
        content=content,
        original_name=files.safe_original_name(getattr(upload, "name", "") or f"{key}.docx"),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        fields=used,
        uploaded_by=actor,
    )
    template.current = version
    template.save()
    audit_record(
        actor=actor,
        action="paper_template.upload",
        obj=template,
        data={"key": key, "version": version.number, "sha256": version.sha256},
    )
    return version


def paper_file_name(*, name: str, matter: Matter) -> str:
    return f"{name}-{matter.number}.docx"


def _store(
    *,
    actor: User,
    matter: Matter,
    key: str,
    content: bytes,
    name: str,
    content_type: str,
    category: str,
    title: str,
) -> Document:
    """A new matter document, or a new version of the one generated before under `key`."""
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    previous = (
        Generation.objects.filter(matter=matter, template_key=key, document__isnull=False)
        .select_related("document")
        .first()
    )
    if previous is not None and previous.document is not None:
        document_version_add(actor=actor, document=previous.document, upload=upload)
        return previous.document
    (document,) = documents_upload(
        actor=actor, matter=matter, uploads=[upload], category=category, title=title
    )
    return document


DOSSIER_KEY = "dossier"


def dossier_candidates(*, matter: Matter) -> list[Document]:
    """The matter's documents that may go into its 卷宗 (not an earlier 卷宗 itself)."""
    dossiers = Generation.objects.filter(
        matter=matter, template_key=DOSSIER_KEY, document__isnull=False
    ).values("document_id")
    return list(matter_documents(matter=matter).exclude(pk__in=dossiers))


@transaction.atomic
def dossier_assemble(*, actor: User, matter: Matter, document_ids: list[int]) -> Document:
    """One PDF of the chosen documents, in the given order, behind a cover and a contents
    page; stored as the matter's 卷宗 document (assembling again makes a new version)."""
    if not actor.has_perm("papers.assemble_dossier", matter):
        raise NotAllowed
    if matter.status == Status.ARCHIVED:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This matter is archived: its documents are read-only.")]}
        )
    candidates = {d.pk: d for d in dossier_candidates(matter=matter)}
    chosen = [candidates[i] for i in dict.fromkeys(document_ids) if i in candidates]
    if not chosen or len(chosen) != len(set(document_ids)):
        raise ValidationError({"documents": [_("Choose the documents of this matter to include.")]})
    content, entries = dossier_pdf(matter=matter, documents=chosen)
    document = _store(
        actor=actor,
        matter=matter,
        key=DOSSIER_KEY,
        content=content,
        name=f"卷宗-{matter.number}.pdf",
        content_type=files.PDF,
        category=Category.OTHER,
        title=f"卷宗（{matter.number}）",
    )
    generation = Generation.objects.create(
        matter=matter, template_key=DOSSIER_KEY, document=document, created_by=actor
    )
    audit_record(
        actor=actor,
        action="dossier.assemble",
        obj=generation,
        matter_id=matter.pk,
        data={
            "document": document.pk,
            "documents": [d.pk for d in chosen],
            "not_converted": [d.pk for d, e in zip(chosen, entries, strict=True) if e.pdf is None],
        },
    )
    return document


@transaction.atomic
def paper_generate(*, actor: User, matter: Matter, key: str) -> Document:
    """Merge the template `key` with the matter's values and store the result as a matter
    document (category chosen by the template); generating the same template again makes a
    new version of that document. Members only; archived matters refuse."""
    if not actor.has_perm("papers.generate", matter):
        raise NotAllowed
    if matter.status == Status.ARCHIVED:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This matter is archived: no papers are generated for it.")]}
        )
    choice = template_get(key=key)
    context = merge_context(matter=matter, fields=choice.fields)
    content = template_render(template_content(choice), context)
    document = _store(
        actor=actor,
        matter=matter,
        key=key,
        content=content,
        name=paper_file_name(name=choice.name, matter=matter),
        content_type=DOCX_TYPE,
        category=choice.category,
        title=f"{choice.name}（{matter.number}）",
    )
    generation = Generation.objects.create(
        matter=matter,
        template_key=key,
        template_version_id=choice.version_id,
        document=document,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="paper.generate",
        obj=generation,
        matter_id=matter.pk,
        data={
            "template": key,
            "template_version": choice.version_no,
            "document": document.pk,
        },
    )
    return document
