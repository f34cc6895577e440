"""Which encoding a text file is in, for the files Chinese firms bring: UTF-8 (with or
without BOM), UTF-16 (Windows' "Unicode": Notepad, Excel's "Unicode text"), GB18030/GBK (the
mainland's ANSI code page: Excel's CSV, Notepad's ANSI, older systems) and Big5 (Taiwan,
Hong Kong). Used by the matter import (CSV) and by document uploads (.txt).

GBK and Big5 bytes overlap: Big5 text is valid GBK and the other way round. Each reading is
scored by the share of its characters that are common in that code (GB2312's characters
and punctuation for GBK; Big5's symbols and frequent level 1 for Big5): Big5 read as GBK
gives kana, private-use and rare characters, GBK read as Big5 mostly Big5's rare level 2.
The better reading is taken when at least half of its characters are common; otherwise
None — a caller refuses the file, it never guesses.

No Django: pure functions over bytes.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Callable

PLAUSIBLE = 0.5
# Control characters text does not hold (tab, line feed, form feed, carriage return and
# escape are allowed; DEL and the C1 controls are not).
CONTROL = frozenset(
    chr(c) for c in (*range(0, 9), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), *range(0x7F, 0xA0))
)
# UTF-16 without a byte order mark is only recognised in a file of at least this many bytes.
UTF16_MIN_BYTES = 16


def _zeros(sample: bytes) -> float:
    return sample.count(0) / len(sample) if sample else 0.0


def _gb_common(encoded: bytes) -> bool:
    # GB2312's Han characters (rows 0xB0-0xF7) and its punctuation rows (0xA1, 0xA3).
    return len(encoded) == 2 and (0xB0 <= encoded[0] <= 0xF7 or encoded[0] in (0xA1, 0xA3))


def _big5_common(encoded: bytes) -> bool:
    # Big5's symbols (0xA1-0xA3) and frequent characters (level 1: 0xA440-0xC67E).
    return len(encoded) == 2 and (0xA1 <= encoded[0] <= 0xC5 or encoded[:2] <= b"\xc6\x7e")


def _common_share(text: str, codec: str, common: Callable[[bytes], bool]) -> float:
    others = Counter(c for c in text if ord(c) > 0x7F)
    if not others:
        return 1.0
    hits = 0
    for char, n in others.items():
        try:
            if common(char.encode(codec)):
                hits += n
        except UnicodeEncodeError:
            continue
    return hits / others.total()


def decode(data: bytes, codec: str, *, complete: bool = True) -> str:
    """`data` decoded strictly; with `complete=False` (the head of a longer file) a
    character cut at the end is left out. Raises UnicodeDecodeError."""
    decoder = codecs.getincrementaldecoder(codec)()
    return decoder.decode(data, final=complete)


def text_encoding(data: bytes, *, complete: bool = True) -> str | None:
    """The codec to read `data` with ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
    "utf-8", "gb18030" or "big5"), or None when it is none of them. A byte order mark or
    UTF-16's zeros decide without checking the rest: decoding strictly then says whether
    the file keeps its word. `complete=False`: `data` is the head of a longer file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # No byte order mark: ASCII with a zero after (little-endian) or before each byte.
    if len(data) >= UTF16_MIN_BYTES:
        if _zeros(data[1:200:2]) >= 0.5 > 10 * _zeros(data[0:200:2]):
            return "utf-16-le"
        if _zeros(data[0:200:2]) >= 0.5 > 10 * _zeros(data[1:200:2]):
            return "utf-16-be"
    readings: list[tuple[float, str]] = []
    for codec, common in (("utf-8", None), ("gb18030", _gb_common), ("big5", _big5_common)):
        try:
            text = decode(data, codec, complete=complete)
        except UnicodeDecodeError:
            continue
        if common is None:
            return codec  # valid UTF-8 is UTF-8: other codes almost never are
        readings.append((_common_share(text, codec, common), codec))
    # GBK (the first) wins a tie: mainland firms are the many.
    best = max(readings, key=lambda reading: reading[0], default=None)
    return best[1] if best is not None and best[0] >= PLAUSIBLE else None


def is_text(text: str) -> bool:
    """No control characters beyond tab, line breaks, form feed and escape."""
    return not CONTROL.intersection(text)
