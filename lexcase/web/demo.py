"""A realistic demo firm: users, teams, parties and matters of every type and status.

Bulk inserts keep 100k matters within a couple of minutes, so the same generator feeds
the benchmarks (bench/). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from lexcase.accounts.models import FirmProfile, PracticeArea, Role, Team, User
from lexcase.accounts.rules import is_assistant, is_lawyer, is_partner
from lexcase.accounts.services import user_create
from lexcase.billing.demo import demo_money
from lexcase.calendar.calculator import is_rest_day
from lexcase.calendar.selectors import calendar_data
from lexcase.comms.models import Communication
from lexcase.comms.selectors import DEFAULT_UPDATE_INTERVALS, update_intervals
from lexcase.conflicts.engine import index_parties
from lexcase.insights.demo import ARCHIVE_DAYS, demo_insights
from lexcase.matters.archive import archive_number_pattern, retention_suggest
from lexcase.matters.courts_data import COURT_CODES
from lexcase.matters.models import (
    MATTER_TYPE_CODES,
    ArchiveNumberCounter,
    ArchiveRecord,
    CaseCause,
    Matter,
    MatterMember,
    MatterNumberCounter,
    MatterParty,
    MatterType,
    MemberRole,
    PaperLoan,
    PartyRole,
    RetentionClass,
    Stage,
    Status,
)
from lexcase.matters.services import matter_number_counter
from lexcase.parties.identifiers import credit_code_check_char, id_number_check_char
from lexcase.parties.models import Party, PartyKind
from lexcase.parties.names import name_keys
from lexcase.search.services import search_matters_index_new
from lexcase.todos.checklists_data import DEFAULT_CHECKLISTS
from lexcase.todos.models import Task

DEMO_PASSWORD = "lexcase-demo"

# The first morning of the demo firm is realistic but not alarming: nothing on anyone's
# agenda is late except what is staged here on purpose (and named in the tests) —
# one client update late on this lead's matter, one overdue bill (billing's demo), one late
# periodic review (reviews' demo) and one paper file overdue back from loan.
STAGED_LATE_UPDATE_LEAD = "lawyer"

DEMO_USERS = [
    ("admin", "周主任", Role.ADMIN, None),
    ("partner", "王建国", Role.PARTNER, "民商事争议解决部"),
    ("partner2", "李慧敏", Role.PARTNER, "公司与合规部"),
    ("lawyer", "陈思远", Role.LAWYER, "民商事争议解决部"),
    ("lawyer2", "刘晓", Role.LAWYER, "民商事争议解决部"),
    ("lawyer3", "张婷", Role.LAWYER, "公司与合规部"),
    ("lawyer4", "赵磊", Role.LAWYER, "刑事与行政部"),
    ("lawyer5", "孙悦", Role.LAWYER, "刑事与行政部"),
    ("assistant", "吴佳", Role.ASSISTANT, "民商事争议解决部"),
    ("staff", "郑秀兰", Role.STAFF, None),
    ("finance", "冯会计", Role.FINANCE, None),
]

STAGES_BY_TYPE = {
    MatterType.CIVIL: [Stage.FILING, Stage.FIRST_INSTANCE, Stage.SECOND_INSTANCE, Stage.RETRIAL],
    MatterType.COMMERCIAL_ARBITRATION: [Stage.ARBITRATION],
    MatterType.LABOR_ARBITRATION: [Stage.ARBITRATION, Stage.FIRST_INSTANCE],
    MatterType.CRIMINAL: [Stage.INVESTIGATION, Stage.PROSECUTION_REVIEW, Stage.FIRST_INSTANCE],
    MatterType.ADMINISTRATIVE: [Stage.FIRST_INSTANCE, Stage.SECOND_INSTANCE],
    MatterType.ENFORCEMENT: [Stage.ENFORCEMENT],
    MatterType.NON_LITIGATION: [Stage.ONGOING],
    MatterType.COUNSEL: [Stage.ONGOING],
    MatterType.CONSULTATION: [Stage.PREPARATION],
}

TITLES = {
    MatterType.CIVIL: "{c}诉{o}{cause}",
    MatterType.COMMERCIAL_ARBITRATION: "{c}与{o}{cause}仲裁",
    MatterType.LABOR_ARBITRATION: "{c}与{o}劳动争议仲裁",
    MatterType.CRIMINAL: "{c}涉嫌合同诈骗罪辩护",
    MatterType.ADMINISTRATIVE: "{c}诉{o}行政处罚案",
    MatterType.ENFORCEMENT: "{c}申请执行{o}",
    MatterType.NON_LITIGATION: "{c}股权收购尽职调查",
    MatterType.COUNSEL: "{c}常年法律顾问",
    MatterType.CONSULTATION: "{c}法律咨询",
}


# The demo firm's own particulars (fictional), so its pages, reports and e-mails carry a
# firm's name rather than the product's (issue 16 item 13).
DEMO_FIRM = {
    "name": "北京明德律师事务所",
    "address": "北京市朝阳区建国路88号明德大厦12层",
    "licence_number": "31110000MD2015001X",
    "phone": "010-6588 1234",
    "email": "office@mingde-law.example.cn",
    "bank_name": "招商银行北京建国路支行",
    "bank_account": "1109 0000 1234 5678",
}


def demo_firm_profile() -> None:
    """The demo firm's profile, unless the firm has already named itself."""
    profile = FirmProfile.objects.filter(pk=1).first()
    if profile is not None and profile.name:
        return
    FirmProfile.objects.update_or_create(pk=1, defaults=DEMO_FIRM)


