"""Writes for documents and versions. Each function is atomic; files are stored before the
rows and removed again if the rows do not commit: no half-documents (docs/architecture.md,
"Documents, search, archive and the portal")."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.documents import files
from lexcase.documents.classify import suggest_category
from lexcase.documents.events import document_removed, document_shared, document_text_changed
from lexcase.documents.extract import (
    ExtractionError,
    NoText,
    Unreadable,
    extract_text_isolated,
)
from lexcase.documents.models import Category, Document, DocumentVersion, TextStatus
from lexcase.matters.models import Matter, Status
from lexcase.matters.retention import scrub_names

logger = logging.getLogger(__name__)

MAX_FILES_PER_UPLOAD = 50


def _check_writable(*, actor: User, matter: Matter, perm: str) -> None:
    if not actor.has_perm(perm, matter):
        raise NotAllowed
    if matter.status == Status.ARCHIVED:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This matter is archived: its documents are read-only.")]}
        )


def _clean_meta(*, category: str, title: str, notes: str, allow_auto: bool) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    category = (category or "").strip()
    if category and category not in Category.values:
        errors["category"] = [_("Choose a valid category.")]
    elif not category and not allow_auto:
        errors["category"] = [_("Choose a category.")]
    title = (title or "").strip()
    if len(title) > 200:
        errors["title"] = [_("At most 200 characters.")]
    notes = (notes or "").strip()
    if len(notes) > 5000:
        errors["notes"] = [_("At most 5000 characters.")]
    if errors:
        raise ValidationError(errors)
    return category, title, notes


def _enqueue_extract(version_id: int) -> None:
    # Here, not at the top: the task module imports this one.
    from lexcase.documents.tasks import document_extract_text

    document_extract_text.enqueue(version_id)


def _after_commit_extract(version_id: int) -> None:
    # robust: the upload is committed whatever happens to the queue; a version left
    # "pending" is picked up again by `documents_extract --pending`.
    transaction.on_commit(partial(_enqueue_extract, version_id), robust=True)


def _touch_matter(matter: Matter) -> None:
    Matter.objects.filter(pk=matter.pk).update(updated_at=timezone.now())


def documents_upload(
    *,
    actor: User,
    matter: Matter,
    uploads: Sequence[Any],
    category: str = "",
    title: str = "",
    on_date: date | None = None,
    notes: str = "",
    from_client: bool = False,
    shared_with_client: bool = False,
    as_collaborator: bool = False,
) -> list[Document]:
    """Store one or many files as new documents of `matter`, all or none.

    An empty `category` means "suggest one from the file name" (refined by the text once
    extracted). `from_client=True` is the client portal's upload: the actor is a client
    contact, asked the portal's own permission (the matter is one the portal shows them);
    a staff upload asks `documents.upload`. `as_collaborator=True` is an outside helper's
    deliverable (lexcase/collab), asked `collab.upload_deliverable` (a live invitation to a
    task of the matter); the caller attaches it to the task.
    """
    if from_client:
        perm = "portal.use_matter"
    elif as_collaborator:
        perm = "collab.upload_deliverable"
    else:
        perm = "documents.upload"
    _check_writable(actor=actor, matter=matter, perm=perm)
    category, title, notes = _clean_meta(
        category=category, title=title, notes=notes, allow_auto=True
    )
    uploads = [u for u in uploads if u is not None]
    if not uploads:
        raise ValidationError({"file": [_("Choose at least one file.")]})
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(
            {"file": [_("At most %(n)s files at once.") % {"n": MAX_FILES_PER_UPLOAD}]}
        )
    # Every file is checked before any is stored: one bad file refuses the whole upload.
    content_types = [files.check_upload(u) for u in uploads]
    stored: list[files.StoredFile] = []
    try:
        for upload, content_type in zip(uploads, content_types, strict=True):
            stored.append(files.store(upload, content_type=content_type))
        with transaction.atomic():
            documents = [
                _create_document(
                    actor=actor,
                    matter=matter,
                    stored=s,
                    category=category,
                    title=title if len(stored) == 1 else "",
                    on_date=on_date,
                    notes=notes,
                    from_client=from_client,
                    shared_with_client=shared_with_client,
                )
                for s in stored
            ]
            _touch_matter(matter)
    except BaseException:
        for s in stored:
            files.discard(s.name)
        raise
    return documents


def _create_document(
    *,
    actor: User,
    matter: Matter,
    stored: files.StoredFile,
    category: str,
    title: str,
    on_date: date | None,
    notes: str,
    from_client: bool,
    shared_with_client: bool,
) -> Document:
    suggested = not category
    if suggested:
        category = suggest_category(file_name=stored.original_name).category
    document = Document.objects.create(
        matter=matter,
        category=category,
        category_suggested=suggested,
        title=title or files.title_from_name(stored.original_name),
        on_date=on_date,
        notes=notes,
        from_client=from_client,
        shared_with_client=shared_with_client,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    version = _create_version(actor=actor, document=document, stored=stored, number=1)
    audit_record(
        actor=actor,
        action="document.upload",
        obj=document,
        matter_id=matter.pk,
        data={"version": 1, "sha256": stored.sha256, "size": stored.size},
    )
    if shared_with_client and not from_client:
        document_shared.send(sender=Document, document=document)
    document.current = version
    return document


def _create_version(
    *, actor: User, document: Document, stored: files.StoredFile, number: int
) -> DocumentVersion:
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        file_name=stored.name,
        original_name=stored.original_name,
        size=stored.size,
        sha256=stored.sha256,
        content_type=stored.content_type,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    Document.objects.filter(pk=document.pk).update(current=version, updated_at=timezone.now())
    _after_commit_extract(version.pk)
    return version


def document_version_add(*, actor: User, document: Document, upload: Any) -> DocumentVersion:
    """A new file for an existing document: it becomes version n+1 and the current one."""
    matter = document.matter
    _check_writable(actor=actor, matter=matter, perm="documents.upload")
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    content_type = files.check_upload(upload)
    stored = files.store(upload, content_type=content_type)
    try:
        with transaction.atomic():
            # The UPDATE takes the document's row lock (the write lock on SQLite), so two
            # concurrent new versions get consecutive numbers; the unique constraint backs it.
            Document.objects.filter(pk=document.pk).update(version=F("version") + 1)
            last = document.versions.aggregate(n=Max("number"))["n"] or 0
            version = _create_version(
                actor=actor, document=document, stored=stored, number=last + 1
            )
            audit_record(
                actor=actor,
                action="document.version_add",
                obj=document,
                matter_id=matter.pk,
                data={"version": version.number, "sha256": stored.sha256, "size": stored.size},
            )
            _touch_matter(matter)
    except BaseException:
        files.discard(stored.name)
        raise
    document.refresh_from_db()
    return version


EDITABLE_FIELDS = ("title", "category", "on_date", "notes", "shared_with_client")


def document_update(
    *,
    actor: User,
    document: Document,
    version: int,
    title: str,
    category: str,
    on_date: date | None,
    notes: str,
    shared_with_client: bool,
) -> Document:
    """Change a document's metadata; `version` is what the editor loaded. A stale one is
    refused, and the refusal is audited outside the rolled-back change (as matter_update
    does): it was recorded inside it, so the record rolled back with the refusal."""
    try:
        return _document_update(
            actor=actor,
            document=document,
            version=version,
            title=title,
            category=category,
            on_date=on_date,
            notes=notes,
            shared_with_client=shared_with_client,
        )
    except StaleEdit:
        audit_record(
            actor=actor,
            action="document.update_conflict",
            obj=document,
            matter_id=document.matter_id,
            data={"version": version},
        )
        raise


@transaction.atomic
def _document_update(
    *,
    actor: User,
    document: Document,
    version: int,
    title: str,
    category: str,
    on_date: date | None,
    notes: str,
    shared_with_client: bool,
) -> Document:
    _check_writable(actor=actor, matter=document.matter, perm="documents.change")
    category, title, notes = _clean_meta(
        category=category, title=title, notes=notes, allow_auto=False
    )
    if not title:
        raise ValidationError({"title": [_("A document needs a title.")]})
    changed = Document.objects.filter(pk=document.pk, version=version).update(
        title=title,
        category=category,
        category_suggested=False,
        on_date=on_date,
        notes=notes,
        shared_with_client=shared_with_client,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not changed:
        raise StaleEdit
    was_shared = document.shared_with_client
    document.refresh_from_db()
    audit_record(
        actor=actor,
        action="document.update",
        obj=document,
        matter_id=document.matter_id,
        data={"category": category, "shared_with_client": shared_with_client},
    )
    if document.shared_with_client and not was_shared:
        document_shared.send(sender=Document, document=document)
    search_index(document=document)
    return document


def document_delete(*, actor: User, document: Document) -> None:
    """Remove a document and all its versions; the files go once the rows are gone."""
    _check_writable(actor=actor, matter=document.matter, perm="documents.delete")
    names = list(document.versions.values_list("file_name", flat=True))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="document.delete",
            obj=document,
            matter_id=document.matter_id,
            data={"title": document.title, "files": len(names)},
        )
        search_unindex(document_id=document.pk)
        Document.objects.filter(pk=document.pk).update(current=None)
        document.delete()
        for name in names:
            transaction.on_commit(partial(files.discard, name), robust=True)


def document_download_record(*, actor: User, version: DocumentVersion, via: str) -> None:
    audit_record(
        actor=actor,
        action="document.download",
        obj=version.document,
        matter_id=version.document.matter_id,
        data={"version": version.number, "sha256": version.sha256, "via": via},
    )


# -- Text extraction and the search index --------------------------------------------------


def version_extract_text(*, version_id: int) -> str:
    """Extract the text of one version (run by the task worker). The parsers run in a
    limited child process; a failure, a file over the caps or a child stopped at its
    limits is stored with its reason on the version and never touches the upload itself."""
    version = DocumentVersion.objects.select_related("document").filter(pk=version_id).first()
    if version is None:
        return "missing"  # deleted before the worker got to it
    try:
        with files.documents_storage().open(version.file_name, "rb") as handle:
            result = extract_text_isolated(handle, version.content_type)
    except NoText as exc:
        status, text, error, method = TextStatus.NO_TEXT, "", str(exc), ""
    except Unreadable as exc:
        status, text, error, method = TextStatus.UNREADABLE, "", str(exc), ""
    except ExtractionError as exc:
        status, text, error, method = TextStatus.FAILED, "", str(exc), ""
    except Exception as exc:
        logger.exception("text extraction failed for version %s", version_id)
        status, text, error, method = TextStatus.FAILED, "", f"{type(exc).__name__}: {exc}", ""
    else:
        status, text, error, method = TextStatus.DONE, result.text, "", result.method
    with transaction.atomic():
        DocumentVersion.objects.filter(pk=version.pk).update(
            text=text, text_status=status, text_error=error[:2000], text_method=method
        )
        document = Document.objects.select_related("current").get(pk=version.document_id)
        if document.category_suggested and text:
            suggestion = suggest_category(file_name=version.original_name, text=text)
            if suggestion.category != document.category:
                Document.objects.filter(pk=document.pk, category_suggested=True).update(
                    category=suggestion.category
                )
                document.category = suggestion.category
        if document.current_id == version.pk and document.current is not None:
            document.current.text = text
            search_index(document=document)
    return str(status)


def versions_pending() -> list[int]:
    return list(
        DocumentVersion.objects.filter(text_status=TextStatus.PENDING).values_list("pk", flat=True)
    )


def search_index(*, document: Document) -> None:
    """Tell the indexing apps (search) that the document's searchable content changed."""
    document_text_changed.send(sender=Document, document=document)


