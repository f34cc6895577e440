"""Shared helpers of the benchmarks: dedicated databases, Django setup, statistics.

Every benchmark runs one child process per database with DATABASE_URL set before
`django.setup()`, so these helpers import Django (and psycopg) lazily.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PG_SERVER = os.environ.get("LEXCASE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def recreate(db: str, url: str) -> None:
    """Drop and recreate the bench database: delete the SQLite file (and its WAL), or
    DROP/CREATE the PostgreSQL database through the `postgres` maintenance database."""
    if db == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            p.unlink(missing_ok=True)
        return
    # psycopg only for PostgreSQL runs: a SQLite-only machine needs no driver.
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    """Point Django at the bench database; call once, before any model import."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexcase.settings")
    # Production settings refuse to start without an audit key; bench databases are scratch.
    os.environ.setdefault("LEXCASE_AUDIT_KEY", "bench-only-audit-key-" + "b" * 32)
    os.environ.setdefault("LEXCASE_SECRET_KEY", "bench-only-secret-key-" + "b0c1d2e3f4" * 5)
    os.environ.setdefault("LEXCASE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LEXCASE_FIELD_KEYS", "YmVuY2gtb25seS1maWVsZC1rZXktMDEyMzQ1Njc4OWE=")
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    import django

    django.setup()


def analyze() -> None:
    """Fresh planner statistics after a bulk load."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA optimize")


def server_version() -> str:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
        else:
            cur.execute("SELECT sqlite_version()")
        return str(cur.fetchone()[0])


def stats(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds of samples in seconds (nearest-rank
    percentiles: with 40 samples p99 is the maximum)."""
    ms = sorted(s * 1000 for s in samples)

    def pct(p: float) -> float:
        k = max(0, min(len(ms) - 1, math.ceil(p / 100 * len(ms)) - 1))
        return ms[k]

    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 3),
        "p95": round(pct(95), 3),
        "p99": round(pct(99), 3),
        "max": round(ms[-1], 3),
        "mean": round(statistics.fmean(ms), 3),
    }


def run_child(cmd: list[str], out: Path | None = None) -> dict:
    """Run one benchmark child (its own DATABASE_URL, set by the child) and read the JSON it
    wrote to `out` (by default a temporary file passed as `--worker-out`); a failed child
    becomes {"error": ...} so the other database still reports."""

    if out is None:
        VAR.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(suffix=".json", dir=VAR, delete=False) as tmp:
            out = Path(tmp.name)
        cmd = [*cmd, "--worker-out", str(out)]

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    try:
        data = (
            json.loads(out.read_text())
            if proc.returncode == 0
            else {"error": f"worker rc {proc.returncode}"}
        )
    except Exception as exc:
        data = {"error": repr(exc)}
    finally:
        out.unlink(missing_ok=True)
    data["wall_s"] = round(time.perf_counter() - t0, 1)
    return data


def cpu_clock() -> float:
    """CPU seconds of this process and, on PostgreSQL, of its backend (`/proc/<pid>/schedstat`
    run time; the server runs on this machine): what a call costs whatever the machine's
    load, where wall time on the shared 2-core box is mostly waiting for a core."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    backend = 0.0
    raw = connection.connection
    if raw is not None and connection.vendor == "postgresql":
        with open(f"/proc/{raw.info.backend_pid}/schedstat") as f:
            backend = int(f.read().split()[0]) / 1e9
    return time.process_time() + backend