# Who practises in each of the seeded practice areas (accounts 0002), the partner heading it
# first, as the demo firm's three departments divide the work: 民商事争议解决部 (王建国,
# 陈思远, 刘晓), 公司与合规部 (李慧敏, 张婷), 刑事与行政部 (赵磊, 孙悦; 王建国 and 李慧敏 head
# its areas). A lawyer practises in two or three areas, a partner in several.
DEMO_PRACTICE_AREAS = {
    "civil-commercial": ("partner", "lawyer", "lawyer2"),
    "corporate": ("partner2", "lawyer3"),
    "labor": ("partner2", "lawyer2", "lawyer3"),
    "criminal": ("partner", "lawyer4", "lawyer5"),
    "administrative": ("partner2", "lawyer5", "lawyer4"),
    "ip": ("partner2", "lawyer3"),
    "real-estate": ("partner", "lawyer", "lawyer2"),
    "finance": ("partner2", "lawyer3", "lawyer2"),
    "family": ("partner", "lawyer", "lawyer5"),
}


def demo_users() -> dict[str, User]:
    users = {}
    for username, name, role, team_name in DEMO_USERS:
        team = Team.objects.get_or_create(name=team_name)[0] if team_name else None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username, role=role, password=DEMO_PASSWORD, name=name, team=team
            )
        users[username] = user
    demo_practice_areas(users)
    return users


def demo_practice_areas(users: dict[str, User]) -> None:
    """Put the demo lawyers and partners in the practice areas (`DEMO_PRACTICE_AREAS`), unless
    the firm has already put people in an area (then that area is left as it is)."""
    for area in PracticeArea.objects.filter(code__in=DEMO_PRACTICE_AREAS):
        if area.user_set.exists():
            continue
        area.user_set.add(*(users[u] for u in DEMO_PRACTICE_AREAS[area.code] if u in users))


def _id_number(rng: random.Random) -> str:
    first = f"{rng.choice(['110105', '310104', '440305', '330106', '510107'])}"
    first += f"{rng.randint(1950, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first += f"{rng.randint(0, 999):03d}"
    return first + id_number_check_char(first)


def _credit_code(rng: random.Random) -> str:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first = "91" + rng.choice(["110105", "310115", "440300", "330100"])
    first += "".join(rng.choice(charset) for _ in range(9))
    return first + credit_code_check_char(first)


