"""Conflict-check benchmark (issue #3 item 8; docs/quality.md §5 "Conflict check", T13).

    .venv/bin/python -m bench.conflicts [--parties 1000000] [--db sqlite|postgres|both]
        [--seed 42] [--per-class 100] [--check-every 1] [--reuse] [--quick] [--load-only]
        [--from-postgres] [--out bench/results/conflicts_<N>.json]

`--quick` is a smoke run (20k parties, 20 queries per class). `--from-postgres` fills the
SQLite database by copying the PostgreSQL bench database of the same scale instead of
generating again (generation dominates the load time).

Per database a child process (DATABASE_URL set before django.setup()) prepares a dedicated
database (SQLite `/tmp/lexcase_bench_conflicts.sqlite3`, PostgreSQL `lexcase_bench_conflicts`;
other scales get a `_<N>` suffix; LEXCASE_BENCH_CONFLICTS=<stem> names them lexcase_<stem>),
migrates it and bulk-loads N synthetic parties (Chinese persons of 2–4 characters, Chinese
organisations with region prefixes, industry words, bracket tags and legal forms, a few
Latin names; ID numbers, credit codes, passports; aliases and former names) linked to
≈ N/2.5 matters (client, opposing, sometimes a third party; repeat clients), with the
conflict index (PartyKey, NameGram) written in bulk. The index rows come from the engine's
own row builder (`engine._party_rows`, the function `index_party` uses), so they are the
engine's rows by construction; a sample is re-indexed with `index_party` and compared.

Then a labelled query set, ground truth known from generation, per variant class:
identifier, exact, alias, normalised (traditional characters, full-width, bracket variants,
spaces, Latin case), core name (有限公司 ↔ 有限责任公司, region prefix dropped), trade-name
substring (大疆创新 → 深圳市大疆创新科技有限公司), one-character typo (ratio ≥ 80, the
engine's fuzzy promise), pinyin homophone, and negatives (names not in the data). Each query
is timed, interleaved, through:

- `find_candidates` (the engine's retrieval, the part the goal is about),
- `conflict_check` (what the product runs: retrieval plus matters, links and verdicts),
- the naive baseline `Party.objects.filter(name__icontains=name)` (OR the identifier
  equalities when the query carries one), as a first Django implementation would do,
- the floor: one Party by primary key.

Recall per class = the generated party is among the candidates (engine), among the hits
(conflict_check) or among the naive scan's rows. The script reports; it never asserts.
It writes JSON (`--out`) and markdown next to it (same name, `.md`).
"""

from __future__ import annotations

import argparse
import functools
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
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import PG_SERVER, ROOT, VAR, analyze, recreate, server_version, setup_django
from bench.common import stats as _stats

# LEXCASE_BENCH_CONFLICTS (default `bench_conflicts`) names the databases, so a helper
# measures its own copy of the shared load (docs/benchmarks.md, Conflict check).
_STEM = "lexcase_" + os.environ.get("LEXCASE_BENCH_CONFLICTS", "bench_conflicts")
SQLITE_PATH = Path(f"/tmp/{_STEM}.sqlite3")
PG_NAME = _STEM
GOAL_RATIO = 20.0  # engine p95 <= naive p95 / 20
CHUNK = 20_000
WARMUP_QUERIES = 10
CLASSES = [
    "identifier",
    "exact",
    "alias",
    "normalised",
    "core_name",
    "substring",
    "typo",
    "pinyin",
    "negative",
]
REQUIRED = {
    "identifier": 1.0,
    "exact": 1.0,
    "alias": 1.0,
    "normalised": 1.0,
    "core_name": 1.0,
    "substring": 1.0,
    "typo": 1.0,
}

