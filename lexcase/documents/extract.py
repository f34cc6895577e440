"""Text from stored files: PDF text layer (pypdfium2), DOCX (python-docx), XLSX (openpyxl),
plain text; scanned PDFs and images through Tesseract OCR (chi_sim+eng).

Heavy libraries are imported inside the functions. Tesseract runs as a subprocess with
a timeout, on files in a private temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lexcase.documents import files

TESSERACT = "/usr/bin/tesseract"
OCR_LANGUAGES = "chi_sim+eng"
OCR_DPI = 300
OCR_TIMEOUT_SECONDS = 300
# A page with fewer visible characters than this in its text layer is treated as scanned
# (a scan often carries a stray page number or stamp text, a real page rarely this little).
MIN_TEXT_LAYER_CHARS = 5
MAX_OCR_PAGES = 200
# A hostile PDF can declare a page of any size: cap the rendered bitmap (an A4 page at
# 300 dpi is 8.7 megapixels).
MAX_RENDER_PIXELS = 40_000_000
# Word and Excel files are zip archives: refuse to inflate a zip bomb.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000


class ExtractionError(Exception):
    """The text could not be extracted; the message is stored as the reason."""


@dataclass(frozen=True)
class Extracted:
    text: str
    method: str


def tesseract_path() -> str | None:
    found = shutil.which("tesseract")
    return found or (TESSERACT if Path(TESSERACT).exists() else None)


def _ocr_image(path: Path) -> str:
    binary = tesseract_path()
    if binary is None:
        raise ExtractionError("Tesseract OCR is not installed.")
    try:
        done = subprocess.run(  # noqa: S603 - fixed binary, our own temp file path
            [binary, str(path), "stdout", "-l", OCR_LANGUAGES],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=False,
            # One thread: Tesseract's OpenMP threads spin against each other (17.4 s -> 3.0 s
            # per page here, bench/documents.py; tesseract-ocr/tesseract#3109). Run more
            # workers to use more cores.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"OCR took longer than {OCR_TIMEOUT_SECONDS} s.") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError("OCR failed: " + (message[-1] if message else "unknown error"))
    return done.stdout.decode("utf-8", "replace")


def clean_ocr_text(text: str) -> str:
    """Tesseract puts spaces between Chinese characters; a search for 法院 must still match."""
    import re

    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    text = re.sub(rf"(?<={cjk})[ \t]+(?={cjk})", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _pdf(fileobj: IO[bytes], workdir: Path) -> Extracted:
    import pypdfium2 as pdfium

    data = fileobj.read()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"The PDF cannot be read: {exc}") from exc
    try:
        pages: list[str] = []
        ocr_used = False
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded().strip()
            textpage.close()
            if len("".join(text.split())) < MIN_TEXT_LAYER_CHARS:
                if index >= MAX_OCR_PAGES:
                    page.close()
                    break
                width, height = page.get_size()  # points (1/72 inch)
                cap = 0.99 * (MAX_RENDER_PIXELS / max(width * height, 1)) ** 0.5  # 1 % for rounding
                scale = min(OCR_DPI / 72, cap)
                bitmap = page.render(scale=scale, grayscale=True)
                image_path = workdir / f"page-{index}.png"
                bitmap.to_pil().save(image_path)
                bitmap.close()
                text = clean_ocr_text(_ocr_image(image_path))
                image_path.unlink()
                ocr_used = True
            page.close()
            pages.append(text)
    finally:
        pdf.close()
    return Extracted("\n\n".join(pages).strip(), "ocr" if ocr_used else "pdf")


def _check_unzipped_size(fileobj: IO[bytes]) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(fileobj) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"The file is not a valid Office document: {exc}") from exc
    finally:
        fileobj.seek(0)
    if total > MAX_UNZIPPED_BYTES:
        raise ExtractionError("The Office document inflates to more than 512 MB; not read.")


def _docx(fileobj: IO[bytes]) -> Extracted:
    import docx

    _check_unzipped_size(fileobj)
    try:
        document = docx.Document(fileobj)
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise ExtractionError(f"The Word file cannot be read: {exc}") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return Extracted("\n".join(parts).strip(), "docx")


def _xlsx(fileobj: IO[bytes]) -> Extracted:
    import openpyxl

    _check_unzipped_size(fileobj)
    try:
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:
        raise ExtractionError(f"The Excel file cannot be read: {exc}") from exc
    lines: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = [str(c) for c in row if c is not None]
            if cells:
                lines.append("\t".join(cells))
    book.close()
    return Extracted("\n".join(lines), "xlsx")


def _image(fileobj: IO[bytes], workdir: Path, content_type: str) -> Extracted:
    path = workdir / f"image.{files.EXTENSIONS[content_type]}"
    with path.open("wb") as out:
        shutil.copyfileobj(fileobj, out)
    return Extracted(clean_ocr_text(_ocr_image(path)), "ocr")


def extract_text(fileobj: IO[bytes], content_type: str) -> Extracted:
    with tempfile.TemporaryDirectory(prefix="lexcase-ocr-") as tmp:
        workdir = Path(tmp)
        if content_type == files.PDF:
            result = _pdf(fileobj, workdir)
        elif content_type == files.DOCX:
            result = _docx(fileobj)
        elif content_type == files.XLSX:
            result = _xlsx(fileobj)
        elif content_type in (files.PNG, files.JPEG, files.TIFF):
            result = _image(fileobj, workdir, content_type)
        elif content_type == files.TEXT:
            raw = fileobj.read(MAX_TEXT_CHARS * 4)
            result = Extracted(raw.decode("utf-8-sig", "replace"), "text")
        else:
            raise ExtractionError(f"No text extraction for {content_type}.")
    # NUL bytes are refused by PostgreSQL text columns.
    return Extracted(result.text.replace("\x00", "")[:MAX_TEXT_CHARS], result.method)
