"""Word decompression bomb (issue 18 item 7): peak memory and time of text extraction.

    .venv/bin/python -m bench.docx_bomb [--inflated-mb 500] [--cap-mb 6000]

Builds a `.docx` whose `word/document.xml` is `--inflated-mb` MB of identical paragraphs
(about 1 MB compressed), then runs, in a fresh child process, the call the extraction task
makes on it: `extract.extract_text_isolated` when it exists (the child-process sandbox),
else `extract.extract_text` in-process (the code before the fix). The child runs under
`prlimit --as=<cap>` so a run of the old code cannot take the machine's memory; a run that
hits the cap is reported as such.

`LEXCASE_*` variables are passed to the child (e.g. `LEXCASE_OFFICE_MAX_INFLATED_MB=1000
LEXCASE_OFFICE_MAX_RATIO=100000` lets the bomb past the caps, so the child's memory limit is
what stops it).

Reported: wall time, CPU time (user+sys) and peak RSS of the largest process involved
(`getrusage(RUSAGE_CHILDREN)` after the child is reaped: it covers the sandbox child and
Tesseract too), and the outcome. The script reports; it never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

WORK = Path("/tmp/lexcase_bench_bomb")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body>"
)
PARAGRAPH = "<w:p><w:r><w:t>甲方应当于本合同签订之日起支付货款。</w:t></w:r></w:p>"
TAIL = "</w:body></w:document>"


def build(path: Path, inflated_mb: int) -> None:
    paragraph = PARAGRAPH.encode()
    block = paragraph * (2**20 // len(paragraph))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            entry.write(HEAD.encode())
            for _ in range(inflated_mb):
                entry.write(block)
            entry.write(TAIL.encode())


def child(path: str) -> None:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.documents import extract

    isolated = getattr(extract, "extract_text_isolated", None)
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    try:
        if isolated is not None:
            with open(path, "rb") as handle:
                result = isolated(handle, content_type)
        else:
            with open(path, "rb") as handle:
                result = extract.extract_text(handle, content_type)
        outcome = f"extracted {len(result.text)} characters"
    except extract.ExtractionError as exc:
        outcome = f"ExtractionError: {exc}"
    except MemoryError:
        outcome = "MemoryError (hit the --cap-mb address-space cap)"
    print(json.dumps({"code": "isolated" if isolated else "in-process", "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inflated-mb", type=int, default=500)
    parser.add_argument("--cap-mb", type=int, default=6000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        import django

        django.setup()
        child(args.child)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"bomb-{args.inflated_mb}.docx"
    if not path.exists():
        build(path, args.inflated_mb)
    with zipfile.ZipFile(path) as archive:
        inflated = sum(i.file_size for i in archive.infolist())
    command = [
        "prlimit",
        f"--as={args.cap_mb * 2**20}",
        sys.executable,
        "-m",
        "bench.docx_bomb",
        "--child",
        str(path),
    ]
    env = {"DJANGO_SETTINGS_MODULE": "lexcase.settings", "PATH": "/usr/bin:/bin"}
    # LEXCASE_OFFICE_* / LEXCASE_EXTRACT_* pass through, e.g. to raise the caps and watch
    # the child's memory limit stop the parse instead.
    overrides = {k: v for k, v in os.environ.items() if k.startswith("LEXCASE_")}
    env.update(overrides)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"outcome": f"child died (exit {done.returncode}): {done.stderr[-300:]}"}
    report = {
        "file_mb": round(path.stat().st_size / 2**20, 2),
        "inflated_mb": round(inflated / 2**20, 1),
        "cap_mb": args.cap_mb,
        "settings": overrides,
        "wall_s": round(wall, 1),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        **result,
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
