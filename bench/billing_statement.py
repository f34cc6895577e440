"""Fee statement benchmark (issue 12: the per-lawyer statement at 1M time entries).

    .venv/bin/python -m bench.billing_statement [--matters 100000] [--entries 1000000]
        [--db sqlite|postgres|both] [--seed 42] [--runs 20] [--prepare-only | --reuse]
        [--out bench/results/billing_statement.json]

`--prepare-only` loads the database and times nothing (run it outside the bench lock);
`--reuse` then times the database loaded before (reloading it only when it is smaller).

Per database a child process (DATABASE_URL set before django.setup()) recreates a dedicated
database (SQLite `var/bench/billing_statement.sqlite3`, PostgreSQL
`lexcase_bench_billing`), migrates it and loads the tasks benchmark's firm and matters
(`bench.tasks`: 10 partners, 70 lawyers, 10 assistants; 5% confidential matters), then:
an approved agreement with shares (responsible partner 30% originator, lead 70% handler)
on a third of the matters, one issued bill per agreement (a fee line and a cost line) with
one or two payment allocations in the measured year, and `--entries` time entries (raw
insert: COPY on PostgreSQL, executemany on SQLite) over five years, spread over the
matters' teams. Then ANALYZE.

Timed warm and interleaved (every round runs each operation once, in rotating order), for
the lawyer with the most entries in the year:

- baseline: the bare aggregate `TimeEntry.objects.filter(lawyer=L, work_date in year)
  .aggregate(Sum("minutes"))` — no gate, no grouping;
- baseline 2: the bare aggregate of what the statement's other half reads,
  `Sum(amount)` of the year's allocations on bills of the agreements L has a share in —
  no gate, no fee lines, no grouping ("× both baselines" divides by the sum of the two);
- `fee_statement(viewer=finance, lawyer=L, year)` (every matter's money) and
  `fee_statement(viewer=L, lawyer=L, year)` (the lawyer's own gate);
- the page `GET /fees/statement/?lawyer=L&year=Y` as finance.

Reports p50/p95 and the ratio to the baseline's p50, and the SQL query count; it never
asserts.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
import traceback
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, analyze, run_child, server_version, setup_django
from bench.common import recreate as _recreate
from bench.common import stats as _stats

YEAR = 2026
TIME_COLUMNS = (
    "matter_id",
    "lawyer_id",
    "work_date",
    "minutes",
    "description",
    "billable",
    "rate",
    "created_at",
    "updated_at",
    "version",
)


def _db_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR / 'bench' / 'billing_statement.sqlite3'}"
    return f"{PG_SERVER}/lexcase_bench_billing"


def migrate_pending() -> list[str]:
    """Apply the migrations not yet applied to a reused bench database (an index or a
    constraint landed since the load), then ANALYZE; nothing when it is up to date."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return []
    call_command("migrate", verbosity=0, interactive=False)
    analyze()
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def _load_money(rng: random.Random, info: dict[int, dict[str, Any]]) -> dict[str, int]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.utils import timezone

    from lexcase.billing.models import (
        Bill,
        BillLine,
        FeeAgreement,
        FeeShare,
        Payment,
        PaymentAllocation,
    )
    from lexcase.parties.models import Party

    client = Party.objects.create(kind="organization", name="基准委托人有限公司")
    now = timezone.now()
    chosen = [m for m in info if rng.random() < 1 / 3]
    agreements = FeeAgreement.objects.bulk_create(
        [
            FeeAgreement(
                matter_id=m,
                kind="fixed",
                fixed_amount=Decimal("60000"),
                status="approved",
                approved_at=now,
            )
            for m in chosen
        ],
        batch_size=2000,
    )
    shares = []
    for a in agreements:
        team = info[a.matter_id]
        shares.append(
            FeeShare(agreement=a, lawyer_id=team["partner"], role="originator", percent=30)
        )
        shares.append(FeeShare(agreement=a, lawyer_id=team["lead"], role="handler", percent=70))
    FeeShare.objects.bulk_create(shares, batch_size=5000)
    bills = Bill.objects.bulk_create(
        [
            Bill(
                number=f"{YEAR}-{i:06d}",
                year=YEAR,
                seq=i,
                matter_id=a.matter_id,
                client=client,
                agreement=a,
                status="paid",
                issued_on=date(YEAR, 1, 5),
                total=Decimal("32000.00"),
                paid=Decimal("32000.00"),
            )
            for i, a in enumerate(agreements, start=1)
        ],
        batch_size=2000,
    )
    lines, payments = [], []
    for b in bills:
        lines.append(BillLine(bill=b, kind="service_fee", description="律师费", amount=30000))
        lines.append(BillLine(bill=b, kind="disbursement", description="诉讼费", amount=2000))
        payments.append(
            Payment(
                client=client,
                received_on=date(YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                amount=Decimal("32000.00"),
                allocated=Decimal("32000.00"),
                method="bank",
                payer="基准委托人有限公司",
            )
        )
    BillLine.objects.bulk_create(lines, batch_size=5000)
    payments = Payment.objects.bulk_create(payments, batch_size=5000)
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(payment=p, bill=b, amount=p.amount, allocated_on=p.received_on)
            for p, b in zip(payments, bills, strict=True)
        ],
        batch_size=5000,
    )
    return {"agreements": len(agreements), "bills": len(bills)}


