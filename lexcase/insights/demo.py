"""Demo history for the dashboards and outcome statistics: closings with outcomes, a closed
history of the firm's common causes, deadlines met and missed, SLA tasks. Called by the demo
firm generator after it has made its matters; returns the new parties' ids so the caller can
index them for conflict checks (this app does not write the conflict index)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from lexcase.calendar.models import Deadline
from lexcase.insights.stats import amount_band, side_of
from lexcase.matters.models import (
    MATTER_TYPE_CODES,
    CaseCause,
    ClosingOutcome,
    Matter,
    MatterClosing,
    MatterMember,
    MatterNumberCounter,
    MatterParty,
    MatterType,
    MemberRole,
    PartyRole,
    Stage,
    Status,
)
from lexcase.matters.services import matter_number_counter
from lexcase.parties.models import Party, PartyKind
from lexcase.todos.models import Task

COMMON_CAUSES = ("民间借贷纠纷", "买卖合同纠纷", "劳动合同纠纷", "机动车交通事故责任纠纷")
COURTS = (
    "北京市朝阳区人民法院",
    "北京市海淀区人民法院",
    "北京市第三中级人民法院",
    "上海市浦东新区人民法院",
    "上海市第一中级人民法院",
    "北京市高级人民法院",
)
# Days from closing to the archive deadline of a history matter.
ARCHIVE_DAYS = 90
# What happened, by cause: a history matter's summary tells its own cause's story.
SUMMARY_BY_CAUSE = {
    "民间借贷纠纷": "借款到期后对方未按约还款，多次催收无果。",
    "买卖合同纠纷": "货款结算发生争议，对方以质量问题拒付尾款。",
    "劳动合同纠纷": "用人单位单方解除劳动合同，员工主张违法解除赔偿金。",
    "机动车交通事故责任纠纷": "交通事故致人受伤，双方就赔偿数额协商未果。",
}


def _outcome(rng: random.Random, *, cause: str, side: str, band: str) -> str:
    """A plausible, feature-dependent outcome, so the statistics have something to find."""
    w = {"won": 30.0, "partly_won": 20.0, "lost": 15.0, "settled": 25.0, "withdrawn": 10.0}
    if side == "claimant":
        w["won"] += 10
        w["lost"] -= 5
    elif side == "respondent":
        w["won"] -= 12
        w["lost"] += 12
    if cause == "民间借贷纠纷" and side == "claimant":
        w["won"] += 25
    if cause == "交通" or cause.startswith("机动车"):
        w["partly_won"] += 20
    if band in ("1m-10m", "ge10m"):
        w["settled"] += 15
    kinds = list(w)
    return rng.choices(kinds, weights=[max(1.0, w[k]) for k in kinds])[0]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def demo_insights(
    *, make_party: Callable[[str], Party], seed: int = 42, history: int = 240
) -> list[int]:
    """`make_party(kind)` builds an unsaved party the way the demo firm does (names, keys)."""
    rng = random.Random(seed + 13)
    today = timezone.localdate()
    causes = {c.name: c for c in CaseCause.objects.filter(name__in=COMMON_CAUSES)}
    common = [causes[n] for n in COMMON_CAUSES if n in causes]
    people = list(
        MatterMember.objects.filter(role__in=(MemberRole.LEAD, MemberRole.RESPONSIBLE_PARTNER))
        .values_list("role", "user_id")
        .distinct()
    )
    leads = sorted({u for r, u in people if r == MemberRole.LEAD})
    partners = sorted({u for r, u in people if r == MemberRole.RESPONSIBLE_PARTNER})
    new_parties: list[int] = []
    if common and leads and partners:
        new_parties = _history(rng, today, common, leads, partners, history, make_party)
        # Open civil matters of the common causes, so their pages have statistics to show.
        open_civil = Matter.objects.filter(
            status__in=(Status.OPEN, Status.INTAKE), matter_type=MatterType.CIVIL
        ).select_related("cause")
        for m in open_civil.order_by("pk"):
            if rng.random() < 0.7:
                cause = rng.choice(common)
                # The title and the summary name the new cause too (they named the old one).
                old = m.cause.name if m.cause else ""
                title = m.title.replace(old, cause.name) if old else m.title
                summary = m.summary.replace(old, cause.name) if old else m.summary
                Matter.objects.filter(pk=m.pk).update(
                    cause=cause, court=rng.choice(COURTS), title=title, summary=summary
                )
    _closings(rng, today)
    _deadlines_and_slas(rng, today)
    return new_parties


def _history(rng, today, common, leads, partners, count, make_party) -> list[int]:
    counters = {(c.year, c.type_code): c.last for c in MatterNumberCounter.objects.all()}
    code = MATTER_TYPE_CODES[MatterType.CIVIL]
    rows, plans = [], []
    for _ in range(count):
        opened = today - timedelta(days=rng.randint(120, 5 * 365))
        closed = min(today - timedelta(days=1), opened + timedelta(days=rng.randint(45, 420)))
        counters[(opened.year, code)] = counters.get((opened.year, code), 0) + 1
        cause = rng.choice(common)
        client = make_party(PartyKind.ORGANIZATION if rng.random() < 0.5 else PartyKind.PERSON)
        opposing = make_party(PartyKind.PERSON)
        while opposing.name == client.name:  # Faker repeats names: nobody sues themselves
            opposing = make_party(PartyKind.PERSON)
        amount = Decimal(rng.choice((3, 8, 20, 50, 120, 300, 800, 2500))) * rng.randint(1, 9) * 1000
        standing = rng.choice(("原告", "原告", "被告"))
        rows.append(
            Matter(
                number=f"{opened.year}-{code}-{counters[(opened.year, code)]:04d}",
                title=f"{client.name}与{opposing.name}{cause.name}"[:200],
                matter_type=MatterType.CIVIL,
                cause=cause,
                summary=f"{SUMMARY_BY_CAUSE.get(cause.name, '')}本所代理诉讼，案由为{cause.name}。",
                priority=rng.choice(("P1", "P2", "P2", "P2", "P3")),
                # Filed by its archive deadline, as a firm does: only a file closed within
                # the last ARCHIVE_DAYS still waits (not yet due) for the archive room.
                status=(
                    Status.ARCHIVED
                    if rng.random() < 0.3 or closed + timedelta(days=ARCHIVE_DAYS) < today
                    else Status.CLOSED
                ),
                stage=Stage.CONCLUDED,
                amount=amount,
                court=rng.choice(COURTS),
                confidential=rng.random() < 0.05,
                opened_on=opened,
                closed_on=closed,
                outcome="",
            )
        )
        plans.append(
            (client, opposing, standing, rng.choice(leads), rng.choice(partners), cause, closed)
        )
    Party.objects.bulk_create([p for plan in plans for p in plan[:2]])
    Matter.objects.bulk_create(rows)
    links, members, closings = [], [], []
    for m, (client, opposing, standing, lead, partner, cause, closed) in zip(
        rows, plans, strict=True
    ):
        links.append(MatterParty(matter=m, party=client, role=PartyRole.CLIENT, standing=standing))
        links.append(
            MatterParty(
                matter=m,
                party=opposing,
                role=PartyRole.OPPOSING,
                standing="被告" if standing == "原告" else "原告",
            )
        )
        members.append(MatterMember(matter=m, user_id=lead, role=MemberRole.LEAD))
        if partner != lead:
            members.append(
                MatterMember(matter=m, user_id=partner, role=MemberRole.RESPONSIBLE_PARTNER)
            )
        kind = _outcome(rng, cause=cause.name, side=side_of(standing), band=amount_band(m.amount))
        closings.append(
            MatterClosing(
                matter=m,
                closed_on=closed,
                outcome_kind=kind,
                archive_deadline=closed + timedelta(days=ARCHIVE_DAYS),
            )
        )
    MatterParty.objects.bulk_create(links)
    MatterMember.objects.bulk_create(members)
    MatterClosing.objects.bulk_create(closings)
    for (year, type_code), last in counters.items():
        matter_number_counter(year=year, type_code=type_code).update(last=last)
    return [p.pk for plan in plans for p in plan[:2]]


def _closings(rng: random.Random, today: date) -> None:
    """The generator's own closed matters get the closing they would have had."""
    todo = (
        Matter.objects.filter(status__in=(Status.CLOSED, Status.ARCHIVED), closings__isnull=True)
        .select_related("cause")
        .prefetch_related("matter_parties")
    )
    rows = []
    for m in todo:
        standing = next(
            (mp.standing for mp in m.matter_parties.all() if mp.role == PartyRole.CLIENT), ""
        )
        kind: str
        if m.matter_type in (
            MatterType.NON_LITIGATION,
            MatterType.COUNSEL,
            MatterType.CONSULTATION,
        ):
            kind = ClosingOutcome.COMPLETED
        else:
            kind = _outcome(
                rng,
                cause=m.cause.name if m.cause else "",
                side=side_of(standing),
                band=amount_band(m.amount),
            )
        closed_on = m.closed_on or today
        rows.append(
            MatterClosing(
                matter=m,
                closed_on=closed_on,
                outcome_kind=kind,
                archive_deadline=closed_on + timedelta(days=90),
            )
        )
    MatterClosing.objects.bulk_create(rows)


