"""Tasks and workload benchmark (issue #5 item 9; docs/quality.md §5 principles).

    .venv/bin/python -m bench.tasks [--matters 100000 --tasks 1000000 | --quick]
        [--db sqlite|postgres|both] [--seed 42] [--reuse] [--runs 30]
        [--check-matters 2000 --check-tasks 20000] [--out bench/results/tasks.json]

Per database a child process (DATABASE_URL set before django.setup()) prepares a dedicated
database (SQLite `var/bench/tasks_<matters>.sqlite3`, PostgreSQL `lexcase_bench_tasks`, the
small query-count database `lexcase_bench_tasks_<matters>`), migrates it and loads a firm of
its own (not the 11-user demo firm): 1 admin, 10 partners, 70 lawyers, 10 assistants in five
teams with practice areas; `--matters` matters (60% open, P1/P2/P3 10/60/30, stages by
type, 5% confidential) each with a responsible partner and a lead lawyer (plus a member 40%
and an assistant 30% of the time), a few ethical walls, matters/1 deadlines and matters/5
hearings (today ± 90 days) and `--tasks` tasks (95% on a matter, assigned mostly to its
lead; 5% personal with no matter; due today ± 90 days, 3% undated; most done). Matters,
members, deadlines and hearings go through bulk_create; tasks are inserted raw
(COPY on PostgreSQL, executemany on SQLite). Then ANALYZE.

Timing is warm and interleaved: every round runs each operation once, in rotating order, so
machine noise hits all of them alike. For a typical lawyer, a partner and the admin:

- floor: one Task by primary key;
- baseline: `Task.objects.filter(assignee=u, status="todo").order_by("priority", "due_at")[:200]`
  (bare, indexed, no gate) — the "my tasks" ratios are against it;
- `selectors.board(user=u, flt=BoardFilter(assignee_id=u.pk))` and `GET /tasks/`;
- `selectors.board(user=u, flt=BoardFilter())` (what `GET /tasks/?assignee=` shows: every
  task the user can see);
- `selectors.agenda_source(user=u, start=today, end=today+7)`;
- for the partner and the admin also the workload baseline `MatterMember.objects.filter(
  role="lead", matter__status="open").values("user_id").annotate(Count("id"))`,
  `workload.workload()`, `workload.lead_suggestions()` and `GET /workload/`.

Query counts come from CaptureQueriesContext during the warm-up and are repeated on a small
database (`--check-matters` / `--check-tasks`) to show they do not grow with the data. The
SQL the selectors ran is re-run under EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL and EXPLAIN
QUERY PLAN on SQLite. The script reports; it never asserts. It writes JSON (`--out`) and a
markdown section next to it (same name, `.md`).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, analyze, run_child, server_version, setup_django
from bench.common import recreate as _recreate
from bench.common import stats as _stats

WARMUPS = 3
SLOW_S, SLOW_RUNS = 1.0, 7
WEEK = 7
PERSONAS = ["lawyer01", "partner01", "admin"]
N_PARTNERS, N_LAWYERS, N_ASSISTANTS = 10, 70, 10
TEAMS = ["民商事争议解决部", "公司与合规部", "刑事与行政部", "知识产权部", "劳动与社保部"]
GOAL_RATIO = 5.0

STAGES_BY_TYPE = {
    "civil": ["filing", "first_instance", "second_instance", "retrial"],
    "commercial_arbitration": ["arbitration"],
    "labor_arbitration": ["arbitration", "first_instance"],
    "criminal": ["investigation", "prosecution_review", "first_instance"],
    "administrative": ["first_instance", "second_instance"],
    "enforcement": ["enforcement"],
    "non_litigation": ["ongoing"],
    "counsel": ["ongoing"],
    "consultation": ["preparation"],
}
MATTER_STATUS = [("intake", 8), ("open", 60), ("closed", 27), ("archived", 5)]
PRIORITY = [("P1", 10), ("P2", 60), ("P3", 30)]
# Task status by due date, on matters still open (tasks on closed matters are all done).
PAST_TASK = [("done", 80), ("todo", 13), ("doing", 7)]
FUTURE_TASK = [("todo", 62), ("doing", 15), ("done", 23)]
TASK_TITLES = [
    "收集证据",
    "起草起诉状",
    "缴纳诉讼费",
    "提交证据目录",
    "与当事人沟通",
    "准备质证意见",
    "撰写代理词",
    "申请财产保全",
    "核对判决书",
    "归档",
]


# -- databases --------------------------------------------------------------------------


def _db_url(db: str, primary: bool, matters: int) -> tuple[str, str]:
    if db == "sqlite":
        path = VAR / "bench" / f"tasks_{matters}.sqlite3"
        return f"sqlite:///{path}", str(path.relative_to(ROOT))
    name = "lexcase_bench_tasks" if primary else f"lexcase_bench_tasks_{matters}"
    return f"{PG_SERVER}/{name}", name


def _existing(db: str, url: str) -> tuple[int, int]:
    """(matters, tasks) already in the bench database; (0, 0) if absent or unreadable."""
    try:
        if db == "sqlite":
            # The driver of the database being measured, only.
            import sqlite3

            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                return 0, 0
            with sqlite3.connect(path) as conn:
                m = conn.execute("SELECT count(*) FROM matters_matter").fetchone()[0]
                t = conn.execute("SELECT count(*) FROM todos_task").fetchone()[0]
                return m, t
        # The driver of the database being measured, only.
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            m = conn.execute("SELECT count(*) FROM matters_matter").fetchone()[0]
            t = conn.execute("SELECT count(*) FROM todos_task").fetchone()[0]
            return m, t
    except Exception:
        return 0, 0


# -- loading ----------------------------------------------------------------------------


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _load_firm(rng: random.Random) -> dict[str, list[int]]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.contrib.auth.hashers import make_password

    from lexcase.accounts.models import PracticeArea, Role, Team, User

    teams = [Team.objects.get_or_create(name=n)[0] for n in TEAMS]
    areas = list(PracticeArea.objects.order_by("pk"))
    unusable = make_password(None)  # force_login needs no password
    users = [User(username="admin", name="周主任", role=Role.ADMIN, password=unusable)]
    for i in range(1, N_PARTNERS + 1):
        users.append(
            User(
                username=f"partner{i:02d}",
                name=f"合伙人{i:02d}",
                role=Role.PARTNER,
                team=teams[i % len(teams)],
                password=unusable,
            )
        )
    for i in range(1, N_LAWYERS + 1):
        users.append(
            User(
                username=f"lawyer{i:02d}",
                name=f"律师{i:02d}",
                role=Role.LAWYER,
                team=teams[i % len(teams)],
                password=unusable,
            )
        )
    for i in range(1, N_ASSISTANTS + 1):
        users.append(
            User(
                username=f"assistant{i:02d}",
                name=f"助理{i:02d}",
                role=Role.ASSISTANT,
                team=teams[i % len(teams)],
                password=unusable,
            )
        )
    User.objects.bulk_create(users)
    users = list(User.objects.order_by("pk"))
    through = User.practice_areas.through
    links = []
    for u in users:
        if u.role in (Role.LAWYER, Role.PARTNER) and areas:
            for a in rng.sample(areas, k=min(len(areas), rng.choice([1, 1, 2]))):
                links.append(through(user_id=u.pk, practicearea_id=a.pk))
    through.objects.bulk_create(links)
    return {
        "admin": [u.pk for u in users if u.role == Role.ADMIN],
        "partner": [u.pk for u in users if u.role == Role.PARTNER],
        "lawyer": [u.pk for u in users if u.role == Role.LAWYER],
        "assistant": [u.pk for u in users if u.role == Role.ASSISTANT],
        "area": [a.pk for a in areas],
    }


def _load_matters(
    rng: random.Random, n: int, people: dict[str, list[int]], today: date
) -> dict[int, dict[str, Any]]:
    """Matters, members and a few walls; returns {matter_id: team and status}."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.matters.models import EthicalWall, Matter, MatterMember

    types = list(STAGES_BY_TYPE)
    info: dict[int, dict[str, Any]] = {}
    batch = 5000
    made = 0
    while made < n:
        rows = []
        for i in range(made, min(n, made + batch)):
            mtype = rng.choice(types)
            status = _pick(rng, MATTER_STATUS)
            opened = today - timedelta(days=rng.randint(0, 5 * 365))
            rows.append(
                Matter(
                    number=f"B-{i + 1:07d}",
                    title=f"基准案件{i + 1}",
                    matter_type=mtype,
                    practice_area_id=rng.choice(people["area"]) if people["area"] else None,
                    priority=_pick(rng, PRIORITY),
                    status=status,
                    stage="preparation"
                    if status == "intake"
                    else rng.choice(STAGES_BY_TYPE[mtype]),
                    confidential=rng.random() < 0.05,
                    opened_on=None if status == "intake" else opened,
                    closed_on=opened + timedelta(days=200)
                    if status in ("closed", "archived")
                    else None,
                    created_by_id=rng.choice(people["lawyer"]),
                )
            )
        Matter.objects.bulk_create(rows, batch_size=2000)
        members, walls = [], []
        for m in rows:
            partner = rng.choice(people["partner"])
            lead = rng.choice(people["lawyer"])
            team = {"partner": partner, "lead": lead, "member": None, "assistant": None}
            members.append(
                MatterMember(matter_id=m.pk, user_id=partner, role="responsible_partner")
            )
            members.append(MatterMember(matter_id=m.pk, user_id=lead, role="lead"))
            if rng.random() < 0.4:
                other = rng.choice(people["lawyer"])
                if other != lead:
                    team["member"] = other
                    members.append(MatterMember(matter_id=m.pk, user_id=other, role="member"))
            if rng.random() < 0.3:
                a = rng.choice(people["assistant"])
                team["assistant"] = a
                members.append(MatterMember(matter_id=m.pk, user_id=a, role="assistant"))
            if rng.random() < 0.003:
                # A wall on someone who is not on the team, partners included.
                on_team = set(team.values())
                cand = [u for u in people["partner"] + people["lawyer"] if u not in on_team]
                walls.append(EthicalWall(matter_id=m.pk, user_id=rng.choice(cand), reason="对方"))
            info[m.pk] = {
                "status": m.status,
                "priority": m.priority,
                **team,
            }
        MatterMember.objects.bulk_create(members, batch_size=5000)
        EthicalWall.objects.bulk_create(walls)
        made += len(rows)
    return info


