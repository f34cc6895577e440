"""Text from stored files: PDF text layer (pypdfium2), DOCX (python-docx), XLSX (openpyxl), OFD
(its XML pages), plain text; scanned PDFs and images through Tesseract OCR (chi_sim+eng);
Word 97-2003 .doc and WPS .wps through antiword (Debian package `antiword`) when it is
installed, else the version is stored with the status "no text" and the reason.

Files come from anyone who can upload, the client portal included, so the parsers run in a
child process (`extract_text_isolated`, entry point `extract_child`) under an address-space
limit (RLIMIT_AS, inherited by Tesseract), a CPU limit (RLIMIT_CPU) and a wall-clock timeout,
with a scrubbed environment, in a private work directory the parent removes afterwards. Word
and Excel archives are checked from their zip directory before anything is inflated
(`office.py`). A file over a limit ends as a failed extraction with the reason; the worker
itself never grows or dies.

Heavy libraries are imported inside the functions. Tesseract runs as a subprocess with
a timeout, on files in the private work directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings

from lexcase.core import office, textcodecs
from lexcase.documents import content_types

TESSERACT = "/usr/bin/tesseract"
ANTIWORD = "/usr/bin/antiword"
ANTIWORD_TIMEOUT_SECONDS = 120
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
MAX_TEXT_CHARS = 2_000_000
MIB = 2**20
# Any one file the child writes (OCR page images, its result); past it the kernel stops it.
CHILD_MAX_FILE_BYTES = 512 * MIB
# The child's answer: the text (at most MAX_TEXT_CHARS, 4 bytes each in UTF-8) as JSON.
MAX_RESULT_BYTES = MAX_TEXT_CHARS * 6 + MIB


class ExtractionError(Exception):
    """The text could not be extracted; the message is stored as the reason."""


class TooLarge(ExtractionError):
    """Refused before extracting: the file would inflate past the configured caps."""


class LimitsExceeded(ExtractionError):
    """The child process ran into its memory, CPU or time limit and was stopped."""


class Unreadable(ExtractionError):
    """The file cannot be opened at all (a damaged or cut-short PDF, or one without a page)."""


class NoText(ExtractionError):
    """The file is kept but its text cannot be had here (no converter for its format)."""


@dataclass(frozen=True)
class Limits:
    """What one extraction may cost. Defaults match the settings' defaults; the child
    receives them explicitly (it has no Django settings)."""

    office_inflated_bytes: int = 200 * MIB
    office_entries: int = 10_000
    office_ratio: int = 100
    memory_bytes: int = 1024 * MIB
    cpu_seconds: int = 600
    timeout_seconds: float = 1800

    @classmethod
    def from_settings(cls) -> Limits:

        return cls(
            office_inflated_bytes=int(settings.LEXCASE_OFFICE_MAX_INFLATED_MB * MIB),
            office_entries=int(settings.LEXCASE_OFFICE_MAX_ENTRIES),
            office_ratio=int(settings.LEXCASE_OFFICE_MAX_RATIO),
            memory_bytes=int(settings.LEXCASE_EXTRACT_MEMORY_MB * MIB),
            cpu_seconds=int(settings.LEXCASE_EXTRACT_CPU_SECONDS),
            timeout_seconds=float(settings.LEXCASE_EXTRACT_TIMEOUT_SECONDS),
        )


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

    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    text = re.sub(rf"(?<={cjk})[ \t]+(?={cjk})", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _pdf(fileobj: IO[bytes], workdir: Path) -> Extracted:
    # The format libraries load only in the extraction child that needs them.
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(fileobj)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractionError(f"The PDF cannot be read: {exc}") from exc
        raise Unreadable(f"The PDF cannot be read: {exc}") from exc
    if len(pdf) == 0:
        pdf.close()
        raise Unreadable("The PDF has no pages.")
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


def check_office_archive(fileobj: IO[bytes], limits: Limits) -> None:
    try:
        office.check_archive(
            fileobj,
            max_entries=limits.office_entries,
            max_inflated=limits.office_inflated_bytes,
            max_ratio=limits.office_ratio,
        )
    except office.ZipRefused as exc:
        raise TooLarge(f"Too large to extract: {exc}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        # Damaged, encrypted or an unknown compression method.
        raise ExtractionError(f"The file is not a valid Office document: {exc}") from exc


def _docx(fileobj: IO[bytes], limits: Limits) -> Extracted:
    # The format libraries load only in the extraction child that needs them.
    import docx

    check_office_archive(fileobj, limits)
    try:
        document = docx.Document(fileobj)
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise ExtractionError(f"The Word file cannot be read: {exc}") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return Extracted("\n".join(parts).strip(), "docx")


def _xlsx(fileobj: IO[bytes], limits: Limits) -> Extracted:
    # The format libraries load only in the extraction child that needs them.
    import openpyxl

    check_office_archive(fileobj, limits)
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


_OFD_PAGE = re.compile(r"(?:^|/)Pages/Page_(\d+)/Content\.xml$")


def _ofd(fileobj: IO[bytes], limits: Limits) -> Extracted:
    """The text of an OFD file: each page's TextCode elements in page order, a line per
    text object. Pages are numbered Page_0, Page_1, … in the package (GB/T 33190 §7)."""

    check_office_archive(fileobj, limits)
    pages: list[tuple[int, str, str]] = []
    try:
        with zipfile.ZipFile(fileobj) as archive:
            for name in archive.namelist():
                match = _OFD_PAGE.search(name)
                if match:
                    # Documents before pages: a multi-document package keeps its own order.
                    pages.append((int(match.group(1)), name.split("/Pages/")[0], name))
            pages.sort(key=lambda page: (page[1], page[0]))
            texts: list[str] = []
            for _number, _doc, name in pages:
                xml = archive.read(name)
                # OFD pages never declare a DTD: refusing one shuts out entity expansion
                # (the XML attacks defusedxml guards against) without another dependency.
                if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
                    raise ExtractionError("The OFD file declares a DTD; it is not read.")
                root = ElementTree.fromstring(xml)  # noqa: S314 - no DTD, checked above
                lines: list[str] = []
                for element in root.iter():
                    if element.tag.rsplit("}", 1)[-1] == "TextObject":
                        codes = [
                            code.text or ""
                            for code in element.iter()
                            if code.tag.rsplit("}", 1)[-1] == "TextCode"
                        ]
                        lines.append("".join(codes))
                texts.append("\n".join(line for line in lines if line.strip()))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise ExtractionError(f"The OFD file cannot be read: {exc}") from exc
    return Extracted("\n\n".join(texts).strip(), "ofd")


def antiword_path() -> str | None:
    found = shutil.which("antiword")
    return found or (ANTIWORD if Path(ANTIWORD).exists() else None)


def _doc(fileobj: IO[bytes], workdir: Path) -> Extracted:
    """Word 97-2003 (.doc) and WPS 文字 (.wps) binary documents through antiword, UTF-8 out,
    no line wrapping. Without antiword the file stays stored, with no text."""
    binary = antiword_path()
    if binary is None:
        raise NoText("No text: antiword, which reads Word 97-2003 and WPS files, is not installed.")
    path = workdir / "document.doc"
    with path.open("wb") as out:
        shutil.copyfileobj(fileobj, out)
    try:
        done = subprocess.run(  # noqa: S603 - fixed binary, our own temp file path
            [binary, "-m", "UTF-8.txt", "-w", "0", str(path)],
            capture_output=True,
            timeout=ANTIWORD_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"antiword took longer than {ANTIWORD_TIMEOUT_SECONDS} s.") from exc
    finally:
        path.unlink(missing_ok=True)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NoText(
            "No text: antiword cannot read this file ("
            + (message[-1] if message else f"exit {done.returncode}")
            + ")."
        )
    text = done.stdout.decode("utf-8", "replace")
    return Extracted(re.sub(r"\n{3,}", "\n\n", text).strip(), "doc")


def _image(fileobj: IO[bytes], workdir: Path, content_type: str) -> Extracted:
    path = workdir / f"image.{content_types.EXTENSIONS[content_type]}"
    with path.open("wb") as out:
        shutil.copyfileobj(fileobj, out)
    return Extracted(clean_ocr_text(_ocr_image(path)), "ocr")


def extract_text(
    fileobj: IO[bytes],
    content_type: str,
    *,
    limits: Limits | None = None,
    workdir: Path | None = None,
) -> Extracted:
    """Extract in this process: what the child runs (and tests and benchmarks call). The
    task uses `extract_text_isolated`; never call this on an untrusted file in a worker."""
    if workdir is not None:
        return _extract(fileobj, content_type, limits or Limits(), workdir)
    with tempfile.TemporaryDirectory(prefix="lexcase-ocr-") as tmp:
        return _extract(fileobj, content_type, limits or Limits(), Path(tmp))


def _extract(fileobj: IO[bytes], content_type: str, limits: Limits, workdir: Path) -> Extracted:
    if content_type == content_types.PDF:
        result = _pdf(fileobj, workdir)
    elif content_type == content_types.DOCX:
        result = _docx(fileobj, limits)
    elif content_type == content_types.XLSX:
        result = _xlsx(fileobj, limits)
    elif content_type == content_types.OFD:
        result = _ofd(fileobj, limits)
    elif content_type == content_types.DOC:
        result = _doc(fileobj, workdir)
    elif content_type in (content_types.PNG, content_types.JPEG, content_types.TIFF):
        result = _image(fileobj, workdir, content_type)
    elif content_type == content_types.TEXT:
        raw = fileobj.read(MAX_TEXT_CHARS * 4)
        # UTF-8, UTF-16, GB18030/GBK or Big5, as the upload's sniffing accepted it.
        codec = textcodecs.text_encoding(raw, complete=not fileobj.read(1)) or "utf-8-sig"
        result = Extracted(raw.decode(codec, "replace").removeprefix("\ufeff"), "text")
    else:
        raise ExtractionError(f"No text extraction for {content_type}.")
    # NUL bytes are refused by PostgreSQL text columns.
    return Extracted(result.text.replace("\x00", "")[:MAX_TEXT_CHARS], result.method)


# -- The child process ------------------------------------------------------------------------

ERRORS = {
    "too_large": TooLarge,
    "limits": LimitsExceeded,
    "no_text": NoText,
    "unreadable": Unreadable,
    "failed": ExtractionError,
}


def _seconds(value: float) -> str:
    return f"{value:g}"


def memory_message(limits: Limits) -> str:
    return f"Extraction limits exceeded: more than {limits.memory_bytes // MIB} MB of memory."


def cpu_message(limits: Limits) -> str:
    return f"Extraction limits exceeded: more than {_seconds(limits.cpu_seconds)} s of CPU time."


def extract_temp_dir() -> Path:

    base = Path(settings.LEXCASE_EXTRACT_TEMP_DIR)
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def _child_env(workdir: Path) -> dict[str, str]:
    # Only what the parsers need: a compromised parser finds no database URL, secret key or
    # storage credentials in its environment.
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "PYTHONPATH": str(root),
        "PYTHONDONTWRITEBYTECODE": "1",
        # One thread: see _ocr_image.
        "OMP_THREAD_LIMIT": "1",
    }
    if "TESSDATA_PREFIX" in os.environ:
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The child leads its own process group (start_new_session): Tesseract goes with it.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def extract_text_isolated(
    fileobj: IO[bytes], content_type: str, *, limits: Limits | None = None
) -> Extracted:
    """Extract in a child process under `limits` (default: the settings). Raises TooLarge,
    LimitsExceeded or ExtractionError with the reason to store on the version."""
    limits = limits or Limits.from_settings()
    if content_type == content_types.TEXT:
        # No parser involved: a bounded read and a decode.
        return extract_text(fileobj, content_type, limits=limits)
    workdir = Path(tempfile.mkdtemp(prefix="x-", dir=extract_temp_dir()))
    try:
        source = workdir / "input"
        with source.open("wb") as out:
            shutil.copyfileobj(fileobj, out, office.CHUNK)
        request = {
            "path": str(source),
            "content_type": content_type,
            "limits": asdict(limits),
            "result": str(workdir / "result.json"),
            "workdir": str(workdir),
        }
        (workdir / "request.json").write_text(json.dumps(request))
        with (workdir / "stderr").open("wb") as stderr:
            process = subprocess.Popen(  # noqa: S603 - our interpreter and module
                [sys.executable, "-m", "lexcase.documents.extract_child", workdir / "request.json"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=workdir,
                env=_child_env(workdir),
                start_new_session=True,
            )
            try:
                returncode = process.wait(timeout=limits.timeout_seconds)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                raise LimitsExceeded(
                    "Extraction limits exceeded: took longer than "
                    f"{_seconds(limits.timeout_seconds)} s."
                ) from None
            except BaseException:
                _kill_group(process)
                raise
        if returncode < 0:
            _kill_group(process)  # a Tesseract it left behind
        return _child_result(workdir, returncode, limits)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _child_result(workdir: Path, returncode: int, limits: Limits) -> Extracted:
    result_path = workdir / "result.json"
    result: dict[str, Any] | None = None
    if returncode == 0 and result_path.exists():
        if result_path.stat().st_size > MAX_RESULT_BYTES:
            raise ExtractionError("Extraction failed: the result is larger than expected.")
        try:
            result = json.loads(result_path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            result = None
    if result is not None:
        if result.get("ok"):
            return Extracted(str(result["text"]), str(result["method"]))
        error = ERRORS.get(str(result.get("kind")), ExtractionError)
        raise error(str(result.get("error", "unknown error"))[:2000])
    if returncode == -signal.SIGXCPU:
        raise LimitsExceeded(cpu_message(limits))
    if returncode == -signal.SIGKILL:
        # The hard CPU limit, or the kernel's OOM killer when memory ran out first.
        raise LimitsExceeded(
            "Extraction limits exceeded: the process was killed (CPU time or memory)."
        )
    if returncode < 0:
        # C code that fails to allocate usually aborts or crashes rather than raising.
        raise LimitsExceeded(
            f"Extraction stopped by signal {-returncode}; the file may need more than "
            f"{limits.memory_bytes // MIB} MB of memory."
        )
    try:
        tail = (workdir / "stderr").read_bytes()[-2000:].decode("utf-8", "replace")
    except OSError:
        tail = ""
    lines = tail.strip().splitlines()
    if lines and "MemoryError" in lines[-1]:
        raise LimitsExceeded(memory_message(limits))
    raise ExtractionError(
        f"Extraction failed (exit {returncode}): {lines[-1] if lines else 'no output'}"
    )