def _time_rows(rng: random.Random, n: int, info: dict[int, dict[str, Any]], now: datetime):
    matters = list(info)
    start = date(YEAR - 4, 1, 1)
    span = (date(YEAR, 12, 31) - start).days
    for _ in range(n):
        m = rng.choice(matters)
        team = info[m]
        who = rng.random()
        lawyer = (
            team["lead"]
            if who < 0.6 or not (team["member"] or team["assistant"])
            else (team["member"] or team["assistant"])
            if who < 0.9
            else team["partner"]
        )
        yield (
            m,
            lawyer,
            start + timedelta(days=rng.randint(0, span)),
            rng.choice((6, 12, 30, 42, 60, 90, 120, 180)),
            "阅卷并起草代理意见",
            rng.random() < 0.85,
            Decimal("1500.00"),
            now,
            now,
            1,
        )


def _insert_time(rows: Any) -> None:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection, transaction

    cols = ", ".join(TIME_COLUMNS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                with cur.cursor.copy(f"COPY billing_timeentry ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        adapt_dt = connection.ops.adapt_datetimefield_value
        sql = (
            f"INSERT INTO billing_timeentry ({cols}) VALUES ({', '.join('?' * len(TIME_COLUMNS))})"
        )
        buf: list[tuple] = []
        with connection.cursor() as cur:
            for row in rows:
                r = list(row)
                r[2] = r[2].isoformat()
                r[6] = str(r[6])
                r[7] = adapt_dt(r[7])
                r[8] = adapt_dt(r[8])
                buf.append(tuple(r))
                if len(buf) >= 50_000:
                    cur.cursor.executemany(sql, buf)
                    buf = []
            if buf:
                cur.cursor.executemany(sql, buf)


def _prepare(args: argparse.Namespace, url: str, out: dict[str, Any]) -> None:
    """Recreate, migrate and load the database, unless `--reuse` finds it loaded at this
    size (generate it once outside the bench lock with `--prepare-only`, then time it)."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.utils import timezone

    from bench.tasks import _load_firm, _load_matters
    from lexcase.accounts.models import Role, User
    from lexcase.billing.models import TimeEntry
    from lexcase.matters.models import Matter

    if args.reuse:
        try:
            loaded = (
                Matter.objects.count() >= args.matters
                and TimeEntry.objects.count() >= args.entries
                and User.objects.filter(username="finance").exists()
            )
        except Exception:
            loaded = False
        if loaded:
            # Migrations landed since the load (an index, a constraint) apply to the loaded
            # data, so the timing reads the schema of the code under test.
            t0 = time.perf_counter()
            out["reused"] = True
            out["migrated"] = migrate_pending()
            out["migrate_s"] = round(time.perf_counter() - t0, 1)
            return
    connections.close_all()
    _recreate(args.db, url)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    out["migrate_s"] = round(time.perf_counter() - t0, 1)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        people = _load_firm(rng)
        info = _load_matters(rng, args.matters, people, date(YEAR, 6, 30))
        out["money"] = _load_money(rng, info)
        User.objects.create(username="finance", name="财务", role=Role.FINANCE)
    out["load_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    _insert_time(_time_rows(rng, args.entries, info, timezone.now()))
    out["time_s"] = round(time.perf_counter() - t0, 1)
    analyze()


def worker(args: argparse.Namespace) -> dict[str, Any]:
    url = _db_url(args.db)
    setup_django(url)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.db.models import Count, Q, Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lexcase.accounts.models import Role, User
    from lexcase.billing.models import TimeEntry
    from lexcase.billing.selectors.work import fee_statement
    from lexcase.matters.models import Matter

    out: dict[str, Any] = {"db": args.db, "server": None}
    _prepare(args, url, out)
    out["server"] = server_version()
    out["matters"] = Matter.objects.count()
    out["entries"] = TimeEntry.objects.count()
    if args.prepare_only:
        return out
    year = Q(work_date__gte=date(YEAR, 1, 1), work_date__lt=date(YEAR + 1, 1, 1))
    top = (
        TimeEntry.objects.filter(year, lawyer__role=Role.LAWYER)
        .values("lawyer_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    lawyer = User.objects.get(pk=top["lawyer_id"])
    finance = User.objects.get(username="finance")
    out["lawyer_entries_in_year"] = top["n"]
    page = Client()
    page.force_login(finance)
    path = f"/fees/statement/?lawyer={lawyer.pk}&year={YEAR}"

    def baseline() -> Any:
        return TimeEntry.objects.filter(year, lawyer_id=lawyer.pk).aggregate(m=Sum("minutes"))

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.billing.models import FeeShare, PaymentAllocation

    def baseline_collected() -> Any:
        return PaymentAllocation.objects.filter(
            bill__agreement_id__in=FeeShare.objects.filter(lawyer_id=lawyer.pk).values(
                "agreement_id"
            ),
            allocated_on__gte=date(YEAR, 1, 1),
            allocated_on__lt=date(YEAR + 1, 1, 1),
        ).aggregate(s=Sum("amount"))

    ops = {
        "baseline: bare Sum(minutes) of the lawyer's year": baseline,
        "baseline 2: bare Sum(amount) of the year's allocations under the lawyer's shares": (
            baseline_collected
        ),
        "fee_statement, finance (every matter)": lambda: fee_statement(
            viewer=finance, lawyer=lawyer, year=YEAR
        ),
        "fee_statement, the lawyer (own gate)": lambda: fee_statement(
            viewer=lawyer, lawyer=lawyer, year=YEAR
        ),
        "GET /fees/statement/ as finance": lambda: page.get(path),
    }
    queries: dict[str, int] = {}
    for name, op in ops.items():
        op()
        with CaptureQueriesContext(connection) as ctx:
            op()
        queries[name] = len(ctx.captured_queries)
    samples: dict[str, list[float]] = {name: [] for name in ops}
    names = list(ops)
    for r in range(args.runs):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t = time.perf_counter()
            ops[name]()
            samples[name].append(time.perf_counter() - t)
    statement = fee_statement(viewer=finance, lawyer=lawyer, year=YEAR)
    out["statement"] = {
        "minutes": statement.minutes,
        "share": str(statement.share.quantize(Decimal("0.01"))),
        "matters": len(statement.matters),
    }
    base = _stats(samples[names[0]])["p50"]
    both = base + _stats(samples[names[1]])["p50"]
    out["results"] = {
        name: {
            **_stats(s),
            "ratio_p50": round(_stats(s)["p50"] / base, 2),
            "ratio_both_p50": round(_stats(s)["p50"] / both, 2),
            "queries": queries[name],
        }
        for name, s in samples.items()
    }
    return out


def markdown(data: dict[str, Any]) -> str:
    lines = [
        f"Run {data['started']} · {data['matters']} matters, {data['entries']} time entries, "
        f"{data['runs']} timed runs per row · {data['machine']}",
        "",
    ]
    for db, res in data["dbs"].items():
        if "error" in res:
            lines += [f"**{db}**: error {res['error']}", ""]
            continue
        lines += [
            f"**{db}** ({res['server']}; {res['matters']} matters, {res['entries']} time entries; "
            f"load {res.get('load_s', 'reused')} s, time entries {res.get('time_s', 'reused')} s; "
            f"{res['lawyer_entries_in_year']} entries of the measured lawyer in {YEAR}; "
            f"statement: {res['statement']['minutes']} min, share ¥{res['statement']['share']} "
            f"over {res['statement']['matters']} matters)",
            "",
            "| operation | p50 ms | p95 ms | × baseline p50 | × both baselines p50 | SQL queries |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, r in res["results"].items():
            lines.append(
                f"| {name} | {r['p50']} | {r['p95']} | {r['ratio_p50']} "
                f"| {r.get('ratio_both_p50', '')} | {r['queries']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "bench/results/billing_statement.json"))
    parser.add_argument("--reuse", action="store_true", help="keep a database loaded earlier")
    parser.add_argument(
        "--prepare-only", action="store_true", help="load the database, time nothing"
    )
    parser.add_argument("--worker-out")
    args = parser.parse_args(argv)
    if args.worker_out:
        try:
            result = worker(args)
        except Exception:
            result = {"error": traceback.format_exc()[-2000:]}
        Path(args.worker_out).write_text(json.dumps(result, default=str))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    data: dict[str, Any] = {
        "started": datetime.now().isoformat(timespec="minutes"),
        "matters": args.matters,
        "entries": args.entries,
        "runs": args.runs,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "dbs": {},
    }
    for db in dbs:
        cmd = [sys.executable, "-m", "bench.billing_statement", "--db", db]
        cmd += ["--matters", str(args.matters), "--entries", str(args.entries)]
        cmd += ["--seed", str(args.seed), "--runs", str(args.runs)]
        cmd += ["--reuse"] * args.reuse + ["--prepare-only"] * args.prepare_only
        data["dbs"][db] = run_child(cmd)
    if args.prepare_only:
        print(json.dumps(data, indent=2, default=str))
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, default=str))
    text = markdown(data)
    out.with_suffix(".md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
