"""Firm dashboard benchmark (issue 13: dashboards; docs/quality.md §5 principles).

    .venv/bin/python -m bench.dashboard [--matters 100000 --deadlines 300000 --tasks 1000000
        | --quick] [--db sqlite|postgres|both] [--runs 15] [--seed 42]
        [--out bench/results/dashboard.json] [--prepare | --reuse]

Per database a child process (DATABASE_URL set before django.setup()) recreates a dedicated
database (SQLite `var/bench/dashboard_<matters>.sqlite3`, PostgreSQL
`lexcase_bench_dashboard_<matters>`), migrates it and loads the firm of bench/tasks.py
(91 users in five teams; matters 60% open, 5% confidential; deadlines; tasks, mostly done)
plus one SLA task per opened matter and one outbound client contact per open matter. Then,
warm and interleaved, for a partner and the admin (firm view) and a lawyer (personal view):

- `insights.selectors.dashboard(...)` over the default period (the last twelve months);
- the bare aggregates the dashboard is made of, without the gate: deadlines of the period by
  status, SLA tasks of the period by priority, tasks completed per month, open matters by
  type/priority/stage/area. The heaviest one's p95 is the baseline; goal p95 ≤ 5× it.

The firm also gets what the review, satisfaction and fee sections read: a finished
periodic review per opened matter (completed in the last year, scores 1–5, findings on 30%)
and an open one per open matter; a closing survey on 30% of closed matters; an issued bill
on 60% of opened matters (issued in the last 400 days; 45% paid, 20% partly) with its
payment.

Query counts come from CaptureQueriesContext and are measured again at --check-matters to
show they do not grow with the data. Reports; never asserts. Writes JSON and a markdown
table next to it (same name, `.md`).

Generating the data takes most of the time: `--prepare` only loads (run it outside the
benchmark lock), `--reuse` times an already loaded database (run that under
`flock var/bench.lock`, docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import ROOT, VAR, analyze, recreate, setup_django

PG = os.environ.get("LEXCASE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _url(db: str, matters: int) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR / 'bench' / f'dashboard_{matters}.sqlite3'}"
    return f"{PG}/lexcase_bench_dashboard_{matters}"


def _load(args: argparse.Namespace, matters: int, deadlines: int, tasks: int) -> None:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from bench import tasks as tb
    from lexcase.comms.models import Communication
    from lexcase.todos.models import Task

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        people = tb._load_firm(rng)
        info = tb._load_matters(rng, matters, people, today)
        tb._load_calendar(rng, info, deadlines, today)
    tb._insert_tasks(tb._task_rows(rng, tasks, info, people, now), tasks)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.matters.models import Matter

    opened = list(
        Matter.objects.filter(opened_on__isnull=False).values_list(
            "pk", "opened_on", "priority", "status"
        )
    )
    sla, calls = [], []
    tz = timezone.get_current_timezone()
    for pk, day, prio, status in opened:
        due = datetime(day.year, day.month, day.day, 9, tzinfo=tz) + timedelta(days=1)
        done = status != "open" or rng.random() < 0.8
        sla.append(
            Task(
                matter_id=pk,
                kind="sla",
                title="首次行动",
                priority=prio,
                due_at=due,
                status="done" if done else "todo",
                completed_at=due + timedelta(hours=rng.randint(-20, 30)) if done else None,
            )
        )
        if status == "open":
            calls.append(
                Communication(
                    matter_id=pk,
                    occurred_at=now - timedelta(days=rng.randint(0, 40)),
                    channel="phone",
                    direction="outbound",
                    summary="进展",
                )
            )
    with transaction.atomic():
        Task.objects.bulk_create(sla, batch_size=5000)
        Communication.objects.bulk_create(calls, batch_size=5000)
    _load_oversight(rng, opened, now)
    analyze()


def _load_oversight(rng: random.Random, opened: Any, now: datetime) -> None:
    """Reviews, surveys, bills and payments (the dashboard's review, satisfaction and fee
    sections)."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import transaction
    from django.utils import timezone

    from lexcase.accounts.models import User
    from lexcase.billing.models import Bill, Payment
    from lexcase.parties.models import Party
    from lexcase.reviews.models import Review, SatisfactionSurvey

    today = timezone.localdate(now)
    partners = list(
        User.objects.filter(username__startswith="partner").values_list("pk", flat=True)
    )
    clients = Party.objects.bulk_create(
        [
            Party(
                kind="organization",
                name=f"基准客户{i}有限公司",
                name_normalized=f"基准客户{i}有限公司",
                name_core=f"基准客户{i}",
                name_trade=f"基准客户{i}",
            )
            for i in range(500)
        ]
    )
    reviews, surveys, bills, payments = [], [], [], []
    seq = 0
    for pk, _day, _prio, status in opened:
        done_at = now - timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 23))
        reviews.append(
            Review(
                matter_id=pk,
                kind="periodic" if status == "open" else "closing",
                status="done",
                due_on=timezone.localdate(done_at),
                reviewer_id=rng.choice(partners),
                completed_by_id=rng.choice(partners),
                completed_at=done_at,
                score=rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 1)),
                findings="证据目录未归档" if rng.random() < 0.3 else "",
            )
        )
        if status == "open":
            reviews.append(
                Review(
                    matter_id=pk,
                    kind="periodic",
                    status="due",
                    due_on=today + timedelta(days=rng.randint(-30, 60)),
                    reviewer_id=rng.choice(partners),
                )
            )
        elif rng.random() < 0.3:
            surveys.append(
                SatisfactionSurvey(
                    matter_id=pk,
                    occasion="closing",
                    overall=rng.choice((2, 3, 4, 4, 5, 5)),
                    responsiveness=rng.choice((1, 3, 4, 5, 5)),
                    clarity=rng.choice((3, 4, 4, 5)),
                )
            )
        if rng.random() < 0.6:
            issued = today - timedelta(days=rng.randint(0, 400))
            seq += 1
            total = Decimal(rng.randint(100_000, 20_000_000)) / 100
            roll = rng.random()
            if roll < 0.45:
                paid = total
            elif roll < 0.65:
                paid = (total * Decimal(rng.randint(10, 90)) / 100).quantize(Decimal("0.01"))
            else:
                paid = Decimal("0.00")
            client = rng.choice(clients).pk
            bills.append(
                Bill(
                    number=f"B{seq:07d}",
                    year=issued.year,
                    seq=seq,
                    matter_id=pk,
                    client_id=client,
                    status="paid" if paid == total else ("partly_paid" if paid else "issued"),
                    issued_on=issued,
                    due_on=issued + timedelta(days=30),
                    total=total,
                    paid=paid,
                )
            )
            if paid:
                payments.append(
                    Payment(
                        client_id=client,
                        matter_id=pk,
                        received_on=min(today, issued + timedelta(days=rng.randint(0, 30))),
                        amount=paid,
                        method="bank",
                        payer="bench",
                        allocated=paid,
                    )
                )
    with transaction.atomic():
        Review.objects.bulk_create(reviews, batch_size=5000)
        SatisfactionSurvey.objects.bulk_create(surveys, batch_size=5000)
        Bill.objects.bulk_create(bills, batch_size=5000)
        Payment.objects.bulk_create(payments, batch_size=5000)


