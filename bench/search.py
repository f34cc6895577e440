"""Search benchmark (issue #6 item 10): the search index against a naive LIKE scan.

    .venv/bin/python -m bench.search --matters 100000 --documents 100000 --with-text 20000
        [--db sqlite|postgres|both] [--seed 42] [--runs 15] [--out bench/results/search.json]

Per database a child process (DATABASE_URL set before django.setup()) recreates a
dedicated database (SQLite `var/bench_search.sqlite3`, PostgreSQL `lexcase_bench_search`),
migrates it and loads:

- `demo_generate(matters=N)`: users, teams, walls, parties and N matters; then
  `search_matters_reindex()` builds the N matter entries (timed: indexing throughput);
- `--documents` document entries spread over those matters, `--with-text` of them with
  generated Chinese legal text (≈ 900 characters: parties, 案号, amounts, court phrases;
  the rest title only), written with `bulk_create` after `tokens.index_tokens` (timed).
  The documents are generated once per seed and cached in var/bench/ for the next database.

Then, warm and interleaved round by round, for each query term (1, 2 and ≥ 3 characters,
frequent and rare) and two personas (a partner who sees every non-confidential matter, a
lawyer who sees only their own), it times:

- `index top-50`: `selectors.search(user=, q=, limit=50)`, the real call behind the page and
  the API (gate, ranking, snippets included);
- `LIKE top-50`: the same gated queryset filtered by `title__icontains | text__icontains`,
  newest first, 50 rows: what a naive implementation would run;
- `index all` / `LIKE all`: every matching id (no limit) — the full cost and the recall
  comparison: recall = |index ∩ LIKE| / |LIKE|; `extra` = index hits LIKE does not find
  (multi-word terms also match their jieba words written apart, by design).

The script reports; it never asserts. It writes JSON (`--out`) and a markdown section next
to it (same name, `.md`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
import traceback
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, analyze, server_version, setup_django
from bench.common import recreate as _recreate
from bench.common import stats as _stats

WARMUPS = 2
PERSONAS = ["partner", "lawyer"]
# (term, what it exercises)
TERMS = [
    ("法", "1 char, very frequent"),
    ("驳", "1 char, less frequent"),
    ("法院", "2 chars, frequent word"),
    ("王伟", "2 chars, a name"),
    ("院民", "2 chars across a word boundary"),
    ("有限公司", "4 chars, frequent"),
    ("买卖合同", "4 chars, a cause of action"),
    ("民初", "2 chars of a 案号"),
    ("京0105民初", "案号 fragment, digits + Chinese"),
    ("鹭岛蓝鲸", "4 chars, rare (planted in 20 documents)"),
]
GOAL_RATIO = 100.0

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文斌宇浩凯鹏飞"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "厦门", "西安"]
INDUSTRY = ["科技", "贸易", "建设", "物流", "实业", "投资", "餐饮", "医药", "传媒", "电子"]
COURTS = ["京0105", "沪0115", "粤0304", "浙0106", "川0107", "鄂0102", "苏0105", "闽0203"]
CAUSES = ["买卖合同", "民间借贷", "房屋租赁合同", "劳动争议", "股权转让", "建设工程施工合同",
          "金融借款合同", "侵权责任", "服务合同", "承揽合同"]  # fmt: skip
PHRASES = [
    "本院认为，当事人对自己提出的诉讼请求所依据的事实，有责任提供证据加以证明。",
    "原告向本院提出诉讼请求：判令被告支付货款及逾期付款利息。",
    "被告辩称，原告主张的事实与理由不能成立，请求法院依法驳回原告的诉讼请求。",
    "经审理查明，双方于合同中约定了付款期限及违约责任。",
    "依照《中华人民共和国民法典》第五百零九条、第五百七十七条之规定，判决如下：",
    "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状。",
    "案件受理费由被告负担，于本判决生效之日起七日内交纳。",
    "证据一：双方签订的合同原件，证明双方之间存在合法有效的合同关系。",
    "律师函：请贵司在收到本函之日起七日内履行付款义务，否则我方将依法采取法律措施。",
    "调解协议：双方自愿达成如下协议，被告分期支付款项。",
    "仲裁庭认为，申请人的仲裁请求部分有事实和法律依据，应予支持。",
    "执行裁定书：冻结、划拨被执行人的银行存款。",
]
CATEGORIES = ["contract", "pleading", "evidence", "court", "engagement", "correspondence", "other"]
TITLES = ["民事判决书", "起诉状", "答辩状", "证据目录", "律师函", "委托代理合同", "调解书",
          "仲裁裁决书", "执行裁定书", "往来函件", "会议纪要", "授权委托书"]  # fmt: skip


# -- data --------------------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _company(rng: random.Random) -> str:
    return rng.choice(CITIES) + _name(rng)[1:] + rng.choice(INDUSTRY) + "有限公司"


def _text(rng: random.Random, planted: bool) -> str:
    year = rng.randint(2018, 2026)
    number = f"（{year}）{rng.choice(COURTS)}民初{rng.randint(1, 39999)}号"
    parts = [
        f"{rng.choice(CITIES)}市人民法院民事判决书{number}",
        f"原告：{_company(rng)}，被告：{_name(rng)}。案由：{rng.choice(CAUSES)}纠纷。",
    ]
    while sum(len(p) for p in parts) < 850:
        phrase = rng.choice(PHRASES)
        if rng.random() < 0.3:
            phrase += f"金额人民币{rng.randint(1000, 9_999_999)}元，由{_name(rng)}签收。"
        parts.append(phrase)
    if planted:
        parts.insert(rng.randint(1, len(parts) - 1), "涉及鹭岛蓝鲸项目的往来款项。")
    return "\n".join(parts)


def documents_cache(seed: int, documents: int, with_text: int) -> Path:
    """Generate the document rows (with their index tokens) once; JSON lines."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.search.tokens import index_tokens

    path = VAR / "bench" / f"search_docs_{seed}_{documents}_{with_text}.jsonl"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    planted = set(rng.sample(range(with_text), min(20, with_text)))
    started = time.perf_counter()
    chars = 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(documents):
            title = rng.choice(TITLES)
            text = _text(rng, i in planted) if i < with_text else ""
            chars += len(text)
            row = {
                "i": i,
                "title": title,
                "text": text,
                "category": rng.choice(CATEGORIES),
                "day": rng.randint(0, 3000),
                "tokens": index_tokens(f"{title}\n{text}"),
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.rename(path)
    meta = {"seconds": time.perf_counter() - started, "chars": chars}
    path.with_suffix(".meta.json").write_text(json.dumps(meta))
    return path


# -- one database ------------------------------------------------------------------------


def _db_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR / 'bench_search.sqlite3'}"
    return f"{PG_SERVER}/lexcase_bench_search"


