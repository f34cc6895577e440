"""The extraction child process: `python -m lexcase.documents.extract_child REQUEST.json`.

Started by `extract.extract_text_isolated`. It limits itself before it opens the file (the
limits are inherited by Tesseract), extracts, and writes `{"ok", "text", "method"}` or
`{"ok": false, "kind", "error"}` to the result file. No Django settings, no database.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def _limit(kind: int, value: int, hard: int | None = None) -> None:
    _soft, current_hard = resource.getrlimit(kind)
    hard = value if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        value, hard = min(value, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (value, hard))


def _near_memory_limit(limit: int) -> bool:
    """Whether this process's address space came within 10 % of its limit."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024 >= 0.9 * limit
    except (OSError, ValueError):
        pass
    return False


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    limits = request["limits"]
    _limit(resource.RLIMIT_CORE, 0)  # SIGXCPU would otherwise dump a core
    _limit(resource.RLIMIT_AS, int(limits["memory_bytes"]))
    # SIGXCPU at the soft limit; SIGKILL a few seconds later if it is ignored.
    cpu = max(int(limits["cpu_seconds"]), 1)
    _limit(resource.RLIMIT_CPU, cpu, cpu + 5)

    # Only now: the parsers load under the limits just set, so their memory counts too.
    from lexcase.documents import extract

    _limit(resource.RLIMIT_FSIZE, extract.CHILD_MAX_FILE_BYTES)
    parsed = extract.Limits(**limits)
    outcome: dict[str, object]
    try:
        with open(request["path"], "rb") as handle:
            result = extract.extract_text(
                handle, request["content_type"], limits=parsed, workdir=Path(request["workdir"])
            )
        outcome = {"ok": True, "text": result.text, "method": result.method}
    except MemoryError:
        outcome = {"ok": False, "kind": "limits", "error": extract.memory_message(parsed)}
    except extract.ExtractionError as exc:
        kind = {
            extract.TooLarge: "too_large",
            extract.LimitsExceeded: "limits",
            extract.NoText: "no_text",
            extract.Unreadable: "unreadable",
        }.get(type(exc), "failed")
        if isinstance(exc.__cause__, MemoryError) or _near_memory_limit(parsed.memory_bytes):
            # lxml and pdfium report an allocation refused by RLIMIT_AS as an error of
            # their own ("unknown error", "Memory allocation failed").
            kind, message = "limits", extract.memory_message(parsed)
        else:
            message = str(exc)
        outcome = {"ok": False, "kind": kind, "error": message}
    except Exception as exc:
        outcome = {"ok": False, "kind": "failed", "error": f"{type(exc).__name__}: {exc}"}
    # Outside the except blocks: the parsed document is freed before the result is built.
    Path(request["result"]).write_text(json.dumps(outcome, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