def _time(fn: Any) -> tuple[float, int]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        fn()
        ms = (time.perf_counter() - t0) * 1000
    return ms, len(ctx.captured_queries)


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _ops() -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db.models import Count

    from lexcase.accounts.models import User
    from lexcase.calendar.models import Deadline
    from lexcase.insights.selectors import (
        FIRM,
        PERSONAL,
        InsightFilters,
        dashboard,
        default_period,
        per_month,
        period_bounds,
    )
    from lexcase.matters.models import Matter
    from lexcase.todos.models import Task

    start, end = default_period()
    f = InsightFilters(date_from=start, date_to=end)
    users = {
        u.username: u for u in User.objects.filter(username__in=["partner01", "admin", "lawyer01"])
    }
    t0, t1 = period_bounds(f)
    partner, admin, lawyer = users["partner01"], users["admin"], users["lawyer01"]
    return {
        "dashboard partner01 (firm)": lambda: dashboard(user=partner, kind=FIRM, filters=f),
        "dashboard admin (firm)": lambda: dashboard(user=admin, kind=FIRM, filters=f),
        "dashboard lawyer01 (personal)": lambda: dashboard(user=lawyer, kind=PERSONAL, filters=f),
        "bare: deadlines by status": lambda: list(
            Deadline.objects.filter(due_date__gte=start, due_date__lte=end)
            .values("status")
            .annotate(n=Count("id"))
        ),
        "bare: SLA tasks by priority": lambda: list(
            Task.objects.filter(kind="sla", due_at__gte=t0)
            .values("priority", "status")
            .annotate(n=Count("id"))
        ),
        # The same month buckets as the dashboard's (comparisons with each month's start in
        # the firm's time zone, no per-row function), without the gate.
        "bare: tasks done per month": lambda: per_month(
            Task.objects.filter(status="done", completed_at__gte=t0, completed_at__lt=t1),
            "completed_at",
            f,
            n=Count("id"),
        ),
        "bare: open matters grouped": lambda: list(
            Matter.objects.filter(status="open")
            .values("matter_type", "priority", "stage", "practice_area_id")
            .annotate(n=Count("id"))
            .order_by()
        ),
    }