def _deadlines_and_slas(rng: random.Random, today: date) -> None:
    """Past deadlines (mostly met, some late or missed) and each opened matter's SLA task."""
    deadlines, tasks = [], []
    hours = {"P1": 24, "P2": 7 * 24}
    for m in (
        Matter.objects.filter(opened_on__isnull=False)
        .exclude(tasks__kind=Task.Kind.SLA)
        .prefetch_related("members")
    ):
        opened = m.opened_on
        if opened is None:  # excluded by the query
            continue
        lead = next((x.user_id for x in m.members.all() if x.role == MemberRole.LEAD), None)
        end = m.closed_on or today + timedelta(days=60)
        for _ in range(rng.randint(1, 3)):
            span = max(1, (end - opened).days)
            due = opened + timedelta(days=rng.randint(1, span))
            if due >= today:
                status, done_at = Deadline.Status.OPEN, None
            else:
                r = rng.random()
                if r < 0.8:
                    status, done_at = (
                        Deadline.Status.DONE,
                        _at(due - timedelta(days=rng.randint(0, 5))),
                    )
                elif r < 0.9 or m.closed_on:
                    status, done_at = (
                        Deadline.Status.DONE,
                        _at(due + timedelta(days=rng.randint(1, 6))),
                    )
                else:
                    status, done_at = Deadline.Status.MISSED, None
            deadlines.append(
                Deadline(
                    matter=m,
                    title=rng.choice(
                        ("举证期限届满", "上诉期限届满", "答辩期限届满", "缴纳诉讼费")
                    ),
                    due_date=due,
                    responsible_id=lead,
                    status=status,
                    completed_at=done_at,
                )
            )
        if m.priority in hours:
            due_at = _at(opened, 9) + timedelta(hours=hours[m.priority])
            late = rng.random() < 0.15
            completed = due_at + timedelta(
                hours=rng.randint(1, 48) if late else -rng.randint(1, 20)
            )
            # Done by now (some late: the SLA figures have misses to show); still to do
            # only while not yet due, so no lapsed SLA waits on a first morning's agenda.
            done = due_at <= timezone.now()
            completed = min(completed, timezone.now())
            tasks.append(
                Task(
                    matter=m,
                    kind=Task.Kind.SLA,
                    title="首次行动" if m.priority == "P1" else "初步调查",
                    assignee_id=lead,
                    priority=m.priority,
                    due_at=due_at,
                    status=Task.Status.DONE if done else Task.Status.TODO,
                    completed_at=completed if done else None,
                )
            )
    Deadline.objects.bulk_create(deadlines, batch_size=2000)
    Task.objects.bulk_create(tasks, batch_size=2000)


def demo_summary() -> dict[str, Any]:
    return {
        "closings": MatterClosing.objects.count(),
        "closed": Matter.objects.filter(status__in=(Status.CLOSED, Status.ARCHIVED)).count(),
    }
