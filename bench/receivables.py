"""Receivables benchmark (issue 12: "receivables at 100k matters, as ratios against a bare
aggregate query in the same run").

    .venv/bin/python -m bench.receivables --matters 100000 [--db sqlite|postgres|both]
        [--seed 42] [--reuse] [--prepare-only] [--runs 15] [--out bench/results/receivables.json]

`--prepare-only` loads the databases and times nothing (outside the bench lock); `--reuse`
then times what was loaded.

Per database a child process (DATABASE_URL set before django.setup()) prepares a dedicated
database (SQLite `var/bench_receivables.sqlite3`, PostgreSQL `lexcase_bench_receivables`):
migrate, N matters bulk-created with what receivables read (a client each, ~5 matters per
client, a lead lawyer, 5% confidential; the `lawyer` user leads 2%), then per matter 1–2
issued bills (issue dates uniform over the last 400 days, totals ¥1,000–¥200,000 to the
fen), of which 45% are paid in full, 20% partly and the rest open, each payment one
`Payment` with one `PaymentAllocation` (allocated 0–30 days after issue); `ANALYZE`. Then,
warm and interleaved round by round:

- **baseline**: the bare aggregate `SUM(total)` of issued bills grouped by client and matter,
  no gate, no buckets, no allocations;
- **receivables (finance)**: `receivables(user=finance, as_of=today)`, every matter (the
  money gate for finance excludes walls only), issued and allocated sums in four aging
  buckets grouped in SQL with the names, the first page of 50 rows and the totals of all;
- **receivables_finance_all**: the same with every row in one list (`page=None`; what the
  export and the API read before they streamed / paged);
- **receivables_finance_stream**: every row through `receivables_stream` (one query read in
  chunks of 2,000, the totals summed as the rows pass): what the export reads now;
- **export_finance**: `GET /receivables/export.xlsx` as finance, the streamed workbook read
  to the end;
- **api_finance_first_page** / **api_finance_second_page**: `GET /api/v1/receivables` as
  finance, 500 rows per page by keyset (the first page with the totals, the second after
  the first's cursor);
- **receivables (lawyer)**: the first page for a lawyer (the gate: their memberships);
- **page_finance**: `GET /receivables/` as finance (template rendered);
- **fees open (one matter)**: `matter_fees_open(matter)`, the closing checklist's read,
  against **floor** = one `Bill` by primary key.

After the timed rounds, the peak Python memory (tracemalloc) of one call of the baseline,
every row in a list, the stream, the export and the API's first page.

It reports; it never asserts. It writes JSON (`--out`) and a markdown table beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
import traceback
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, analyze, run_child, server_version, setup_django
from bench.common import recreate as _recreate
from bench.common import stats as _stats

WARMUPS = 3


def _db_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR / 'bench_receivables.sqlite3'}"
    return f"{PG_SERVER}/lexcase_bench_receivables"


def _load_firm(matters: int, seed: int) -> None:
    """Matters with what receivables read: a client link each (a client has ~5 matters), a
    lead lawyer (the `lawyer` user leads 2%), 5% confidential. Bulk-created: the demo
    generator's realism (parties, timelines) is not what this measures."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import transaction

    from lexcase.accounts.models import Role, User
    from lexcase.matters.models import Matter, MatterMember, MatterParty
    from lexcase.parties.models import Party

    rng = random.Random(seed)
    User.objects.create_user(username="finance", password="x", role=Role.FINANCE)
    lawyer = User.objects.create_user(username="lawyer", password="x", role=Role.LAWYER)
    other = User.objects.create_user(username="lawyer2", password="x", role=Role.LAWYER)
    with transaction.atomic():
        parties = Party.objects.bulk_create(
            (
                Party(kind="organization", name=f"委托人{i:06d}有限公司")
                for i in range(max(1, matters // 5))
            ),
            batch_size=5000,
        )
        rows = Matter.objects.bulk_create(
            (
                Matter(
                    number=f"B-{i:06d}",
                    title=f"买卖合同纠纷 {i}",
                    matter_type="civil",
                    status="open",
                    confidential=rng.random() < 0.05,
                )
                for i in range(matters)
            ),
            batch_size=5000,
        )
        MatterParty.objects.bulk_create(
            (MatterParty(matter=m, party=rng.choice(parties), role="client") for m in rows),
            batch_size=5000,
        )
        MatterMember.objects.bulk_create(
            (
                MatterMember(matter=m, user=lawyer if rng.random() < 0.02 else other, role="lead")
                for m in rows
            ),
            batch_size=5000,
        )


def _load_bills(seed: int, today: date) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import transaction

    from lexcase.accounts.models import User
    from lexcase.billing.models import Bill, Payment, PaymentAllocation
    from lexcase.matters.models import MatterParty, PartyRole

    rng = random.Random(seed + 7)
    finance = User.objects.get(username="finance")
    clients = dict(
        MatterParty.objects.filter(role=PartyRole.CLIENT)
        .order_by("matter_id", "pk")
        .values_list("matter_id", "party_id")
    )
    seq_by_year: dict[int, int] = {}
    t0 = time.perf_counter()
    bills: list[Bill] = []
    for matter_id, party_id in sorted(clients.items()):
        for _ in range(rng.choice((1, 1, 2))):
            issued = today - timedelta(days=rng.randint(0, 400))
            seq_by_year[issued.year] = seq_by_year.get(issued.year, 0) + 1
            seq = seq_by_year[issued.year]
            total = Decimal(rng.randint(100_000, 20_000_000)) / 100
            roll = rng.random()
            paid = (
                total
                if roll < 0.45
                else (
                    (total * Decimal(rng.randint(10, 90)) / 100).quantize(Decimal("0.01"))
                    if roll < 0.65
                    else Decimal("0.00")
                )
            )
            status = "paid" if paid == total else ("partly_paid" if paid else "issued")
            bills.append(
                Bill(
                    number=f"{issued.year}-{seq:06d}",
                    year=issued.year,
                    seq=seq,
                    matter_id=matter_id,
                    client_id=party_id,
                    status=status,
                    issued_on=issued,
                    due_on=issued + timedelta(days=30),
                    total=total,
                    paid=paid,
                    issued_by=finance,
                    created_by=finance,
                )
            )
    with transaction.atomic():
        Bill.objects.bulk_create(bills, batch_size=5000)
    bills_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    paid_bills = [b for b in bills if b.paid > 0]
    payments = [
        Payment(
            client_id=b.client_id,
            matter_id=b.matter_id,
            received_on=min(today, b.issued_on + timedelta(days=rng.randint(0, 30))),
            amount=b.paid,
            method="bank",
            payer="bench",
            allocated=b.paid,
            recorded_by=finance,
        )
        for b in paid_bills
    ]
    with transaction.atomic():
        Payment.objects.bulk_create(payments, batch_size=5000)
        PaymentAllocation.objects.bulk_create(
            (
                PaymentAllocation(
                    payment_id=p.pk,
                    bill_id=b.pk,
                    amount=b.paid,
                    allocated_on=p.received_on,
                    allocated_by=finance,
                )
                for p, b in zip(payments, paid_bills, strict=True)
            ),
            batch_size=5000,
        )
    return {
        "bills": len(bills),
        "payments": len(payments),
        "bills_s": round(bills_s, 1),
        "payments_s": round(time.perf_counter() - t0, 1),
    }


def _prepare(args: argparse.Namespace, url: str) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command

    from lexcase.billing.models import Bill
    from lexcase.matters.models import Matter

    info: dict[str, Any] = {}
    if args.reuse:
        try:
            loaded = Matter.objects.count() >= args.matters and Bill.objects.exists()
        except Exception:
            loaded = False
        if loaded:
            # Apply migrations landed since the load to the loaded data.
            from bench.billing_statement import migrate_pending

            t0 = time.perf_counter()
            migrated = migrate_pending()
            return {
                "reused": True,
                "migrated": migrated,
                "migrate_s": round(time.perf_counter() - t0, 1),
            }
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connections

    connections.close_all()
    _recreate(args.db, url)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    info["migrate_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    _load_firm(args.matters, args.seed)
    info["firm_s"] = round(time.perf_counter() - t0, 1)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.utils import timezone

    info.update(_load_bills(args.seed, timezone.localdate()))
    t0 = time.perf_counter()
    analyze()
    info["analyze_s"] = round(time.perf_counter() - t0, 1)
    return info


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    url = _db_url(args.db)
    setup_django(url)
    prep = _prepare(args, url)
    if args.prepare_only:
        return {"db": args.db, "prepare": prep}

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lexcase.accounts.models import User
    from lexcase.billing.models import ISSUED_STATUSES, Bill, PaymentAllocation
    from lexcase.billing.selectors.receivables import (
        matter_fees_open,
        receivables,
        receivables_stream,
    )
    from lexcase.matters.models import Matter

    today = timezone.localdate()
    finance = User.objects.get(username="finance")
    lawyer = User.objects.get(username="lawyer")
    bill_ids = list(Bill.objects.values_list("pk", flat=True)[:2000])
    matter_ids = list(Bill.objects.values_list("matter_id", flat=True)[:2000])
    rng = random.Random(args.seed)

    def baseline() -> Any:
        return list(
            Bill.objects.filter(status__in=ISSUED_STATUSES, issued_on__lte=today)
            .values("client_id", "matter_id")
            .annotate(s=Sum("total"))
            .order_by()
        )

    def floor() -> Any:
        return Bill.objects.filter(pk=rng.choice(bill_ids)).first()

    def fees_open() -> Any:
        return matter_fees_open(matter=Matter(pk=rng.choice(matter_ids)))

    page = Client()
    page.force_login(finance)

    def page_finance() -> Any:
        response = page.get("/receivables/")
        assert response.status_code == 200, response.status_code
        return response

    def stream_finance() -> Any:
        stream = receivables_stream(user=finance, as_of=today)
        n = sum(1 for _row in stream)
        return n, stream.totals

    def export_finance() -> Any:
        response = page.get("/receivables/export.xlsx")
        assert response.status_code == 200, response.status_code
        return sum(len(block) for block in response.streaming_content)

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.accounts.services import api_token_create

    _token, raw = api_token_create(user=finance, name="bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    cursor: dict[str, str | None] = {"after": None}

    def api_first_page() -> Any:
        response = api.get("/api/v1/receivables?limit=500")
        assert response.status_code == 200, response.status_code
        cursor["after"] = response.json()["next_after"]
        return response

    def api_next_page() -> Any:
        # The page after the first (no totals): one grouped query, the rows after the cursor.
        response = api.get(f"/api/v1/receivables?limit=500&after={cursor['after']}")
        assert response.status_code == 200, response.status_code
        return response

    ops = {
        "baseline": baseline,
        "receivables_finance": lambda: receivables(user=finance, as_of=today),
        "receivables_finance_all": lambda: receivables(user=finance, as_of=today, page=None),
        "receivables_finance_stream": stream_finance,
        "export_finance": export_finance,
        "api_finance_first_page": api_first_page,
        "api_finance_second_page": api_next_page,
        "receivables_lawyer": lambda: receivables(user=lawyer, as_of=today),
        "page_finance": page_finance,
        "floor": floor,
        "fees_open": fees_open,
    }
    queries: dict[str, int] = {}
    for name, op in ops.items():
        for _ in range(args.warmups):
            with CaptureQueriesContext(connection) as ctx:
                op()
            queries[name] = len(ctx.captured_queries)
    samples: dict[str, list[float]] = {name: [] for name in ops}
    cpu: dict[str, list[float]] = {name: [] for name in ops}
    names = list(ops)
    for run in range(args.runs):
        order = names[run % len(names) :] + names[: run % len(names)]
        for name in order:
            c0, t0 = time.process_time(), time.perf_counter()
            ops[name]()
            samples[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    # Peak Python memory per operation, measured once after the timed rounds (tracemalloc
    # slows what it traces): every row in a list against the stream and the streamed export.
    peak_kib: dict[str, int] = {}
    for name in (
        "baseline",
        "receivables_finance_all",
        "receivables_finance_stream",
        "export_finance",
        "api_finance_first_page",
    ):
        gc.collect()
        tracemalloc.start()
        ops[name]()
        peak_kib[name] = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    result_rows = receivables(user=finance, as_of=today, page=None)
    lawyer_rows = receivables(user=lawyer, as_of=today, page=None)
    return {
        "db": args.db,
        "server": server_version(),
        "prepare": prep,
        "today": today.isoformat(),
        "dataset": {
            "matters": Matter.objects.count(),
            "bills": Bill.objects.count(),
            "allocations": PaymentAllocation.objects.count(),
            "receivable_rows_finance": len(result_rows.rows),
            "receivable_rows_lawyer": len(lawyer_rows.rows),
            "open_total": str(result_rows.totals.open),
        },
        "queries": queries,
        "peak_kib": peak_kib,
        "stats": {name: _stats(s) for name, s in samples.items()},
        "cpu_p50_ms": {name: round(sorted(c)[len(c) // 2] * 1000, 3) for name, c in cpu.items()},
    }


def _markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Run {results['at']} on {results['platform']}; load average at start "
        f"{results['load_start']}, end {results['load_end']}.",
        "",
    ]
    for db, r in results["dbs"].items():
        if "error" in r:
            lines += [f"### {db}", "", f"error: {r['error']}", ""]
            continue
        s = r["stats"]
        base = s["baseline"]
        lines += [
            f"### {db} ({r['server']})",
            "",
            f"Dataset: {r['dataset']}; preparation: {r['prepare']}; wall {r['wall_s']} s.",
            "",
            "| operation | queries | p50 ms | p95 ms | ÷ baseline p50 / p95 | CPU p50 ms "
            "| peak Python KiB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name in s:
            ref = s["floor"] if name == "fees_open" else base
            ratio = f"{s[name]['p50'] / ref['p50']:.2f}× / {s[name]['p95'] / ref['p95']:.2f}×"
            if name == "fees_open":
                ratio += " (÷ floor)"
            lines.append(
                f"| {name} | {r['queries'][name]} | {s[name]['p50']:,} | {s[name]['p95']:,} "
                f"| {ratio} | {r['cpu_p50_ms'][name]:,} "
                f"| {r.get('peak_kib', {}).get(name, '')} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=WARMUPS)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--prepare-only", action="store_true", help="load, time nothing")
    parser.add_argument("--out", default="bench/results/receivables.json")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--worker-out")
    args = parser.parse_args()
    if args.worker:
        try:
            data = _worker(args)
        except Exception:
            traceback.print_exc()
            sys.exit(1)
        Path(args.worker_out).write_text(json.dumps(data, ensure_ascii=False, indent=1))
        return
    results: dict[str, Any] = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "platform": (
            f"{platform.platform()} ({os.cpu_count()} CPUs), Python {platform.python_version()}"
        ),
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "args": {k: v for k, v in vars(args).items() if not k.startswith("worker")},
        "dbs": {},
    }
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        cmd = [sys.executable, "-m", "bench.receivables", "--worker", "--db", db]
        cmd += ["--matters", str(args.matters), "--seed", str(args.seed), "--runs", str(args.runs)]
        cmd += ["--warmups", str(args.warmups)]
        if args.reuse:
            cmd.append("--reuse")
        if args.prepare_only:
            cmd.append("--prepare-only")
        results["dbs"][db] = run_child(cmd)
    results["load_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.prepare_only:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    out.with_suffix(".md").write_text(_markdown(results))
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
