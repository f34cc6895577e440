"""Documents test helpers: uploads and generated files (PDF with and without a text layer,
PNG, DOCX, XLSX)."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont
from weasyprint import HTML

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def stored_files(location: Path) -> list[Path]:
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def text_pdf(text: str) -> bytes:
    """A PDF with a real text layer (WeasyPrint embeds the CJK font)."""
    html = f"<html><body><p style='font-family: Noto Sans CJK SC'>{text}</p></body></html>"
    return HTML(string=html).write_pdf()


def render_lines(lines: list[str], size: int = 48) -> Any:
    font = ImageFont.truetype(str(FONT), size, index=2)  # Noto Sans CJK SC
    image = Image.new("L", (1700, 200 + len(lines) * (size + 30)), color=255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((100, 100 + i * (size + 30)), line, font=font, fill=0)
    return image


def scanned_pdf(lines: list[str]) -> bytes:
    """An image-only PDF (no text layer), like a scanner produces."""
    buffer = io.BytesIO()
    render_lines(lines).convert("RGB").save(buffer, format="PDF", resolution=200.0)
    return buffer.getvalue()


def png(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    render_lines(lines).save(buffer, format="PNG")
    return buffer.getvalue()


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ofd_bytes(pages: list[list[str]]) -> bytes:
    """A minimal OFD package (GB/T 33190): OFD.xml, a document, a page per list of lines."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0"><ofd:DocBody>'
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr("Doc_0/Document.xml", f"<ofd:Document {ns}/>")
        # Page_10 after Page_2: pages are ordered by number, not by name.
        for number, lines in enumerate(pages):
            objects = "".join(
                f'<ofd:TextObject ID="{i}"><ofd:TextCode X="0" Y="{i * 5}">{line}</ofd:TextCode>'
                "</ofd:TextObject>"
                for i, line in enumerate(lines)
            )
            archive.writestr(
                f"Doc_0/Pages/Page_{number * 8 if number else 0}/Content.xml",
                f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content>"
                "</ofd:Page>",
            )
    return buf.getvalue()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (MS-CFB version 3, 512-byte sectors) with up to three
    streams, each padded to 4096 bytes so that none lives in the mini stream."""
    sector, free, end, fat_sector = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    padded = {n: streams[n].ljust(4096, b"\x00") for n in names}
    padded = {n: data + b"\x00" * (-len(data) % sector) for n, data in padded.items()}
    fat, starts = [fat_sector, end], {}
    for n in names:
        starts[n] = len(fat)
        count = len(padded[n]) // sector
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(end)
    fat.extend([free] * (128 - len(fat)))

    def entry(name: str, kind: int, left: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", left, free, child)
            + b"\x00" * 36
            + struct.pack("<IIi", start, size, 0)
        )

    # Siblings ordered by (length, upper-case name): each the left child of the next.
    order = sorted(names, key=lambda n: (len(n), n.upper()))
    ids = {n: i + 1 for i, n in enumerate(names)}
    directory = entry("Root Entry", 5, free, ids[order[-1]], end, 0)
    for n in names:
        k = order.index(n)
        directory += entry(n, 2, ids[order[k - 1]] if k else free, free, starts[n], len(padded[n]))
    while len(directory) < sector:
        directory += entry("", 0, free, free, 0, 0)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    return header + struct.pack("<128I", *fat) + directory + b"".join(padded.values())


def word97_bytes(text: str) -> bytes:
    """A Word 97-2003 binary document (.doc; WPS 文字 writes the same) holding `text` as one
    Unicode piece: the FIB, the text, and the piece table in the 1Table stream."""
    start = 0x600
    encoded = text.encode("utf-16-le")
    fib = bytearray(start)
    struct.pack_into("<5H", fib, 0, 0xA5EC, 0x00C1, 0x6027, 0x0804, 0)  # wIdent, nFib, lid zh-CN
    struct.pack_into("<H", fib, 0x0A, 0x0200 | 0x1000)  # the table is 1Table; fExtChar
    struct.pack_into("<H", fib, 0x0C, 0x00BF)
    struct.pack_into("<II", fib, 0x18, start, start + len(encoded))  # fcMin, fcMac
    struct.pack_into("<H", fib, 0x20, 14)
    struct.pack_into("<H", fib, 0x3E, 22)
    struct.pack_into("<I", fib, 0x40, start + len(encoded))
    struct.pack_into("<I", fib, 0x4C, len(text))  # ccpText
    struct.pack_into("<H", fib, 0x98, 93)
    pieces = struct.pack("<II", 0, len(text)) + struct.pack("<HIH", 0, start, 0)
    clx = b"\x02" + struct.pack("<I", len(pieces)) + pieces
    # An empty style sheet (no styles): antiword reads past a missing one.
    stsh = struct.pack("<H", 18) + struct.pack("<9H", 0, 10, 0, 0, 0, 0, 0, 0, 0)
    struct.pack_into("<II", fib, 0xA2, len(clx), len(stsh))  # fcStshf, lcbStshf
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))  # fcClx, lcbClx
    return compound_file({"WordDocument": bytes(fib) + encoded, "1Table": clx + stsh})