def search_unindex(*, document_id: int) -> None:
    document_removed.send(sender=Document, document_id=document_id)


# -- Orphaned files ------------------------------------------------------------------------


def orphan_files(*, grace_hours: float) -> list[str]:
    """Stored files that no version row names and that are older than the grace period
    (a younger file may belong to an upload whose transaction has not committed yet)."""

    storage = files.documents_storage()
    cutoff = timezone.now() - timedelta(hours=grace_hours)
    names = files.stored_names()
    known: set[str] = set()
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        known.update(
            DocumentVersion.objects.filter(file_name__in=batch).values_list("file_name", flat=True)
        )
    orphans = []
    for name in names:
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if modified <= cutoff:
            orphans.append(name)
    return sorted(orphans)


def orphan_files_delete(*, names: Sequence[str]) -> int:
    storage = files.documents_storage()
    deleted = 0
    for name in names:
        # Checked again just before deleting: an upload may have committed meanwhile.
        if DocumentVersion.objects.filter(file_name=name).exists():
            continue
        storage.delete(name)
        deleted += 1
    if deleted:
        audit_record(actor=None, action="document.orphans_delete", data={"files": deleted})
    return deleted


def documents_search_reindex() -> int:
    """Send every current document's content to the indexing apps again (used by
    `search_reindex_all`); returns the number of documents sent."""
    written = 0
    documents = Document.objects.filter(current__isnull=False).select_related("current")
    for document in documents.iterator(chunk_size=500):
        search_index(document=document)
        written += 1
    return written