def _load_calendar(
    rng: random.Random, info: dict[int, dict[str, Any]], n_deadlines: int, today: date
) -> None:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.utils import timezone

    from lexcase.calendar.models import Deadline, Hearing

    tz = timezone.get_current_timezone()
    open_ids = [m for m, v in info.items() if v["status"] == "open"]
    if not open_ids:
        return
    batch = 5000
    made = 0
    while made < n_deadlines:
        rows = []
        for _ in range(min(batch, n_deadlines - made)):
            m = rng.choice(open_ids)
            offset = rng.randint(-90, 90)
            rows.append(
                Deadline(
                    matter_id=m,
                    title="举证期限届满",
                    due_date=today + timedelta(days=offset),
                    responsible_id=info[m]["lead"],
                    status=("open" if rng.random() < 0.94 else "done")
                    if offset >= 0
                    else ("done" if rng.random() < 0.9 else "open"),
                )
            )
        Deadline.objects.bulk_create(rows, batch_size=2000)
        made += len(rows)
    through = Hearing.attendees.through
    n_hearings = max(1, n_deadlines // 5)
    made = 0
    while made < n_hearings:
        rows = []
        for _ in range(min(batch, n_hearings - made)):
            m = rng.choice(open_ids)
            day = today + timedelta(days=rng.randint(-90, 90))
            starts = datetime(day.year, day.month, day.day, rng.choice([9, 10, 14, 15]), tzinfo=tz)
            rows.append(
                Hearing(
                    matter_id=m,
                    title="开庭",
                    court="某区人民法院",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                )
            )
        Hearing.objects.bulk_create(rows, batch_size=2000)
        links = []
        for h in rows:
            links.append(through(hearing_id=h.pk, user_id=info[h.matter_id]["lead"]))
            if rng.random() < 0.4:
                links.append(through(hearing_id=h.pk, user_id=info[h.matter_id]["partner"]))
        through.objects.bulk_create(links, batch_size=5000)
        made += len(rows)


TASK_COLUMNS = [
    "title",
    "notes",
    "matter_id",
    "assignee_id",
    "created_by_id",
    "due_at",
    "priority",
    "priority_inherited",
    "status",
    "kind",
    "checklist_item_id",
    "escalated_at",
    "completed_at",
    "version",
    "created_at",
    "updated_at",
]


def _task_rows(
    rng: random.Random,
    n: int,
    info: dict[int, dict[str, Any]],
    people: dict[str, list[int]],
    now: datetime,
) -> Any:
    """Yield task tuples in TASK_COLUMNS order (aware datetimes)."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    matter_ids = list(info)
    anyone = people["lawyer"] + people["partner"] + people["assistant"] + people["admin"]
    local_today = timezone.localdate(now)
    for _ in range(n):
        personal = rng.random() < 0.05
        if personal:
            matter_id = None
            assignee = rng.choice(anyone)
            creator = assignee
            m_status, prio, inherited = "open", _pick(rng, PRIORITY), False
        else:
            matter_id = rng.choice(matter_ids)
            m = info[matter_id]
            r = rng.random()
            if r < 0.7:
                assignee = m["lead"]
            elif r < 0.85:
                assignee = m["member"] or m["lead"]
            elif r < 0.92:
                assignee = m["assistant"] or m["lead"]
            else:
                assignee = m["partner"]
            creator = m["lead"]
            m_status = m["status"]
            inherited = rng.random() < 0.9
            prio = m["priority"] if inherited else _pick(rng, PRIORITY)
        if rng.random() < 0.03:
            due = None
            status = "done" if m_status in ("closed", "archived") else _pick(rng, FUTURE_TASK)
        else:
            offset = rng.randint(-90, 90)
            day = local_today + timedelta(days=offset)
            due = datetime(day.year, day.month, day.day, rng.randint(9, 18), tzinfo=tz)
            if m_status in ("closed", "archived"):
                status = "done"
            else:
                status = _pick(rng, PAST_TASK if offset < 0 else FUTURE_TASK)
        created = (due or now) - timedelta(days=rng.randint(1, 30))
        completed = None
        if status == "done":
            completed = min(now, (due or now) - timedelta(hours=rng.randint(0, 72)))
        yield (
            rng.choice(TASK_TITLES),
            "",
            matter_id,
            assignee,
            creator,
            due,
            prio,
            inherited,
            status,
            "checklist" if rng.random() < 0.4 else "manual",
            None,
            None,
            completed,
            1,
            created,
            completed or created,
        )


def _insert_tasks(rows: Any, n: int) -> None:
    """Raw bulk insert: COPY on PostgreSQL, executemany on SQLite, 50k rows at a time."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection, transaction

    cols = ", ".join(TASK_COLUMNS)
    chunk = 50_000
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                raw = cur.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY todos_task ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        sql = f"INSERT INTO todos_task ({cols}) VALUES ({', '.join('?' * len(TASK_COLUMNS))})"
        dt_idx = [TASK_COLUMNS.index(c) for c in TASK_COLUMNS if c.endswith("_at")]
        with connection.cursor() as cur:
            raw = cur.cursor
            buf: list[tuple] = []
            for row in rows:
                row = list(row)
                for i in dt_idx:
                    if row[i] is not None:
                        row[i] = adapt(row[i])
                buf.append(tuple(row))
                if len(buf) >= chunk:
                    raw.executemany(sql, buf)
                    buf = []
            if buf:
                raw.executemany(sql, buf)


def _prepare(args: argparse.Namespace, url: str) -> dict[str, Any]:
    have_m, have_t = _existing(args.db, url)
    reused = bool(args.reuse and have_m >= args.matters and have_t >= args.tasks)
    if not reused:
        _recreate(args.db, url)
    setup_django(url)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    out: dict[str, Any] = {"reused": reused}
    t0 = time.perf_counter()
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except Exception as exc:
        if not reused:
            raise
        # Other apps' migrations change while the checkout is shared; the tables measured
        # here are already in place in a reused database.
        out["migrate_error"] = repr(exc)[:200]
    out["migrate_s"] = round(time.perf_counter() - t0, 1)
    if not reused:
        rng = random.Random(args.seed)
        today = timezone.localdate()
        t0 = time.perf_counter()
        with transaction.atomic():
            people = _load_firm(rng)
            info = _load_matters(rng, args.matters, people, today)
        out["matters_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        with transaction.atomic():
            _load_calendar(rng, info, args.matters, today)
        out["calendar_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        _insert_tasks(_task_rows(rng, args.tasks, info, people, timezone.now()), args.tasks)
        out["tasks_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    analyze()
    out["analyze_s"] = round(time.perf_counter() - t0, 1)
    return out


def _dataset(today: date) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db.models import Count, Q
    from django.utils import timezone

    from lexcase.accounts.models import User
    from lexcase.calendar.models import Deadline, Hearing
    from lexcase.matters.models import EthicalWall, Matter, MatterMember
    from lexcase.todos.models import Task

    now = timezone.now()
    per_user = {}
    for username in PERSONAS:
        u = User.objects.filter(username=username).first()
        if u is None:
            continue
        mine = Task.objects.filter(assignee=u)
        per_user[username] = {
            "role": u.role,
            "member_of": MatterMember.objects.filter(user=u).count(),
            "lead_of_open": MatterMember.objects.filter(
                user=u, role="lead", matter__status="open"
            ).count(),
            "tasks": mine.count(),
            "todo": mine.filter(status="todo").count(),
            "doing": mine.filter(status="doing").count(),
            "overdue": mine.exclude(status="done").filter(due_at__lt=now).count(),
        }
    by_role = dict(
        User.objects.values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    statuses = dict(
        Task.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    m_status = dict(
        Matter.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "matters": Matter.objects.count(),
        "matter_status": m_status,
        "confidential_matters": Matter.objects.filter(confidential=True).count(),
        "matter_members": MatterMember.objects.count(),
        "ethical_walls": EthicalWall.objects.count(),
        "users": by_role,
        "tasks": Task.objects.count(),
        "task_status": statuses,
        "personal_tasks": Task.objects.filter(matter__isnull=True).count(),
        "undated_tasks": Task.objects.filter(due_at__isnull=True).count(),
        "open_overdue_tasks": Task.objects.filter(~Q(status="done"), due_at__lt=now).count(),
        "deadlines": Deadline.objects.count(),
        "hearings": Hearing.objects.count(),
        "personas": per_user,
    }


# -- measuring --------------------------------------------------------------------------


def _interleaved(ops: dict[str, Callable[[], int]], runs: int) -> dict[str, Any]:
    """Warm up every op (query counts captured then), then time them round by round."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, set[int]] = {k: set() for k in ops}
    rows: dict[str, set[int]] = {k: set() for k in ops}
    sqls: dict[str, list[str]] = {}
    warm: dict[str, list[float]] = {k: [] for k in ops}
    for _ in range(WARMUPS):
        for name, op in ops.items():
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                rows[name].add(op())
            warm[name].append(time.perf_counter() - t0)
            counts[name].add(len(ctx.captured_queries))
            sqls[name] = [q["sql"] for q in ctx.captured_queries]
    gc.collect()
    samples: dict[str, list[float]] = {k: [] for k in ops}
    cpu: dict[str, list[float]] = {k: [] for k in ops}
    names = list(ops)
    # Operations slower than SLOW_S in the warm-up get only SLOW_RUNS timed rounds (the
    # first ones, still interleaved) so a multi-second plan does not take the whole budget.
    slow = {k for k in ops if warm[k] and statistics.median(warm[k]) > SLOW_S}
    for i in range(runs):
        # Rotate the order so no op always runs right after another one.
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            if name in slow and i >= SLOW_RUNS:
                continue
            c0, t0 = time.process_time(), time.perf_counter()
            rows[name].add(ops[name]())
            samples[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return {
        name: {
            **_stats(samples[name]),
            "cpu_p50": round(statistics.median(cpu[name]) * 1000, 3),
            "rows": sorted(rows[name]),
            "queries": sorted(counts[name]),
        }
        for name in ops
    } | {"_sql": sqls}


def _plan(sql: str, pg: bool) -> list[str]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(("EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN ") + sql)
        out = cur.fetchall()
    return [r[0] for r in out] if pg else [str(r[-1]) for r in out]


BASE_TASKS = "baseline: bare todo query (assignee, status)"
BASE_WORK = "baseline: bare lead count per user"
TASK_OPS = [
    "floor: Task by PK",
    BASE_TASKS,
    "board(): my tasks",
    "GET /tasks/ (page)",
    "board(): all visible (?assignee=)",
    "agenda_source (7 days)",
    "GET /tasks/, 200 cards per column (earlier cap)",
]
CAP200 = TASK_OPS[-1]
ALL_IN = "board(): all visible, member IN gate (proposal)"
TASK_OPS.append(ALL_IN)
WORK_OPS = [BASE_WORK, "workload()", "lead_suggestions()", "GET /workload/ (page)"]


def worker(args: argparse.Namespace) -> dict[str, Any]:
    url, label = _db_url(args.db, args.primary, args.matters)
    prep = _prepare(args, url)
    if args.load_only:
        return {"db": args.db, "database": label, "prepare": prep}

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone

    from lexcase.accounts.models import User
    from lexcase.matters.models import MatterMember
    from lexcase.todos import selectors, workload
    from lexcase.todos.models import Task

    pg = connection.vendor == "postgresql"
    today = timezone.localdate()
    end = today + timedelta(days=WEEK)
    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    any_pk = Task.objects.order_by("pk").values_list("pk", flat=True)[Task.objects.count() // 2]
    results: dict[str, Any] = {}
    sql_by_user: dict[str, dict[str, list[str]]] = {}
    for username in PERSONAS:
        user = users.get(username)
        if user is None:
            continue
        client = Client()
        client.force_login(user)

        def floor() -> int:
            return len(list(Task.objects.filter(pk=any_pk)))

        def base_tasks(user: Any = user) -> int:
            qs = Task.objects.filter(assignee=user, status="todo").order_by("priority", "due_at")
            return len(list(qs[:200]))

        def board_mine(user: Any = user) -> int:
            flt = selectors.BoardFilter(assignee_id=user.pk)
            return sum(len(c.cards) for c in selectors.board(user=user, flt=flt))

        def board_all(user: Any = user) -> int:
            flt = selectors.BoardFilter()
            return sum(len(c.cards) for c in selectors.board(user=user, flt=flt))

        def page_tasks(client: Any = client) -> int:
            response = client.get("/tasks/")
            if response.status_code != 200:
                raise RuntimeError(f"GET /tasks/: HTTP {response.status_code}")
            return response.content.count(b'class="task-card')

        def agenda(user: Any = user) -> int:
            return len(selectors.agenda_source(user=user, start=today, end=end, mine_only=True))

        def board_all_in(user: Any = user) -> int:
            # Proposal measured here only, for a user who sees member matters only: the
            # same rule written as matter_id IN (their memberships) minus their walls.
            from lexcase.matters.models import EthicalWall

            def visible(u: Any) -> Any:
                on = MatterMember.objects.filter(user=u).values("matter_id")
                walled = EthicalWall.objects.filter(user=u).values("matter_id")
                personal = Q(matter__isnull=True) & (Q(assignee=u) | Q(created_by=u))
                return Task.objects.filter(
                    personal | (Q(matter_id__in=on) & ~Q(matter_id__in=walled))
                )

            saved = selectors.tasks_visible_to
            selectors.tasks_visible_to = visible
            try:
                return board_all(user)
            finally:
                selectors.tasks_visible_to = saved

        def page_cap200(client: Any = client) -> int:
            # Diagnostic: the same page with the earlier 200 cards per column.
            saved = selectors.BOARD_COLUMN_CAP
            selectors.BOARD_COLUMN_CAP = 200
            try:
                return page_tasks(client)
            finally:
                selectors.BOARD_COLUMN_CAP = saved

        ops: dict[str, Callable[[], int]] = {
            "floor: Task by PK": floor,
            BASE_TASKS: base_tasks,
            "board(): my tasks": board_mine,
            "GET /tasks/ (page)": page_tasks,
            "board(): all visible (?assignee=)": board_all,
            "agenda_source (7 days)": agenda,
            CAP200: page_cap200,
        }
        if args.diagnostics and not user.is_partner_or_admin:
            ops[ALL_IN] = board_all_in
        if user.is_partner_or_admin:

            def base_work() -> int:
                return len(
                    list(
                        MatterMember.objects.filter(role="lead", matter__status="open")
                        .values("user_id")
                        .annotate(n=Count("id"))
                    )
                )

            def work() -> int:
                return len(workload.workload())

            def suggest() -> int:
                return len(workload.lead_suggestions(practice_area_id=None))

            def page_work(client: Any = client) -> int:
                response = client.get("/workload/")
                if response.status_code != 200:
                    raise RuntimeError(f"GET /workload/: HTTP {response.status_code}")
                return response.content.count(b"<tr") - 1

            ops |= {
                BASE_WORK: base_work,
                "workload()": work,
                "lead_suggestions()": suggest,
                "GET /workload/ (page)": page_work,
            }
        r = _interleaved(ops, args.runs)
        sql_by_user[username] = r.pop("_sql")
        for names, base in ((TASK_OPS, BASE_TASKS), (WORK_OPS, BASE_WORK)):
            if base not in r:
                continue
            b = r[base]
            for name in names[names.index(base) + 1 :]:
                if name not in r:
                    continue
                v = r[name]
                v["ratio_p50"] = round(v["p50"] / b["p50"], 2) if b["p50"] else None
                v["ratio_p95"] = round(v["p95"] / b["p95"], 2) if b["p95"] else None
                v["ratio_cpu_p50"] = round(v["cpu_p50"] / b["cpu_p50"], 2) if b["cpu_p50"] else None
        results[username] = r
        print(
            f"  [{connection.vendor} {args.matters}] {username}: "
            + "; ".join(
                f"{k} p50 {v['p50']:.2f} p95 {v['p95']:.2f} ms q{v['queries']} rows{v['rows']}"
                for k, v in r.items()
            ),
            file=sys.stderr,
            flush=True,
        )

    plans: dict[str, Any] = {}
    if not args.skip_plans:
        s_l = sql_by_user.get("lawyer01", {})
        s_p = sql_by_user.get("partner01", {})
        wanted = {
            "baseline (lawyer01)": s_l.get(BASE_TASKS, [None])[0],
            "my board, todo column (lawyer01)": _nth(s_l.get("board(): my tasks", []), 0),
            "my board, grouped count (lawyer01)": _count_sql(s_l.get("board(): my tasks", [])),
            "my board, done column (lawyer01)": _nth(s_l.get("board(): my tasks", []), 2),
            "all-visible board, todo column (partner01)": _nth(
                s_p.get("board(): all visible (?assignee=)", []), 0
            ),
            "all-visible board, done column (partner01)": _nth(
                s_p.get("board(): all visible (?assignee=)", []), 2
            ),
            "all-visible board, grouped count (partner01)": _count_sql(
                s_p.get("board(): all visible (?assignee=)", [])
            ),
            "agenda_source (lawyer01)": s_l.get("agenda_source (7 days)", [None])[0],
            "workload tasks aggregate": _match(s_p.get("workload()", []), "todos_task"),
            "workload members aggregate": _match(s_p.get("workload()", []), "matters_mattermember"),
        }
        for name, sql in wanted.items():
            if not sql:
                continue
            try:
                t0 = time.perf_counter()
                plans[name] = {"sql": sql, "plan": _plan(sql, pg)}
                plans[name]["explain_s"] = round(time.perf_counter() - t0, 3)
            except Exception as exc:  # a plan is informative, never fatal
                plans[name] = {"sql": sql, "error": repr(exc)}
    # After the plans: the plans must show the schema as migrated, not the proposal's.
    proposal: dict[str, Any] = {}
    if args.diagnostics and not args.skip_plans:
        try:
            proposal = _index_proposal(users, pg, max(10, args.runs // 2), sql_by_user)
        except Exception as exc:  # informative, never fatal
            proposal = {"error": repr(exc)}
    opts = settings.DATABASES["default"].get("OPTIONS", {})
    return {
        "db": args.db,
        "database": label,
        "server_version": server_version(),
        "server_side_binding": opts.get("server_side_binding", False) if pg else None,
        "prepare": prep,
        "today": str(today),
        "dataset": _dataset(today),
        "results": results,
        "plans": plans,
        "index_proposal": proposal,
    }


# Indexes proposed for the lead to add (a migration is the lead's call): created in the bench
# database only for this phase, measured, explained, then dropped again.
PROPOSED_INDEXES = {
    "bench_task_status_prio_due": "todos_task (status, priority, due_at, id)",
    "bench_task_assignee_done": "todos_task (assignee_id, status, completed_at, id)",
    "bench_task_status_done": "todos_task (status, completed_at, id)",
}


def _index_proposal(
    users: dict[str, Any], pg: bool, runs: int, sql_by_user: dict[str, dict[str, list[str]]]
) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    from lexcase.todos import selectors

    ops: dict[str, Callable[[], int]] = {}
    for name in ("lawyer01", "partner01"):
        user = users.get(name)
        if user is None:
            continue

        def mine(user: Any = user) -> int:
            flt = selectors.BoardFilter(assignee_id=user.pk)
            return sum(len(c.cards) for c in selectors.board(user=user, flt=flt))

        def every(user: Any = user) -> int:
            flt = selectors.BoardFilter()
            return sum(len(c.cards) for c in selectors.board(user=user, flt=flt))

        ops[f"{name}: board(): my tasks"] = mine
        ops[f"{name}: board(): all visible"] = every
    out: dict[str, Any] = {"indexes": PROPOSED_INDEXES}
    before = _interleaved(ops, runs)
    before.pop("_sql")
    with connection.cursor() as cur:
        for name, target in PROPOSED_INDEXES.items():
            cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
        cur.execute("ANALYZE todos_task")
    try:
        after = _interleaved(ops, runs)
        after.pop("_sql")
        out["plans_with_indexes"] = {}
        wanted = {
            "my board, done column (lawyer01)": _nth(
                sql_by_user.get("lawyer01", {}).get("board(): my tasks", []), 2
            ),
            "all-visible board, todo column (partner01)": _nth(
                sql_by_user.get("partner01", {}).get("board(): all visible (?assignee=)", []), 0
            ),
            "all-visible board, done column (partner01)": _nth(
                sql_by_user.get("partner01", {}).get("board(): all visible (?assignee=)", []), 2
            ),
        }
        for name, sql in wanted.items():
            if sql:
                out["plans_with_indexes"][name] = {"sql": sql, "plan": _plan(sql, pg)}
    finally:
        with connection.cursor() as cur:
            for name in PROPOSED_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
    out["results"] = {
        op: {
            "before_p50": before[op]["p50"],
            "before_p95": before[op]["p95"],
            "after_p50": after[op]["p50"],
            "after_p95": after[op]["p95"],
            "before_cpu_p50": before[op]["cpu_p50"],
            "after_cpu_p50": after[op]["cpu_p50"],
            "rows": sorted(set(before[op]["rows"]) | set(after[op]["rows"])),
        }
        for op in ops
    }
    return out


def _nth(sqls: list[str], n: int) -> str | None:
    """The n-th column's card query (0 todo, 1 doing, 2 done), skipping COUNT queries."""
    cards = [s for s in sqls if "COUNT(" not in s.upper()]
    return cards[n] if len(cards) > n else None


def _count_sql(sqls: list[str]) -> str | None:
    return next((s for s in sqls if "COUNT(" in s.upper()), None)


def _match(sqls: list[str], table: str) -> str | None:
    return next((s for s in sqls if f"FROM {table}" in s.replace('"', "")), None)


# -- driver -----------------------------------------------------------------------------


def _run_worker(
    args: argparse.Namespace,
    db: str,
    matters: int,
    tasks: int,
    primary: bool,
    runs: int,
    skip_plans: bool,
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "bench.tasks",
        "--worker",
        "--db",
        db,
        "--matters",
        str(matters),
        "--tasks",
        str(tasks),
        "--seed",
        str(args.seed),
        "--runs",
        str(runs),
    ]
    cmd += ["--primary"] if primary else []
    cmd += ["--reuse"] if args.reuse else []
    cmd += ["--skip-plans"] if skip_plans else []
    cmd += ["--load-only"] if args.load_only else []
    cmd += ["--diagnostics"] if args.diagnostics else []
    return run_child(cmd)


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.2f}" if v < 100 else f"{v:.0f}"
    if isinstance(v, list):
        return "/".join(str(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k} {_fmt(x)}" for k, x in v.items())
    return str(v)


def _key_plan_lines(lines: list[str]) -> list[str]:
    keep = (
        "Scan",
        "Join",
        "Loop",
        "Hash",
        "Sort",
        "Limit",
        "Aggregate",
        "Index Cond",
        "Filter",
        "SubPlan",
        "Execution Time",
        "SEARCH",
        "SCAN",
        "USE",
        "CORRELATED",
        "LIST SUBQUERY",
        "SUBQUERY",
    )
    return [ln.rstrip() for ln in lines if any(k in ln for k in keep)][:30]


def _db_section(db: str, res: dict[str, Any], small: dict[str, Any] | None) -> list[str]:
    engine = "PostgreSQL" if db == "postgres" else "SQLite"
    L = [f"#### {engine}", ""]
    if "error" in res:
        return [*L, f"Failed: {res['error']}", ""]
    ds = res["dataset"]
    L.append(
        f"Database `{res['database']}` ({engine} {res['server_version']}), today = "
        f"{res['today']}. Dataset: {ds['matters']:,} matters ({_fmt(ds['matter_status'])}; "
        f"{ds['confidential_matters']:,} confidential), {ds['matter_members']:,} memberships, "
        f"{ds['ethical_walls']:,} walls, users {_fmt(ds['users'])}; {ds['tasks']:,} tasks "
        f"({_fmt(ds['task_status'])}; {ds['personal_tasks']:,} personal, "
        f"{ds['undated_tasks']:,} undated, {ds['open_overdue_tasks']:,} open and overdue); "
        f"{ds['deadlines']:,} deadlines, {ds['hearings']:,} hearings. Preparation (s): "
        f"{_fmt(res['prepare'])}; worker wall time {res.get('wall_s')} s."
    )
    L += [
        "",
        "| user | role | memberships | lead of open matters | tasks | todo | doing "
        "| open overdue |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for u, p in ds["personas"].items():
        L.append(
            f"| {u} | {p['role']} | {p['member_of']:,} | {p['lead_of_open']:,} | "
            f"{p['tasks']:,} | {p['todo']:,} | {p['doing']:,} | {p['overdue']:,} |"
        )
    small_r = (small or {}).get("results", {})
    L += [
        "",
        "| user | operation | p50 ms | p95 ms | ×base p50 | ×base p95 | CPU p50 ms (×base) "
        "| queries (full / small) | rows |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for u, r in res["results"].items():
        for op in TASK_OPS + WORK_OPS:
            if op not in r:
                continue
            v = r[op]
            sq = small_r.get(u, {}).get(op, {}).get("queries")
            cr = f" (×{v['ratio_cpu_p50']:.2f})" if v.get("ratio_cpu_p50") else ""
            L.append(
                f"| {u} | {op} | {v['p50']:.2f} | {v['p95']:.2f} | {_fmt(v.get('ratio_p50'))} | "
                f"{_fmt(v.get('ratio_p95'))} | {v['cpu_p50']:.2f}{cr} | "
                f"{_fmt(v['queries'])} / {_fmt(sq)} | {_fmt(v['rows'])} |"
            )
    L.append("")
    for name, p in res.get("plans", {}).items():
        if "plan" not in p:
            L += [f"Plan `{name}`: error {p.get('error')}", ""]
            continue
        L += [f"Plan — {name}:", "", "```", *_key_plan_lines(p["plan"]), "```", ""]
    return L


def _proposal_section(db: str, prop: dict[str, Any]) -> list[str]:
    if not prop:
        return []
    engine = "PostgreSQL" if db == "postgres" else "SQLite"
    L = [f"#### {engine}: proposed indexes, measured in the bench database only", ""]
    if "error" in prop:
        return [*L, f"Failed: {prop['error']}", ""]
    L.append(
        "Created for this phase, then dropped: "
        + "; ".join(f"`{k}` on {v}" for k, v in prop["indexes"].items())
        + ". Same rounds before and after, interleaved."
    )
    L += [
        "",
        "| operation | before p50 ms | before p95 ms | after p50 ms | after p95 ms "
        "| CPU p50 before → after | rows |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for op, v in prop.get("results", {}).items():
        L.append(
            f"| {op} | {v['before_p50']:.2f} | {v['before_p95']:.2f} | {v['after_p50']:.2f} | "
            f"{v['after_p95']:.2f} | {v['before_cpu_p50']:.2f} → {v['after_cpu_p50']:.2f} | "
            f"{_fmt(v['rows'])} |"
        )
    L.append("")
    for name, p in prop.get("plans_with_indexes", {}).items():
        L += [f"Plan with the indexes — {name}:", "", "```", *_key_plan_lines(p["plan"]), "```", ""]
    return L


def markdown(data: dict[str, Any]) -> str:
    a = data["args"]
    L = [
        "## Tasks and workload (issue #5 item 9)",
        "",
        "### Reproduce",
        "",
        "```",
        f"nice -n 10 {data['command']}",
        "```",
        "",
        f"Run started {data['started']} on {data['host']['platform']}, "
        f"{data['host']['cpus']} CPUs, Python {data['host']['python']}; load average "
        f"{_fmt([round(x, 1) for x in data['host']['loadavg_start']])} at the start and "
        f"{_fmt([round(x, 1) for x in data['host'].get('loadavg_end', [])])} at the end "
        "(the machine was shared with other helpers' tests and benchmarks: absolute times "
        "are inflated and noisy; compare the same-run ratios).",
        "",
        f"Timing: {WARMUPS} warm-up rounds (query counts captured there), then {a['runs']} "
        "rounds per user with the operations interleaved in rotating order. ×base = the "
        "operation's p50 (p95) / the baseline's p50 (p95), same user, same run: task "
        f"operations against `{BASE_TASKS}` = `list(Task.objects.filter(assignee=u, "
        'status="todo").order_by("priority", "due_at")[:200])`; workload operations '
        f'against `{BASE_WORK}` = `MatterMember.objects.filter(role="lead", '
        'matter__status="open").values("user_id").annotate(Count("id"))`. '
        "Queries: the set of counts seen in the warm-up at full scale / at the small "
        f"scale ({a['check_matters']:,} matters, {a['check_tasks']:,} tasks).",
        "",
    ]
    for db, res in data["databases"].items():
        L += _db_section(db, res, data.get("query_count_check", {}).get(db))
    for db, res in data["databases"].items():
        L += _proposal_section(db, res.get("index_proposal") or {})
    L += ["### Verdict", "", *data.get("verdict", []), ""]
    return "\n".join(L)


def verdict(data: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for db, res in data["databases"].items():
        if "results" not in res:
            out.append(f"- **{db}**: no result ({res.get('error')}).")
            continue
        r = res["results"]
        small = data.get("query_count_check", {}).get(db, {}).get("results", {})
        const = (
            all(
                small.get(u, {}).get(op, {}).get("queries") == v[op]["queries"]
                for u, v in r.items()
                for op in v
                if op in TASK_OPS + WORK_OPS
            )
            if small
            else None
        )
        parts = []
        for op in ("board(): my tasks", "GET /tasks/ (page)", "board(): all visible (?assignee=)"):
            worst = max((v[op]["ratio_p50"] or 0, v[op]["p95"], u) for u, v in r.items())
            parts.append(f"{op} worst ×{worst[0]:.1f} p50 ({worst[2]}, p95 {worst[1]:.0f} ms)")
        for op in ("workload()", "GET /workload/ (page)"):
            got = [(v[op]["ratio_p50"] or 0, v[op]["p95"], u) for u, v in r.items() if op in v]
            if got:
                worst = max(got)
                parts.append(f"{op} ×{worst[0]:.1f} p50 (p95 {worst[1]:.0f} ms)")
        const_txt = "not checked" if const is None else ("yes" if const else "NO")
        out.append(
            f"- **{db}**: " + "; ".join(parts) + f". Query counts equal at both scales: "
            f"{const_txt}."
        )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--matters", type=int, default=100_000)
    p.add_argument("--tasks", type=int, default=1_000_000)
    p.add_argument("--quick", action="store_true", help="smoke test: 2k matters / 20k tasks")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--reuse", action="store_true", help="keep a bench database that is big enough")
    p.add_argument("--runs", type=int, default=30, help="timed rounds per user")
    p.add_argument("--check-matters", type=int, default=2000, help="0 = skip the small pass")
    p.add_argument("--check-tasks", type=int, default=20_000)
    p.add_argument("--out", default=None)
    p.add_argument(
        "--diagnostics",
        action="store_true",
        help="also measure the proposals of the first run (member IN gate, extra indexes); "
        "both are in the app since",
    )
    p.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--primary", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--skip-plans", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-out", help=argparse.SUPPRESS)
    p.add_argument(
        "--merge",
        nargs="+",
        metavar="JSON",
        help="render one markdown from result files of separate runs (e.g. one per database)",
    )
    args = p.parse_args(argv)
    if args.merge:
        parts = [json.loads(Path(f).read_text()) for f in args.merge]
        merged = parts[0]
        for extra in parts[1:]:
            merged["databases"].update(extra["databases"])
            merged["query_count_check"].update(extra.get("query_count_check", {}))
        merged["verdict"] = verdict(merged)
        print(markdown(merged))
        return 0
    if args.quick:
        args.matters, args.tasks, args.runs = 2000, 20_000, min(args.runs, 10)
        args.check_matters, args.check_tasks = 500, 5000

    if args.worker:
        try:
            data = worker(args)
        except Exception:
            traceback.print_exc()
            return 1
        Path(args.worker_out).write_text(json.dumps(data, ensure_ascii=False, default=str))
        return 0

    out = Path(
        args.out or ROOT / "bench" / "results" / f"tasks_{'quick' if args.quick else 'full'}.json"
    )
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    cmd = (
        ".venv/bin/python -m bench.tasks "
        + ("--quick" if args.quick else f"--matters {args.matters} --tasks {args.tasks}")
        + f" --db {args.db} --seed {args.seed} --runs {args.runs}"
        + (" --reuse" if args.reuse else "")
    )
    data: dict[str, Any] = {
        "benchmark": "tasks",
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": cmd,
        "args": vars(args),
        "host": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
        },
        "databases": {},
        "query_count_check": {},
    }
    for db in dbs:
        if args.check_matters:
            print(f"[{db}] query-count check at {args.check_matters:,} matters", file=sys.stderr)
            data["query_count_check"][db] = _run_worker(
                args, db, args.check_matters, args.check_tasks, False, 3, True
            )
        print(f"[{db}] {args.matters:,} matters / {args.tasks:,} tasks", file=sys.stderr)
        data["databases"][db] = _run_worker(
            args, db, args.matters, args.tasks, True, args.runs, False
        )
    if args.load_only:
        print(json.dumps(data, default=str, indent=1))
        return 0
    data["host"]["loadavg_end"] = os.getloadavg()
    data["verdict"] = verdict(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    md = markdown(data)
    out.with_suffix(".md").write_text(md + "\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
