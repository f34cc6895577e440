"""Party directory benchmark (issue 18 item 6: within 5x of a bare indexed query at 100k matters).

    .venv/bin/python -m bench.parties --matters 100000 [--seed 42] [--db sqlite|postgres|both]
        [--queries 30] [--reuse] [--setup-only] [--out bench/results/parties.json]

For each database a child process (DATABASE_URL set before django.setup()) prepares its own
database (SQLite `var/bench_parties.sqlite3`, PostgreSQL `lexcase_bench_parties`) with
`demo_generate(matters=N, seed=S)` (2 parties per matter) plus 1% fresh parties on no matter
(the gate's second branch), migrates and analyses it, then times, warm, server side:

- the baseline: a bare keyset page of 50 parties on the (name, id) index, no gate
  (`Party.objects.filter(name__gt=c).order_by("name", "id")[:50]`, cursors sampled across
  the table);
- `parties_page()` (the directory: gated keyset page + the page's visible-matter counts)
  for admin, lawyer, assistant, a staff member on no matter (sees only fresh parties:
  the worst case of a name-ordered walk) and two lawyers on 1,500 and 2,500 random matters
  (few visible parties, too many to sort per page), page 1 and page 21, with q= a 2-character name,
  q= a full organisation name, q= an ID number, and kind=organization;
- the real view (`GET /parties/?...`, templates rendered) and `GET /api/v1/parties`, and the
  floor of any page with the same layout (`GET /team/tokens/` as the lawyer).

It records p50/p95/max wall time, CPU time (this process, plus the PostgreSQL backend's from
`/proc/<pid>/schedstat`), rows and SQL queries per call, writes JSON to `--out` and prints a
markdown table. Every timed call is paired with a baseline call made just before it, and
each row's ratio is against its own paired baseline samples: on a shared machine the load
changes by the minute, so a baseline measured once at the start would mislead.
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
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, cpu_clock, run_child, server_version
from bench.common import stats as _stats
from bench.matter_list import _prepare as prepare_matters

# The view and API personas sign in without an authenticator app: no MFA enrolment redirect
# for the admin (set in the child's environment before Django reads its settings).
os.environ.setdefault("LEXCASE_MFA_REQUIRED_ROLES", "")

FRESH_SHARE = 0.01  # parties on no matter (fresh contacts), as a share of the linked ones


def _db_url(db: str, matters: int) -> str:
    suffix = "" if matters == 100_000 else f"_{matters}"  # a smoke run never drops the 100k one
    if db == "sqlite":
        return f"sqlite:///{VAR / f'bench_parties{suffix}.sqlite3'}"
    return f"{PG_SERVER}/lexcase_bench_parties{suffix}"


def _prepare(db: str, matters: int, seed: int, reuse: bool) -> dict[str, Any]:
    # The directory never reads the matter search index: not built here (it took longer than
    # the rest of the preparation on the shared box).
    prep = prepare_matters(db, _db_url(db, matters), matters, seed, reuse, search_index=False)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db.models import Exists, OuterRef

    from lexcase.matters.models import MatterParty
    from lexcase.parties.models import Party
    from lexcase.parties.services import party_create

    # demo_generate puts every party on a matter; a firm also keeps fresh contacts on none,
    # which every staff member sees (the gate's second branch).
    linked = Party.objects.filter(Exists(MatterParty.objects.filter(party=OuterRef("pk"))))
    fresh = Party.objects.exclude(Exists(MatterParty.objects.filter(party=OuterRef("pk"))))
    want = int(linked.count() * FRESH_SHARE)
    have = fresh.count()
    if have < want:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from lexcase.accounts.models import User

        actor = User.objects.get(username="admin")
        t0 = time.perf_counter()
        for i in range(have, want):
            party_create(actor=actor, kind="person", name=f"新联系人{i:06d}")
        prep["fresh_load_s"] = round(time.perf_counter() - t0, 1)
    prep["fresh_parties"] = max(have, want)
    # Two lawyers on 1,500 and 2,500 random matters: the directory's hardest readers before
    # PartyReach (few visible parties, but too many to sort for each page).
    from lexcase.accounts.models import Role, User
    from lexcase.matters.models import Matter, MatterMember

    rng = random.Random(seed)
    ids = list(Matter.objects.order_by("pk").values_list("pk", flat=True))
    for username, share in NEAR_THRESHOLD.items():
        user, _new = User.objects.get_or_create(
            username=username, defaults={"role": Role.LAWYER, "name": username}
        )
        n = min(len(ids), share)
        if MatterMember.objects.filter(user=user).count() < n:
            MatterMember.objects.filter(user=user).delete()
            MatterMember.objects.bulk_create(
                MatterMember(matter_id=m, user=user, role="member") for m in rng.sample(ids, n)
            )
    prep["near_threshold"] = {
        u: MatterMember.objects.filter(user__username=u).count() for u in NEAR_THRESHOLD
    }
    return prep


# Personas on a few matters each (the former switch between walking and sorting was here).
NEAR_THRESHOLD = {"lawyer_1500": 1_500, "lawyer_2500": 2_500}


WARMUPS = 3
PAGE = 50
DEEP_HOPS = 20


def _measure(calls: list[Any], runs: int, base: list[Any] | None = None) -> dict[str, Any]:
    """Time `runs` calls cycling through `calls` after untimed warm-ups whose SQL queries
    are counted; each call returns the number of rows it produced. With `base`, each timed
    call is paired with a baseline call right before it, so a ratio compares the two under
    the same momentary load (the machine is shared)."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries: set[int] = set()
    rows: set[int] = set()
    for i in range(max(WARMUPS, len(calls))):
        with CaptureQueriesContext(connection) as ctx:
            rows.add(calls[i % len(calls)]())
        queries.add(len(ctx.captured_queries))
    gc.collect()
    samples, base_samples, cpu, base_cpu = [], [], [], []
    for i in range(runs):
        if base:
            t0, c0 = time.perf_counter(), cpu_clock()
            base[i % len(base)]()
            base_samples.append(time.perf_counter() - t0)
            base_cpu.append(cpu_clock() - c0)
        t0, c0 = time.perf_counter(), cpu_clock()
        rows.add(calls[i % len(calls)]())
        samples.append(time.perf_counter() - t0)
        cpu.append(cpu_clock() - c0)
    result = {**_stats(samples), "rows": sorted(rows), "queries": sorted(queries)}
    # CPU time per call: on SQLite the whole query runs in-process; on PostgreSQL the
    # backend's CPU is added (`cpu_clock`). What a call costs whatever the machine's load (wall
    # time on a shared 2-core machine is mostly waiting for a core). The workers of a
    # parallel plan, if PostgreSQL chose one, would not be counted.
    c = _stats(cpu)
    result["cpu_p50"], result["cpu_p95"] = c["p50"], c["p95"]
    if base_samples:
        b, bc = _stats(base_samples), _stats(base_cpu)
        result["base_p50"], result["base_p95"] = b["p50"], b["p95"]
        result["base_cpu_p50"], result["base_cpu_p95"] = bc["p50"], bc["p95"]
    return result


