"""Files on the "documents" storage: content sniffing, safe names, streaming save with SHA-256.

The type of an upload is decided by its bytes, never by its name or the browser's
Content-Type: a `.pdf` that is really an executable is refused. Stored names are
generated here (date prefix + uuid4), so an uploaded name can never choose a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.core import office, textcodecs
from lexcase.documents import ole
from lexcase.documents.content_types import (
    DOC,
    DOCX,
    EXTENSIONS,
    JPEG,
    OFD,
    PDF,
    PNG,
    TEXT,
    TIFF,
    XLSX,
)

__all__ = ["DOC", "DOCX", "EXTENSIONS", "JPEG", "OFD", "PDF", "PNG", "TEXT", "TIFF", "XLSX"]

# Zip archives: checked against the Office limits at upload (core.office).
ZIP_TYPES = frozenset({DOCX, XLSX, OFD})
# Shown in the browser when asked to; everything else is always an attachment.
INLINE_TYPES = frozenset({PDF, PNG, JPEG})

PREFIX = "documents"
CHUNK = 64 * 1024
# Markup that a browser would render (and run) if it ever sniffed it as HTML or SVG.
_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|svg|script|iframe|body|\?xml)", re.IGNORECASE)


def documents_storage() -> Storage:
    # Looked up on every call so settings overrides (tests, S3) take effect.
    return storages["documents"]


def max_upload_bytes() -> int:
    return int(settings.LEXCASE_MAX_UPLOAD_MB) * 1024 * 1024


MAX_NAME = 200
# An extension is kept whole when a long name is shortened (.pdf, .docx, .jpeg …).
MAX_EXTENSION = 16


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")


def safe_original_name(name: str) -> str:
    """The uploaded name as metadata only: last path component, no control characters, at
    most 200 characters with its extension kept (`name_shortened` says when it was cut)."""
    name = _clean_name(name)
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and 0 < len(ext) <= MAX_EXTENSION and " " not in ext:
            name = stem[: MAX_NAME - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME]
    return name or "file"


def name_shortened(name: str) -> bool:
    """Whether `safe_original_name` cut this name to 200 characters (the user is told)."""
    return len(_clean_name(name)) > MAX_NAME


def shortened_name_message(name: str) -> str:
    """What the uploader is told about a name cut to 200 characters, in their language."""
    return _(
        "The file name had %(n)s characters: it is kept as “%(name)s” (at most %(max)s, "
        "the extension kept)."
    ) % {"n": len(_clean_name(name)), "name": safe_original_name(name), "max": MAX_NAME}


def title_from_name(name: str) -> str:
    stem, dot, _ext = name.rpartition(".")
    return (stem if dot and stem else name)[:200]


def _text_head(head: bytes, *, complete: bool) -> str | None:
    """The head of a plain-text file decoded (UTF-8, UTF-16, GB18030/GBK or Big5:
    core.textcodecs), or None when it is not text."""
    codec = textcodecs.text_encoding(head, complete=complete)
    if codec is None:
        return None
    try:
        text = textcodecs.decode(head, codec, complete=complete).removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    # Text has no control characters beyond tab, newlines, form feed and escape.
    return text if textcodecs.is_text(text) else None


def sniff(fileobj: IO[bytes]) -> str | None:
    """The content type of a (seekable) file judged by its bytes, or None if not accepted.
    A zip archive with more parts than an Office file ever has raises office.ZipRefused."""
    fileobj.seek(0)
    head = fileobj.read(CHUNK)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(ole.MAGIC):
        return DOC if ole.is_word_binary(fileobj) else None
    if head.startswith(b"PK\x03\x04"):
        try:
            # Raises ZipRefused for an entry-count bomb before ZipFile parses its directory
            # (one object per entry) in the web process.
            office.check_directory(fileobj, max_entries=settings.LEXCASE_OFFICE_MAX_ENTRIES)
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        if "OFD.xml" in names:
            return OFD
        return None
    text = _text_head(head, complete=len(head) < CHUNK)
    if text and not _MARKUP.search(text[:4096].encode("utf-8")):
        return TEXT
    return None


def check_upload(upload: Any, *, field: str = "file") -> str:
    """Validate one uploaded file before anything is stored; returns its content type."""
    name = safe_original_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({field: [_("“%(name)s” is empty.") % {"name": name}]})
    limit = settings.LEXCASE_MAX_UPLOAD_MB
    if size > max_upload_bytes():
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” is larger than the limit of %(limit)s MB.")
                    % {"name": name, "limit": limit}
                ]
            }
        )
    try:
        content_type = sniff(upload)
    except office.ZipRefused:
        # Not stored: the directory alone would cost the web process memory per entry.
        raise ValidationError(
            {
                field: [
                    _(
                        "“%(name)s” has more than %(n)s parts: it is not read as a Word or "
                        "Excel file."
                    )
                    % {"name": name, "n": settings.LEXCASE_OFFICE_MAX_ENTRIES}
                ]
            }
        ) from None
    if content_type in ZIP_TYPES:
        # A zip bomb is refused here, before it is stored (the extraction checks again).
        refusal = office.office_zip_refusal(upload, name=name)
        if refusal:
            raise ValidationError({field: [refusal]})
    if content_type is None:
        raise ValidationError(
            {
                field: [
                    _(
                        "“%(name)s” is not an accepted file type (PDF, OFD, PNG, JPEG, TIFF, "
                        "Word .docx/.doc, WPS .wps, Excel .xlsx or plain text), "
                        "whatever its name says."
                    )
                    % {"name": name}
                ]
            }
        )
    return content_type


def new_storage_name(content_type: str) -> str:
    day = timezone.localdate()
    ext = EXTENSIONS.get(content_type, "bin")
    return f"{PREFIX}/{day:%Y/%m/%d}/{uuid.uuid4().hex}.{ext}"


def _new_hasher() -> Any:
    # A seam for the failure-injection tests (a hashing failure mid-write).
    return hashlib.sha256()


class _HashingFile(File):
    """Hashes and counts the bytes as the storage reads them, so the file is read once.
    A storage that rewinds (seek(0)) before reading restarts the digest."""

    file: IO[bytes]  # always given (File allows None)

    def __init__(self, fileobj: IO[bytes], name: str) -> None:
        super().__init__(fileobj, name)
        self._restart()

    def _restart(self) -> None:
        self.hasher = _new_hasher()
        self.count = 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self.file.seek(offset, whence)
        if position == 0:
            self._restart()
        return position

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.hasher.update(data)
        self.count += len(data)
        return data

    def chunks(self, chunk_size: int | None = None) -> Any:
        self.seek(0)
        while True:
            data = self.read(chunk_size or CHUNK)
            if not data:
                break
            yield data

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str
    content_type: str
    original_name: str


def store(upload: Any, *, content_type: str) -> StoredFile:
    """Stream the upload to the documents storage, hashing while it is written. On any
    failure nothing is left behind under the generated name."""
    storage = documents_storage()
    name = new_storage_name(content_type)
    wrapped = _HashingFile(upload, name)
    try:
        saved = storage.save(name, wrapped)
        if saved != name:  # a uuid4 collision, or a storage that renames: never expected
            storage.delete(saved)
            raise OSError(f"storage renamed {name} to {saved}")
        digest = wrapped.hasher.hexdigest()
        _sync_to_disk(storage, name)
    except BaseException:
        discard(name)
        raise
    return StoredFile(
        name=name,
        size=wrapped.count,
        sha256=digest,
        content_type=content_type,
        original_name=safe_original_name(getattr(upload, "name", "")),
    )


def _sync_to_disk(storage: Storage, name: str) -> None:
    """A local file is on disk before its row commits: after a power loss a committed
    version must not point at bytes that only ever reached the page cache. Object stores
    acknowledge durably by themselves (they have no local path)."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    directory = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(directory)  # the new directory entry too
    finally:
        os.close(directory)


def discard(name: str) -> None:
    """Delete a stored file; a failure here leaves an orphan for `documents_orphans`."""
    try:
        documents_storage().delete(name)
    except Exception:  # noqa: S110 - the orphan command removes what this cannot
        pass


def stored_names() -> list[str]:
    """Every file name under the documents prefix (recursive)."""
    storage = documents_storage()
    names: list[str] = []

    def walk(path: str) -> None:
        try:
            dirs, files = storage.listdir(path)
        except FileNotFoundError:
            return
        names.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    walk(PREFIX)
    return names
