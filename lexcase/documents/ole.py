"""The stream names of an OLE2 compound file (MS-CFB), read from its directory alone.

Word 97-2003 documents (.doc) and WPS 文字 documents (.wps, written in the same binary
format) are compound files with a `WordDocument` stream; so are Excel 97 files, installers
(.msi) and others, which are not accepted. Only the header, the FAT sectors that chain the
directory and the directory sectors are read, each at most once and within fixed caps, so a
hostile file cannot make the web process loop or read much. No Django here: the extraction
child imports this module too.
"""

from __future__ import annotations

import struct
from typing import IO

MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
FREE, END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
MAX_DIRECTORY_SECTORS = 256  # 256 x 4 KiB: thousands of entries, more than any document has
MAX_DIFAT_SECTORS = 512


class NotCompound(ValueError):
    """Not a well-formed compound file."""


def _read_at(fileobj: IO[bytes], offset: int, size: int) -> bytes:
    fileobj.seek(offset)
    data = fileobj.read(size)
    if len(data) != size:
        raise NotCompound("truncated")
    return data


def stream_names(fileobj: IO[bytes]) -> set[str]:
    """The names of the streams (type 2 entries) in the compound file's directory."""
    fileobj.seek(0)
    header = fileobj.read(512)
    if len(header) < 512 or not header.startswith(MAGIC):
        raise NotCompound("no compound file header")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise NotCompound("unknown sector size")
    size = 1 << shift
    per_sector = size // 4
    (first_dir,) = struct.unpack_from("<I", header, 0x30)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    difat = list(struct.unpack_from("<109I", header, 0x4C))

    def sector_offset(sid: int) -> int:
        return (sid + 1) * size

    next_difat = first_difat
    for _ in range(min(difat_count, MAX_DIFAT_SECTORS)):
        if next_difat >= END_OF_CHAIN:
            break
        words = struct.unpack(f"<{per_sector}I", _read_at(fileobj, sector_offset(next_difat), size))
        difat.extend(words[:-1])
        next_difat = words[-1]

    fat_cache: dict[int, tuple[int, ...]] = {}

    def fat_next(sid: int) -> int:
        index = sid // per_sector
        if index >= len(difat) or difat[index] >= END_OF_CHAIN:
            raise NotCompound("sector outside the FAT")
        if index not in fat_cache:
            data = _read_at(fileobj, sector_offset(difat[index]), size)
            fat_cache[index] = struct.unpack(f"<{per_sector}I", data)
        return fat_cache[index][sid % per_sector]

    names: set[str] = set()
    sid, seen = first_dir, set[int]()
    while sid < END_OF_CHAIN - 1 and len(seen) < MAX_DIRECTORY_SECTORS:
        if sid in seen:
            raise NotCompound("the directory chain loops")
        seen.add(sid)
        data = _read_at(fileobj, sector_offset(sid), size)
        for start in range(0, size, 128):
            entry = data[start : start + 128]
            length, kind = struct.unpack_from("<HB", entry, 64)
            if kind == 2 and 2 <= length <= 64:
                names.add(entry[: length - 2].decode("utf-16-le", "replace"))
        sid = fat_next(sid)
    return names


def is_word_binary(fileobj: IO[bytes]) -> bool:
    """A Word 97-2003 / WPS 文字 binary document: a compound file with a WordDocument stream."""
    try:
        return "WordDocument" in stream_names(fileobj)
    except (NotCompound, struct.error, OSError):
        return False
    finally:
        fileobj.seek(0)
