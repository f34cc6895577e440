"""`Matter.last_outbound_at` equals the newest outbound contact on the log after every way
the log is written (lexcase/comms/last_contact.py: database triggers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Max

from lexcase.comms.last_contact import backfill
from lexcase.comms.models import Communication
from lexcase.comms.services import communication_create
from lexcase.matters.models import Matter
from lexcase.matters.services import matter_update

T = datetime(2026, 6, 15, 2, 0, 0, 123456, tzinfo=UTC)


def column(matter: Matter) -> datetime | None:
    return Matter.objects.values_list("last_outbound_at", flat=True).get(pk=matter.pk)


def newest(matter: Matter) -> datetime | None:
    return Communication.objects.filter(matter=matter, direction="outbound").aggregate(
        at=Max("occurred_at")
    )["at"]


def agrees(*matters: Matter) -> list[tuple[datetime | None, datetime | None]]:
    return [(column(m), newest(m)) for m in matters]


def log(matter: Matter, at: datetime, direction: str = "outbound") -> Communication:
    return Communication.objects.create(
        matter=matter, occurred_at=at, channel="phone", direction=direction, summary="进展"
    )


def test_the_service_moves_it_to_the_newest_outbound_contact_only(firm):
    m = firm.matter
    assert column(m) is None
    communication_create(
        actor=firm.lead, matter=m, channel="phone", direction="outbound", summary="告知",
        occurred_at=T,
    )  # fmt: skip
    assert column(m) == T
    # An inbound contact, later, is not the client hearing from us.
    communication_create(
        actor=firm.lead, matter=m, channel="phone", direction="inbound", summary="来电",
        occurred_at=T + timedelta(hours=2),
    )  # fmt: skip
    assert column(m) == T
    # A contact logged after the fact, dated earlier, leaves the newer one.
    communication_create(
        actor=firm.lead, matter=m, channel="email", direction="outbound", summary="补记",
        occurred_at=T - timedelta(days=3),
    )  # fmt: skip
    assert column(m) == T
    communication_create(
        actor=firm.lead, matter=m, channel="email", direction="outbound", summary="回复",
        occurred_at=T + timedelta(days=1),
    )  # fmt: skip
    assert column(m) == T + timedelta(days=1)
    assert agrees(m) == [(T + timedelta(days=1), T + timedelta(days=1))]


def test_every_direct_write_of_the_log_keeps_it(firm):
    a = firm.matter
    b = Matter.objects.create(number="LC2", title="t", matter_type="civil", status="open")
    first = log(a, T)
    second = log(a, T + timedelta(days=2))
    log(a, T + timedelta(days=5), direction="inbound")
    assert agrees(a, b) == [(T + timedelta(days=2), T + timedelta(days=2)), (None, None)]
    # Bulk loads (the demo firm, benchmarks) write no model instance one by one.
    Communication.objects.bulk_create(
        [
            Communication(matter=b, occurred_at=T + timedelta(days=1), channel="sms",
                          direction="outbound", summary="短信"),
            Communication(matter=b, occurred_at=T + timedelta(days=3), channel="sms",
                          direction="inbound", summary="回复"),
            Communication(matter=a, occurred_at=T - timedelta(days=9), channel="sms",
                          direction="outbound", summary="旧"),
        ]
    )  # fmt: skip
    assert agrees(a, b) == [
        (T + timedelta(days=2), T + timedelta(days=2)),
        (T + timedelta(days=1), T + timedelta(days=1)),
    ]
    # The newest contact re-dated earlier than another: the other is the newest now.
    Communication.objects.filter(pk=second.pk).update(occurred_at=T - timedelta(days=1))
    assert agrees(a) == [(T, T)]
    # Turned inbound; then moved to the other matter and outbound again.
    Communication.objects.filter(pk=first.pk).update(direction="inbound")
    assert agrees(a) == [(T - timedelta(days=1), T - timedelta(days=1))]
    Communication.objects.filter(pk=first.pk).update(matter=b, direction="outbound")
    assert agrees(a, b) == [
        (T - timedelta(days=1), T - timedelta(days=1)),
        (T + timedelta(days=1), T + timedelta(days=1)),
    ]
    Communication.objects.filter(pk=first.pk).update(occurred_at=T + timedelta(days=4))
    assert agrees(b) == [(T + timedelta(days=4), T + timedelta(days=4))]
    # Deleted: the one before it, then none.
    first.delete()
    assert agrees(b) == [(T + timedelta(days=1), T + timedelta(days=1))]
    Communication.objects.filter(matter=a).delete()
    assert agrees(a) == [(None, None)]


def test_saving_a_matter_loaded_before_a_contact_does_not_put_back_a_stale_value(firm):
    stale = Matter.objects.get(pk=firm.matter.pk)
    log(firm.matter, T)
    stale.title = "改名"
    stale.save()
    assert (column(firm.matter), Matter.objects.get(pk=firm.matter.pk).title) == (T, "改名")
    matter_update(actor=firm.lead, matter=stale, version=stale.version, priority="P1")
    assert column(firm.matter) == T
    assert Matter.objects.get(pk=firm.matter.pk).history.first().priority == "P1"


def test_backfill_sets_it_from_the_log(firm):
    b = Matter.objects.create(number="LC3", title="t", matter_type="civil", status="open")
    log(firm.matter, T)
    log(b, T, direction="inbound")
    Matter.objects.filter(pk=firm.matter.pk).update(last_outbound_at=None)
    Matter.objects.filter(pk=b.pk).update(last_outbound_at=T)
    assert backfill(connection) == 2
    assert agrees(firm.matter, b) == [(T, T), (None, None)]
    assert backfill(connection) == 0