def _progress(name: str, r: dict[str, Any]) -> None:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    print(
        f"  [{connection.vendor}] {name}: p50 {r['p50']:.2f} ms  p95 {r['p95']:.2f} ms  "
        f"(paired base {r.get('base_p50', 0):.2f} / {r.get('base_p95', 0):.2f})  "
        f"cpu p50 {r['cpu_p50']:.2f} p95 {r['cpu_p95']:.2f} "
        f"(base {r.get('base_cpu_p50', 0):.2f} / {r.get('base_cpu_p95', 0):.2f})  "
        f"rows {r['rows']}  queries {r['queries']}",
        file=sys.stderr,
        flush=True,
    )


def worker(args: argparse.Namespace) -> dict[str, Any]:
    prep = _prepare(args.db, args.matters, args.seed, args.reuse)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test import Client

    from lexcase.accounts.models import User
    from lexcase.accounts.services import api_token_create
    from lexcase.matters.models import MatterParty
    from lexcase.matters.selectors import parties_page
    from lexcase.parties.models import Party, PartyKind

    rng = random.Random(args.seed)
    runs = args.queries
    results: dict[str, Any] = {}

    # (1) The baseline: a bare keyset page on the (name, id) index.
    names = list(Party.objects.order_by("name", "id").values_list("name", flat=True)[::2000])
    cursors = [rng.choice(names) for _ in range(20)]

    def bare(c: str) -> Any:
        return lambda: len(list(Party.objects.filter(name__gt=c).order_by("name", "id")[:PAGE]))

    base_calls = [bare(c) for c in cursors]
    results["baseline: bare keyset page (name, id), no gate"] = _measure(base_calls, runs)
    _progress("baseline", results["baseline: bare keyset page (name, id), no gate"])

    # Search terms sampled from the data.
    max_pk = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    short, full, ids = [], [], []
    while len(short) < 5 or len(full) < 5 or len(ids) < 5:
        p = Party.objects.filter(pk__gte=rng.randint(1, max_pk)).order_by("pk").first()
        if p is None or not MatterParty.objects.filter(party=p).exists():
            continue
        if p.kind == PartyKind.PERSON and len(short) < 5:
            short.append(p.name[:2])
        if p.kind == PartyKind.ORGANIZATION and len(full) < 5:
            full.append(p.name)
        if p.id_number and len(ids) < 5:
            ids.append(p.id_number)
    scenarios: list[tuple[str, list[dict[str, str]]]] = [
        ("no filter", [{}]),
        ("q=2-char name", [{"q": s} for s in short]),
        ("q=organisation name", [{"q": s} for s in full]),
        ("q=ID number", [{"q": s} for s in ids]),
        ("kind=organization", [{"kind": "organization"}]),
    ]
    if args.only:  # e.g. --only "organisation name": the baseline and those rows only
        scenarios = [(name, v) for name, v in scenarios if args.only in name]
    personas = {
        u: User.objects.get(username=u)
        for u in ("admin", "lawyer", "assistant", "staff", *NEAR_THRESHOLD)
    }

    # (2) parties_page: page 1 and page 21.
    for pname, user in personas.items():
        for sname, variants in scenarios:

            def page(v: dict[str, str], cursor: str = "", user: Any = user) -> Any:
                return lambda: len(parties_page(user=user, cursor=cursor, **v).items)

            key = f"{pname} | {sname}"
            results[f"{key} | page 1"] = _measure([page(v) for v in variants], runs, base_calls)
            _progress(f"{key} | page 1", results[f"{key} | page 1"])
            deep = []
            for v in variants:
                cursor, hops = "", 0
                while hops < DEEP_HOPS:
                    nxt = parties_page(user=user, cursor=cursor, **v).next_cursor
                    if nxt is None:
                        break
                    cursor, hops = nxt, hops + 1
                if hops == DEEP_HOPS:
                    deep.append(page(v, cursor))
            if deep:
                results[f"{key} | page {DEEP_HOPS + 1}"] = _measure(deep, runs, base_calls)
                _progress(f"{key} | page {DEEP_HOPS + 1}", results[f"{key} | page {DEEP_HOPS + 1}"])

    # (3) The view and the API, page 1.
    from urllib.parse import urlencode

    view: dict[str, Any] = {}
    for pname, user in personas.items():
        if pname in NEAR_THRESHOLD:
            continue  # parties_page above is enough: the view adds the same on top
        client = Client()
        client.force_login(user)
        _token, raw = api_token_create(user=user, name="bench")
        api = Client(headers={"Authorization": f"Bearer {raw}"})
        for sname, variants in scenarios[:3] if not args.only else scenarios:
            paths = ["/parties/" + (f"?{urlencode(v)}" if v else "") for v in variants]

            def get(path: str, c: Any = client, marker: bytes = b'<td><a href="/parties/') -> Any:
                def call() -> int:
                    response = c.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {path}: {response.status_code}")
                    return response.content.count(marker)

                return call

            view[f"VIEW {pname} | {sname}"] = _measure([get(p) for p in paths], runs, base_calls)
            _progress(f"VIEW {pname} | {sname}", view[f"VIEW {pname} | {sname}"])

            def api_get(v: dict[str, str], c: Any = api) -> Any:
                path = "/api/v1/parties?" + urlencode({"limit": PAGE, **v})

                def call() -> int:
                    response = c.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"GET {path}: {response.status_code}")
                    return len(response.json())

                return call

            api_v = [{k: x for k, x in v.items() if k == "q"} for v in variants]
            view[f"API {pname} | {sname}"] = _measure([api_get(v) for v in api_v], runs, base_calls)
            _progress(f"API {pname} | {sname}", view[f"API {pname} | {sname}"])

    # The floor of any page with the same layout (session, user, the nav's permissions, the
    # firm profile, the notification badge, base.html): the API tokens page, a short list.
    floor = Client()
    floor.force_login(personas["lawyer"])

    def floor_call() -> int:
        response = floor.get("/team/tokens/")
        if response.status_code != 200:
            raise RuntimeError(f"GET /team/tokens/: {response.status_code}")
        return 0

    view["VIEW lawyer | layout floor: GET /team/tokens/"] = _measure([floor_call], runs, base_calls)
    _progress("VIEW lawyer | layout floor", view["VIEW lawyer | layout floor: GET /team/tokens/"])

    pg = connection.vendor == "postgresql"
    lawyer = personas["lawyer"]
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.matters.selectors import parties_search

    listed = parties_search(user=lawyer)[: PAGE + 1]
    plans = {
        "lawyer | no filter | page 1": listed.explain(analyze=True) if pg else listed.explain(),
    }
    return {
        "db": args.db,
        "vendor": connection.vendor,
        "server_version": server_version(),
        "runs": runs,
        "prepare": prep,
        "dataset": {
            "parties": Party.objects.count(),
            "matter_parties": MatterParty.objects.count(),
            "visible_to": {p: len(parties_page(user=u, size=1).items) for p, u in personas.items()},
        },
        "terms": {"short": short, "full": full, "ids": ["(masked)"] * len(ids)},
        "results": results,
        "view": view,
        "plans": plans,
    }


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "-"


