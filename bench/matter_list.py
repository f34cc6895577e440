"""Matter list benchmark (docs/quality.md §5, "Case list with filters").

    .venv/bin/python -m bench.matter_list --matters 100000 [--seed 42] [--db sqlite|postgres|both]
        [--queries 40] [--check-matters 1000] [--reuse] [--out bench/results/matter_list.json]

For each database a child process (DATABASE_URL set before django.setup()) prepares a
dedicated database (SQLite `var/bench.sqlite3`, PostgreSQL `lexcase_bench`), migrates it,
loads `demo_generate(matters=N, seed=S)`, analyses it and then times, server side and with
warm caches:

- the baseline: a bare keyset page of 50 matters by PK (cursors sampled across the table);
- `matters_page()` for an admin and a lawyer persona, with several filters, on page 1 and
  on page 21 (20 `next_cursor` hops), with its capped total (`COUNT_CAP + 1` rows, as
  `matters_page` counts) timed on its own and the uncapped `count()` as a reference;
- the real list view (`GET /matters/?...` through django.test.Client, templates rendered).

It records p50/p95/p99/max, rows returned and SQL queries per call, repeats the query-count
part on a small (`--check-matters`) database to show the count does not grow with the data,
captures the PostgreSQL plans, writes JSON to `--out` and prints markdown tables. It reports;
it never asserts: the goal (≤ 5× the bare page, constant query count) is judged by a human.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, analyze, cpu_clock, setup_django
from bench.common import recreate as _recreate
from bench.common import stats as _stats

WARMUPS = 5
DEEP_HOPS = 20
FAR_PAGE = 1000  # docs/quality.md: "page 1 vs page 1,000 within 2x"
PAGE = 50


# -- databases --------------------------------------------------------------------------


def _db_names(db: str, matters: int, primary: bool) -> tuple[str, str]:
    """(DATABASE_URL, human label) of the dedicated bench database. LEXCASE_BENCH_NAME
    (default `bench`) names it, so two checkouts on one PostgreSQL server do not share it."""
    suffix = "" if primary else f"_{matters}"
    stem = os.environ.get("LEXCASE_BENCH_NAME", "bench")
    if db == "sqlite":
        path = VAR / f"{stem}{suffix}.sqlite3"
        return f"sqlite:///{path}", str(path.relative_to(ROOT))
    name = f"lexcase_{stem}{suffix}"
    return f"{PG_SERVER}/{name}", name


def _existing_matters(db: str, url: str) -> int:
    """Matters already in the bench database (0 when it or the table does not exist)."""
    try:
        if db == "sqlite":
            # The driver of the database being measured, only.
            import sqlite3

            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                return 0
            with sqlite3.connect(path) as conn:
                return conn.execute("SELECT count(*) FROM matters_matter").fetchone()[0]
        # The driver of the database being measured, only.
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM matters_matter").fetchone()[0]
    except Exception:
        return 0


# -- timing helpers ---------------------------------------------------------------------

# What `_measure` times with: wall time (default), or with `--clock cpu` the CPU time this
# process and its PostgreSQL backend spent (client `process_time` + the backend's
# `/proc/<pid>/schedstat` run time, in ns): on a loaded shared machine the wall time of a
# millisecond query is mostly waiting for a core, the CPU time is not.
CLOCK: list[Callable[[], float]] = [time.perf_counter]


def _measure(calls: list[Callable[[], int]], runs: int, warmups: int = WARMUPS) -> dict[str, Any]:
    """Time `runs` calls (cycling through `calls`) after `warmups` untimed ones.

    Each call returns the number of rows it materialised. Query counts come from the
    warm-up calls (under CaptureQueriesContext); the timed calls run without it.
    """
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query_counts: set[int] = set()
    rows: set[int] = set()
    for i in range(max(warmups, len(calls))):
        with CaptureQueriesContext(connection) as ctx:
            rows.add(calls[i % len(calls)]())
        query_counts.add(len(ctx.captured_queries))
    gc.collect()
    samples = []
    for i in range(runs):
        call = calls[i % len(calls)]
        t0 = CLOCK[0]()
        rows.add(call())
        samples.append(CLOCK[0]() - t0)
    return {
        **_stats(samples),
        "rows": sorted(rows),
        "queries": sorted(query_counts),
        "variants": len(calls),
    }


# A view and its bare queries are timed in this many alternating blocks (`_measure_pair`).
PAIR_BLOCKS = 6


def _measure_pair(
    first: list[Callable[[], int]],
    second: list[Callable[[], int]],
    runs: int,
    blocks: int = PAIR_BLOCKS,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`_measure` of two call lists (a view and its bare queries), their timed calls in
    `blocks` alternating blocks rather than one list's `runs` after the other's: on the
    shared box the machine's speed drifts within a run, and a ratio of two samples taken
    a minute apart followed that drift (the same bare SQL measured 0.63–1.71 ms p50 between
    runs). Warm-ups and query counts as `_measure`. Each timed call is preceded by the call
    that preceded it in one list's own sequence (the previous one of its cycle): a block
    opens with that call untimed, so no timed call follows the other list's."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lists = (first, second)
    query_counts: list[set[int]] = [set(), set()]
    rows: list[set[int]] = [set(), set()]
    for k, calls in enumerate(lists):
        for i in range(max(WARMUPS, len(calls))):
            with CaptureQueriesContext(connection) as ctx:
                rows[k].add(calls[i % len(calls)]())
            query_counts[k].add(len(ctx.captured_queries))
    gc.collect()
    samples: list[list[float]] = [[], []]
    bounds = [runs * b // blocks for b in range(blocks + 1)]
    for b in range(blocks):
        for k, calls in enumerate(lists):
            start, end = bounds[b], bounds[b + 1]
            if start == end:
                continue
            rows[k].add(calls[(start - 1) % len(calls)]())  # untimed: the cycle's previous
            for i in range(start, end):
                call = calls[i % len(calls)]
                t0 = CLOCK[0]()
                rows[k].add(call())
                samples[k].append(CLOCK[0]() - t0)
    a, b_ = (
        {
            **_stats(samples[k]),
            "rows": sorted(rows[k]),
            "queries": sorted(query_counts[k]),
            "variants": len(lists[k]),
            "interleaved_blocks": blocks,
        }
        for k in range(2)
    )
    return a, b_


# -- the worker (one database, one scale) -----------------------------------------------


def _prepare(
    db: str, url: str, matters: int, seed: int, reuse: bool, *, search_index: bool = True
) -> dict[str, Any]:
    have = _existing_matters(db, url)
    reused = reuse and have >= matters
    if not reused:
        _recreate(db, url)
    setup_django(url)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    def applied() -> set[str]:
        try:
            return {f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations()}
        except Exception:
            return set()

    before = applied()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - t0
    newly_applied = sorted(applied() - before)
    load_s = 0.0
    if not reused:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from lexcase.web.demo import demo_generate

        t0 = time.perf_counter()
        demo_generate(matters=matters, seed=seed)
        _add_case_numbers(random.Random(seed))
        load_s = time.perf_counter() - t0
    # The demo leaves a large firm's search entries to the task worker: build them here
    # (also on a reused database whose index is short of its matters).
    index_s = _ensure_search_index() if search_index else 0.0
    t0 = time.perf_counter()
    analyze()
    analyze_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        matter_indexes = sorted(
            name
            for name, info in connection.introspection.get_constraints(
                cur, "matters_matter"
            ).items()
            if info.get("index") and not info.get("primary_key")
        )
        jit = None
        if connection.vendor == "postgresql":
            cur.execute("SHOW jit")
            jit = cur.fetchone()[0]
    return {
        "reused": reused,
        "migrations_applied_now": newly_applied,
        "matters_migrations": sorted(m for m in applied() if m.startswith("matters.")),
        "matter_indexes": matter_indexes,
        "pg_jit": jit,
        "migrate_s": round(migrate_s, 1),
        "load_s": round(load_s, 1),
        "search_index_s": round(index_s, 1),
        "analyze_s": round(analyze_s, 1),
    }


# 案号 written on the bench's matters (demo_generate writes none): (court code, type code).
_COURTS = ["京0105", "京0108", "沪0115", "粤0304", "粤03", "浙0106", "苏05", "川0107",
           "京", "最高法"]  # fmt: skip
_CASE_TYPES = ["民初", "民终", "刑初", "行初", "执", "民申"]


def _add_case_numbers(rng: random.Random) -> int:
    """One 案号 on 60% of the matters and a second (appeal) on a tenth of those, canonical
    full-width form, so `q=` by 案号 has something to find."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.matters.models import CourtCaseNumber, Matter, Stage

    rows = []
    for pk, opened in Matter.objects.order_by("pk").values_list("pk", "opened_on").iterator():
        if rng.random() >= 0.6:
            continue
        year = opened.year if opened else 2024
        for i in range(2 if rng.random() < 0.1 else 1):
            court = rng.choice(_COURTS)
            kind = _CASE_TYPES[1] if i else rng.choice(_CASE_TYPES)
            rows.append(
                CourtCaseNumber(
                    matter_id=pk,
                    stage=Stage.SECOND_INSTANCE if i else Stage.FIRST_INSTANCE,
                    number=f"（{year + i}）{court}{kind}{rng.randint(1, 30000)}号",
                    year=year + i,
                    court_code=court,
                    type_code=kind,
                )
            )
    CourtCaseNumber.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _ensure_search_index() -> float:
    """Index every matter in the search index unless it already is; seconds spent."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.matters.models import Matter
    from lexcase.search.models import SearchEntry
    from lexcase.search.services import search_index_optimize, search_matters_reindex

    have = SearchEntry.objects.filter(kind=SearchEntry.Kind.MATTER).count()
    if have >= Matter.objects.count():
        return 0.0
    t0 = time.perf_counter()
    print(f"  indexing {Matter.objects.count()} matters for search", file=sys.stderr, flush=True)
    search_matters_reindex()
    search_index_optimize()
    return time.perf_counter() - t0


def _dataset() -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.accounts.models import User
    from lexcase.matters.models import EthicalWall, Matter, MatterMember, MatterParty
    from lexcase.parties.models import Party

    names = Party.objects.values_list("name", flat=True)
    total_parties = Party.objects.count()
    return {
        "matters": Matter.objects.count(),
        "confidential_matters": Matter.objects.filter(confidential=True).count(),
        "parties": total_parties,
        "distinct_party_names": names.distinct().count(),
        "matter_parties": MatterParty.objects.count(),
        "matter_members": MatterMember.objects.count(),
        "ethical_walls": EthicalWall.objects.count(),
        "users": User.objects.count(),
    }


def _scenarios(rng: random.Random) -> tuple[dict[str, Any], list[tuple[str, list[Any]]]]:
    """Personas and (filter name, [MatterFilters variants]) sampled from the data."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.accounts.models import PracticeArea, User
    from lexcase.matters.models import CourtCaseNumber, Matter, MatterMember
    from lexcase.matters.selectors import MatterFilters
    from lexcase.parties.models import Party, PartyKind

    admin = User.objects.get(username="admin")
    lawyer = User.objects.get(username="lawyer")
    personas = {"admin": admin, "lawyer": lawyer}
    lead = User.objects.get(username="lawyer2")
    areas = list(PracticeArea.objects.order_by("pk").values_list("pk", flat=True))
    # Party names sampled from the data (parties linked to matters, taken at random pks).
    max_pk = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    short, full = [], []
    case_numbers = list(
        CourtCaseNumber.objects.filter(
            pk__in=[rng.randint(1, CourtCaseNumber.objects.count() or 1) for _ in range(10)]
        ).values_list("number", flat=True)
    )
    tries = 0
    while (len(short) < 10 or len(full) < 10) and tries < 5000:
        tries += 1
        party = Party.objects.filter(pk__gte=rng.randint(1, max_pk)).order_by("pk").first()
        if party is None:
            continue
        if party.kind == PartyKind.PERSON and len(party.name) >= 2 and len(short) < 10:
            # A 2-character query: the surname plus the first given-name character
            # (Chinese names are 2-3 characters, so this is often the whole name).
            short.append(party.name[:2])
        elif party.kind == PartyKind.ORGANIZATION and len(full) < 10:
            full.append(party.name)
    area_lawyer = [MatterFilters(practice_area=a, lawyer=lead.pk) for a in areas[:5]] or [
        MatterFilters(lawyer=lead.pk)
    ]
    filters = [
        ("none (activity)", [MatterFilters()]),
        ("status=open", [MatterFilters(status="open")]),
        ("civil + P1", [MatterFilters(matter_type="civil", priority="P1")]),
        ("practice_area + lawyer", area_lawyer),
        ("q=2-char name", [MatterFilters(q=s) for s in short]),
        ("q=party name", [MatterFilters(q=s) for s in full]),
        ("q=案号", [MatterFilters(q=s) for s in case_numbers]),
        ("sort=number", [MatterFilters(sort="number")]),
    ]
    meta = {
        "personas": {k: {"id": u.pk, "role": u.role} for k, u in personas.items()},
        "visible": {},
        "lawyer_filter": lead.username,
        "member_of": {k: MatterMember.objects.filter(user=u).count() for k, u in personas.items()},
        "q_short": short,
        "q_full": full,
        "q_case_number": case_numbers,
        "max_matter_pk": Matter.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }
    return {"personas": personas, "meta": meta}, filters


