"""Audited reads and writes under concurrent load (issue 15 item 0 / issue 18 item 5).

    .venv/bin/python -m bench.audit_load [--db postgres|sqlite|both] [--matters 2000]
        [--events 1000000] [--clients 20,50] [--seconds 20] [--warmup 3] [--rounds 2]
        [--write-share 0.1] [--reuse] [--out bench/results/audit_load.json]

Per database a child process prepares a dedicated database (PostgreSQL
`lexcase_bench_audit_load`, SQLite `var/bench/audit_load.sqlite3`): migrate, the demo firm
(`demo_generate(matters=N)`), `--events` historical audit events inserted in bulk and
linked by the chain-linker (its throughput is reported), and API tokens for five lawyers and
partners with the matters each may read and write.

Then the same gunicorn deployment (`-k gthread -w 4 --threads 8`, 127.0.0.1 only) is started
twice per round and client level, once with auditing on and once with it switched off
(`LEXCASE_AUDIT_OFF_FOR_BENCHMARK=1`, a setting used by nothing else), one after the other
in alternating order (on/off, then off/on in the next round) so drift on the shared machine
hits both alike. One `db_worker` runs throughout: it links the chain after commits, as in
production. The load generator is a separate process (`--client`): N threads, each with its
own keep-alive HTTP/1.1 connection and API token, looping for `--seconds` after `--warmup`:
`GET /api/v1/matters/{id}` (an audited read, `matter.view`) and, for `--write-share` of the
requests, `POST /api/v1/tasks` (an audited write, `task.create`). Every response that is not
200/201 and every socket error counts as an error.

Afterwards: events not yet linked right after the load and again after one link delay
(does the worker keep up?), the number of link tasks queued, and `audit verify` (which
links anything left and walks the whole chain). It reports; it never asserts. The goals
(0 errors; audited read p95 at 50 clients ≤ 1.5× unaudited; the chain verifies) are judged
from the markdown it prints and writes next to `--out`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, recreate, server_version, setup_django, stats

PY = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
BENCH_KEY = "bench-only-audit-key-" + "b" * 32
PERSONAS = ["lawyer", "lawyer2", "lawyer3", "partner", "partner2"]
GOAL_RATIO = 1.5


def _db_url(db: str) -> str:
    if db == "postgres":
        return f"{PG_SERVER}/lexcase_bench_audit_load"
    return f"sqlite:///{VAR / 'bench' / 'audit_load.sqlite3'}"


def _plan_path(db: str) -> Path:
    return VAR / "bench" / f"audit_load_{db}.plan.json"


def _env(db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXCASE_AUDIT")}
    env.update(
        DATABASE_URL=_db_url(db),
        DJANGO_SETTINGS_MODULE="lexcase.settings",
        LEXCASE_AUDIT_KEY=BENCH_KEY,
        LEXCASE_DEBUG="0",
        LEXCASE_ALLOWED_HOSTS="127.0.0.1",
        LEXCASE_SECRET_KEY=os.environ.get("LEXCASE_SECRET_KEY")
        or "bench-only-secret-key-" + "b0c1d2e3f4" * 5,
        LEXCASE_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        **extra,
    )
    return env


# -- prepare (child) ---------------------------------------------------------------------


def _preload_events(n: int, users: list[Any], matter_ids: list[int], seed: int) -> float:
    """`n` historical `matter.view`-like events, inserted in bulk (COPY on PostgreSQL)."""

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(seed)
    now = timezone.now()
    actions = ["matter.view"] * 8 + ["task.create", "party.update", "search.query"]
    t0 = time.perf_counter()
    cols = "at, actor_id, actor_username, action, object_type, object_id, matter_id, ip, data"
    batch: list[tuple] = []

    def flush() -> None:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY audit_auditevent ({cols}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cur.executemany(
                    f"INSERT INTO audit_auditevent ({cols}) VALUES (?,?,?,?,?,?,?,?,?)", batch
                )
        batch.clear()

    for i in range(n):
        user = users[rng.randrange(len(users))]
        matter_id = matter_ids[rng.randrange(len(matter_ids))]
        at = now - timedelta(days=60) + timedelta(seconds=i * 5_184_000 / max(n, 1))
        batch.append(
            (
                at.isoformat() if connection.vendor == "sqlite" else at,
                user.pk,
                user.username,
                actions[rng.randrange(len(actions))],
                "matters.matter",
                str(matter_id),
                matter_id,
                f"10.0.{rng.randrange(8)}.{rng.randrange(1, 250)}",
                json.dumps({"via": "api"}),
            )
        )
        if len(batch) == 20_000:
            flush()
    if batch:
        flush()
    return time.perf_counter() - t0


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    url = _db_url(args.db)
    plan_file = _plan_path(args.db)
    if not args.reuse or not plan_file.exists():
        recreate(args.db, url)
    setup_django(url)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import connection

    from lexcase.accounts.models import User
    from lexcase.accounts.services import api_token_create
    from lexcase.audit.models import AuditEvent, AuditLink
    from lexcase.audit.services import audit_link
    from lexcase.matters.models import Matter, MatterMember
    from lexcase.matters.selectors import matters_visible_to
    from lexcase.web.demo import demo_generate

    out: dict[str, Any] = {"db": args.db}
    if args.reuse and plan_file.exists() and Matter.objects.count() >= args.matters:
        out["reused"] = True
        out["plan"] = json.loads(plan_file.read_text())
        return out
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    demo_generate(matters=args.matters, seed=args.seed)
    out["demo_s"] = round(time.perf_counter() - t0, 1)
    users = list(User.objects.filter(username__in=PERSONAS))
    all_ids = list(Matter.objects.values_list("pk", flat=True))
    out["preload_s"] = round(_preload_events(args.events, users, all_ids, args.seed), 1)
    t0 = time.perf_counter()
    linked = audit_link()
    link_s = time.perf_counter() - t0
    out["preload_linked"] = linked
    out["link_s"] = round(link_s, 1)
    out["link_rows_per_s"] = round(linked / link_s) if link_s else None
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    clients = []
    for user in users:
        _token, raw = api_token_create(user=user, name="bench")
        readable = list(matters_visible_to(user).order_by("pk").values_list("pk", flat=True))
        writable = list(
            MatterMember.objects.filter(user=user, role="lead", matter__status="open")
            .order_by("matter_id")
            .values_list("matter_id", flat=True)
        )
        if not readable or not writable:
            continue
        clients.append(
            {"username": user.username, "token": raw, "read": readable[:400], "write": writable}
        )
    plan = {
        "clients": clients,
        "matters": len(all_ids),
        "events": AuditEvent.objects.count(),
        "links": AuditLink.objects.count(),
    }
    plan_file.parent.mkdir(parents=True, exist_ok=True)
    plan_file.write_text(json.dumps(plan))
    out["plan"] = plan
    out["server_version"] = server_version()
    return out


# -- the load generator (a separate process) -------------------------------------------------


def client(args: argparse.Namespace) -> dict[str, Any]:
    plan = json.loads(Path(args.plan).read_text())
    personas = plan["clients"]
    start_at = time.perf_counter() + args.warmup
    stop_at = start_at + args.seconds
    lock = threading.Lock()
    samples: dict[str, list[float]] = {"read": [], "write": []}
    errors: dict[str, int] = {}
    counts = {"read": 0, "write": 0}

    def run(n: int) -> None:
        rng = random.Random(args.seed * 1000 + n)
        persona = personas[n % len(personas)]
        headers = {"Authorization": f"Bearer {persona['token']}"}
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        seq = 0
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            op = "write" if rng.random() < args.write_share else "read"
            if op == "read":
                method, path, body = "GET", f"/api/v1/matters/{rng.choice(persona['read'])}", None
                want = 200
            else:
                seq += 1
                method, path, want = "POST", "/api/v1/tasks", 201
                body = json.dumps(
                    {
                        "title": f"压测任务 {n}-{seq}",
                        "matter_id": rng.choice(persona["write"]),
                        "notes": "bench/audit_load.py",
                    }
                )
            sent = dict(headers, **({"Content-Type": "application/json"} if body else {}))
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            elapsed = time.perf_counter() - t0
            if t0 < start_at:
                continue  # warm-up
            with lock:
                counts[op] += 1
                if status == want:
                    samples[op].append(elapsed)
                else:
                    key = f"{op} {status}"
                    errors[key] = errors.get(key, 0) + 1
        conn.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "clients": args.clients,
        "seconds": args.seconds,
        "requests": counts,
        "errors": errors,
        "rps": round(sum(counts.values()) / args.seconds, 1),
        "read": samples["read"],
        "write": samples["write"],
    }


# -- the parent ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, plan: dict[str, Any], timeout: float = 60) -> None:
    persona = plan["clients"][0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(
                "GET",
                f"/api/v1/matters/{persona['read'][0]}",
                headers={"Authorization": f"Bearer {persona['token']}"},
            )
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn on port {port} did not answer")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _django_child(db: str, code: str) -> Any:
    """Run `code` (which prints JSON) in a fresh Django process on the bench database."""
    prelude = "import django, json; django.setup()\n"
    done = subprocess.run(
        [PY, "-c", prelude + code],
        cwd=ROOT,
        env=_env(db),
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


COUNTS = """
from lexcase.audit.models import AuditEvent, AuditLink
from django_tasks_db.models import DBTaskResult
print(json.dumps({
    "events": AuditEvent.objects.count(),
    "links": AuditLink.objects.count(),
    "unlinked": AuditEvent.objects.filter(link__isnull=True).count(),
    "link_tasks": DBTaskResult.objects.filter(
        task_path="lexcase.audit.tasks.audit_link_task").count(),
}))
"""


def _phase(db: str, args: argparse.Namespace, *, audited: bool, clients: int) -> dict[str, Any]:
    port = _free_port()
    env = _env(db, LEXCASE_AUDIT_OFF_FOR_BENCHMARK="0" if audited else "1")
    cmd = [GUNICORN, "lexcase.wsgi", "-k", "gthread", "-w", "4", "--threads", "8"]
    cmd += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
    server = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
    )
    try:
        plan = json.loads(_plan_path(db).read_text())
        _wait_ready(port, plan)
        cmd = [PY, "-m", "bench.audit_load", "--client", "--port", str(port)]
        cmd += ["--plan", str(_plan_path(db)), "--clients", str(clients)]
        cmd += ["--seconds", str(args.seconds), "--warmup", str(args.warmup)]
        cmd += ["--write-share", str(args.write_share), "--seed", str(args.seed)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        return json.loads(done.stdout)
    finally:
        _stop(server)


def run_db(db: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== {db}: prepare ==", file=sys.stderr, flush=True)
    cmd = [PY, "-m", "bench.audit_load", "--prepare", "--db", db, "--matters", str(args.matters)]
    cmd += ["--events", str(args.events), "--seed", str(args.seed)]
    cmd += ["--reuse"] if args.reuse else []
    done = subprocess.run(cmd, cwd=ROOT, env=_env(db), capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr[-3000:]}
    prep = json.loads(done.stdout)
    before = _django_child(db, COUNTS)
    worker = subprocess.Popen(
        [PY, "-m", "lexcase", "db_worker", "--interval", "1", "--no-reload", "-v", "0"],
        cwd=ROOT,
        env=_env(db),
    )
    phases: list[dict[str, Any]] = []
    try:
        for rnd in range(args.rounds):
            for clients in args.clients:
                order = [True, False] if rnd % 2 == 0 else [False, True]
                for audited in order:
                    label = (
                        f"round {rnd + 1}, {clients} clients, audit {'on' if audited else 'off'}"
                    )
                    print(f"== {db}: {label} ==", file=sys.stderr, flush=True)
                    result = _phase(db, args, audited=audited, clients=clients)
                    result.update(round=rnd + 1, audited=audited)
                    phases.append(result)
        after_load = _django_child(db, COUNTS)
        time.sleep(8)  # one link delay (5 s) plus the worker's polling interval
        after_delay = _django_child(db, COUNTS)
    finally:
        _stop(worker)
    t0 = time.perf_counter()
    verify = subprocess.run(
        [PY, "-m", "lexcase", "audit", "verify"],
        cwd=ROOT,
        env=_env(db),
        capture_output=True,
        text=True,
    )
    verify_s = time.perf_counter() - t0
    return {
        "prepare": prep,
        "before": before,
        "after_load": after_load,
        "after_one_delay": after_delay,
        "verify": {
            "ok": verify.returncode == 0,
            "output": (verify.stdout + verify.stderr).strip()[-500:],
            "seconds": round(verify_s, 1),
        },
        "phases": phases,
    }


def summarise(phases: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the rounds per (clients, audited, op)."""
    out: dict[str, Any] = {}
    for phase in phases:
        key = f"{phase['clients']}/{'on' if phase['audited'] else 'off'}"
        row = out.setdefault(
            key, {"read": [], "write": [], "errors": 0, "requests": 0, "seconds": 0}
        )
        row["read"] += phase["read"]
        row["write"] += phase["write"]
        row["errors"] += sum(phase["errors"].values())
        row["requests"] += sum(phase["requests"].values())
        row["seconds"] += phase["seconds"]
    for row in out.values():
        row["rps"] = round(row["requests"] / row["seconds"], 1)
        row["read"] = stats(row["read"]) if row["read"] else None
        row["write"] = stats(row["write"]) if row["write"] else None
    return out