def _existing(db: str, url: str) -> int:
    """Matters already in the bench database; 0 if absent or unreadable."""
    try:
        if db == "sqlite":
            # The driver of the database being measured, only.
            import sqlite3

            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                return 0
            with sqlite3.connect(path) as conn:
                return (
                    conn.execute("SELECT count(*) FROM reviews_review").fetchone()[0]
                    and (conn.execute("SELECT count(*) FROM matters_matter").fetchone()[0])
                )
        # The driver of the database being measured, only.
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            if not conn.execute("SELECT count(*) FROM reviews_review").fetchone()[0]:
                return 0
            return conn.execute("SELECT count(*) FROM matters_matter").fetchone()[0]
    except Exception:
        return 0


def worker(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, (m, d, t) in (
        ("full", (args.matters, args.deadlines, args.tasks)),
        ("check", (args.check_matters, args.check_matters * 3, args.check_matters * 10)),
    ):
        url = _url(args.db, m)
        reuse = args.reuse and _existing(args.db, url) >= m
        if not reuse:
            recreate(args.db, url)
        if label == "full":
            setup_django(url)
        else:
            # Django modules: only after setup_django() (bench/common.py) chose this run's database.
            from django.db import connections

            connections["default"].close()
            connections["default"].settings_dict["NAME"] = (
                url.removeprefix("sqlite:///") if args.db == "sqlite" else url.rsplit("/", 1)[1]
            )
        t0 = time.perf_counter()
        if not reuse:
            _load(args, m, d, t)
        else:
            # Django modules: only after setup_django() (bench/common.py) chose this run's database.
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)  # indexes added since
        load_s = None if reuse else round(time.perf_counter() - t0, 1)
        if args.prepare:
            out[label] = {"matters": m, "deadlines": d, "tasks": t, "load_s": load_s}
            continue
        ops = _ops()
        queries = {name: _time(fn)[1] for name, fn in ops.items()}  # warm-up, counts
        runs = args.runs if label == "full" else 3
        times: dict[str, list[float]] = {name: [] for name in ops}
        names = list(ops)
        for r in range(runs):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                times[name].append(_time(ops[name])[0])
        stats = {
            name: {
                "p50_ms": round(statistics.median(v), 1),
                "p95_ms": round(_p(v, 0.95), 1),
                "queries": queries[name],
            }
            for name, v in times.items()
        }
        bare = max((s["p95_ms"] for n, s in stats.items() if n.startswith("bare")), default=0)
        for n, s in stats.items():
            if n.startswith("dashboard"):
                s["ratio_p95"] = round(s["p95_ms"] / bare, 2) if bare else None
        out[label] = {"matters": m, "deadlines": d, "tasks": t, "load_s": load_s, "ops": stats}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--matters", type=int, default=100_000)
    p.add_argument("--deadlines", type=int, default=300_000)
    p.add_argument("--tasks", type=int, default=1_000_000)
    p.add_argument("--check-matters", type=int, default=2000)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard.json"))
    p.add_argument("--worker", action="store_true")
    p.add_argument("--prepare", action="store_true", help="load the databases only")
    p.add_argument("--reuse", action="store_true", help="time already loaded databases")
    args = p.parse_args(argv)
    if args.quick:
        args.matters, args.deadlines, args.tasks, args.check_matters = 5000, 15000, 50000, 1000
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    results = {}
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        cmd = [sys.executable, "-m", "bench.dashboard", "--worker", "--db", db]
        cmd += ["--matters", str(args.matters), "--deadlines", str(args.deadlines)]
        cmd += ["--tasks", str(args.tasks), "--check-matters", str(args.check_matters)]
        cmd += ["--runs", str(args.runs), "--seed", str(args.seed)]
        cmd += ["--prepare"] if args.prepare else []
        cmd += ["--reuse"] if args.reuse else []
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode
        results[db] = json.loads(proc.stdout.strip().splitlines()[-1])
    if args.prepare:
        print(json.dumps(results))
        return 0
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=1, ensure_ascii=False)
    lines = [
        "| db | size | operation | p50 ms | p95 ms | queries | p95 / heaviest bare |",
        "|---|---|---|---|---|---|---|",
    ]
    for db, res in results.items():
        for label, r in res.items():
            for name, s in r["ops"].items():
                size = f"{r['matters']:,}/{r['deadlines']:,}/{r['tasks']:,}"
                lines.append(
                    f"| {db} | {size} ({label}) | {name} "
                    f"| {s['p50_ms']} | {s['p95_ms']} | {s['queries']} | {s.get('ratio_p95', '')} |"
                )
    md = "\n".join(lines) + "\n"
    with open(args.out.removesuffix(".json") + ".md", "w") as fh:
        fh.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