def _party(fake: Any, rng: random.Random, kind: str) -> Party:
    if kind == PartyKind.PERSON:
        name = fake.name()
        party = Party(kind=kind, name=name, id_number=_id_number(rng) if rng.random() < 0.6 else "")
        party.phone = fake.phone_number()
    else:
        name = fake.company()
        party = Party(
            kind=kind, name=name, credit_code=_credit_code(rng) if rng.random() < 0.7 else ""
        )
    keys = name_keys(name, kind=kind)
    party.name_normalized = keys["normalized"]
    party.name_core = keys["core"]
    party.name_trade = keys["trade"]
    return party


def _working_day(cal: Any, day: date, *, step: int) -> date:
    """`day`, or the nearest working day after it (`step` 1) or before it (-1)."""
    while is_rest_day(cal, day):
        day += timedelta(days=step)
    return day


@transaction.atomic
def _demo_tasks(
    rows: list, plans: list, rng: random.Random, now: Any, batch: int, staged: dict[str, int]
) -> None:
    """A working board: a few tasks per open matter, due around today, mostly the lead's."""
    tasks = []
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    cal = calendar_data()
    for matter, (_client, _opposing, _partner, lead, _assistant) in zip(rows, plans, strict=True):
        if matter.status != Status.OPEN:
            continue
        _name, items = DEFAULT_CHECKLISTS.get((matter.matter_type, ""), ("", []))
        for title, _days, _who in items[: rng.randint(1, len(items) or 1)]:
            status = rng.choice(["done", "done", "doing", "todo", "todo"])
            # Work done was due in the past; what is still to do falls due in the coming
            # days, so the first morning's board is busy but nothing on it is late.
            # Due at the end of a working day, as a lawyer sets it.
            days = -rng.randint(1, 10) if status == "done" else rng.randint(1, 14)
            # On a working day of the holiday calendar: back for work done, forward for work
            # to do (a lawyer sets no due date on a Sunday or on 国庆).
            day = _working_day(cal, today + timedelta(days=days), step=-1 if days < 0 else 1)
            due = datetime.combine(day, time(18, 0), tzinfo=tz)
            tasks.append(
                Task(
                    matter=matter,
                    kind=Task.Kind.CHECKLIST,
                    title=title,
                    assignee=lead,
                    created_by=lead,
                    due_at=due,
                    priority=matter.priority,
                    status=status,
                    completed_at=due if status == "done" else None,
                )
            )
    Task.objects.bulk_create(tasks, batch_size=batch)
    # The last call to the client falls within the matter's client-update interval (a firm
    # that keeps its clients informed), except on the one matter staged as late.
    intervals = update_intervals()
    calls = []
    for matter, (_c, _o, _p, lead, _a) in zip(rows, plans, strict=True):
        if matter.status != Status.OPEN:
            continue
        channel, summary = rng.choice(COMM_SUMMARIES)
        days = intervals.get(matter.priority, DEFAULT_UPDATE_INTERVALS["P2"])
        ago = timedelta(hours=rng.randint(1, days * 24 - 4))
        if staged.get("client_update") is None and lead.username == STAGED_LATE_UPDATE_LEAD:
            # Staged: the update fell due two days ago; it shows as late on the lead's
            # agenda, and is not yet overdue for the responsible partner.
            staged["client_update"] = matter.pk
            ago = timedelta(days=days + 2, hours=2)
        calls.append(
            Communication(
                matter=matter,
                occurred_at=now - ago,
                channel=channel,
                direction="outbound",
                summary=summary,
                created_by=lead,
            )
        )
    Communication.objects.bulk_create(calls, batch_size=batch)


# Each client contact with the channel it says it used (电话 by phone, 微信 on WeChat, …).
COMM_SUMMARIES = [
    ("phone", "电话告知客户案件最新进展，客户无异议。"),
    ("wechat", "微信发送开庭通知及需准备的材料清单。"),
    ("email", "邮件发送证据目录初稿，请客户核对。"),
    ("meeting", "与客户面谈，确认和解方案底线。"),
    ("phone", "电话告知客户对方已提交答辩状，约定下周当面讨论。"),
    ("wechat", "微信告知客户法院已受理，发送受理通知书照片。"),
    ("email", "邮件发送代理词初稿及庭审要点，请客户提出意见。"),
]
SUMMARIES = [text for _channel, text in COMM_SUMMARIES]


