"""Load test of the multi-process stack (issue 15 item 4; docs/operations.md "Multi-process
deployment"): locust, headless, against nginx on 127.0.0.1 only, bounded in time.

    make stack                                    # the deployment, fresh
    .venv/bin/python -m bench.stack_load [--users 50] [--minutes 10] [--warmup 2]
    make stack-load [SMOKE=1]                     # the same (SMOKE: 10 users, 1 minute)

1. Prepares, idempotently, one account per simulated user in the stack's database (80%
   lawyers, 20% partners with an authenticator app enrolled, as LEXCASE_MFA_REQUIRED_ROLES
   wants), each a member of 25 of the demo firm's open matters, with search terms and names
   for conflict checks taken from those matters: var/stack/load_users.json (0600).
2. Runs locust (bench/stack_locust.py) for --minutes with --users users, while a sampler
   records every 5 s the RSS of the gunicorn workers and of the db_workers (from /proc, by
   the stack's pid files) and the PostgreSQL connections to lexcase_stack (pg_stat_activity).
3. Afterwards waits for the task queue to drain (no task due or running), then runs
   `audit verify`.
It reports (JSON and markdown next to --out) and exits non-zero when a goal is missed:
0 failed requests, queue drained, RSS growth after warm-up < 10%, connections within the
budget (gunicorn workers x threads + db_workers + this sampler), the audit chain verifies.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "var" / "stack"
ENV_FILE = STACK / "stack.env"
USERS_FILE = STACK / "load_users.json"
NGINX = "http://127.0.0.1:8480"
MATTERS_PER_USER = 25


def load_env() -> dict[str, str]:
    if not ENV_FILE.exists():
        sys.exit("no var/stack/stack.env: start the stack first (make stack)")
    env = {}
    for line in ENV_FILE.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def prepare(users: int) -> dict[str, Any]:
    """The load accounts; called after django.setup() with the stack's environment."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from lexcase.accounts.models import User
    from lexcase.matters.models import Matter, MatterMember, MatterParty, MemberRole, Status

    existing = json.loads(USERS_FILE.read_text()) if USERS_FILE.exists() else {"accounts": []}
    if len(existing["accounts"]) >= users:
        return {"accounts": existing["accounts"][:users]}
    rng = random.Random(15)
    open_ids = list(
        Matter.objects.filter(status=Status.OPEN).order_by("pk").values_list("pk", flat=True)
    )
    accounts = []
    partners = max(1, users // 5)
    for i in range(users):
        role = "partner" if i < partners else "lawyer"
        username = f"load-{role}-{i:02d}"
        password = secrets.token_urlsafe(18)
        user = User.objects.filter(username=username).first() or User(
            username=username, role=role, name=f"负载测试{i:02d}"
        )
        user.set_password(password)
        user.save()
        matter_ids = sorted(rng.sample(open_ids, min(MATTERS_PER_USER, len(open_ids))))
        MatterMember.objects.bulk_create(
            [MatterMember(matter_id=m, user=user, role=MemberRole.MEMBER) for m in matter_ids],
            ignore_conflicts=True,
        )
        secret = ""
        if role == "partner":
            Authenticator.objects.filter(user=user).delete()
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
        names = sorted(
            set(
                MatterParty.objects.filter(matter_id__in=matter_ids).values_list(
                    "party__name", flat=True
                )
            )
        )
        numbers = list(
            Matter.objects.filter(pk__in=matter_ids).values_list("number", flat=True)[:5]
        )
        terms = [n[:2] for n in names[:10]] + names[:10] + numbers
        accounts.append(
            {
                "username": username,
                "password": password,
                "role": role,
                "totp": secret,
                "matters": matter_ids,
                "upload_matters": matter_ids[:10],
                "names": names[:20] or ["王伟"],
                "terms": terms or ["合同"],
            }
        )
    USERS_FILE.write_text(json.dumps({"accounts": accounts}, ensure_ascii=False))
    USERS_FILE.chmod(0o600)
    return {"accounts": accounts}


def _pids(name: str) -> list[int]:
    pid_file = STACK / "run" / f"{name}.pid"
    if not pid_file.exists():
        return []
    pid = int(pid_file.read_text())
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [pid, *kids]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, db_url: str) -> None:
        super().__init__(daemon=True)
        self.db_url = db_url
        self.samples: list[dict[str, Any]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        # The driver of the database being measured, only.
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            start = time.monotonic()
            while not self.stop.is_set():
                gunicorn = _pids("gunicorn")
                workers = gunicorn[1:]  # the master is gunicorn[0]
                db_workers = [p for i in (1, 2, 3, 4) for p in _pids(f"db_worker-{i}")[:1]]
                rows = conn.execute(
                    "SELECT state, count(*) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid() GROUP BY state"
                ).fetchall()
                self.samples.append(
                    {
                        "t": round(time.monotonic() - start, 1),
                        "gunicorn_workers_rss_mb": round(sum(_rss_mb(p) for p in workers), 1),
                        "per_worker_rss_mb": [round(_rss_mb(p), 1) for p in workers],
                        "gunicorn_master_rss_mb": round(_rss_mb(gunicorn[0]), 1) if gunicorn else 0,
                        "db_workers_rss_mb": round(sum(_rss_mb(p) for p in db_workers), 1),
                        "moto_rss_mb": round(sum(_rss_mb(p) for p in _pids("moto")[:1]), 1),
                        "workers": len(workers),
                        "db_connections": sum(n for _s, n in rows),
                        "db_active": sum(n for s, n in rows if s == "active"),
                    }
                )
                self.stop.wait(5)


def locust_stats(prefix: Path) -> list[dict[str, Any]]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "name": row["Name"] or "Aggregated",
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "max_ms": float(row["Max Response Time"] or 0),
                    "rps": float(row["Requests/s"] or 0),
                }
            )
    return rows