def markdown(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for db, run in data["databases"].items():
        if "error" in run:
            lines += [f"#### {db}: ERROR", "", "```", run["error"], "```", ""]
            continue
        prep = run["prepare"]
        plan = prep["plan"]
        summary = summarise(run["phases"])
        lines += [
            f"#### {db} {prep.get('server_version', '')}: {plan['matters']:,} matters, "
            f"{run['before']['events']:,} audit events before the load",
            "",
            "| clients | audit | requests | req/s | errors | read p50 | read p95 | read p99 "
            "| write p50 | write p95 | read p95 on/off | write p95 on/off |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for clients in data["args"]["clients"]:
            on, off = summary.get(f"{clients}/on"), summary.get(f"{clients}/off")
            for label, row in (("on", on), ("off", off)):
                if row is None:
                    continue
                r, w = row["read"] or {}, row["write"] or {}
                ratio_r = ratio_w = ""
                if label == "on" and on and off and on["read"] and off["read"]:
                    ratio_r = f"**{on['read']['p95'] / off['read']['p95']:.2f}×**"
                if label == "on" and on and off and on["write"] and off["write"]:
                    ratio_w = f"{on['write']['p95'] / off['write']['p95']:.2f}×"
                lines.append(
                    f"| {clients} | {label} | {row['requests']:,} | {row['rps']} "
                    f"| {row['errors']} | {r.get('p50', '–')} | {r.get('p95', '–')} "
                    f"| {r.get('p99', '–')} | {w.get('p50', '–')} | {w.get('p95', '–')} "
                    f"| {ratio_r} | {ratio_w} |"
                )
        lines += [""]
        per_round = [
            f"{p['clients']}/{'on' if p['audited'] else 'off'} r{p['round']}: "
            f"read p95 {stats(p['read'])['p95'] if p['read'] else '–'} ms, "
            f"{sum(p['errors'].values())} errors"
            for p in run["phases"]
        ]
        after, later = run["after_load"], run["after_one_delay"]
        lines += [
            "Per phase: " + "; ".join(per_round) + ".",
            "",
            f"Preload: {prep.get('preload_linked', 0):,} events linked by `audit_link()` in "
            f"{prep.get('link_s', '–')} s ({prep.get('link_rows_per_s', '–')} events/s). "
            f"During the load {after['events'] - run['before']['events']:,} events were "
            f"appended; right after the last phase {after['unlinked']:,} were not linked yet, "
            f"{later['unlinked']:,} one link delay later; "
            f"{later['link_tasks'] - run['before']['link_tasks']:,} link tasks were queued. "
            f"`audit verify` afterwards: **{'OK' if run['verify']['ok'] else 'FAILED'}** in "
            f"{run['verify']['seconds']} s ({run['verify']['output']}).",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--matters", type=int, default=2000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", default="20,50")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "audit_load.json"))
    # internal modes
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare:
        print(json.dumps(prepare(args)))
        return
    if args.client:
        args.clients = int(args.clients)
        print(json.dumps(client(args)))
        return

    args.clients = [int(c) for c in args.clients.split(",")]
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    started = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
    data: dict[str, Any] = {
        "started": started,
        "args": {k: v for k, v in vars(args).items() if k not in ("prepare", "client")},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_before": os.getloadavg(),
        "databases": {},
    }
    for db in dbs:
        data["databases"][db] = run_db(db, args)
    data["load_after"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    slim: dict[str, Any] = {**data, "databases": {}}
    for db, run in data["databases"].items():
        if "phases" in run:
            run = {
                **run,
                "summary": summarise(run["phases"]),
                "phases": [
                    {
                        **p,
                        "read": stats(p["read"]) if p["read"] else None,
                        "write": stats(p["write"]) if p["write"] else None,
                    }
                    for p in run["phases"]
                ],
            }
        slim["databases"][db] = run
    md = markdown(data)
    out.write_text(json.dumps(slim, indent=1, ensure_ascii=False))
    out.with_suffix(".md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
