"""Word and Excel files are zip archives: what they may cost is decided from the archive's
directory before anything is inflated (issue 18: a 1.5 MB .docx inflating to 500 MB took a
worker to 10 GB of memory).

No Django here: the extraction child process imports this without settings.
"""

from __future__ import annotations

import zipfile
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
    """The archive exceeds a limit; the message says which (English, stored as the reason)."""


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
        raise ZipRefused(f"the Office document has more than {max_entries} parts.")


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
                raise ZipRefused(f"the Office document has more than {max_entries} parts.")
            declared = sum(info.file_size for info in infos)
            if declared > max_inflated:
                raise ZipRefused(
                    f"the Office document inflates to {_mb(declared)}, more than the "
                    f"{_mb(max_inflated)} limit."
                )
            for info in infos:
                if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(
                    info.compress_size, 1
                ):
                    raise ZipRefused(
                        f"{info.filename} inflates more than {max_ratio} times "
                        f"({_mb(info.file_size)} from {_mb(info.compress_size)})."
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
                                f"{_mb(max_inflated)} limit."
                            )
    finally:
        fileobj.seek(0)
