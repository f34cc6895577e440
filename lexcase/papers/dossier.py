"""The 卷宗: one PDF of a matter's chosen documents for the paper and electronic file — a
cover (档号, matter, client, court, 案号, dates, lawyers, retention), the 卷内目录 whose page
numbers are the pages of this PDF, then every chosen document, page-numbered.

PDFs are merged as they are; images (PNG, JPEG, TIFF) and plain text are converted; anything
else (Word, Excel, OFD) is listed in the contents as not converted, with the reason, so the
paper file knows to add it. The cover and contents are weasyprint pages (Noto CJK, nothing
fetched); merging and page stamps use pypdfium2. Both are imported when a 卷宗 is built.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from lexcase.accounts.selectors import firm_profile
from lexcase.core.pdf import html_to_pdf
from lexcase.documents import files
from lexcase.documents.models import Category, Document
from lexcase.matters.models import ArchiveRecord, Matter, MemberRole, PartyRole
from lexcase.matters.selectors import matter_case_numbers, matter_members, matter_parties

ASSETS = Path(__file__).resolve().parent / "pdf_assets"
# The order of the 卷内目录 when the lawyer does not choose one: engagement papers first,
# then pleadings, evidence, the court's documents, correspondence, the rest.
CATEGORY_ORDER = (
    Category.ENGAGEMENT,
    Category.CONTRACT,
    Category.PLEADING,
    Category.EVIDENCE,
    Category.COURT,
    Category.CORRESPONDENCE,
    Category.OTHER,
)
IMAGE_TYPES = {files.PNG, files.JPEG, files.TIFF}
NOT_CONVERTED = {
    files.DOCX: "Word 文件，未转换为 PDF",
    files.XLSX: "Excel 文件，未转换为 PDF",
    files.OFD: "OFD 文件，未转换为 PDF",
}
# Page stamps: a small page with the number, placed at each merged page's lower right.
STAMP_W, STAMP_H = 72.0, 20.0


@dataclass
class Entry:
    seq: int
    title: str
    on_date: date | None
    pdf: bytes | None
    pages: int | None = None
    start: int | None = None
    note: str = ""

    @property
    def page_range(self) -> str:
        if self.start is None or not self.pages:
            return ""
        end = self.start + self.pages - 1
        return str(self.start) if end == self.start else f"{self.start}-{end}"


def default_order(documents: list[Document]) -> list[Document]:
    rank: dict[str, int] = {c.value: i for i, c in enumerate(CATEGORY_ORDER)}
    return sorted(
        documents,
        key=lambda d: (rank.get(d.category, 99), d.on_date or date.max, d.created_at, d.pk),
    )


def _read(document: Document) -> tuple[bytes, str]:
    version = document.current_version()
    with files.documents_storage().open(version.file_name, "rb") as fh:
        return fh.read(), version.content_type


def pdf_page_count(content: bytes) -> int | None:
    import pypdfium2 as pdfium  # heavy: only when PDFs are read

    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError:
        return None
    try:
        return len(pdf)
    finally:
        pdf.close()


def document_page_count(document: Document) -> int | None:
    """Pages of a stored document where known: a PDF's, one per image frame; None else."""
    content, content_type = _read(document)
    if content_type == files.PDF:
        return pdf_page_count(content)
    if content_type in IMAGE_TYPES:
        # Pillow loads only for image parts of a 卷宗, not at startup.
        from PIL import Image

        try:
            with Image.open(io.BytesIO(content)) as image:
                return int(getattr(image, "n_frames", 1))
        except OSError:
            return None
    return None


def _image_pdf(content: bytes) -> bytes:
    # Pillow loads only for image parts of a 卷宗, not at startup.
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(content)) as image:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    out = io.BytesIO()
    frames[0].save(out, "PDF", resolution=150, save_all=True, append_images=frames[1:])
    return out.getvalue()


def _text_pdf(content: bytes, title: str) -> bytes:
    html = render_to_string(
        "papers/pdf/text.html", {"title": title, "text": content.decode("utf-8", "replace")}
    )
    return html_to_pdf(html=html, base_dir=ASSETS)