def _table(run: dict[str, Any]) -> str:
    base = run["results"]["baseline: bare keyset page (name, id), no gate"]
    lines = [
        f"{run['vendor']} {run['server_version']}, {run['dataset']['parties']} parties",
        "",
        "| scenario | p50 ms | p95 ms | max ms | rows | queries | paired base p50 / p95 ms "
        "| p50/base | p95/base | cpu p50 / p95 ms | cpu p95/base |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for section in ("results", "view"):
        for name, r in run[section].items():
            rows = r["rows"]
            rows_s = str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]}"
            b50, b95 = r.get("base_p50", base["p50"]), r.get("base_p95", base["p95"])
            c95 = r.get("base_cpu_p95", base["cpu_p95"])
            lines.append(
                f"| {name} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | {rows_s} "
                f"| {'/'.join(map(str, r['queries']))} | {b50:.2f} / {b95:.2f} "
                f"| {_ratio(r['p50'], b50)} | {_ratio(r['p95'], b95)} "
                f"| {r['cpu_p50']:.2f} / {r['cpu_p95']:.2f} | {_ratio(r['cpu_p95'], c95)} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--queries", type=int, default=30, help="timed runs per scenario")
    parser.add_argument("--reuse", action="store_true", help="keep a bench DB with >= N matters")
    parser.add_argument("--setup-only", action="store_true", help="prepare the DBs and stop")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "parties.json"))
    parser.add_argument("--only", default="", help="time only scenarios whose name holds this")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.setup_only:
            data = {"prepare": _prepare(args.db, args.matters, args.seed, args.reuse)}
        else:
            data = worker(args)
        Path(args.worker_out).write_text(json.dumps(data, ensure_ascii=False))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {
        "benchmark": "parties",
        "command": "python -m bench.parties " + " ".join(sys.argv[1:] if argv is None else argv),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
        },
        "goal": "parties_page and the view p50, p95 <= 5x the bare keyset page; constant queries",
        "databases": {},
    }
    for db in dbs:
        cmd = [
            sys.executable,
            "-m",
            "bench.parties",
            "--worker",
            "--db",
            db,
            "--matters",
            str(args.matters),
            "--seed",
            str(args.seed),
            "--queries",
            str(args.queries),
        ]
        if args.reuse:
            cmd.append("--reuse")
        if args.only:
            cmd += ["--only", args.only]
        if args.setup_only:
            cmd.append("--setup-only")
        print(f"== {db} ==", file=sys.stderr, flush=True)
        report["databases"][db] = run_child(cmd)
    report["machine"]["loadavg_end"] = os.getloadavg()
    if args.setup_only:
        print(json.dumps(report["databases"], indent=1, ensure_ascii=False))
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    for db, run in report["databases"].items():
        print(f"\n### {db}\n")
        print(_table(run) if "results" in run else f"error: {run.get('error')}")
    print(f"\nJSON: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