# -- name material ----------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "慕容", "端木"]
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂兰霞玉萍红娥玲燕飞鹏辉波宁斌浩凯健俊"
    "帆帅旭晨阳鑫宇轩泽昊然博文雪琳婷倩颖佳怡欣悦思雨梦晓嘉淑子涵一诚彬志海峰亮成林东晶丹洁春"
    "梅莉琴蕾薇岚翠凤彤蓉瑶琪璐露云晴雯琦婕晗睿哲瑞祥福贵荣昌盛德仁义礼智信忠孝勤俭安康乐永长"
    "兴旺达光耀宏毅力松柏竹菊荷莲芝兵武威振江山川河湖清源远航帆舟"
)
TRADE = (
    "华泰创新达鑫源恒通盛宏远科信诚利丰瑞安隆和中天海腾飞龙凤金银玉宝锦绣星辰光明阳辉亚美欧博"
    "智慧云数联网易讯捷迅佳优品尚志成功德仁义顺祥福禄寿喜庆康健乐新时代未来蓝绿青紫橙山水林森"
    "木石川江河湖峰岭泉溪汇聚融合力拓展鼎晟昊宸睿弘毅卓越精工匠心诺亿万千百佰仟正大方圆"
)
INDUSTRY = (
    "科技",
    "信息技术",
    "网络科技",
    "智能科技",
    "生物科技",
    "贸易",
    "商贸",
    "投资管理",
    "实业",
    "建设工程",
    "房地产开发",
    "物流",
    "文化传播",
    "餐饮管理",
    "医药",
    "电子",
    "咨询",
    "数据",
    "制造",
    "环境工程",
)
PROVINCES = ("广东省", "浙江省", "江苏省", "山东省", "四川省", "湖北省", "福建省", "河南省")
CITIES = ("深圳市", "广州市", "杭州市", "南京市", "苏州市", "成都市", "武汉市", "厦门市")
MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
SUFFIXES = [
    ("有限公司", 50),
    ("有限责任公司", 22),
    ("股份有限公司", 14),
    ("集团有限公司", 4),
    ("合伙企业(有限合伙)", 4),
    ("分公司", 3),
    ("个人独资企业", 3),
]
TAGS = ("(集团)", "(中国)", "(深圳)", "(上海)", "(北京)")
LATIN_FIRST = (
    "John Mary David Michael Sarah James Emma Robert Linda William Anna Peter Lucy Thomas "
    "Laura Daniel Sophie Paul Kevin Grace"
).split()
LATIN_LAST = (
    "Smith Brown Johnson Taylor Wilson Martin Anderson Thomas Jackson White Harris Clark "
    "Lewis Walker Young King Wright Scott Green Baker Müller Schmidt Dubois Rossi"
).split()
STATUSES = [("intake", 10), ("open", 60), ("closed", 25), ("archived", 5)]
MATTER_TYPES = [
    ("civil", 35),
    ("commercial_arbitration", 10),
    ("labor_arbitration", 10),
    ("criminal", 5),
    ("administrative", 5),
    ("enforcement", 10),
    ("non_litigation", 10),
    ("counsel", 5),
    ("consultation", 10),
]
ID_REGIONS = ("110105", "310104", "440305", "330106", "510107", "420106", "320102")
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _weighted(items: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [i for i, _w in items], [w for _i, w in items]


class NameGen:
    """Deterministic synthetic names with realistic repetition (common surnames, short
    given names) and organisation structure (region + trade name + industry + form)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Zipf-like surname frequencies: 王/李/张 dominate as they do in China.
        self.surname_w = [1 / (i + 1) ** 0.9 for i in range(len(SURNAMES))]
        self.suffixes, self.suffix_w = _weighted(SUFFIXES)

    def person(self) -> str:
        rng = self.rng
        if rng.random() < 0.01:
            surname = rng.choice(COMPOUND_SURNAMES)
        else:
            surname = rng.choices(SURNAMES, self.surname_w)[0]
        given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
        return surname + given

    def latin(self) -> str:
        return f"{self.rng.choice(LATIN_FIRST)} {self.rng.choice(LATIN_LAST)}"

    def trade(self) -> str:
        n = self.rng.choices((2, 3, 4), (60, 25, 15))[0]
        return "".join(self.rng.choice(TRADE) for _ in range(n))

    def region(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(CITIES)
        if r < 0.50:
            return self.rng.choice(PROVINCES) + self.rng.choice(CITIES)
        if r < 0.70:
            return self.rng.choice(MUNICIPALITIES) + ("市" if self.rng.random() < 0.5 else "")
        return ""

    def org(self, trade: str | None = None) -> str:
        rng = self.rng
        industry = rng.choice(INDUSTRY) if rng.random() < 0.85 else ""
        tag = rng.choice(TAGS) if rng.random() < 0.06 else ""
        if tag and rng.random() < 0.7:
            tag = tag.replace("(", "（").replace(")", "）")  # registrations use full width
        suffix = rng.choices(self.suffixes, self.suffix_w)[0]
        if suffix.startswith("合伙企业") and rng.random() < 0.7:
            suffix = suffix.replace("(", "（").replace(")", "）")
        return f"{self.region()}{trade or self.trade()}{industry}{tag}{suffix}"


def _id_number(serial: int, rng: random.Random) -> str:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.parties.identifiers import id_number_check_char

    born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 53 * 365))
    # The 3-digit sequence plus the region make the number unique per serial in the data.
    first = f"{ID_REGIONS[serial % len(ID_REGIONS)]}{born:%Y%m%d}{(serial // 7) % 1000:03d}"
    return first + id_number_check_char(first)


def _credit_code(serial: int) -> str:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from lexcase.parties.identifiers import credit_code_check_char

    body, n = [], serial
    for _ in range(9):
        n, d = divmod(n, len(USCC_CHARS))
        body.append(USCC_CHARS[d])
    first = "91" + ("440300", "330100", "310115", "110105")[serial % 4] + "".join(body)
    return first + credit_code_check_char(first)


# -- loading ----------------------------------------------------------------------------


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


class Loader:
    """Fast inserts with explicit primary keys: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        conn = self.connection
        quote = conn.ops.quote_name
        cols = ", ".join(quote(c) for c in columns)
        if self.pg:
            with (
                conn.cursor() as cur,
                cur.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(columns))
            conn.connection.executemany(
                f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})",
                rows,
            )

    def secondary_indexes(self, table: str) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes that no constraint owns."""
        with self.connection.cursor() as cur:
            if self.pg:
                cur.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                    "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
                    "quote_ident(i.indexname))::regclass)",
                    [table],
                )
            else:
                cur.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
            return list(cur.fetchall())

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cur:
            cur.execute(sql)


BULK_MODELS = (
    "parties.Party",
    "parties.PartyAlias",
    "matters.Matter",
    "matters.MatterParty",
    "matters.MatterMember",
    "conflicts.PartyKey",
    "conflicts.NameGram",
)


def _drop_indexes(loader: Loader) -> list[tuple[str, str]]:
    """Drop the secondary indexes of the big tables for the load; rebuilt by
    `_restore_indexes`: one sort per index instead of millions of random B-tree inserts."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.apps import apps
    from django.db import connection

    dropped: list[tuple[str, str]] = []
    for label in (
        "parties.Party",
        "parties.PartyAlias",
        "matters.MatterParty",
        "conflicts.PartyKey",
        "conflicts.NameGram",
    ):
        table = apps.get_model(label)._meta.db_table
        for name, ddl in loader.secondary_indexes(table):
            loader.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            dropped.append((name, ddl))
    return dropped


