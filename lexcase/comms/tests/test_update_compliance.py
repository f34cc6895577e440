"""`update_compliance` (the dashboards' count) judges every matter as `UpdateState` does."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lexcase.comms.models import ClientUpdatePolicy, Communication, UpdateInterval
from lexcase.comms.selectors import update_compliance, update_states
from lexcase.matters.models import Matter

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def test_counts_agree_with_the_per_matter_states(db):
    UpdateInterval.objects.create(priority="P3", days=20)
    n = 0
    for priority, contact, opened, policy in itertools.product(
        ("P1", "P2", "P3"),
        (None, 1, 5, 13, 30, 70),  # days since the last outbound contact
        (date(2026, 6, 14), date(2026, 5, 1), None),
        (None, "override", "marked_recent", "marked_old"),
    ):
        n += 1
        m = Matter.objects.create(
            number=f"U{n}", title="t", matter_type="civil", status="open", priority=priority,
            opened_on=opened,
        )  # fmt: skip
        Matter.objects.filter(pk=m.pk).update(created_at=NOW - timedelta(days=n % 40))
        if contact is not None:
            Communication.objects.create(
                matter=m, occurred_at=NOW - timedelta(days=contact), channel="phone",
                direction="outbound", summary="进展",
            )  # fmt: skip
            Communication.objects.create(
                matter=m, occurred_at=NOW - timedelta(hours=1), channel="phone",
                direction="inbound", summary="来电",
            )  # fmt: skip
        if policy == "override":
            ClientUpdatePolicy.objects.create(matter=m, interval_days=2)
        elif policy == "marked_recent":
            ClientUpdatePolicy.objects.create(matter=m, marked_due_at=NOW - timedelta(hours=2))
        elif policy == "marked_old":
            ClientUpdatePolicy.objects.create(matter=m, marked_due_at=NOW - timedelta(days=9))
    Matter.objects.create(number="CL", title="t", matter_type="civil", status="closed")
    expected: dict[str, list[int]] = {}
    for state in update_states(Matter.objects.all()):
        row = expected.setdefault(state.matter.priority, [0, 0, 0])
        row[2 if state.is_overdue(NOW) else 1 if state.is_due(NOW) else 0] += 1
    got = update_compliance(Matter.objects.all(), NOW)
    assert got == expected
    assert sum(map(sum, got.values())) == n
    assert all(min(v) > 0 for v in got.values())  # every judgement occurs


def test_counts_agree_at_the_exact_boundaries(db):
    """The database judges matters without a policy row by comparisons with fixed instants
    and days: a contact, an opening day or a registration exactly one and two intervals back
    (and a second either side) lands where `UpdateState` puts it."""
    UpdateInterval.objects.create(priority="P3", days=20)
    today = NOW.date()
    n = 0
    for priority, days in (("P1", 3), ("P2", 14), ("P3", 20)):
        for k in (1, 2):
            for nudge in (timedelta(seconds=-1), timedelta(0), timedelta(seconds=1)):
                back = timedelta(days=k * days) + nudge
                for basis in ("contact", "opened", "created"):
                    n += 1
                    m = Matter.objects.create(
                        number=f"B{n}", title="t", matter_type="civil", status="open",
                        priority=priority,
                        opened_on=today - timedelta(days=k * days) + (
                            timedelta(days=1) if nudge > timedelta(0) else
                            timedelta(days=-1) if nudge < timedelta(0) else timedelta(0)
                        ) if basis == "opened" else None,
                    )  # fmt: skip
                    Matter.objects.filter(pk=m.pk).update(
                        created_at=NOW - back if basis == "created" else NOW
                    )
                    if basis == "contact":
                        Communication.objects.create(
                            matter=m, occurred_at=NOW - back, channel="phone",
                            direction="outbound", summary="进展",
                        )  # fmt: skip
    expected: dict[str, list[int]] = {}
    for state in update_states(Matter.objects.all()):
        row = expected.setdefault(state.matter.priority, [0, 0, 0])
        row[2 if state.is_overdue(NOW) else 1 if state.is_due(NOW) else 0] += 1
    assert update_compliance(Matter.objects.all(), NOW) == expected
    # Per priority and basis: one interval back and a second (a day for the opening day)
    # either side: due, due, within; two intervals back: overdue, overdue, due.
    assert expected == {p: [3, 9, 6] for p in ("P1", "P2", "P3")}
