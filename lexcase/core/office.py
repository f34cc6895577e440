"""Word and Excel files are zip archives: what they may cost is decided from the archive's
directory before anything is inflated (issue 18: a 1.5 MB .docx inflating to 500 MB took a
worker to 10 GB of memory). One check for every way a zip comes in: document uploads
(`documents.files.check_upload`), the template upload (papers) and the matter import's
workbooks (`office_zip_refusal`), and again before extraction (`check_archive`).

No Django at import time: the extraction child process imports this without settings.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import IO

MIB = 2**20
CHUNK = 64 * 1024
# The central directory is parsed into one Python object per entry; its size in bytes bounds
# that work even when the end record understates the entry count. Real Office entries take
# 50-150 bytes (46 fixed plus the name); 256 a part is generous.
DIRECTORY_BYTES_PER_ENTRY = 256
# The per-entry ratio only matters for entries big enough to hurt.
RATIO_FLOOR = MIB


class ZipRefused(Exception):
    """The archive exceeds a limit; the message says which (English, stored as the reason).
    `kind` ("entries", "inflated" or "ratio") and `limit` let a caller say it in the
    reader's language."""

    def __init__(self, message: str, *, kind: str = "", limit: int = 0) -> None:
        super().__init__(message)
        self.kind = kind
        self.limit = limit


def _mb(size: int) -> str:
    return f"{size / MIB:.0f} MB" if size >= MIB else f"{max(size // 1024, 1)} KB"


def check_directory(fileobj: IO[bytes], *, max_entries: int) -> None:
    """Entry count and directory size from the end record (the file's last 64 KB), before
    `zipfile.ZipFile` builds an object for every entry. Raises ZipRefused or BadZipFile."""
    fileobj.seek(0)
    try:
        # The same reader ZipFile uses, so both agree on which end record counts.
        end = zipfile._EndRecData(fileobj)  # type: ignore[attr-defined]
    except OSError as exc:
        raise zipfile.BadZipFile("File is not a zip file") from exc
    finally:
        fileobj.seek(0)
    if not end:
        raise zipfile.BadZipFile("File is not a zip file")
    entries = end[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
    directory_bytes = end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > max_entries or directory_bytes > max_entries * DIRECTORY_BYTES_PER_ENTRY:
        raise ZipRefused(
            f"the Office document has more than {max_entries} parts.",
            kind="entries",
            limit=max_entries,
        )


def check_archive(
    fileobj: IO[bytes], *, max_entries: int, max_inflated: int, max_ratio: int
) -> None:
    """Refuse an archive that would inflate past the limits. The directory's declared sizes
    are checked first (no inflating); then every entry is inflated once, counting the bytes
    that really come out, so headers that understate a size cannot get past the cap."""
    check_directory(fileobj, max_entries=max_entries)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise ZipRefused(
                    f"the Office document has more than {max_entries} parts.",
                    kind="entries",
                    limit=max_entries,
                )
            declared = sum(info.file_size for info in infos)
            if declared > max_inflated:
                raise ZipRefused(
                    f"the Office document inflates to {_mb(declared)}, more than the "
                    f"{_mb(max_inflated)} limit.",
                    kind="inflated",
                    limit=max_inflated,
                )
            for info in infos:
                if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(
                    info.compress_size, 1
                ):
                    raise ZipRefused(
                        f"{info.filename} inflates more than {max_ratio} times "
                        f"({_mb(info.file_size)} from {_mb(info.compress_size)}).",
                        kind="ratio",
                        limit=max_ratio,
                    )
            inflated = 0
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as entry:
                    while chunk := entry.read(CHUNK):
                        inflated += len(chunk)
                        if inflated > max_inflated:
                            raise ZipRefused(
                                f"the Office document inflates to more than the "
                                f"{_mb(max_inflated)} limit.",
                                kind="inflated",
                                limit=max_inflated,
                            )
    finally:
        fileobj.seek(0)


def office_zip_refusal(fileobj: IO[bytes], *, name: str) -> str | None:
    """Why the Word or Excel file `name` is not accepted, in the reader's language, or None:
    the firm's limits (LEXCASE_OFFICE_MAX_*) checked by `check_archive` — the directory,
    the declared sizes, then a counted inflate. The same check for an upload, a template and
    an imported workbook, so a zip bomb is refused before it is stored or read."""
    # Django only here: the extraction child imports this module without settings.
    from django.conf import settings
    from django.utils.translation import gettext as _

    try:
        check_archive(
            fileobj,
            max_entries=settings.LEXCASE_OFFICE_MAX_ENTRIES,
            max_inflated=settings.LEXCASE_OFFICE_MAX_INFLATED_MB * MIB,
            max_ratio=settings.LEXCASE_OFFICE_MAX_RATIO,
        )
    except ZipRefused as exc:
        if exc.kind == "entries":
            return _(
                "“%(name)s” has more than %(n)s parts: it is not read as a Word or Excel file."
            ) % {"name": name, "n": exc.limit}
        if exc.kind == "ratio":
            return _(
                "“%(name)s” inflates more than %(n)s times when opened (a zip bomb): it is not "
                "accepted."
            ) % {"name": name, "n": exc.limit}
        return _("“%(name)s” inflates to more than %(mb)s MB when opened: it is not accepted.") % {
            "name": name,
            "mb": exc.limit // MIB,
        }
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError):
        # Damaged, encrypted or an unknown compression method.
        return _("“%(name)s” is damaged: it cannot be opened as a Word or Excel file.") % {
            "name": name
        }
    return None