def _finish_load(loader: Loader, dropped: list[tuple[str, str]]) -> float:
    """Rebuild the dropped indexes, reset sequences (PG) or check foreign keys (SQLite)."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.apps import apps
    from django.db import connection

    from lexcase.conflicts.engine import key_counts_rebuild

    t0 = time.perf_counter()
    for _name, ddl in dropped:
        loader.execute(ddl)
    # The holder counts of the grouped keys, from the index just written (what the
    # migration does on an existing index).
    key_counts_rebuild()
    seconds = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        # Django modules: only after setup_django() (bench/common.py) chose this run's database.
        from django.core.management.color import no_style

        models = [apps.get_model(label) for label in BULK_MODELS]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            loader.execute(sql)
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_key_check")
            bad = cur.fetchmany(5)
        if bad:
            raise RuntimeError(f"foreign key violations after load: {bad}")
    return seconds


def _copy_from_postgres(n_parties: int) -> dict[str, Any]:
    """Fill the SQLite bench database with the rows of the PostgreSQL one (same seed and
    scale, already generated): minutes instead of regenerating a million parties."""
    # psycopg reads the PostgreSQL copy; Django modules only after setup_django()
    # (bench/common.py) chose this run's database.
    import psycopg
    from django.apps import apps
    from django.db import connection, models, transaction

    from lexcase.accounts.models import User
    from lexcase.web.demo import demo_users

    t_start = time.perf_counter()
    demo_users()
    src_url = _db_names("postgres", n_parties)[0]
    loader = Loader()
    ops = connection.ops
    copied: dict[str, int] = {}
    with psycopg.connect(src_url) as src:
        users = dict(src.execute("SELECT username, id FROM accounts_user").fetchall())
        if users != dict(User.objects.values_list("username", "pk")):
            raise RuntimeError("user ids differ between the PostgreSQL and SQLite bench DBs")
        top = src.execute("SELECT coalesce(max(id), 0) FROM parties_party").fetchone()[0]
        if top != n_parties:
            raise RuntimeError(f"PostgreSQL bench DB holds {top} parties, not {n_parties}")
        dropped = _drop_indexes(loader)
        connection.disable_constraint_checking()
        try:
            for label in BULK_MODELS:
                model = apps.get_model(label)
                fields = model._meta.concrete_fields
                cols = [f.column for f in fields]
                convert = []
                for f in fields:
                    if isinstance(f, models.DateTimeField):
                        convert.append(ops.adapt_datetimefield_value)
                    elif isinstance(f, models.DateField):
                        convert.append(ops.adapt_datefield_value)
                    elif isinstance(f, models.DecimalField):
                        convert.append(lambda v: None if v is None else str(v))
                    else:
                        convert.append(None)
                table = model._meta.db_table
                quoted = ", ".join(f'"{c}"' for c in cols)
                n = 0
                with src.cursor(name=f"copy_{table}") as cur:
                    cur.itersize = 50_000
                    cur.execute(f"SELECT {quoted} FROM {table} ORDER BY id")
                    while batch := cur.fetchmany(50_000):
                        rows = [
                            tuple(
                                v if c is None else c(v) for c, v in zip(convert, row, strict=True)
                            )
                            for row in batch
                        ]
                        with transaction.atomic():
                            loader.insert(table, cols, rows)
                        n += len(rows)
                copied[table] = n
                print(f"  [sqlite] copied {table}: {n:,} rows", file=sys.stderr, flush=True)
        finally:
            connection.enable_constraint_checking()
    t_idx = _finish_load(loader, dropped)
    return {
        "copied_from": src_url.rsplit("/", 1)[1],
        "rows": copied,
        "index_rebuild_s": round(t_idx, 1),
        "load_total_s": round(time.perf_counter() - t_start, 1),
        "indexes_rebuilt": [n for n, _d in dropped],
    }


def _load(n_parties: int, seed: int) -> dict[str, Any]:
    """Generate and bulk-load parties, aliases, matters, links and the conflict index."""
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection, transaction
    from django.utils import timezone

    from lexcase.conflicts import engine
    from lexcase.conflicts.models import NameGram, PartyKey
    from lexcase.core import fieldcrypt
    from lexcase.matters.models import Matter, MatterMember, MatterParty
    from lexcase.parties.models import Party, PartyAlias
    from lexcase.parties.names import name_keys
    from lexcase.web.demo import demo_users

    t_start = time.perf_counter()
    users = demo_users()
    partners = [u.pk for u in users.values() if u.role == "partner"]
    lawyers = [u.pk for u in users.values() if u.role == "lawyer"]
    loader = Loader()
    rng = random.Random(seed)
    gen = NameGen(rng)
    statuses, status_w = _weighted(STATUSES)
    mtypes, mtype_w = _weighted(MATTER_TYPES)
    now = timezone.now()
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value

    tables = {
        m: m._meta.db_table for m in (Party, PartyAlias, Matter, MatterParty, MatterMember)
    } | {PartyKey: PartyKey._meta.db_table, NameGram: NameGram._meta.db_table}
    party_cols = _columns(Party)
    alias_cols = _columns(PartyAlias)
    matter_cols = _columns(Matter)
    link_cols = _columns(MatterParty)
    member_cols = _columns(MatterMember)
    key_cols = ["id", *engine._KEY_COLUMNS]
    gram_cols = ["id", *engine._GRAM_COLUMNS]

    dropped = _drop_indexes(loader)

    # The pure key derivations are memoised for the load only (names repeat a lot);
    # the engine's own row builder is used unchanged, so the rows are the engine's rows.
    original_pinyin = engine.pinyin_keys
    engine.pinyin_keys = functools.lru_cache(maxsize=300_000)(original_pinyin)
    cached_keys = functools.lru_cache(maxsize=300_000)(
        lambda name, kind: tuple(name_keys(name, kind=kind).items())
    )

    counts: Counter[str] = Counter()
    key_id = gram_id = alias_id = link_id = member_id = 0
    matter_id = 0
    pending: list[int] = []  # party ids waiting for a matter
    t_gen = t_ins = 0.0
    try:
        if connection.vendor == "postgresql":
            # Skip per-row FK triggers: the rows are consistent by construction.
            loader.execute("SET session_replication_role = replica")
        else:
            connection.disable_constraint_checking()
        next_id = 1
        while next_id <= n_parties:
            t0 = time.perf_counter()
            stop = min(n_parties + 1, next_id + CHUNK)
            p_rows, a_rows, k_rows, g_rows = [], [], [], []
            m_rows, l_rows, mm_rows = [], [], []
            for pid in range(next_id, stop):
                r = rng.random()
                passport = id_number = credit_code = ""
                aliases: list[tuple[str, str]] = []
                if r < 0.55:
                    kind, name = "person", gen.person()
                    if rng.random() < 0.6:
                        id_number = _id_number(pid, rng)
                    if rng.random() < 0.02:
                        aliases.append(("former", gen.person()))
                elif r < 0.60:
                    kind, name = "person", gen.latin()
                    if rng.random() < 0.5:
                        passport = f"E{pid:08d}"
                else:
                    kind, name = "organization", gen.org()
                    if rng.random() < 0.7:
                        credit_code = _credit_code(pid)
                    if rng.random() < 0.08:
                        keys = dict(cached_keys(name, kind))
                        if rng.random() < 0.5:
                            aliases.append(("short", keys["trade"]))
                        else:
                            aliases.append(("former", gen.org()))
                keys = dict(cached_keys(name, kind))
                party = Party(
                    pk=pid,
                    kind=kind,
                    name=name,
                    name_normalized=keys["normalized"][:200],
                    name_core=keys["core"][:200],
                    name_trade=keys["trade"][:200],
                    id_number=id_number,
                    credit_code=credit_code,
                    passport=passport,
                )
                stamp = adapt_dt(now - timedelta(days=rng.randint(0, 3650)))
                p_rows.append(
                    tuple(
                        {
                            "id": pid,
                            "kind": kind,
                            "name": name,
                            "name_normalized": party.name_normalized,
                            "name_core": party.name_core,
                            "name_trade": party.name_trade,
                            # Raw rows: ciphertext and keyed hashes, as the fields write.
                            "id_number": fieldcrypt.encrypt(id_number),
                            "id_number_hash": fieldcrypt.blind_index(id_number),
                            "credit_code": credit_code,
                            "passport": fieldcrypt.encrypt(passport),
                            "passport_hash": fieldcrypt.blind_index(passport),
                            "phone": "",
                            "email": "",
                            "address": "",
                            "notes": "",
                            "created_at": stamp,
                            "updated_at": stamp,
                            "version": 1,
                            # Every generated party goes onto a matter (below); the
                            # database triggers that keep this flag are off during COPY.
                            "on_matter": True,
                        }[c]
                        for c in party_cols
                    )
                )
                alias_objs = []
                for akind, aname in aliases:
                    if aname == name:
                        continue
                    alias_id += 1
                    akeys = dict(cached_keys(aname, kind))
                    alias = PartyAlias(
                        pk=alias_id,
                        party_id=pid,
                        kind=akind,
                        name=aname,
                        name_normalized=akeys["normalized"][:200],
                        name_core=akeys["core"][:200],
                    )
                    alias_objs.append(alias)
                    a_rows.append(
                        tuple(
                            {
                                "id": alias_id,
                                "party_id": pid,
                                "kind": akind,
                                "name": aname,
                                "name_normalized": alias.name_normalized,
                                "name_core": alias.name_core,
                            }[c]
                            for c in alias_cols
                        )
                    )
                # The engine's own row builder (what index_party / index_parties write).
                party_keys, party_grams = engine._party_rows(party, alias_objs)
                for row in party_keys:
                    key_id += 1
                    k_rows.append((key_id, *row))
                for row in party_grams:
                    gram_id += 1
                    g_rows.append((gram_id, *row))
                counts[kind] += 1
                counts["aliases"] += len(alias_objs)
                pending.append(pid)

                # Matters take 2–3 parties each from the stream; some also a repeat client.
                want = 3 if rng.random() < 0.3 else 2
                if len(pending) >= want or pid == n_parties:
                    matter_id += 1
                    mid = matter_id
                    status = rng.choices(statuses, status_w)[0]
                    mtype = rng.choices(mtypes, mtype_w)[0]
                    created = now - timedelta(days=rng.randint(0, 3650))
                    opened = None if status == "intake" else timezone.localtime(created).date()
                    closed = (
                        opened + timedelta(days=rng.randint(30, 700))
                        if opened and status in ("closed", "archived")
                        else None
                    )
                    m_rows.append(
                        tuple(
                            {
                                "id": mid,
                                "number": f"B{mid:07d}",
                                "title": f"基准案件{mid}",
                                "matter_type": mtype,
                                "cause_id": None,
                                "practice_area_id": None,
                                "summary": "",
                                "priority": "P2",
                                "status": status,
                                "stage": "preparation",
                                "amount": None,
                                "court": "",
                                "confidential": rng.random() < 0.05,
                                "outcome": "",
                                "opened_on": adapt_date(opened),
                                "closed_on": adapt_date(closed),
                                "created_by_id": rng.choice(lawyers),
                                "created_at": adapt_dt(created),
                                "updated_at": adapt_dt(created),
                                # Kept by triggers on the communication log; the bench writes none.
                                "last_outbound_at": None,
                                "version": 1,
                            }[c]
                            for c in matter_cols
                        )
                    )
                    linked = list(pending)
                    if rng.random() < 0.1 and pid > 100:
                        # A returning client from earlier matters; the new parties are the
                        # other sides.
                        linked.insert(0, rng.randint(1, pid - len(pending)))
                    roles = ["client", "opposing", "third_party", "third_party"]
                    for party_id, role in zip(linked, roles, strict=False):
                        link_id += 1
                        l_rows.append(
                            tuple(
                                {
                                    "id": link_id,
                                    "matter_id": mid,
                                    "party_id": party_id,
                                    "role": role,
                                    "standing": "",
                                }[c]
                                for c in link_cols
                            )
                        )
                    pending = []
                    member_id += 1
                    mm_rows.append(
                        tuple(
                            {
                                "id": member_id,
                                "matter_id": mid,
                                "user_id": rng.choice(partners),
                                "role": "responsible_partner",
                                "added_at": adapt_dt(created),
                            }[c]
                            for c in member_cols
                        )
                    )
            t1 = time.perf_counter()
            t_gen += t1 - t0
            with transaction.atomic():
                loader.insert(tables[Party], party_cols, p_rows)
                loader.insert(tables[PartyAlias], alias_cols, a_rows)
                loader.insert(tables[Matter], matter_cols, m_rows)
                loader.insert(tables[MatterParty], link_cols, l_rows)
                loader.insert(tables[MatterMember], member_cols, mm_rows)
                loader.insert(tables[PartyKey], key_cols, k_rows)
                loader.insert(tables[NameGram], gram_cols, g_rows)
            t_ins += time.perf_counter() - t1
            next_id = stop
            print(
                f"  [{connection.vendor}] loaded {stop - 1:,} parties, {matter_id:,} matters, "
                f"{key_id:,} keys, {gram_id:,} grams "
                f"(gen {t_gen:.0f}s, insert {t_ins:.0f}s)",
                file=sys.stderr,
                flush=True,
            )
    finally:
        engine.pinyin_keys = original_pinyin
        if connection.vendor == "postgresql":
            loader.execute("SET session_replication_role = DEFAULT")
        else:
            connection.enable_constraint_checking()
    t_idx = _finish_load(loader, dropped)
    return {
        "generate_s": round(t_gen, 1),
        "insert_s": round(t_ins, 1),
        "index_rebuild_s": round(t_idx, 1),
        "load_total_s": round(time.perf_counter() - t_start, 1),
        "indexes_rebuilt": [n for n, _d in dropped],
        "generated": dict(counts),
        "matters": matter_id,
        "matter_parties": link_id,
        "party_keys": key_id,
        "name_grams": gram_id,
    }


def _existing_parties(db: str, url: str) -> int:
    try:
        if db == "sqlite":
            # The driver of the database being measured, only.
            import sqlite3

            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                return 0
            with sqlite3.connect(path) as conn:
                return conn.execute("SELECT coalesce(max(id), 0) FROM parties_party").fetchone()[0]
        # The driver of the database being measured, only.
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT coalesce(max(id), 0) FROM parties_party").fetchone()[0]
    except Exception:
        return 0


def _db_names(db: str, parties: int) -> tuple[str, str]:
    """(DATABASE_URL, label); scales other than the default get their own database."""
    suffix = "" if parties == 1_000_000 else f"_{parties}"
    if db == "sqlite":
        path = SQLITE_PATH.with_name(f"{SQLITE_PATH.stem}{suffix}{SQLITE_PATH.suffix}")
        return f"sqlite:///{path}", str(path)
    return f"{PG_SERVER}/{PG_NAME}{suffix}", f"{PG_NAME}{suffix}"


def _prepare(args: argparse.Namespace) -> dict[str, Any]:
    url, _label = _db_names(args.db, args.parties)
    have = _existing_parties(args.db, url)
    reused = bool(args.reuse and have == args.parties)
    if not reused:
        recreate(args.db, url)
    setup_django(url)
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.core.management import call_command

    out: dict[str, Any] = {"reused": reused}
    t0 = time.perf_counter()
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except Exception as exc:
        if not reused:
            raise
        # Other apps' migrations may have been rewritten since the load (shared working
        # tree); the tables measured here are the ones the load wrote, so go on.
        out["migrate_error"] = repr(exc)[:300]
        print(f"  migrate failed on the reused DB: {exc!r}"[:300], file=sys.stderr, flush=True)
    out["migrate_s"] = round(time.perf_counter() - t0, 1)
    if not reused and args.db == "sqlite" and args.from_postgres:
        out["load"] = _copy_from_postgres(args.parties)
    elif not reused:
        out["load"] = _load(args.parties, args.seed)
    t0 = time.perf_counter()
    analyze()
    out["analyze_s"] = round(time.perf_counter() - t0, 1)
    return out


def _verify_index(sample: int, seed: int) -> dict[str, Any]:
    """Re-index a sample of parties with the engine's `index_party` and compare the rows.

    Rolled back afterwards, so the bench data are untouched either way.
    """
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import transaction

    from lexcase.conflicts.engine import index_party
    from lexcase.conflicts.models import NameGram, PartyKey
    from lexcase.parties.models import Party, PartyAlias

    rng = random.Random(seed + 7)
    top = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = sorted({rng.randint(1, top) for _ in range(sample)})
    # Every party with an alias in range too: the rows most likely to differ.
    ids += list(PartyAlias.objects.order_by("party_id").values_list("party_id", flat=True)[:50])
    ids = sorted(set(ids))

    def snapshot() -> tuple[Counter, Counter]:
        keys = Counter(
            PartyKey.objects.filter(party_id__in=ids).values_list(
                "party_id", "relative_id", "key_type", "value", "text", "from_alias", "shared"
            )
        )
        grams = Counter(
            NameGram.objects.filter(party_id__in=ids).values_list("party_id", "relative_id", "gram")
        )
        return keys, grams

    bulk_keys, bulk_grams = snapshot()
    with transaction.atomic():
        for party in Party.objects.filter(pk__in=ids):
            index_party(party)
        engine_keys, engine_grams = snapshot()
        transaction.set_rollback(True)
    return {
        "parties": len(ids),
        "key_rows": sum(bulk_keys.values()),
        "gram_rows": sum(bulk_grams.values()),
        "identical": bulk_keys == engine_keys and bulk_grams == engine_grams,
        "key_diff": [
            repr(x) for x in list((bulk_keys - engine_keys) + (engine_keys - bulk_keys))[:10]
        ],
        "gram_diff": [
            repr(x) for x in list((bulk_grams - engine_grams) + (engine_grams - bulk_grams))[:10]
        ],
    }


# -- the labelled query set -------------------------------------------------------------


def _homophones() -> dict[str, list[str]]:
    """Given-name characters grouped by their toneless reading (pypinyin), for homophones."""
    # Heavy, and only this measurement needs it.
    from pypinyin import lazy_pinyin

    groups: dict[str, list[str]] = {}
    for ch in dict.fromkeys(GIVEN):
        groups.setdefault(lazy_pinyin(ch)[0], []).append(ch)
    return {ch: [o for o in group if o != ch] for group in groups.values() for ch in group}


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _spaced(text: str, rng: random.Random) -> str:
    if len(text) < 2:
        return text
    i = rng.randint(1, len(text) - 1)
    return text[:i] + rng.choice([" ", "\u3000", "  "]) + text[i:]


def _build_queries(per_class: int, seed: int) -> tuple[dict[str, list[dict[str, Any]]], dict]:
    """Queries per class, each with the party id it must find (ground truth)."""
    # opencc is heavy and only the query set needs it; Django modules only after
    # setup_django() (bench/common.py) chose this run's database.
    from opencc import OpenCC

    from lexcase.conflicts.models import PartyKey
    from lexcase.parties.models import Party, PartyAlias
    from lexcase.parties.names import _REGION_PREFIX, name_keys, normalize_name

    s2t = OpenCC("s2t").convert
    t2s = OpenCC("t2s").convert
    rng = random.Random(seed + 1)
    gen = NameGen(random.Random(seed + 2))
    top = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    fields = ("pk", "kind", "name", "name_trade", "name_core", "id_number", "credit_code")
    fields += ("passport",)
    sample_ids = sorted({rng.randint(1, top) for _ in range(per_class * 60)})
    parties = list(Party.objects.filter(pk__in=sample_ids).values(*fields))
    rng.shuffle(parties)
    persons = [p for p in parties if p["kind"] == "person" and p["name"].isascii() is False]
    latins = [p for p in parties if p["kind"] == "person" and p["name"].isascii()]
    orgs = [p for p in parties if p["kind"] == "organization"]
    homophones = _homophones()
    skipped: Counter[str] = Counter()
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in CLASSES}

    def add(cls: str, p: dict[str, Any] | None, name: str, kind: str, **ids: str) -> None:
        out[cls].append(
            {
                "name": name,
                "kind": kind,
                "id_number": ids.get("id_number", ""),
                "credit_code": ids.get("credit_code", ""),
                "passport": ids.get("passport", ""),
                "target": p["pk"] if p else None,
                "source": p["name"] if p else "",
            }
        )

    # identifier: the identifier with a different (new) name, so only the number can match.
    with_id = [p for p in parties if p["id_number"] or p["credit_code"] or p["passport"]]
    for p in with_id[:per_class]:
        other = gen.person() if p["kind"] == "person" else gen.org()
        ids = {k: p[k] for k in ("id_number", "credit_code", "passport") if p[k]}
        add("identifier", p, other, p["kind"], **ids)
    # exact: the stored name as is (persons, organisations and Latin names).
    pool = persons[: per_class // 2] + orgs[: per_class // 2 - per_class // 10]
    pool += latins[: per_class - len(pool)]
    for p in pool:
        add("exact", p, p["name"], p["kind"])
    # alias: a stored former or short name.
    aliases = list(PartyAlias.objects.order_by("pk").values_list("party_id", "name", "party__kind"))
    rng.shuffle(aliases)
    for party_id, name, kind in aliases[:per_class]:
        add("alias", {"pk": party_id, "name": name}, name, kind)
    # normalised: traditional characters, full-width, bracket variants, spaces, Latin case.
    for p in persons[per_class : per_class * 3] + orgs[per_class : per_class * 3] + latins:
        if len(out["normalised"]) >= per_class:
            break
        name = p["name"]
        if name.isascii():
            variant = _full_width(name.upper() if rng.random() < 0.5 else name)
        else:
            variant = name
            trad = s2t(name)
            if trad != name and t2s(trad) == name:
                variant = trad
            elif trad != name:
                skipped["normalised: s2t does not round-trip"] += 1
            if "（" in variant or "(" in variant:
                pair = rng.choice([("(", ")"), ("【", "】"), ("〔", "〕"), ("［", "］")])
                variant = variant.replace("（", pair[0]).replace("）", pair[1])
                variant = variant.replace("(", pair[0]).replace(")", pair[1])
            if rng.random() < 0.5 or variant == name:
                variant = _spaced(variant, rng)
        if variant == name:
            skipped["normalised: no variant"] += 1
            continue
        add("normalised", p, variant, p["kind"])
    # core name: legal form swapped (有限公司 ↔ 有限责任公司, 股份有限公司 → 股份公司) or
    # the region prefix dropped.
    for p in orgs[per_class * 3 :]:
        if len(out["core_name"]) >= per_class:
            break
        name = p["name"]
        region = _REGION_PREFIX.match(normalize_name(name))
        choices = []
        if name.endswith("股份有限公司"):
            choices.append(name[: -len("股份有限公司")] + "股份公司")
        elif name.endswith("有限责任公司"):
            choices.append(name[: -len("有限责任公司")] + "有限公司")
        elif name.endswith("有限公司") and not name.endswith("集团有限公司"):
            choices.append(name[: -len("有限公司")] + "有限责任公司")
        if region and region.group(0) and len(region.group(0)) < len(name):
            choices.append(name[len(region.group(0)) :])
        if not choices:
            skipped["core_name: no suffix or region"] += 1
            continue
        add("core_name", p, rng.choice(choices), "organization")
    # substring: the trade name alone (大疆创新), where it is shorter than the core name.
    for p in orgs[per_class * 5 :]:
        if len(out["substring"]) >= per_class:
            break
        trade, core = p["name_trade"], p["name_core"]
        if trade == core or len(trade) < 2:
            skipped["substring: trade name = core name"] += 1
            continue
        add("substring", p, trade, "organization")
    # typo: one character substituted, inserted or deleted (engine 2.0's promise: names of
    # up to TYPO_MAX_CHARS characters, and the trade name of any organisation). Half Chinese
    # personal names (an edit anywhere), half organisations (an edit in the trade name,
    # the rest of the registered name unchanged); kept when the matching keys are exactly one
    # edit apart. Latin names (9+ characters normalised here) are outside the promise.
    from rapidfuzz.distance import Levenshtein

    from lexcase.conflicts.engine import TYPO_MAX_CHARS

    typo_pool = [
        p
        for pair in zip(orgs[per_class * 7 :], persons[per_class * 3 :], strict=False)
        for p in pair
    ]
    person_alphabet = SURNAMES + GIVEN
    for p in typo_pool:
        if len(out["typo"]) >= per_class:
            break
        name = p["name"]
        kind = p["kind"]
        if kind == "organization":
            trade = p["name_trade"]
            start = normalize_name(name).find(trade)
            if start < 0 or len(trade) > TYPO_MAX_CHARS:
                skipped["typo: trade not in name"] += 1
                continue
            i = start + rng.randrange(len(trade))
            alphabet = TRADE
        else:
            i = rng.randrange(len(name))
            alphabet = person_alphabet
        op = rng.choice(["sub", "ins", "del"] if len(name) > 2 else ["sub", "ins"])
        if op == "sub":
            variant = name[:i] + rng.choice([c for c in alphabet if c != name[i]]) + name[i + 1 :]
        elif op == "ins":
            variant = name[:i] + rng.choice(alphabet) + name[i:]
        else:
            variant = name[:i] + name[i + 1 :]
        key = "trade" if kind == "organization" else "normalized"
        a = name_keys(variant, kind=kind)[key]
        b = trade if kind == "organization" else normalize_name(name)
        if Levenshtein.distance(a, b) != 1:
            skipped["typo: keys not one edit apart"] += 1
            continue
        add("typo", p, variant, kind)
    # pinyin: one given-name character replaced by a homophone (张伟 → 张玮).
    for p in persons[per_class * 3 :]:
        if len(out["pinyin"]) >= per_class:
            break
        name = p["name"]
        positions = [i for i in range(1, len(name)) if homophones.get(name[i])]
        if not positions:
            skipped["pinyin: no homophone"] += 1
            continue
        i = rng.choice(positions)
        add("pinyin", p, name[:i] + rng.choice(homophones[name[i]]) + name[i + 1 :], "person")
    # negatives: fresh names whose normalised form is nobody's name or alias.
    neg_gen = NameGen(random.Random(seed + 99))
    tries = 0
    while len(out["negative"]) < per_class and tries < per_class * 50:
        tries += 1
        kind = "person" if tries % 2 else "organization"
        name = neg_gen.person() + neg_gen.rng.choice(GIVEN) if kind == "person" else None
        if kind == "organization":
            name = f"{neg_gen.region()}{neg_gen.trade()}{neg_gen.trade()}科技有限公司"
        norm = normalize_name(name)
        if PartyKey.objects.filter(key_type__in=["name", "alias"], value=norm).exists():
            continue
        add("negative", None, name, kind)
    return out, dict(skipped)


# -- measuring --------------------------------------------------------------------------


def _run_queries(
    queries: dict[str, list[dict[str, Any]]], floor_ids: list[int], check_every: int
) -> dict:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from lexcase.conflicts.engine import QueryParty, find_candidates, group_members
    from lexcase.conflicts.verdicts import conflict_check
    from lexcase.core import fieldcrypt
    from lexcase.parties.models import Party

    def qp(q: dict[str, Any]) -> QueryParty:
        return QueryParty(
            name=q["name"],
            kind=q["kind"],
            role="client",
            id_number=q["id_number"],
            credit_code=q["credit_code"],
            passport=q["passport"],
        )

    def engine(q: dict[str, Any]) -> tuple[set[int], dict[str, Any]]:
        cands = find_candidates(qp(q))
        found = {c.party_id for c in cands if c.party_id is not None}
        target = next((c for c in cands if c.party_id == q["target"]), None)
        return found, {
            "candidates": len(cands),
            "truncated": cands.truncated,
            "matched_on": target.matched_on if target else None,
            "conclusive": sum(1 for c in cands if c.conclusive),
            "groups": [
                [g.matched_on, g.key, g.total, g.listed, g.approximate] for g in cands.groups
            ],
            "_candidates": cands,
        }

    def in_group(q: dict[str, Any], info: dict[str, Any]) -> str | None:
        """Untimed: the match kind of the group that counts the target, if one does (the
        target is then found, counted rather than listed; group_members lists it)."""
        for g in info["_candidates"].groups:
            if (q["target"], None) in set(group_members(g)):
                return g.matched_on
        return None

    def check(q: dict[str, Any]) -> tuple[set[int], dict[str, Any]]:
        result = conflict_check([qp(q)])
        verdicts = Counter(h.verdict for h in result.hits)
        return {h.party_id for h in result.hits if h.party_id is not None}, {
            "hits": len(result.hits),
            "absolute": verdicts.get("absolute", 0),
        }

    def naive(q: dict[str, Any]) -> tuple[set[int], dict[str, Any]]:
        cond = Q(name__icontains=q["name"])
        for field in ("id_number", "credit_code", "passport"):
            if q[field]:
                # Personal identifiers are encrypted: their keyed hash is what matches.
                lookup = (
                    {f"{field}_hash__in": fieldcrypt.blind_indexes(q[field])}
                    if field != "credit_code"
                    else {field: q[field]}
                )
                cond |= Q(**lookup)
        rows = set(Party.objects.filter(cond).values_list("pk", flat=True))
        return rows, {"rows": len(rows)}

    def floor(q: dict[str, Any], i: int) -> None:
        list(Party.objects.filter(pk=floor_ids[i % len(floor_ids)]))

    ops = {"engine": engine, "conflict_check": check, "naive": naive}
    flat = [(cls, q) for cls in CLASSES for q in queries[cls]]
    # Warm-up (untimed): caches, pypinyin/OpenCC dictionaries, and SQL query counts.
    rng = random.Random(5)
    qcounts: dict[str, dict[str, list[int]]] = {cls: {k: [] for k in ops} for cls in CLASSES}
    for cls in CLASSES:
        for q in queries[cls][:3]:
            for name, op in ops.items():
                with CaptureQueriesContext(connection) as ctx:
                    op(q)
                qcounts[cls][name].append(len(ctx.captured_queries))
    for _cls, q in rng.sample(flat, min(WARMUP_QUERIES, len(flat))):
        for op in ops.values():
            op(q)
    gc.collect()
    per_query: list[dict[str, Any]] = []
    t_last = time.perf_counter()
    for i, (cls, q) in enumerate(flat):
        row: dict[str, Any] = {"class": cls, "query": q["name"], "target": q["target"]}
        names = [n for n in ops if n != "conflict_check" or i % check_every == 0]
        order = names[i % len(names) :] + names[: i % len(names)]  # rotate: no fixed neighbour
        for name in order:
            t0 = time.perf_counter()
            found, info = ops[name](q)
            row[f"{name}_s"] = time.perf_counter() - t0
            if name == "engine":
                info["target_in_group"] = None
                if q["target"] and q["target"] not in found:
                    info["target_in_group"] = in_group(q, info)
                    if info["target_in_group"]:
                        found = found | {q["target"]}
                del info["_candidates"]
            row[f"{name}_found"] = q["target"] in found if q["target"] else None
            row[f"{name}_info"] = info
        t0 = time.perf_counter()
        floor(q, i)
        row["floor_s"] = time.perf_counter() - t0
        per_query.append(row)
        if time.perf_counter() - t_last > 30:
            t_last = time.perf_counter()
            print(
                f"  [{connection.vendor}] measured {i + 1}/{len(flat)}", file=sys.stderr, flush=True
            )
    return {"per_query": per_query, "query_counts": qcounts}


def _summarise(per_query: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    groups = {cls: [r for r in per_query if r["class"] == cls] for cls in CLASSES}
    groups["all"] = per_query
    groups["all positives"] = [r for r in per_query if r["target"] is not None]
    for cls, rows in groups.items():
        if not rows:
            continue
        entry: dict[str, Any] = {"queries": len(rows)}
        for op in ("engine", "conflict_check", "naive", "floor"):
            entry[op] = _stats([r[f"{op}_s"] for r in rows if f"{op}_s" in r])
        for op in ("engine", "conflict_check", "naive"):
            found = [r[f"{op}_found"] for r in rows if r.get(f"{op}_found") is not None]
            entry[f"{op}_recall"] = round(sum(found) / len(found), 4) if found else None
        entry["ratio_p50"] = round(entry["naive"]["p50"] / entry["engine"]["p50"], 1)
        entry["ratio_p95"] = round(entry["naive"]["p95"] / entry["engine"]["p95"], 1)
        entry["check_ratio_p95"] = round(entry["naive"]["p95"] / entry["conflict_check"]["p95"], 1)
        cands = sorted(r["engine_info"]["candidates"] for r in rows)
        entry["candidates_p50"] = cands[len(cands) // 2]
        entry["candidates_max"] = cands[-1]
        entry["truncated"] = sum(1 for r in rows if r["engine_info"]["truncated"])
        found_groups = [g for r in rows for g in r["engine_info"].get("groups", [])]
        entry["queries_with_groups"] = sum(1 for r in rows if r["engine_info"].get("groups"))
        entry["grouped_owners"] = sum(g[2] - g[3] for g in found_groups)
        entry["groups_by_kind"] = dict(Counter(g[0] for g in found_groups))
        biggest = max(found_groups, key=lambda g: g[2] - g[3], default=None)
        entry["largest_group"] = biggest
        entry["target_in_group"] = sum(
            1 for r in rows if r["engine_info"].get("target_in_group") is not None
        )
        entry["naive_rows_max"] = max(r["naive_info"]["rows"] for r in rows)
        entry["conclusive_candidates"] = sum(r["engine_info"]["conclusive"] for r in rows)
        entry["absolute_hits"] = sum(
            r["conflict_check_info"]["absolute"] for r in rows if "conflict_check_info" in r
        )
        entry["matched_on"] = dict(
            Counter(r["engine_info"]["matched_on"] for r in rows if r["engine_info"]["matched_on"])
        )
        entry["missed"] = [
            {"query": r["query"], "target": r["target"]} for r in rows if r["engine_found"] is False
        ][:20]
        summary[cls] = entry
    return summary


def _dataset() -> dict[str, Any]:
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db.models import Count

    from lexcase.conflicts.models import NameGram, PartyKey
    from lexcase.matters.models import Matter, MatterParty
    from lexcase.parties.models import Party, PartyAlias

    parties = Party.objects.count()
    return {
        "parties": parties,
        "kinds": dict(Party.objects.values_list("kind").annotate(n=Count("id"))),
        "distinct_names": Party.objects.values("name").distinct().count(),
        "with_id_number": Party.objects.exclude(id_number="").count(),
        "with_credit_code": Party.objects.exclude(credit_code="").count(),
        "with_passport": Party.objects.exclude(passport="").count(),
        "aliases": PartyAlias.objects.count(),
        "matters": Matter.objects.count(),
        "matter_statuses": dict(Matter.objects.values_list("status").annotate(n=Count("id"))),
        "matter_parties": MatterParty.objects.count(),
        "party_keys": PartyKey.objects.count(),
        "name_grams": NameGram.objects.count(),
        "distinct_grams": NameGram.objects.values("gram").distinct().count(),
    }


def worker(args: argparse.Namespace) -> dict[str, Any]:
    prep = _prepare(args)
    if args.load_only:
        return {"db": args.db, "prepare": prep}
    # Django modules: only after setup_django() (bench/common.py) chose this run's database.
    from django.db import connection

    from lexcase.conflicts.engine import ENGINE_VERSION
    from lexcase.parties.models import Party

    t0 = time.perf_counter()
    verify = _verify_index(args.verify_sample, args.seed)
    verify["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"  [{connection.vendor}] index check: {verify}", file=sys.stderr, flush=True)
    dataset = _dataset()
    queries, skipped = _build_queries(args.per_class, args.seed)
    rng = random.Random(args.seed + 3)
    top = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    floor_ids = [rng.randint(1, top) for _ in range(50)]
    t0 = time.perf_counter()
    measured = _run_queries(queries, floor_ids, args.check_every)
    measure_s = time.perf_counter() - t0
    return {
        "db": args.db,
        "vendor": connection.vendor,
        "server_version": server_version(),
        "database": _db_names(args.db, args.parties)[1],
        "engine_version": ENGINE_VERSION,
        "prepare": prep,
        "index_check": verify,
        "dataset": dataset,
        "queries_per_class": {c: len(v) for c, v in queries.items()},
        "queries_skipped": skipped,
        "query_examples": {
            c: [(q["name"], q["source"]) for q in v[:5]] for c, v in queries.items()
        },
        "measure_s": round(measure_s, 1),
        "summary": _summarise(measured["per_query"]),
        "query_counts": measured["query_counts"],
        "per_query": [
            {k: (round(v * 1000, 3) if k.endswith("_s") else v) for k, v in r.items()}
            for r in measured["per_query"]
        ],
    }


# -- the parent -------------------------------------------------------------------------


def _run_child(db: str, args: argparse.Namespace) -> dict[str, Any]:
    VAR.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".json", dir=VAR, delete=False) as tmp:
        out = Path(tmp.name)
    cmd = [sys.executable, "-m", "bench.conflicts", "--worker", "--db", db]
    cmd += ["--parties", str(args.parties), "--seed", str(args.seed)]
    cmd += ["--per-class", str(args.per_class), "--verify-sample", str(args.verify_sample)]
    cmd += ["--check-every", str(args.check_every), "--worker-out", str(out)]
    cmd += ["--reuse"] if args.reuse else []
    cmd += ["--load-only"] if args.load_only else []
    cmd += ["--from-postgres"] if args.from_postgres else []
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    print(f"== {db}: {args.parties:,} parties ==", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    try:
        data = (
            json.loads(out.read_text())
            if proc.returncode == 0
            else {"error": f"worker rc {proc.returncode}"}
        )
    finally:
        out.unlink(missing_ok=True)
    data["wall_s"] = round(time.perf_counter() - t0, 1)
    return data


def _ms(v: float) -> str:
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.1f}%"


def _group(g: list[Any] | None) -> str:
    if not g:
        return "–"
    kind, key, total, listed, approximate = g
    return f"{key} ×{total:,}{' (≤)' if approximate else ''} {kind}, {listed} listed"


def markdown(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for db, run in data["databases"].items():
        if "error" in run:
            lines += [f"#### {db}: ERROR {run['error']}", ""]
            continue
        ds = run["dataset"]
        load = run["prepare"].get("load") or {}
        kinds = ", ".join(f"{k} {v:,}" for k, v in ds["kinds"].items())
        lines += [
            f"#### {run['vendor']} {run['server_version']} — {ds['parties']:,} parties",
            "",
            f"{ds['parties']:,} parties ({kinds}; "
            f"{ds['distinct_names']:,} distinct names), {ds['aliases']:,} aliases, "
            f"{ds['matters']:,} matters, {ds['matter_parties']:,} matter–party links; index "
            f"{ds['party_keys']:,} PartyKey rows and {ds['name_grams']:,} NameGram rows "
            f"({ds['distinct_grams']:,} distinct grams). "
            + (
                f"Load: generate {load.get('generate_s')} s, insert {load.get('insert_s')} s, "
                f"index build {load.get('index_rebuild_s')} s. "
                if load
                else "Reused an existing load. "
            )
            + f"Index check: {run['index_check']['parties']} parties re-indexed with "
            f"`index_party` → rows identical: **{run['index_check']['identical']}**.",
            "",
            "| class | n | engine p50 | engine p95 | `conflict_check` p50 | `conflict_check` p95 "
            "| naive p50 | naive p95 | naive/engine p95 | recall engine | recall naive "
            "| cands p50/max | grouped: queries / owners | largest group "
            "| target counted in a group |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        for cls in [*CLASSES, "all positives", "all"]:
            e = run["summary"].get(cls)
            if not e:
                continue
            req = REQUIRED.get(cls)
            rec = _pct(e["engine_recall"])
            if req is not None and e["engine_recall"] is not None:
                rec += " ✓" if e["engine_recall"] >= req else f" ✗ (goal {req * 100:.0f}%)"
            lines.append(
                f"| {cls} | {e['queries']} | {_ms(e['engine']['p50'])} | {_ms(e['engine']['p95'])} "
                f"| {_ms(e['conflict_check']['p50'])} | {_ms(e['conflict_check']['p95'])} "
                f"| {_ms(e['naive']['p50'])} | {_ms(e['naive']['p95'])} | {e['ratio_p95']}× "
                f"| {rec} | {_pct(e['naive_recall'])} "
                f"| {e['candidates_p50']}/{e['candidates_max']} "
                f"| {e['queries_with_groups']} / {e['grouped_owners']:,} "
                f"| {_group(e['largest_group'])} "
                f"| {e['target_in_group']} |"
            )
        allq = run["summary"]["all"]
        neg = run["summary"].get("negative", {})
        lines += [
            "",
            f"Times in ms per checked name. Floor (one Party by PK) p50 "
            f"{_ms(allq['floor']['p50'])} ms. Truncated candidate lists: "
            f"{allq['truncated']} of {allq['queries']}. Negatives: "
            f"{neg.get('conclusive_candidates', '–')} conclusive candidates, "
            f"{neg.get('absolute_hits', '–')} absolute hits. Recall counts a target listed "
            "or counted in a group (`group_members` lists it; checked untimed). Goal p95 ≤ "
            "naive p95 / "
            f"{GOAL_RATIO:.0f}: engine {allq['ratio_p95']}× "
            f"({'met' if allq['ratio_p95'] >= GOAL_RATIO else 'NOT met'}), `conflict_check` "
            f"{allq['check_ratio_p95']}×. `conflict_check` was timed on "
            f"{allq['conflict_check']['n']} of the {allq['queries']} queries "
            f"(every {data['args'].get('check_every', 1)}.).",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--parties", type=int, default=1_000_000)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--per-class", type=int, default=100, help="queries per variant class")
    p.add_argument(
        "--check-every",
        type=int,
        default=1,
        help="time conflict_check on every k-th query only (it repeats find_candidates)",
    )
    p.add_argument("--verify-sample", type=int, default=300, help="parties re-indexed to compare")
    p.add_argument("--reuse", action="store_true", help="keep a bench DB with exactly N parties")
    p.add_argument("--quick", action="store_true", help="smoke run: 20k parties, 20 per class")
    p.add_argument("--load-only", action="store_true", help="prepare the databases only")
    p.add_argument(
        "--from-postgres",
        action="store_true",
        help="fill the SQLite DB by copying the PostgreSQL bench DB of the same scale",
    )
    p.add_argument("--out", default=None)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.parties, args.per_class, args.verify_sample = 20_000, 20, 100
    if args.worker:
        try:
            data = worker(args)
        except Exception:
            traceback.print_exc()
            return 1
        Path(args.worker_out).write_text(json.dumps(data, ensure_ascii=False, default=str))
        return 0

    out = Path(args.out or ROOT / "bench" / "results" / f"conflicts_{args.parties}.json")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    data: dict[str, Any] = {
        "benchmark": "conflicts",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.conflicts " + " ".join(sys.argv[1:] if argv is None else argv),
        "args": vars(args),
        "host": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
        },
        "goal": "engine p95 <= naive p95 / 20; recall 100% identifier/exact/alias/normalised/"
        "core-name/substring and one-character typos (names <= 8 chars, trade names)",
        "databases": {},
    }
    for db in dbs:
        data["databases"][db] = _run_child(db, args)
    if args.load_only:
        print(json.dumps(data["databases"], ensure_ascii=False, indent=1, default=str))
        return 0
    data["host"]["loadavg_end"] = os.getloadavg()
    data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
    md = markdown(data)
    out.with_suffix(".md").write_text(md + "\n")
    print(md)
    print(f"JSON: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
