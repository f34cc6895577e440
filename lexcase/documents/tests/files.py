"""Documents test helpers: uploads and generated files (PDF with and without a text layer,
PNG, DOCX, XLSX)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def stored_files(location: Path) -> list[Path]:
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def text_pdf(text: str) -> bytes:
    """A PDF with a real text layer (WeasyPrint embeds the CJK font)."""
    from weasyprint import HTML

    html = f"<html><body><p style='font-family: Noto Sans CJK SC'>{text}</p></body></html>"
    return HTML(string=html).write_pdf()


def render_lines(lines: list[str], size: int = 48) -> Any:
    from PIL import Image, ImageDraw, ImageFont

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
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ofd_bytes(pages: list[list[str]]) -> bytes:
    """A minimal OFD package (GB/T 33190): OFD.xml, a document, a page per list of lines."""
    import zipfile

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