def _entry(seq: int, document: Document) -> Entry:
    entry = Entry(seq=seq, title=document.title, on_date=document.on_date, pdf=None)
    content, content_type = _read(document)
    if content_type == files.PDF:
        entry.pdf = content
    elif content_type in IMAGE_TYPES:
        entry.pdf = _image_pdf(content)
    elif content_type == files.TEXT:
        entry.pdf = _text_pdf(content, document.title)
    else:
        entry.note = NOT_CONVERTED.get(content_type, "未转换为 PDF")
        return entry
    entry.pages = pdf_page_count(entry.pdf)
    if not entry.pages:
        entry.pdf, entry.pages, entry.note = None, None, "PDF 无法读取（可能已加密或损坏）"
    return entry


def cover_context(*, matter: Matter) -> dict[str, Any]:
    links = list(matter_parties(matter=matter))
    members = list(matter_members(matter=matter))
    archive = ArchiveRecord.objects.filter(matter=matter).select_related("retention").first()
    return {
        "firm_name": firm_profile().display_name,
        "matter": matter,
        "archive": archive,
        "clients": "、".join(x.party.name for x in links if x.role == PartyRole.CLIENT),
        "opposing": "、".join(x.party.name for x in links if x.role == PartyRole.OPPOSING),
        "case_numbers": [c.number for c in matter_case_numbers(matter=matter)],
        "leads": "、".join(m.user.display_name for m in members if m.role == MemberRole.LEAD),
        "partners": "、".join(
            m.user.display_name for m in members if m.role == MemberRole.RESPONSIBLE_PARTNER
        ),
        "cause": matter.cause.name if matter.cause else "",
        "made_on": timezone.localdate(),
    }


def _front(context: dict[str, Any], entries: list[Entry]) -> bytes:
    html = render_to_string("papers/pdf/dossier_front.html", {**context, "entries": entries})
    return html_to_pdf(html=html, base_dir=ASSETS)


def _place(entries: list[Entry], front_pages: int) -> None:
    page = front_pages + 1
    for entry in entries:
        entry.start = page if entry.pages else None
        page += entry.pages or 0


def _stamps(first: int, last: int) -> bytes:
    html = render_to_string(
        "papers/pdf/stamps.html",
        {"numbers": range(first, last + 1), "width": STAMP_W, "height": STAMP_H},
    )
    return html_to_pdf(html=html, base_dir=ASSETS)


def dossier_pdf(*, matter: Matter, documents: list[Document]) -> tuple[bytes, list[Entry]]:
    """The 卷宗 of `matter` (which passed the gate) with `documents` in the given order."""
    import pypdfium2 as pdfium  # heavy: only when a 卷宗 is built

    entries = [_entry(i, d) for i, d in enumerate(documents, start=1)]
    with translation.override("zh-hans"):
        context = cover_context(matter=matter)
        # The contents' own length decides where the documents start: lay it out until the
        # page numbers it prints no longer move it (twice at most in practice).
        front_pages = 2
        for _attempt in range(4):
            _place(entries, front_pages)
            front = _front(context, entries)
            counted = pdf_page_count(front) or 1
            if counted == front_pages:
                break
            front_pages = counted
        total = front_pages + sum(e.pages or 0 for e in entries)
        stamps = _stamps(front_pages + 1, total) if total > front_pages else None

    out = pdfium.PdfDocument.new()
    sources = [pdfium.PdfDocument(front)]
    out.import_pages(sources[0])
    for entry in entries:
        if entry.pdf is not None:
            source = pdfium.PdfDocument(entry.pdf)
            sources.append(source)
            out.import_pages(source)
    if stamps is not None:
        stamp_pdf = pdfium.PdfDocument(stamps)
        sources.append(stamp_pdf)
        for index in range(front_pages, total):
            page = out[index]
            _left, bottom, right, _top = page.get_mediabox()
            xobject = stamp_pdf.page_as_xobject(index - front_pages, out)
            stamp = xobject.as_pageobject()
            stamp.transform(pdfium.PdfMatrix().translate(right - STAMP_W - 18, bottom + 10))
            page.insert_obj(stamp)
            page.gen_content()
    buffer = io.BytesIO()
    out.save(buffer)
    out.close()
    for source in sources:
        source.close()
    return buffer.getvalue(), entries