def versions_verify() -> dict[str, list[int]]:
    """Recompute every stored file's SHA-256 against its version row: proof that nothing
    was altered or lost in storage. Returns version ids by problem."""
    storage = files.documents_storage()
    report: dict[str, list[int]] = {"missing": [], "altered": [], "ok": []}
    for pk, name, digest in DocumentVersion.objects.values_list(
        "pk", "file_name", "sha256"
    ).iterator(chunk_size=500):
        hasher = files._new_hasher()
        try:
            with storage.open(name, "rb") as handle:
                for chunk in iter(partial(handle.read, files.CHUNK), b""):
                    hasher.update(chunk)
        except FileNotFoundError:
            report["missing"].append(pk)
            continue
        report["ok" if hasher.hexdigest() == digest else "altered"].append(pk)
    return report


# -- Temporary files ------------------------------------------------------------------------


def temp_files_clean(*, older_than_hours: float) -> int:
    """Remove what killed workers left in the dedicated temp dirs: request bodies spooled
    by Django (FILE_UPLOAD_TEMP_DIR) and extraction work dirs. Only entries whose last change
    is older than the cutoff go (a live upload or extraction keeps writing); symlinks are
    removed, never followed. Returns how many entries were removed."""

    cutoff = time.time() - older_than_hours * 3600
    removed = 0
    for base in (Path(settings.FILE_UPLOAD_TEMP_DIR), Path(settings.LEXCASE_EXTRACT_TEMP_DIR)):
        try:
            entries = list(base.iterdir())
        except FileNotFoundError:
            continue
        for entry in entries:
            try:
                info = entry.lstat()
                if entry.is_dir() and not entry.is_symlink():
                    newest = max(
                        [info.st_mtime] + [p.lstat().st_mtime for p in entry.rglob("*")],
                    )
                    if newest > cutoff:
                        continue
                    shutil.rmtree(entry)
                elif info.st_mtime <= cutoff:
                    entry.unlink()
                else:
                    continue
            except FileNotFoundError:
                continue  # removed meanwhile (the upload finished)
            removed += 1
    return removed


@transaction.atomic
def documents_anonymise(*, matter_ids: list[int], names: list[str], placeholder: str) -> int:
    """Retention anonymised a person on these matters: their names and former identity and
    contact values leave the documents' metadata (title, notes, the uploaded file's name);
    the search entry follows the title. The files and their extracted text stay (see
    docs/security.md)."""
    changed = 0
    for document in Document.objects.filter(matter_id__in=matter_ids):
        title = scrub_names(document.title, names, placeholder)[:200]
        notes = scrub_names(document.notes, names, placeholder)
        if (title, notes) != (document.title, document.notes):
            Document.objects.filter(pk=document.pk).update(title=title, notes=notes)
            document.title, document.notes = title, notes
            document_text_changed.send(sender=Document, document=document)
            changed += 1
    versions = DocumentVersion.objects.filter(document__matter_id__in=matter_ids)
    for version in versions.only("pk", "original_name"):
        name = scrub_names(version.original_name, names, placeholder)[:255]
        if name != version.original_name:
            DocumentVersion.objects.filter(pk=version.pk).update(original_name=name)
            changed += 1
    return changed