def load(args: argparse.Namespace, docs: Path) -> dict[str, Any]:

    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command
    from django.db import transaction

    from lexcase.matters.models import Matter
    from lexcase.search.models import SearchEntry
    from lexcase.search.services import search_index_optimize, search_matters_reindex
    from lexcase.web.demo import demo_generate

    info: dict[str, Any] = {}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_generate(matters=args.matters, seed=args.seed)
    info["demo_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    info["matter_entries"] = search_matters_reindex()
    info["matter_index_seconds"] = round(time.perf_counter() - started, 1)

    matter_ids = list(Matter.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(args.seed + 1)
    started = time.perf_counter()
    base = date(2018, 1, 1)
    batch: list[SearchEntry] = []
    count = 0
    with docs.open(encoding="utf-8") as rows, transaction.atomic():
        for line in rows:
            row = json.loads(line)
            batch.append(
                SearchEntry(
                    kind="document",
                    object_id=row["i"] + 1,
                    matter_id=rng.choice(matter_ids),
                    title=row["title"],
                    category=row["category"],
                    on_date=base + timedelta(days=row["day"]),
                    text=row["text"],
                    tokens=row["tokens"],
                )
            )
            if len(batch) >= 1000:
                SearchEntry.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        count += len(batch)
    info["document_entries"] = count
    info["document_insert_seconds"] = round(time.perf_counter() - started, 1)
    meta_path = docs.with_suffix(".meta.json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        info["document_tokenise_seconds"] = round(meta["seconds"], 1)
        info["document_text_chars"] = meta["chars"]
    started = time.perf_counter()
    search_index_optimize()
    analyze()
    info["optimize_analyze_seconds"] = round(time.perf_counter() - started, 1)
    return info


def sizes() -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT pg_total_relation_size('lexcase_search_searchentry'), "
                "pg_relation_size('lexcase_search_searchentry_tsv_gin')"
            )
            total, gin = cur.fetchone()
            return {"entries_total_mb": round(total / 2**20, 1), "gin_mb": round(gin / 2**20, 1)}
        try:
            cur.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'lexcase_search%' "
                "GROUP BY name"
            )
            return {name: round(size / 2**20, 1) for name, size in cur.fetchall()}
        except Exception as exc:  # dbstat is an optional SQLite module
            return {"error": str(exc)}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from lexcase.accounts.models import User
    from lexcase.matters.selectors import visible_through
    from lexcase.search.backends import backend, parse_query
    from lexcase.search.models import SearchEntry
    from lexcase.search.selectors import search

    users = {p: User.objects.get(username=p) for p in PERSONAS}

    def gated(user: Any):
        return SearchEntry.objects.filter(visible_through(user, "matter"))

    def like(user: Any, term: str):
        return gated(user).filter(Q(title__icontains=term) | Q(text__icontains=term))

    ops: dict[str, Any] = {}
    for term, _what in TERMS:
        terms = parse_query(term)
        for persona in PERSONAS:
            user = users[persona]
            key = f"{term}|{persona}"
            ops[f"{key}|index top-50"] = lambda u=user, t=term: search(user=u, q=t, limit=50)
            ops[f"{key}|LIKE top-50"] = lambda u=user, t=term: list(
                like(u, t).order_by("-id").values_list("id", "title", "text")[:50]
            )
            ops[f"{key}|index all"] = lambda u=user, ts=terms: list(
                backend().match(gated(u), ts).values_list("id", flat=True)
            )
            ops[f"{key}|LIKE all"] = lambda u=user, t=term: list(
                like(u, t).values_list("id", flat=True)
            )

    results: dict[str, Any] = {"recall": {}, "timings": {}, "plans": {}}
    for term, what in TERMS:
        for persona in PERSONAS:
            key = f"{term}|{persona}"
            index_ids = set(ops[f"{key}|index all"]())
            like_ids = set(ops[f"{key}|LIKE all"]())
            found = len(index_ids & like_ids)
            results["recall"][key] = {
                "what": what,
                "like": len(like_ids),
                "index": len(index_ids),
                "recall": round(found / len(like_ids), 4) if like_ids else None,
                "extra": len(index_ids - like_ids),
            }
    for _ in range(WARMUPS):
        for op in ops.values():
            op()
    samples: dict[str, list[float]] = {k: [] for k in ops}
    for run in range(args.runs):
        order = list(ops)
        random.Random(run).shuffle(order)
        for name in order:
            started = time.perf_counter()
            ops[name]()
            samples[name].append(time.perf_counter() - started)
    results["timings"] = {k: _stats(v) for k, v in samples.items()}

    # Plans of the index query for one frequent and one rare term, partner persona.
    for term in ("法院", "鹭岛蓝鲸"):
        with CaptureQueriesContext(connection) as ctx:
            search(user=users["partner"], q=term, limit=50)
        plans = []
        for captured in ctx.captured_queries:
            sql = captured["sql"]
            if "lexcase_search" not in sql:
                continue
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                else:
                    cur.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\n".join(" ".join(str(c) for c in r) for r in cur.fetchall())
            plans.append(f"-- {sql[:160]}…\n{plan}")
        results["plans"][term] = "\n\n".join(plans)
    return results


def _loaded(args: argparse.Namespace, url: str) -> dict[str, Any] | None:
    """The load info of a previous run when --reuse finds the same data set in place."""
    info = VAR / "bench" / f"search_{args.db}_load.json"
    if not args.reuse or not info.exists():
        return None
    saved = json.loads(info.read_text())
    wanted = [args.matters, args.documents, args.with_text, args.seed]
    return saved["load"] if saved["args"] == wanted and saved["url"] == url else None


def child(args: argparse.Namespace) -> None:
    url = _db_url(args.db)
    docs = Path(args.docs)
    loaded = _loaded(args, url)
    if loaded is None:
        _recreate(args.db, url)
    setup_django(url)
    out: dict[str, Any] = {"db": args.db}
    try:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from django.db import connection

        out["server"] = f"{connection.vendor} {server_version()}"
        if loaded is None:
            loaded = load(args, docs)
            wanted = [args.matters, args.documents, args.with_text, args.seed]
            (VAR / "bench" / f"search_{args.db}_load.json").write_text(
                json.dumps({"args": wanted, "url": url, "load": loaded})
            )
        else:
            loaded = {**loaded, "reused": True}
        out["load"] = loaded
        out["sizes"] = sizes()
        out.update(measure(args))
    except Exception:
        out["error"] = traceback.format_exc()
    Path(args.child_out).write_text(json.dumps(out, ensure_ascii=False, indent=1))


# -- report ------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"### Run {report['started']} ({report['args']['matters']} matters, "
        f"{report['args']['documents']} documents of which {report['args']['with_text']} "
        f"with text, {report['args']['runs']} timed runs per row, {report['machine']})",
        "",
    ]
    for db in report["databases"]:
        if "error" in db:
            lines += [f"#### {db['db']}: failed", "", "```", db["error"][-3000:], "```", ""]
            continue
        load = db["load"]
        lines += [
            f"#### {db['server']}",
            "",
            f"Load: demo {load['demo_seconds']} s; {load['matter_entries']} matter entries "
            f"indexed in {load['matter_index_seconds']} s; {load['document_entries']} document "
            f"entries inserted in {load['document_insert_seconds']} s (tokenising their "
            f"{load.get('document_text_chars', '?')} characters took "
            f"{load.get('document_tokenise_seconds', '?')} s, once, outside the database); "
            f"optimize + analyze {load['optimize_analyze_seconds']} s. Sizes (MB): "
            f"{db['sizes']}.",
            "",
            "| term | persona | LIKE hits | index hits | recall | extra "
            "| index top-50 p50 / p95 ms | LIKE top-50 p50 / p95 ms "
            "| index all p50 ms | LIKE all p50 ms | LIKE all ÷ index all |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        t = db["timings"]
        for term, what in TERMS:
            for persona in PERSONAS:
                key = f"{term}|{persona}"
                r = db["recall"][key]
                it, lt = t[f"{key}|index top-50"], t[f"{key}|LIKE top-50"]
                ia, la = t[f"{key}|index all"], t[f"{key}|LIKE all"]
                ratio = la["p50"] / ia["p50"] if ia["p50"] else float("inf")
                recall = "—" if r["recall"] is None else f"{r['recall']:.2%}"
                lines.append(
                    f"| {term} ({what}) | {persona} | {r['like']} | {r['index']} | {recall} | "
                    f"{r['extra']} | {it['p50']:.1f} / {it['p95']:.1f} | "
                    f"{lt['p50']:.1f} / {lt['p95']:.1f} | {ia['p50']:.1f} | {la['p50']:.1f} | "
                    f"{ratio:.0f}× |"
                )
        lines.append("")
        for term, plan in db["plans"].items():
            lines += [f"Plan of `search(q={term!r})` (partner):", "", "```", plan, "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--with-text", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database of an identical earlier run"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "search.json"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--docs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    started = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
    docs = documents_cache(args.seed, args.documents, args.with_text)
    databases = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        child_out = VAR / "bench" / f"search_{db}.json"
        cmd = [sys.executable, "-m", "bench.search", "--child", "--db", db]
        cmd += ["--matters", str(args.matters), "--documents", str(args.documents)]
        cmd += ["--with-text", str(args.with_text), "--seed", str(args.seed)]
        cmd += ["--runs", str(args.runs), "--child-out", str(child_out), "--docs", str(docs)]
        cmd += ["--reuse"] if args.reuse else []
        print(f"[{time.strftime('%H:%M:%S')}] {db} …", flush=True)
        subprocess.run(cmd, check=False, cwd=ROOT, env={**os.environ})
        databases.append(json.loads(child_out.read_text()))
        print(f"[{time.strftime('%H:%M:%S')}] {db} done", flush=True)
    report = {
        "started": started,
        "args": {
            "matters": args.matters,
            "documents": args.documents,
            "with_text": args.with_text,
            "runs": args.runs,
            "seed": args.seed,
        },
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "goal_ratio": GOAL_RATIO,
        "databases": databases,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    out.with_suffix(".md").write_text(markdown(report))
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