def queue_state() -> dict[str, int]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    ready = DBTaskResult.objects.filter(status="READY")
    return {
        "due": ready.exclude(run_after__gt=now).count(),
        "scheduled_later": ready.filter(run_after__gt=now).count(),
        "running": DBTaskResult.objects.filter(status="RUNNING").count(),
        "failed": DBTaskResult.objects.filter(status="FAILED").count(),
        "successful": DBTaskResult.objects.filter(status="SUCCESSFUL").count(),
    }


def growth(samples: list[dict[str, Any]], key: str, warmup_s: float) -> dict[str, float]:
    """RSS at the end of the warm-up (mean of the samples in the minute after it) against
    the end (mean of the last minute of load)."""
    after = [s for s in samples if s["t"] >= warmup_s]
    if len(after) < 4:
        return {"after_warmup_mb": 0, "end_mb": 0, "growth_pct": 0}
    window = max(2, min(12, len(after) // 4))
    first = sum(s[key] for s in after[:window]) / window
    last = sum(s[key] for s in after[-window:]) / window
    return {
        "after_warmup_mb": round(first, 1),
        "end_mb": round(last, 1),
        "growth_pct": round(100 * (last - first) / first, 1) if first else 0,
    }


def markdown(data: dict[str, Any]) -> str:
    out = [
        f"Run {data['started']} — {data['users']} users, {data['minutes']} min "
        f"(warm-up {data['warmup_minutes']} min), {data['machine']}, load average before "
        f"{data['loadavg_before']}, after {data['loadavg_after']}",
        "",
        "| action | method | requests | failures | p50 ms | p95 ms | p99 ms | max ms | req/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data["actions"]:
        out.append(
            f"| {r['name']} | {r['method']} | {r['requests']} | {r['failures']} | "
            f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} | "
            f"{r['rps']:.2f} |"
        )
    rss = data["rss"]
    q = data["queue"]
    out += [
        "",
        f"- RSS after warm-up → end: gunicorn workers {rss['gunicorn']['after_warmup_mb']} → "
        f"{rss['gunicorn']['end_mb']} MB ({rss['gunicorn']['growth_pct']:+}%), db_workers "
        f"{rss['db_workers']['after_warmup_mb']} → {rss['db_workers']['end_mb']} MB "
        f"({rss['db_workers']['growth_pct']:+}%)",
        f"- PostgreSQL connections to lexcase_stack: max {data['db']['max_connections']} "
        f"(max active {data['db']['max_active']}), budget {data['db']['budget']} "
        f"(gunicorn {data['db']['budget_detail']})",
        f"- task queue at the end of the load: {q['at_end']}; drained (nothing due or running) "
        f"after {q['drain_seconds']} s: {q['after']}",
        f"- uploads during the run stored in S3: {data['documents']['uploaded']} versions, "
        f"text {data['documents']['text_status']}",
        f"- audit verify: {data['audit_verify']}",
        f"- locust exit code {data['locust_exit']}, exceptions in user code: "
        f"{data['exceptions'] or 'none'}",
        f"- goals: {json.dumps(data['goals'])}",
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=4, help="minutes before RSS baseline")
    # Users arrive over 200 s: allauth allows 30 sign-ins per minute per IP address, and
    # behind nginx every client is 127.0.0.1 (docs/operations.md, nginx); at 0.4/s one of
    # 50 sign-ins was throttled (docs/benchmarks.md).
    parser.add_argument("--spawn-rate", type=float, default=0.25)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "stack_load.json"))
    args = parser.parse_args()

    env = load_env()
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lexcase.settings"
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    import django

    django.setup()
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.conf import settings
    from django.db import connection

    from lexcase.documents.models import DocumentVersion

    if not (STACK / "run" / "nginx.pid").exists():
        sys.exit("the stack is not running: make stack")
    users = prepare(args.users)
    print(f"stack_load: {len(users['accounts'])} accounts ready in {USERS_FILE}")
    connection.close()
    versions_before = DocumentVersion.objects.count()

    workers = len(_pids("gunicorn")) - 1
    master = _pids("gunicorn")[0]
    cmdline = Path(f"/proc/{master}/cmdline").read_text().split("\0")
    threads = int(cmdline[cmdline.index("--threads") + 1])
    db_workers = sum(1 for i in (1, 2, 3, 4) if _pids(f"db_worker-{i}"))
    # Each gthread thread keeps at most one persistent connection (CONN_MAX_AGE); a
    # db_worker uses one; the sampler one. The audit chain-linker runs inside the db_workers.
    budget = workers * threads + db_workers + 1

    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")
    load_before = os.getloadavg()
    sampler = Sampler(env["DATABASE_URL"])
    sampler.start()
    prefix = STACK / "locust"
    locust = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "bench" / "stack_locust.py"),
        "--headless",
        "--host",
        NGINX,
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{int(args.minutes * 60)}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    proc = subprocess.run(
        locust,
        env={**os.environ, "STACK_LOAD_USERS": str(USERS_FILE)},
        check=False,
        timeout=args.minutes * 60 + 300,
    )
    at_end = queue_state()
    drain_start = time.monotonic()
    after = at_end
    while after["due"] or after["running"]:
        if time.monotonic() - drain_start > 600:
            break
        time.sleep(2)
        after = queue_state()
    drain_seconds = round(time.monotonic() - drain_start, 1)
    sampler.stop.set()
    sampler.join()
    load_after = os.getloadavg()

    verify = subprocess.run(
        [sys.executable, "-m", "lexcase", "audit", "verify"],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    uploaded = DocumentVersion.objects.filter(pk__gt=0).count() - versions_before
    new_versions = DocumentVersion.objects.order_by("-pk")[: max(uploaded, 0)]
    text_status: dict[str, int] = {}
    for status in new_versions.values_list("text_status", flat=True):
        text_status[status] = text_status.get(status, 0) + 1

    actions = locust_stats(prefix)
    samples = sampler.samples
    warmup_s = args.warmup * 60
    rss = {
        "gunicorn": growth(samples, "gunicorn_workers_rss_mb", warmup_s),
        "db_workers": growth(samples, "db_workers_rss_mb", warmup_s),
        "moto": growth(samples, "moto_rss_mb", warmup_s),
    }
    max_conn = max((s["db_connections"] for s in samples), default=0)
    total = next((r for r in actions if r["name"] == "Aggregated"), {"failures": -1})
    # Exceptions in a user's code (e.g. a sign-in that did not get through) are not requests.
    with open(f"{prefix}_exceptions.csv", encoding="utf-8") as f:
        exceptions = [
            {"count": int(r["Count"]), "message": r["Message"]} for r in csv.DictReader(f)
        ]
    goals = {
        "zero_failures": total["failures"] == 0 and not exceptions and proc.returncode == 0,
        "queue_drained": not (after["due"] or after["running"]),
        "rss_growth_under_10pct": all(
            rss[k]["growth_pct"] < 10 for k in ("gunicorn", "db_workers")
        ),
        "connections_within_budget": max_conn <= budget,
        "audit_verifies": verify.returncode == 0,
    }
    data = {
        "started": started,
        "users": args.users,
        "minutes": args.minutes,
        "warmup_minutes": args.warmup,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, shared with other sessions",
        "loadavg_before": [round(x, 1) for x in load_before],
        "loadavg_after": [round(x, 1) for x in load_after],
        "deployment": {
            "gunicorn_workers": workers,
            "threads": threads,
            "db_workers": db_workers,
            "storage": settings.STORAGES["documents"]["BACKEND"],
        },
        "actions": actions,
        "rss": rss,
        "db": {
            "max_connections": max_conn,
            "max_active": max((s["db_active"] for s in samples), default=0),
            "budget": budget,
            "budget_detail": f"{workers}x{threads} threads + {db_workers} db_workers + sampler",
        },
        "queue": {"at_end": at_end, "after": after, "drain_seconds": drain_seconds},
        "documents": {"uploaded": uploaded, "text_status": text_status},
        "audit_verify": (verify.stdout.strip() or verify.stderr.strip()).splitlines()[-1:],
        "locust_exit": proc.returncode,
        "exceptions": exceptions,
        "goals": goals,
        "samples": samples,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    md = markdown(data)
    out.with_suffix(".md").write_text(md)
    print(md)
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
