"""Documents benchmark (issue #6): upload through the real service, and text extraction.

    nice -n 10 .venv/bin/python -m bench.documents [--documents 100000] [--matters 2000]
        [--db sqlite|postgres|both] [--runs 15] [--quick] [--out bench/results/documents.json]

Per database a child process (DATABASE_URL and LEXCASE_VAR_DIR set before django.setup())
recreates a dedicated database (SQLite `/tmp/lexcase_bench_documents/bench.sqlite3`,
PostgreSQL `lexcase_bench_documents`), migrates it, runs `demo_generate(matters=M)` and
bulk-inserts `--documents` document rows spread over those matters, each with one version
and every fifth with a second one (rows only, no files), so the tables are not empty. The
documents storage is a FileSystemStorage under /tmp/lexcase_bench_documents/var/documents.

Upload, for payloads of 10 KB, 1 MB and 20 MB (UTF-8 Chinese plain text, accepted by the
sniffer as text/plain; the 20 MB one is a TemporaryUploadedFile on disk, as Django hands a
request body above FILE_UPLOAD_MAX_MEMORY_SIZE to a view), timed warm and interleaved:

- `service`: `documents_upload(actor=lead lawyer, matter=, uploads=[f], category="evidence")`
  — the real call: permission check, sniffing, streamed save with SHA-256, rows, audit,
  the matter touch and the extraction task enqueued on commit (django_tasks_db backend:
  one row; no worker runs, so nothing is extracted during the timing);
- `naive`: `storage.save()` of the same file, then `hashlib.sha256` over its chunks (a
  second read), then one INSERT of a DocumentVersion row (autocommit).

Each stored file is deleted after its timed call (outside the timing). Queries per upload
come from one extra, untimed call under CaptureQueriesContext per size.

Extraction (one more child, independent of the database): `extract.extract_text` on a
WeasyPrint PDF with a text layer, a python-docx file with the same text, and a scanned page
(Chinese text rendered by Pillow with Noto Sans CJK, saved as an image-only PDF; Tesseract
chi_sim+eng at 300 dpi). Seconds per page, and for OCR the share of source characters
recovered (longest matching blocks of difflib, whitespace ignored).

The script reports; it never asserts. JSON to `--out`, markdown next to it (`.md`).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import random
import subprocess
import sys
import time
import traceback
import unicodedata
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, analyze, run_child, server_version, setup_django
from bench.common import recreate as _recreate
from bench.common import stats as _stats

WORK = Path("/tmp/lexcase_bench_documents")
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SIZES = [("10 KB", 10 * 1024), ("1 MB", 2**20), ("20 MB", 20 * 2**20)]
WARMUPS = 2

PHRASES = [
    "本院认为，当事人对自己提出的诉讼请求所依据的事实，有责任提供证据加以证明。",
    "原告向本院提出诉讼请求：判令被告支付货款及逾期付款利息。",
    "被告辩称，原告主张的事实与理由不能成立，请求法院依法驳回原告的诉讼请求。",
    "经审理查明，双方于合同中约定了付款期限及违约责任。",
    "依照《中华人民共和国民法典》第五百零九条、第五百七十七条之规定，判决如下：",
    "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状。",
    "案件受理费由被告负担，于本判决生效之日起七日内交纳。",
    "证据一：双方签订的合同原件，证明双方之间存在合法有效的合同关系。",
    "律师函：请贵司在收到本函之日起七日内履行付款义务，否则我方将依法采取法律措施。",
    "调解协议：双方自愿达成如下协议，被告分期支付款项。",
]
CATEGORIES = ["contract", "pleading", "evidence", "court", "engagement", "correspondence", "other"]


def _db_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{WORK / 'bench.sqlite3'}"
    return f"{PG_SERVER}/lexcase_bench_documents"


def _chinese(rng: random.Random, chars: int) -> str:
    parts: list[str] = []
    total = 0
    while total < chars:
        phrase = rng.choice(PHRASES)
        if rng.random() < 0.3:
            phrase += f"金额人民币{rng.randint(1000, 9_999_999)}元。"
        parts.append(phrase)
        total += len(phrase)
    return "".join(parts)[:chars]


def payload(size: int, seed: int) -> bytes:
    """UTF-8 Chinese text of exactly `size` bytes (padded with ASCII spaces/newlines)."""
    rng = random.Random(seed)
    line = _chinese(rng, 4000).encode()
    data = (line + b"\n") * (size // (len(line) + 1) + 1)
    return data[:size]


# -- upload (one database) ---------------------------------------------------------------


def load(args: argparse.Namespace) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import connection, transaction

    from lexcase.documents.models import Document, DocumentVersion
    from lexcase.matters.models import Matter
    from lexcase.web.demo import demo_generate

    info: dict[str, Any] = {}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_generate(matters=args.matters, seed=args.seed)
    info["demo_seconds"] = round(time.perf_counter() - started, 1)

    matter_ids = list(Matter.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(args.seed)
    started = time.perf_counter()
    batch = 5000
    documents = versions = 0
    with transaction.atomic():
        for start in range(0, args.documents, batch):
            n = min(batch, args.documents - start)
            docs = Document.objects.bulk_create(
                [
                    Document(
                        matter_id=rng.choice(matter_ids),
                        category=rng.choice(CATEGORIES),
                        title=f"文件{start + i}",
                    )
                    for i in range(n)
                ]
            )
            rows = []
            for d in docs:
                for number in (1, 2) if d.pk % 5 == 0 else (1,):
                    rows.append(
                        DocumentVersion(
                            document_id=d.pk,
                            number=number,
                            file_name=f"documents/bulk/{d.pk}-{number}.pdf",
                            original_name=f"{d.title}.pdf",
                            size=rng.randint(10_000, 5_000_000),
                            sha256=hashlib.sha256(f"{d.pk}-{number}".encode()).hexdigest(),
                            content_type="application/pdf",
                            text_status="done",
                        )
                    )
            DocumentVersion.objects.bulk_create(rows)
            documents += n
            versions += len(rows)
        with connection.cursor() as cur:
            # A join, not a correlated subquery: inside this transaction PostgreSQL has no
            # statistics for the fresh rows and would scan the versions once per document.
            cur.execute(
                "UPDATE documents_document SET current_id = last.id FROM (SELECT document_id, "
                "MAX(id) AS id FROM documents_documentversion GROUP BY document_id) AS last "
                "WHERE last.document_id = documents_document.id"
            )
    info["documents"] = documents
    info["versions"] = versions
    info["matters"] = len(matter_ids)
    info["insert_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    analyze()
    info["analyze_seconds"] = round(time.perf_counter() - started, 1)
    return info


def _upload_file(name: str, data: bytes) -> Any:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    if len(data) <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
        return SimpleUploadedFile(name, data, content_type="text/plain")
    upload = TemporaryUploadedFile(name, "text/plain", len(data), "utf-8")
    upload.write(data)
    upload.flush()
    upload.seek(0)
    return upload


def measure_upload(args: argparse.Namespace) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lexcase.accounts.models import User
    from lexcase.documents import files, services
    from lexcase.documents.models import Document, DocumentVersion
    from lexcase.documents.services import documents_upload
    from lexcase.matters.models import Matter, Status

    lead = User.objects.get(username="lawyer")
    matter = (
        Matter.objects.filter(
            members__user=lead, members__role="lead", status=Status.OPEN, confidential=False
        )
        .order_by("pk")
        .first()
    )
    assert lead.has_perm("documents.upload", matter)
    storage = files.documents_storage()
    on_matter = Document.objects.filter(matter=matter).count()
    baseline_doc = Document.objects.create(matter=matter, category="other", title="baseline")
    counter = {"n": 0}

    def service(upload: Any) -> Any:
        upload.seek(0)
        started = time.perf_counter()
        docs = documents_upload(actor=lead, matter=matter, uploads=[upload], category="evidence")
        elapsed = time.perf_counter() - started
        storage.delete(docs[0].current.file_name)
        return elapsed

    def service_no_enqueue(upload: Any) -> Any:
        # Attribution only: the same call with the on-commit task enqueue made a no-op.
        original = services._enqueue_extract
        services._enqueue_extract = lambda version_id: None
        try:
            return service(upload)
        finally:
            services._enqueue_extract = original

    def naive(upload: Any) -> Any:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from django.core.files import File

        upload.seek(0)
        counter["n"] += 1
        name = f"naive/{counter['n']}.txt"
        started = time.perf_counter()
        saved = storage.save(name, File(upload, name))
        hasher = hashlib.sha256()
        for chunk in upload.chunks():
            hasher.update(chunk)
        DocumentVersion.objects.create(
            document=baseline_doc,
            number=counter["n"],
            file_name=saved,
            original_name=upload.name,
            size=upload.size,
            sha256=hasher.hexdigest(),
            content_type="text/plain",
        )
        elapsed = time.perf_counter() - started
        storage.delete(saved)
        return elapsed

    uploads = {label: _upload_file(f"证据{label}.txt", payload(size, 7)) for label, size in SIZES}
    paths = (("service", service), ("no_enqueue", service_no_enqueue), ("naive", naive))
    ops = {(label, path): fn for label, _ in SIZES for path, fn in paths}
    for _ in range(WARMUPS):
        for (label, _path), fn in ops.items():
            fn(uploads[label])
    samples: dict[tuple[str, str], list[float]] = {k: [] for k in ops}
    for run in range(args.runs):
        order = list(ops)
        random.Random(run).shuffle(order)
        for key in order:
            samples[key].append(ops[key](uploads[key[0]]))
    out: dict[str, Any] = {"matter_documents_before": on_matter, "sizes": {}}
    for label, size in SIZES:
        queries = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                service(uploads[label])
            queries.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            naive(uploads[label])
        row: dict[str, Any] = {"bytes": size, "queries_service": queries}
        row["queries_naive"] = len(ctx.captured_queries)
        for path in ("service", "no_enqueue", "naive"):
            s = _stats(samples[(label, path)])
            s["mb_s_p50"] = round(size / 2**20 / (s["p50"] / 1000), 1)
            row[path] = s
        row["ratio_p50"] = round(row["service"]["p50"] / row["naive"]["p50"], 2)
        row["ratio_no_enqueue_p50"] = round(row["no_enqueue"]["p50"] / row["naive"]["p50"], 2)
        out["sizes"][label] = row
    # The statements of one service upload, for the record.
    with CaptureQueriesContext(connection) as ctx:
        service(uploads["10 KB"])
    out["service_sql"] = [q["sql"][:160] for q in ctx.captured_queries]
    for label, _ in SIZES:
        uploads[label].close()
    return out


# -- extraction (no database) -----------------------------------------------------------


def _recovered(source: str, got: str) -> float:
    """Share of the source characters found, in order, in the OCR text: longest common
    subsequence over NFKC-normalised text without whitespace (a full-width ： read as :
    is not an error)."""

    a = "".join(unicodedata.normalize("NFKC", source).split())
    b = "".join(unicodedata.normalize("NFKC", got).split())
    previous = [0] * (len(b) + 1)
    for ca in a:
        current = [0]
        for j, cb in enumerate(b):
            current.append(previous[j] + 1 if ca == cb else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] / len(a) if a else 1.0


def measure_extract(args: argparse.Namespace) -> dict[str, Any]:
    # Pillow and WeasyPrint are heavy and only this measurement needs them; Django modules
    # only after setup_django() (bench/common.py) chose this run's database.
    from PIL import Image, ImageDraw, ImageFont
    from weasyprint import HTML

    from lexcase.documents import files
    from lexcase.documents.extract import extract_text

    rng = random.Random(args.seed)
    pages = 2 if args.quick else 5
    page_texts = [_chinese(rng, 900) for _ in range(pages)]
    html = "".join(
        f"<p style='font-family: Noto Sans CJK SC; font-size: 12pt; page-break-after: always'>"
        f"{t}</p>"
        for t in page_texts
    )
    pdf_bytes = HTML(string=f"<html><body>{html}</body></html>").write_pdf()

    # Heavy, and only this measurement needs it.
    import docx

    document = docx.Document()
    for t in page_texts:
        for sentence in t.split("。"):
            if sentence:
                document.add_paragraph(sentence + "。")
    buffer = io.BytesIO()
    document.save(buffer)
    docx_bytes = buffer.getvalue()

    # One A4 page at 200 dpi, 12 pt text (33 px), 36 characters a line, 24 lines.
    ocr_text = _chinese(rng, 36 * 24)
    lines = [ocr_text[i : i + 36] for i in range(0, len(ocr_text), 36)]
    font = ImageFont.truetype(str(FONT), 40, index=2)  # Noto Sans CJK SC
    image = Image.new("L", (1654, 2339), color=255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((140, 180 + i * 80), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PDF", resolution=200.0)
    scan_bytes = buffer.getvalue()

    ocr_single = "scanned page (OCR, OMP_THREAD_LIMIT=1)"
    # (data, content type, pages, source text, runs, OMP_THREAD_LIMIT for Tesseract)
    cases: dict[str, tuple[bytes, str, int, str, int, str | None]] = {
        "pdf text layer": (pdf_bytes, files.PDF, pages, "".join(page_texts), args.runs, None),
        "docx": (docx_bytes, files.DOCX, pages, "".join(page_texts), args.runs, None),
        "scanned page (OCR)": (scan_bytes, files.PDF, 1, ocr_text, args.ocr_runs, None),
        # Tesseract's OpenMP threads fight over a busy machine's cores; the same page with
        # one thread shows how much (the app does not set it: see the section's verdict).
        ocr_single: (scan_bytes, files.PDF, 1, ocr_text, args.ocr_runs, "1"),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    results: dict[str, Any] = {}
    inherited = os.environ.get("OMP_THREAD_LIMIT")
    # Round by round, so the OCR variants see the same background load.
    for i in range(max(c[4] for c in cases.values()) + 1):
        for name, (data, content_type, _pages, _source, runs, omp) in cases.items():
            if i > runs:
                continue
            if omp is None:
                os.environ.pop("OMP_THREAD_LIMIT", None)
                if inherited is not None:
                    os.environ["OMP_THREAD_LIMIT"] = inherited
            else:
                os.environ["OMP_THREAD_LIMIT"] = omp
            started = time.perf_counter()
            results[name] = extract_text(io.BytesIO(data), content_type)
            elapsed = time.perf_counter() - started
            if i:  # the first call warms imports and caches
                samples[name].append(elapsed)
    out: dict[str, Any] = {"omp_thread_limit_inherited": inherited}
    for name, (data, _type, n_pages, source, _runs, omp) in cases.items():
        s = _stats(samples[name])
        result = results[name]
        out[name] = {
            "bytes": len(data),
            "pages": n_pages,
            "method": result.method,
            "source_chars": len("".join(source.split())),
            "recovered": round(_recovered(source, result.text), 4),
            "timings": s,
            "s_per_page_p50": round(s["p50"] / 1000 / n_pages, 4),
            "s_per_page_p95": round(s["p95"] / 1000 / n_pages, 4),
        }
        if omp is not None or name.startswith("scanned"):
            out[name]["ocr_text"] = result.text
            out[name]["source_text"] = source
    version = subprocess.run(
        ["tesseract", "--version"], capture_output=True, text=True, check=False
    )
    out["tesseract"] = (version.stdout or version.stderr).splitlines()[0]
    return out


# -- child / parent ------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    out: dict[str, Any] = {"db": args.db, "loadavg_start": os.getloadavg()}
    if args.db == "extract":
        url = f"sqlite:///{WORK / 'extract.sqlite3'}"  # never queried, but settings want one
    else:
        url = _db_url(args.db)
        _recreate(args.db, url)
    os.environ["LEXCASE_VAR_DIR"] = str(WORK / "var")
    setup_django(url)
    try:
        if args.db == "extract":
            out.update(measure_extract(args))
        else:
            out["server"] = server_version()
            out["load"] = load(args)
            out["upload"] = measure_upload(args)
    except Exception:
        out["error"] = traceback.format_exc()
    out["loadavg_end"] = os.getloadavg()
    Path(args.child_out).write_text(json.dumps(out, ensure_ascii=False, indent=1))


def markdown(report: dict[str, Any]) -> str:
    a = report["args"]
    lines = [
        f"### Run {report['started']} ({a['documents']} documents over {a['matters']} matters "
        f"already in the database, {a['runs']} timed runs per row, {report['machine']}; "
        f"load average {report['loadavg']})",
        "",
        "Upload: `documents_upload` (service) against `storage.save()` + `hashlib.sha256` + "
        "one INSERT (naive), same bytes, same storage, interleaved; also the service with its "
        "on-commit extraction enqueue patched out (attribution only). MB/s at p50.",
        "",
        "| database | size | service p50 / p95 ms | service MB/s | naive p50 / p95 ms "
        "| naive MB/s | service ÷ naive (p50) | service without the task enqueue p50 ms "
        "(÷ naive) | queries per upload |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db in report["databases"]:
        if db["db"] == "extract":
            continue
        if "error" in db:
            lines.append(f"| {db['db']} | failed: see JSON | | | | | | | |")
            continue
        name = f"{db['db']} {db['server']}"
        for label, r in db["upload"]["sizes"].items():
            s, n = r["service"], r["naive"]
            q = r["queries_service"]
            queries = str(q[0]) if len(set(q)) == 1 else "/".join(map(str, q))
            lines.append(
                f"| {name} | {label} | {s['p50']:.1f} / {s['p95']:.1f} | {s['mb_s_p50']} | "
                f"{n['p50']:.1f} / {n['p95']:.1f} | {n['mb_s_p50']} | {r['ratio_p50']}× | "
                f"{r['no_enqueue']['p50']:.1f} ({r['ratio_no_enqueue_p50']}×) | "
                f"{queries} (naive {r['queries_naive']}) |"
            )
    for db in report["databases"]:
        if db["db"] != "extract" and "load" in db:
            ld = db["load"]
            lines.append("")
            lines.append(
                f"{db['db']}: {ld['documents']} documents / {ld['versions']} versions "
                f"bulk-inserted in {ld['insert_seconds']} s over {ld['matters']} matters "
                f"(demo {ld['demo_seconds']} s); the upload matter held "
                f"{db['upload']['matter_documents_before']} documents before the run."
            )
    ex = next((d for d in report["databases"] if d["db"] == "extract"), None)
    if ex is not None:
        lines += [""]
        if "error" in ex:
            lines += ["Extraction failed:", "", "```", ex["error"][-2000:], "```"]
        else:
            lines += [
                f"Extraction (`extract_text`, {ex['tesseract']}):",
                "",
                "| file | pages | method | runs | p50 / p95 s per page | characters recovered |",
                "|---|---:|---|---:|---:|---:|",
            ]
            for name, r in ex.items():
                if not isinstance(r, dict):
                    continue
                lines.append(
                    f"| {name} ({r['bytes'] // 1024} KB) | {r['pages']} | {r['method']} | "
                    f"{r['timings']['n']} | {r['s_per_page_p50']:.3f} / "
                    f"{r['s_per_page_p95']:.3f} | {r['recovered']:.1%} of "
                    f"{r['source_chars']} |"
                )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--matters", type=int, default=2000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both", "none"], default="both")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ocr-runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--no-extract", action="store_true")
    parser.add_argument("--out", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-db", dest="child_db", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.documents, args.matters, args.runs, args.ocr_runs = 2000, 100, 3, 1
    if args.child:
        args.db = args.child_db
        child(args)
        return
    out = Path(
        args.out
        or ROOT / "bench" / "results" / ("documents_quick.json" if args.quick else "documents.json")
    )
    started = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
    loadavg = [round(x, 2) for x in os.getloadavg()]
    WORK.mkdir(parents=True, exist_ok=True)
    kinds = {"both": ["sqlite", "postgres"], "none": []}.get(args.db, [args.db])
    kinds += [] if args.no_extract else ["extract"]
    databases = []
    for kind in kinds:
        child_out = WORK / f"{kind}.json"
        cmd = [sys.executable, "-m", "bench.documents", "--child", "--child-db", kind]
        cmd += ["--documents", str(args.documents), "--matters", str(args.matters)]
        cmd += ["--seed", str(args.seed), "--runs", str(args.runs)]
        cmd += ["--ocr-runs", str(args.ocr_runs), "--child-out", str(child_out)]
        cmd += ["--quick"] if args.quick else []
        print(f"[{time.strftime('%H:%M:%S')}] {kind} …", flush=True)
        child_out.unlink(missing_ok=True)
        databases.append({"db": kind, **run_child(cmd, child_out)})
        print(f"[{time.strftime('%H:%M:%S')}] {kind} done", flush=True)
    loadavg_end = [round(x, 2) for x in os.getloadavg()]
    report = {
        "started": started,
        "args": {
            "documents": args.documents,
            "matters": args.matters,
            "runs": args.runs,
            "ocr_runs": args.ocr_runs,
            "seed": args.seed,
            "quick": args.quick,
        },
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "loadavg": f"{loadavg[0]} at start, {loadavg_end[0]} at end (1 min)",
        "databases": databases,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    out.with_suffix(".md").write_text(markdown(report))
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