@contextmanager
def _no_text_index() -> Iterator[None]:
    """The matter list without its text index: the LIKE scan of q=."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.matters import extensions

    saved = list(extensions._TEXT_INDEX)
    extensions._TEXT_INDEX[:] = []
    try:
        yield
    finally:
        extensions._TEXT_INDEX[:] = saved


def _progress(name: str, r: dict[str, Any]) -> None:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    if "error" in r:
        line = f"ERROR {r['error']}"
    else:
        line = f"p50 {r['p50']:.2f} ms  p95 {r['p95']:.2f} ms  queries {r['queries']}"
    print(f"  [{connection.vendor}] {name}: {line}", file=sys.stderr, flush=True)


def _explain(qs: Any, pg: bool) -> str:
    if pg:
        return qs.explain(analyze=True, buffers=True)
    return qs.explain()


def worker(args: argparse.Namespace) -> dict[str, Any]:
    url, label = _db_names(args.db, args.matters, args.primary)
    prep = _prepare(args.db, url, args.matters, args.seed, args.reuse)
    if args.clock == "cpu":
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from django.db import connection as conn

        conn.ensure_connection()
        if conn.vendor == "postgresql":
            # Parallel workers' CPU is not the backend's: keep every query in the backend.
            with conn.cursor() as cur:
                cur.execute("SET max_parallel_workers_per_gather = 0")
        CLOCK[0] = cpu_clock

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from lexcase.matters.models import Matter
    from lexcase.matters.selectors import (
        COUNT_CAP,
        SORTS,
        MatterFilters,
        _decode_cursor,
        _encode_cursor,
        _keyset_after,
        matters_filter,
        matters_page,
    )

    # Import the URLconf now: a broken tree should fail before minutes of measuring.
    import_module(settings.ROOT_URLCONF)
    pg = connection.vendor == "postgresql"
    rng = random.Random(args.seed)
    ctx, filters = _scenarios(rng)
    personas = ctx["personas"]
    runs = args.queries
    only = [o for o in (args.only or "").split(",") if o]
    if only:
        filters = [(n, v) for n, v in filters if any(o in n for o in only)]
    results: dict[str, Any] = {}

    # (1) Baseline: bare keyset page of 50 by PK, cursors sampled across the table.
    pks = sorted(Matter.objects.values_list("pk", flat=True))
    cursors = [pks[rng.randint(PAGE, len(pks) - 1)] for _ in range(max(runs, 40))]

    def bare(cursor: int) -> Callable[[], int]:
        return lambda: len(list(Matter.objects.filter(pk__lt=cursor).order_by("-pk")[:PAGE]))

    results["baseline: bare keyset page by PK"] = _measure([bare(c) for c in cursors], runs)
    _progress("baseline", results["baseline: bare keyset page by PK"])

    # (2) matters_page for each persona x filter, page 1 and page 1 + DEEP_HOPS.
    def page_call(user: Any, f: MatterFilters, cursor: str) -> Callable[[], int]:
        return lambda: len(matters_page(user=user, filters=f, cursor=cursor).items)

    def count_call(user: Any, f: MatterFilters) -> Callable[[], int]:
        # Exactly the `total` matters_page computes: a count capped at COUNT_CAP + 1 rows.
        return lambda: matters_filter(user=user, filters=f).values("pk")[: COUNT_CAP + 1].count()

    def uncapped_count_call(user: Any, f: MatterFilters) -> Callable[[], int]:
        # Reference only (matters_page no longer does this): the exact number of matches.
        return lambda: matters_filter(user=user, filters=f).count()

    def rows_call(user: Any, f: MatterFilters, cursor: str) -> Callable[[], int]:
        # matters_page minus the count(): the same filter, keyset and ordering.
        order = SORTS.get(f.sort, SORTS["activity"])

        def call() -> int:
            qs = matters_filter(user=user, filters=f)
            if cursor:
                qs = qs.filter(_keyset_after(order, _decode_cursor(cursor, len(order))))
            ordering = [f"-{n}" if d else n for n, d in order]
            qs = qs.select_related("practice_area", "cause").order_by(*ordering)
            return len(list(qs[: PAGE + 1])[:PAGE])

        return call

    def far_cursor(user: Any, f: MatterFilters) -> tuple[str, int] | None:
        # The cursor of page min(FAR_PAGE, last full page), seeded once with an OFFSET
        # query (following 1,000 next_cursor hops would take minutes).
        order = SORTS.get(f.sort, SORTS["activity"])
        total = matters_filter(user=user, filters=f).count()
        page = min(FAR_PAGE, total // PAGE)
        if page <= DEEP_HOPS + 1:
            return None
        qs = matters_filter(user=user, filters=f).order_by(*[f"-{n}" if d else n for n, d in order])
        values = qs.values_list(*[n for n, _d in order])[(page - 1) * PAGE - 1]
        return _encode_cursor(list(values)), page

    recall: dict[str, Any] = {}
    deep_cursors: dict[tuple[str, str], list[tuple[MatterFilters, str, int]]] = {}
    for pname, user in personas.items():
        ctx["meta"]["visible"][pname] = matters_filter(user=user, filters=MatterFilters()).count()
        for fname, variants in filters:
            deep = []
            for f in variants:
                cursor, hops = "", 0
                while hops < DEEP_HOPS:
                    nxt = matters_page(user=user, filters=f, cursor=cursor).next_cursor
                    if nxt is None:
                        break
                    cursor, hops = nxt, hops + 1
                deep.append((f, cursor, hops))
            deep_cursors[(pname, fname)] = deep
            key = f"{pname} | {fname}"
            results[f"{key} | page 1"] = _measure([page_call(user, f, "") for f in variants], runs)
            reached = sorted({h + 1 for _f, _c, h in deep})
            results[f"{key} | page {DEEP_HOPS + 1}"] = {
                **_measure([page_call(user, f, c) for f, c, _h in deep], runs),
                "page_reached": reached,
            }
            far = [(f, far_cursor(user, f)) for f in variants]
            far = [(f, fc) for f, fc in far if fc is not None]
            if far:
                results[f"{key} | page <={FAR_PAGE} (deepest)"] = {
                    **_measure([page_call(user, f, c) for f, (c, _p) in far], runs),
                    "page_reached": sorted({p for _f, (_c, p) in far}),
                }
            results[f"{key} | capped count only (as matters_page)"] = _measure(
                [count_call(user, f) for f in variants], runs
            )
            results[f"{key} | uncapped count() (reference, not in matters_page)"] = _measure(
                [uncapped_count_call(user, f) for f in variants], runs
            )
            results[f"{key} | rows only (page 1, no count)"] = _measure(
                [rows_call(user, f, "") for f in variants], runs
            )
            if fname.startswith("q="):
                # The LIKE scan (no text index registered): the reference of issue 15, and
                # the recall check: every variant's whole result, index vs scan.
                def scan_call(user: Any, f: MatterFilters) -> Callable[[], int]:
                    def call() -> int:
                        with _no_text_index():
                            return len(matters_page(user=user, filters=f).items)

                    return call

                results[f"{key} | LIKE scan page 1 (no index; reference)"] = _measure(
                    [scan_call(user, f) for f in variants], runs
                )
                equal, sizes = 0, []
                for f in variants:
                    got = set(matters_filter(user=user, filters=f).values_list("pk", flat=True))
                    with _no_text_index():
                        want = set(
                            matters_filter(user=user, filters=f).values_list("pk", flat=True)
                        )
                    equal += got == want
                    sizes.append(len(want))
                recall[key] = {"variants": len(variants), "equal": equal, "matches": sizes}
            for k, v in results.items():
                if k.startswith(key):
                    _progress(k, v)

    # (3) The real views, templates included: the list and the matter page, each beside
    # its bare queries (the SELECTs the view ran, replayed as captured on a raw cursor).
    from urllib.parse import urlencode

    _mfa_enrol(list(personas.values()))
    view_results: dict[str, Any] = {}
    view_filters = [
        ("none (activity)", {}),
        ("status=open", {"status": "open"}),
        ("q=2-char name", {"q": ctx["meta"]["q_short"][0]} if ctx["meta"]["q_short"] else {}),
        ("q=party name", {"q": ctx["meta"]["q_full"][0]} if ctx["meta"]["q_full"] else {}),
        (
            "q=案号",
            {"q": ctx["meta"]["q_case_number"][0]} if ctx["meta"]["q_case_number"] else {},
        ),
        ("sort=number", {"sort": "number"}),
    ]
    if only:
        view_filters = [(n, p) for n, p in view_filters if any(o in n for o in only)]

    def view_get(client: Any, path: str, marker: bytes) -> Callable[[], int]:
        def get() -> int:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
            return response.content.count(marker)

        return get

    def measure_view(vkey: str, gets: list[Callable[[], int]], paths: list[str]) -> None:
        try:
            # The SELECTs captured from a warm view, as when they were captured after it
            # had been timed.
            for i in range(max(WARMUPS, len(gets))):
                gets[i % len(gets)]()
            bare = [_bare_replay(get) for get in gets]
            view, replay = _measure_pair(gets, [b for b, _n in bare], runs)
            view_results[vkey] = {**view, "path": paths[0]}
            view_results[vkey]["bare queries"] = {
                **replay,
                "selects": sorted({n for _b, n in bare}),
            }
        except Exception as exc:  # a broken view must not lose the other figures
            traceback.print_exc()
            view_results[vkey] = {"error": repr(exc)[:300], "path": paths[0]}
        _progress(f"view {vkey}", view_results[vkey])

    row_marker = b'<td class="nowrap"><a href="/matters/'
    for pname, user in personas.items():
        client = Client()
        client.force_login(user)
        for fname, params in view_filters:
            for page_label, after in (("page 1", ""), (f"page {DEEP_HOPS + 1}", None)):
                p = dict(params)
                if after is None:
                    f = MatterFilters(**{k: v for k, v in params.items()})
                    match = [c for ff, c, _h in deep_cursors.get((pname, fname), []) if ff == f]
                    if not match or not match[0]:
                        continue
                    p["after"] = match[0]
                path = "/matters/" + ("?" + urlencode(p) if p else "")
                vkey = f"{pname} | list {fname} | {page_label}"
                measure_view(vkey, [view_get(client, path, row_marker)], [path])
        # The matter page of 10 visible matters with parties (and 案号 where the data has
        # them), sampled across the table.
        visible = matters_filter(user=user, filters=MatterFilters()).order_by("pk")
        n_visible = visible.count()
        pks = [
            visible.values_list("pk", flat=True)[i * n_visible // 10]
            for i in range(10)
            if n_visible
        ]
        paths = [f"/matters/{pk}/" for pk in pks]
        gets = [view_get(client, path, b"<h1") for path in paths]
        if not only or any(o in "matter page" for o in only):
            measure_view(f"{pname} | matter page", gets, paths)

    # Plans: the lawyer's main list SQL (and its count), page 1, no filter.
    lawyer = personas["lawyer"]
    base = matters_filter(user=lawyer, filters=MatterFilters())
    order = SORTS["activity"]
    listed = base.select_related("practice_area", "cause").order_by(
        *[f"-{n}" if d else n for n, d in order]
    )[: PAGE + 1]
    admin_deep = (deep_cursors.get(("admin", "none (activity)")) or [(None, "", 0)])[0][1]
    plans = {
        "lawyer | none | page 1 rows": _explain(listed, pg),
        "lawyer | none | count()": _explain(base, pg) if not pg else _explain_count(base),
        "admin | none | count()": _explain_count(
            matters_filter(user=personas["admin"], filters=MatterFilters())
        )
        if pg
        else _explain(matters_filter(user=personas["admin"], filters=MatterFilters()), pg),
        "admin | none | capped count": _explain_count(
            matters_filter(user=personas["admin"], filters=MatterFilters()),
            capped=COUNT_CAP + 1,
        )
        if pg
        else _explain(
            matters_filter(user=personas["admin"], filters=MatterFilters()).values("pk")[
                : COUNT_CAP + 1
            ],
            pg,
        ),
    }
    if admin_deep:
        plans["admin | none | page 21 rows (keyset)"] = _explain(
            matters_filter(user=personas["admin"], filters=MatterFilters())
            .filter(_keyset_after(order, _decode_cursor(admin_deep, len(order))))
            .select_related("practice_area", "cause")
            .order_by(*[f"-{n}" if d else n for n, d in order])[: PAGE + 1],
            pg,
        )
    for label, key in (("2-char", "q_short"), ("party name", "q_full"), ("案号", "q_case_number")):
        if ctx["meta"][key]:
            f = MatterFilters(q=ctx["meta"][key][0])
            for pname in ("lawyer", "admin"):
                plans[f"{pname} | q={label} | page 1 rows"] = _explain(
                    matters_filter(user=personas[pname], filters=f)
                    .select_related("practice_area", "cause")
                    .order_by("-updated_at", "-id")[: PAGE + 1],
                    pg,
                )

    db_settings = settings.DATABASES["default"]
    return {
        "db": args.db,
        "vendor": connection.vendor,
        "server_version": _server_version(),
        "database": label,
        "matters_requested": args.matters,
        "seed": args.seed,
        "runs": runs,
        "warmups": WARMUPS,
        "clock": args.clock,
        "options": {
            k: v
            for k, v in (db_settings.get("OPTIONS") or {}).items()
            if k in ("server_side_binding", "prepare_threshold", "transaction_mode", "options")
        },
        "prepare": prep,
        "dataset": _dataset(),
        "scenario_meta": {k: v for k, v in ctx["meta"].items()},
        "results": results,
        "recall_index_vs_like": recall,
        "view": view_results,
        "plans": plans,
    }


def _mfa_enrol(users: list[Any]) -> None:
    """Give the personas a TOTP authenticator: the firm requires one of admins and partners
    (LEXCASE_MFA_REQUIRED_ROLES), and without it every page redirects to enrolment. The
    enrolment check then costs the view what it costs a real enrolled user."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    for user in users:
        Authenticator.objects.get_or_create(
            user=user,
            type=Authenticator.Type.TOTP,
            defaults={"data": {"secret": encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")}},
        )


def _is_read(sql: str) -> bool:
    """A SELECT, or a statement opening with a WITH clause (none of the app's writes does)."""
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def _bare_replay(call: Callable[[], int]) -> tuple[Callable[[], int], int]:
    """The SELECTs `call` runs, captured once (with their parameters bound, as the backends
    report them) and replayed on the raw DB-API cursor: the view's bare queries, without
    the ORM, the template or the middleware. A read that opens with a WITH clause (a
    searched list page on PostgreSQL: `matters.selectors._ListQuery.searched_page`) is a
    SELECT too. Writes (the audit row of a matter page, the session) are not replayed; the
    number of SELECTs is returned beside the replay."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    selects = [q["sql"] for q in ctx.captured_queries if _is_read(q["sql"])]

    def replay() -> int:
        cur = connection.connection.cursor()
        try:
            for sql in selects:
                cur.execute(sql)
                cur.fetchall()
        finally:
            cur.close()
        return len(selects)

    return replay, len(selects)


def _explain_count(qs: Any, capped: int | None = None) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL that `qs.count()` runs (PostgreSQL).

    The SQL is captured from a real count() call; psycopg 3 reports it with the
    parameters bound client-side, so it is executable as it stands.
    """
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        if capped:
            qs.values("pk")[:capped].count()
        else:
            qs.count()
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


def _server_version() -> str:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
        else:
            cur.execute("SELECT sqlite_version()")
        return str(cur.fetchone()[0])


# -- the parent -------------------------------------------------------------------------


def _run_child(db: str, matters: int, primary: bool, args: argparse.Namespace) -> dict[str, Any]:
    VAR.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".json", dir=VAR, delete=False) as tmp:
        out = Path(tmp.name)
    cmd = [
        sys.executable,
        "-m",
        "bench.matter_list",
        "--worker",
        "--db",
        db,
        "--matters",
        str(matters),
        "--seed",
        str(args.seed),
        "--queries",
        str(args.queries),
        "--worker-out",
        str(out),
    ]
    if primary:
        cmd.append("--primary")
    if args.reuse:
        cmd.append("--reuse")
    if args.setup_only:
        cmd.append("--setup-only")
    if args.only:
        cmd += ["--only", args.only]
    cmd += ["--clock", args.clock]
    print(f"== {db}: {matters} matters ==", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    data = json.loads(out.read_text())
    out.unlink()
    data["wall_s"] = round(time.perf_counter() - t0, 1)
    return data


def _ratio(a: float, b: float) -> float:
    return round(a / b, 1) if b else float("nan")


def _table(run: dict[str, Any], check: dict[str, Any] | None) -> str:
    base = run["results"]["baseline: bare keyset page by PK"]
    lines = [
        f"{run['vendor']} {run['server_version']}, {run['dataset']['matters']} matters "
        f"(query-count check at {check['dataset']['matters'] if check else '-'} matters)",
        "",
        "| scenario | p50 ms | p95 ms | p99 ms | max ms | rows | queries | queries @small "
        "| p50/base | p95/base |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for section, key in (("results", "matters_page"), ("view", "view")):
        for name, r in run[section].items():
            small = (check or {}).get(section, {}).get(name)
            if "error" in r:
                lines.append(f"| VIEW {name} | error: {r['error'][:80]} |||||||||")
                continue
            if small and "error" in small:
                small = None
            rows = r["rows"]
            rows_s = str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]}"
            label = name if key == "matters_page" else f"VIEW {name}"
            lines.append(
                f"| {label} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['max']:.2f} "
                f"| {rows_s} | {'/'.join(map(str, r['queries']))} "
                f"| {'/'.join(map(str, small['queries'])) if small else '-'} "
                f"| {_ratio(r['p50'], base['p50'])}× | {_ratio(r['p95'], base['p95'])}× |"
            )
    views = {k: v for k, v in run["view"].items() if "error" not in v and "bare queries" in v}
    if views:
        lines += [
            "",
            "| view | p50 / p95 ms | bare queries p50 / p95 ms (SELECTs) | view ÷ bare queries "
            "p50 / p95 | view ÷ bare keyset page p50 / p95 |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, r in views.items():
            b = r["bare queries"]
            lines.append(
                f"| {name} | {r['p50']:.2f} / {r['p95']:.2f} "
                f"| {b['p50']:.2f} / {b['p95']:.2f} ({'/'.join(map(str, b['selects']))}) "
                f"| {_ratio(r['p50'], b['p50'])}× / {_ratio(r['p95'], b['p95'])}× "
                f"| {_ratio(r['p50'], base['p50'])}× / {_ratio(r['p95'], base['p95'])}× |"
            )
    recall = run.get("recall_index_vs_like") or {}
    if recall:
        lines += ["", "| q= recall (index vs LIKE scan, whole result) | variants equal | matches |"]
        lines.append("|---|---:|---|")
        for name, r in recall.items():
            lines.append(
                f"| {name} | {r['equal']}/{r['variants']} | {', '.join(map(str, r['matches']))} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--queries", type=int, default=40, help="timed runs per scenario (≥ 30)")
    parser.add_argument(
        "--check-matters",
        type=int,
        default=1000,
        help="also run at this scale to compare query counts (0: skip)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep a bench DB with ≥ N matters")
    parser.add_argument(
        "--parallel", action="store_true", help="run the databases side by side (noisier)"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated: run only the filters whose name contains one"
    )
    parser.add_argument("--setup-only", action="store_true", help="prepare the DBs and stop")
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="time with wall time, or CPU time of this process + its PostgreSQL backend",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "matter_list.json"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--primary", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        if args.setup_only:
            url, _label = _db_names(args.db, args.matters, args.primary)
            data: dict[str, Any] = {
                "prepare": _prepare(args.db, url, args.matters, args.seed, args.reuse)
            }
        else:
            data = worker(args)
        Path(args.worker_out).write_text(json.dumps(data, ensure_ascii=False))
        return 0

    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {
        "benchmark": "matter_list",
        "command": "python -m bench.matter_list "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "goal": "matters_page p50, p95 <= 5x the bare keyset page; query count independent of N",
        "databases": {},
    }

    def run_db(db: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"main": _run_child(db, args.matters, True, args)}
        if args.check_matters and args.check_matters != args.matters:
            entry["check"] = _run_child(db, args.check_matters, False, args)
        return entry

    if args.parallel and len(dbs) > 1:
        # One child per database at the same time: halves the wall time on a 2-core box at
        # the price of noisier absolute numbers (ratios are taken within each child).
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(dbs)) as pool:
            entries = dict(zip(dbs, pool.map(run_db, dbs), strict=True))
    else:
        entries = {db: run_db(db) for db in dbs}
    report["parallel"] = bool(args.parallel and len(dbs) > 1)
    report["databases"] = entries
    if args.setup_only:
        print(json.dumps(report["databases"], indent=1))
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    for db, entry in report["databases"].items():
        print(f"\n### {db}\n")
        print(_table(entry["main"], entry.get("check")))
    print(f"\nJSON: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