def demo_generate(*, matters: int = 200, seed: int = 42, batch: int = 2000) -> dict[str, int]:
    # Faker is heavy and only the demo generator needs it.
    from faker import Faker

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    users = demo_users()
    demo_firm_profile()
    partners = [u for u in users.values() if is_partner(u)]
    lawyers = [u for u in users.values() if is_lawyer(u)]
    assistants = [u for u in users.values() if is_assistant(u)]
    areas = list(PracticeArea.objects.all())
    causes = _demo_causes()
    now = timezone.now()
    counters: dict[tuple[int, str], int] = {
        (c.year, c.type_code): c.last for c in MatterNumberCounter.objects.all()
    }
    types = list(MatterType)
    statuses = [Status.INTAKE] * 10 + [Status.OPEN] * 60 + [Status.CLOSED] * 25
    statuses += [Status.ARCHIVED] * 5
    priorities = ["P1"] * 10 + ["P2"] * 60 + ["P3"] * 30
    updated_field = Matter._meta.get_field("updated_at")
    last_pk_before = _last_matter_pk()
    created = 0
    staged: dict[str, int] = {}
    today = timezone.localdate()
    # Realistic activity dates need auto_now off while the rows are written.
    updated_field.auto_now = False
    try:
        while created < matters:
            n = min(batch, matters - created)
            rows = []
            plans = []
            for _ in range(n):
                mtype = rng.choice(types)
                status = rng.choice(statuses)
                created_at = now - timedelta(
                    days=rng.randint(0, 5 * 365), minutes=rng.randint(0, 1440)
                )
                if status == Status.INTAKE:
                    # An intake waits days for its conflict review, not years.
                    created_at = now - timedelta(
                        days=rng.randint(0, 20), minutes=rng.randint(0, 1440)
                    )
                year = timezone.localtime(created_at).year
                code = MATTER_TYPE_CODES[mtype]
                counters[(year, code)] = counters.get((year, code), 0) + 1
                client, opposing = _demo_sides(fake, rng, mtype)
                cause = rng.choice(causes[mtype]) if causes.get(mtype) else None
                amount = (
                    rng.randint(1, 50000) * 1000
                    if mtype not in (MatterType.CONSULTATION, MatterType.CRIMINAL)
                    else None
                )
                title = _demo_title(mtype, client, opposing, cause)
                opened = None if status == Status.INTAKE else timezone.localtime(created_at).date()
                closed_on = (
                    min(opened + timedelta(days=rng.randint(30, 400)), today - timedelta(days=1))
                    if opened and status in (Status.CLOSED, Status.ARCHIVED)
                    else None
                )
                if closed_on and closed_on + timedelta(days=ARCHIVE_DAYS) < today:
                    # Filed by its archive deadline, as a firm does: only a file closed in
                    # the last ARCHIVE_DAYS still waits (not yet due) for the archive room.
                    status = Status.ARCHIVED
                updated_at = created_at + timedelta(days=rng.randint(0, 200))
                matter = Matter(
                    number=f"{year}-{code}-{counters[(year, code)]:04d}",
                    title=title[:200],
                    matter_type=mtype,
                    cause=cause,
                    practice_area=rng.choice(areas) if areas else None,
                    summary=_demo_summary(mtype, client, opposing, cause, amount),
                    priority=rng.choice(priorities),
                    status=status,
                    stage=rng.choice(STAGES_BY_TYPE[mtype])
                    if status != Status.INTAKE
                    else Stage.PREPARATION,
                    amount=amount,
                    court=rng.choice(DEMO_COURTS)
                    if mtype in (MatterType.CIVIL, MatterType.ADMINISTRATIVE, MatterType.CRIMINAL)
                    else "",
                    confidential=rng.random() < 0.05,
                    opened_on=opened,
                    closed_on=closed_on,
                    created_by=rng.choice(lawyers),
                    created_at=created_at,
                    updated_at=min(updated_at, now),
                )
                rows.append(matter)
                plans.append(
                    (
                        client,
                        opposing,
                        rng.choice(partners),
                        rng.choice(lawyers),
                        rng.random() < 0.4,
                    )
                )
            Party.objects.bulk_create([p for plan in plans for p in plan[:2]], batch_size=batch)
            Matter.objects.bulk_create(rows, batch_size=batch)
            links, members = [], []
            for matter, (client, opposing, partner, lead, with_assistant) in zip(
                rows, plans, strict=True
            ):
                links.append(
                    MatterParty(
                        matter=matter,
                        party=client,
                        role=PartyRole.CLIENT,
                        standing="原告" if matter.matter_type == MatterType.CIVIL else "",
                    )
                )
                links.append(
                    MatterParty(
                        matter=matter,
                        party=opposing,
                        role=PartyRole.OPPOSING,
                        standing="被告" if matter.matter_type == MatterType.CIVIL else "",
                    )
                )
                members.append(
                    MatterMember(matter=matter, user=partner, role=MemberRole.RESPONSIBLE_PARTNER)
                )
                members.append(MatterMember(matter=matter, user=lead, role=MemberRole.LEAD))
                if with_assistant and assistants:
                    members.append(
                        MatterMember(
                            matter=matter, user=rng.choice(assistants), role=MemberRole.ASSISTANT
                        )
                    )
            MatterParty.objects.bulk_create(links, batch_size=batch)
            index_parties([p.pk for plan in plans for p in plan[:2]])
            MatterMember.objects.bulk_create(members, batch_size=batch)
            _demo_tasks(rows, plans, rng, now, batch, staged)
            created += n
    finally:
        updated_field.auto_now = True
    for (year, code), last in counters.items():
        matter_number_counter(year=year, type_code=code).update(last=last)
    if matters:
        # The firm's closed history, deadlines and SLAs, so the dashboards and the outcome
        # statistics have something to show.
        index_parties(
            demo_insights(
                make_party=lambda kind: _party(fake, rng, kind),
                seed=seed,
                history=min(400, max(240, matters // 4)),
            )
        )
        # The firm's money (agreements, time, expenses, bills, payments, 发票), so finance's
        # screens and the receivables are not empty.
        money = demo_money(finance=users["finance"], seed=seed)
    else:
        money = {}
    _demo_archive_room(rng, users)
    _demo_search_index(after_pk=last_pk_before)
    return {"matters": created, "users": len(users), **{f"money_{k}": v for k, v in money.items()}}


def _last_matter_pk() -> int:
    return Matter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _demo_search_index(*, after_pk: int) -> None:
    """The demo's matters (bulk-written, so no signal fired) go into the search index, as an
    import's do: a new user's first search must find them."""
    search_matters_index_new(
        matter_ids=list(
            Matter.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True)
        )
    )


ARCHIVE_ROOMS = ["档案室A", "档案室B"]


def _demo_archive_room(rng: random.Random, users: dict[str, User]) -> None:
    """Every archived demo matter has its paper file in the archive room (档号, room, shelf,
    box), as `matter_archive_file` would have filed it, and two files are out on loan (one
    overdue), so the archive room shows what the matter list says is archived."""
    classes = list(RetentionClass.objects.filter(active=True))
    if not classes:
        return
    today = timezone.localdate()
    archivist = users.get("staff") or users.get("admin")
    counters = {
        (c.year, c.type_code, c.retention_code): c.last for c in ArchiveNumberCounter.objects.all()
    }
    pattern = archive_number_pattern()
    records = []
    todo = Matter.objects.filter(status=Status.ARCHIVED, archive__isnull=True).order_by(
        "closed_on", "pk"
    )
    for matter in todo:
        closed_on = matter.closed_on or today - timedelta(days=30)
        archived_on = min(today, closed_on + timedelta(days=rng.randint(7, 80)))
        retention = retention_suggest(matter, classes)
        type_code = MATTER_TYPE_CODES[MatterType(matter.matter_type)]
        key = (archived_on.year, type_code, retention.code)
        counters[key] = counters.get(key, 0) + 1
        records.append(
            ArchiveRecord(
                matter=matter,
                number=pattern.format(
                    year=archived_on.year,
                    type=type_code,
                    retention=retention.name,
                    seq=counters[key],
                ),
                year=archived_on.year,
                type_code=type_code,
                retention=retention,
                room=rng.choice(ARCHIVE_ROOMS),
                shelf=f"{rng.randint(1, 12)}号柜",
                box=f"{archived_on.year}-{rng.randint(1, 40):02d}盒",
                archived_on=archived_on,
                archived_by=archivist,
            )
        )
    ArchiveRecord.objects.bulk_create(records)
    for (year, type_code, retention_code), last in counters.items():
        ArchiveNumberCounter.objects.update_or_create(
            year=year,
            type_code=type_code,
            retention_code=retention_code,
            defaults={"last": last},
        )
    dues = (today + timedelta(days=10), today - timedelta(days=3))
    leads = dict(
        MatterMember.objects.filter(
            role=MemberRole.LEAD, matter__in=[r.matter for r in records[-2:]]
        ).values_list("matter_id", "user")
    )
    for record, due in zip(records[-2:], dues[: len(records)], strict=False):
        # The matter's own lead borrows its file (a lawyer who can open the matter, so the
        # file due back is on their agenda).
        lead = leads.get(record.matter.pk)
        borrower = User.objects.filter(pk=lead).first() if lead else archivist
        if borrower is None:  # the demo firm always has its lawyers and staff
            continue
        PaperLoan.objects.create(
            record=record,
            borrower=borrower,
            due_on=due,
            purpose="再审申请查阅原卷",
            lent_by=archivist,
        )


# --- demo realism (issue 16 item 21) -------------------------------------------------------

# Agencies an administrative matter is brought against (行政诉讼的被告是行政机关).
DEMO_AGENCIES = [
    "北京市朝阳区市场监督管理局",
    "北京市海淀区人力资源和社会保障局",
    "上海市浦东新区生态环境局",
    "上海市徐汇区城市管理行政执法局",
    "深圳市规划和自然资源局",
    "广州市天河区住房和城乡建设局",
    "国家税务总局北京市朝阳区税务局",
    "北京市公安局海淀分局",
]


def _basic_courts() -> list[str]:

    return [name for code, name in COURT_CODES.items() if len(code) == 5]


DEMO_COURTS = _basic_courts()


def _demo_causes() -> dict[str, list[CaseCause]]:
    """Causes a lawyer would believe per matter type: civil litigation any ordinary civil
    cause (not labour, which goes to arbitration first, nor the non-contentious parts);
    commercial arbitration only arbitrable ones (contracts and company/securities disputes:
    仲裁法 Art. 3 excludes marriage, succession and the like); labour arbitration labour
    disputes; enforcement contract claims; 罪名 for criminal and 行政案由 for administrative
    matters."""
    rows = list(CaseCause.objects.filter(parent__isnull=False).select_related("parent"))
    civil = [c for c in rows if c.kind == "civil"]

    def under(*prefixes: str) -> list[CaseCause]:
        return [c for c in civil if c.code.startswith(prefixes)]

    return {
        MatterType.CIVIL: under("P01", "P03", "P04", "P05", "P08", "P09"),
        MatterType.COMMERCIAL_ARBITRATION: under("P04.01", "P08"),
        MatterType.LABOR_ARBITRATION: under("P06.01"),
        MatterType.ENFORCEMENT: under("P04.01"),
        MatterType.CRIMINAL: [c for c in rows if c.kind == "criminal"],
        MatterType.ADMINISTRATIVE: [
            c
            for c in rows
            if c.kind == "administrative" and c.parent is not None and c.parent.parent_id is None
        ],
    }


def _agency(name: str) -> Party:
    party = Party(kind=PartyKind.ORGANIZATION, name=name)
    keys = name_keys(name, kind=PartyKind.ORGANIZATION)
    party.name_normalized = keys["normalized"]
    party.name_core = keys["core"]
    party.name_trade = keys["trade"]
    return party


def _demo_sides(fake: Any, rng: random.Random, mtype: str) -> tuple[Party, Party]:
    """The client and the other side: an agency for an administrative matter, a person
    accused for a criminal one."""
    any_kind = [PartyKind.PERSON, PartyKind.ORGANIZATION]
    if mtype == MatterType.ADMINISTRATIVE:
        return _party(fake, rng, rng.choice(any_kind)), _agency(rng.choice(DEMO_AGENCIES))
    client_kind = PartyKind.PERSON if mtype == MatterType.CRIMINAL else rng.choice(any_kind)
    client = _party(fake, rng, client_kind)
    opposing = _party(fake, rng, rng.choice(any_kind))
    while opposing.name == client.name:  # Faker repeats names: nobody sues themselves
        opposing = _party(fake, rng, rng.choice(any_kind))
    return client, opposing


def _demo_title(mtype: str, client: Party, opposing: Party, cause: CaseCause | None) -> str:
    c, o = client.name, opposing.name
    name = cause.name if cause else ""
    if mtype == MatterType.CIVIL:
        return f"{c}诉{o}{name or '合同纠纷'}"
    if mtype == MatterType.COMMERCIAL_ARBITRATION:
        return f"{c}与{o}{name or '合同纠纷'}仲裁"
    if mtype == MatterType.LABOR_ARBITRATION:
        return f"{c}与{o}{name or '劳动争议'}仲裁"
    if mtype == MatterType.CRIMINAL:
        return f"{c}涉嫌{name or '合同诈骗罪'}辩护"
    if mtype == MatterType.ADMINISTRATIVE:
        return f"{c}诉{o}{name or '行政处罚'}案"
    return TITLES[MatterType(mtype)].format(c=c, o=o, cause=name or "纠纷")


def _demo_summary(
    mtype: str, client: Party, opposing: Party, cause: CaseCause | None, amount: int | None
) -> str:
    """A summary as a lawyer writes one: who, what happened, what the firm does."""
    c, o = client.name, opposing.name
    name = cause.name if cause else ""
    wan = f"{amount / 10000:,.1f}万元" if amount else ""
    if mtype == MatterType.CIVIL:
        return (
            f"{c}与{o}之间发生{name or '合同纠纷'}，{c}主张{o}未履行义务，诉请金额约{wan}。"
            f"本所接受{c}委托，代理其提起诉讼并申请财产保全。"
        )
    if mtype == MatterType.COMMERCIAL_ARBITRATION:
        return (
            f"{c}与{o}签订的合同约定争议提交仲裁委员会仲裁。因{name or '合同纠纷'}，"
            f"{c}拟申请仲裁，请求金额约{wan}；本所负责起草仲裁申请书并组织证据。"
        )
    if mtype == MatterType.LABOR_ARBITRATION:
        return (
            f"{c}与{o}就{name or '劳动争议'}发生争议，涉及金额约{wan}。"
            "本所代理向劳动人事争议仲裁委员会申请仲裁，并准备劳动合同、工资流水等证据。"
        )
    if mtype == MatterType.CRIMINAL:
        return (
            f"{c}因涉嫌{name or '合同诈骗罪'}被公安机关立案侦查。本所接受其近亲属委托担任"
            "辩护人，已申请会见，拟就羁押必要性审查和取保候审提出意见。"
        )
    if mtype == MatterType.ADMINISTRATIVE:
        return (
            f"{o}对{c}作出{name or '行政处罚'}决定，{c}不服。本所代理{c}提起行政诉讼，"
            "请求撤销该行政行为，并审查其事实依据与程序是否合法。"
        )
    if mtype == MatterType.ENFORCEMENT:
        return (
            f"{o}未履行生效法律文书确定的给付义务。本所代理{c}申请强制执行，"
            f"执行标的约{wan}，已提交财产线索。"
        )
    if mtype == MatterType.NON_LITIGATION:
        return f"{c}拟收购目标公司股权，委托本所开展法律尽职调查并出具尽职调查报告。"
    if mtype == MatterType.COUNSEL:
        return f"本所担任{c}常年法律顾问，负责日常合同审查、劳动用工和合规咨询。"
    return f"{c}就与{o}之间的争议咨询解决途径与诉讼风险，本所提供初步法律意见。"
