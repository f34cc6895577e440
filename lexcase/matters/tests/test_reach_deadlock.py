"""PartyReach is kept by triggers that upsert one (party, user) row per member and party of
a matter, locked until the transaction commits. Two intakes for the same client registered at
once, with two partners in swapped roles (one responsible and the other leading, and the other
way round), inserted their team in role order, so each took one partner's row first and then
waited for the other's: a deadlock on PostgreSQL (one intake failed with 40P01). The team is
now inserted in one order (by user id) whatever the roles."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db import connection as thread_connection
from django.db.models.signals import post_save

from lexcase.matters.models import Matter, MatterMember, MatterType
from lexcase.matters.services import PartyLink, matter_create


@pytest.mark.django_db(transaction=True)
def test_two_intakes_with_swapped_partners_do_not_deadlock(firm):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no lock order to get wrong")
    x, y = firm.partner, firm.partner_other
    # Both partners already share a matter with the client: their rows exist and are locked
    # by the first upsert that touches them.
    MatterMember.objects.create(matter=firm.matter, user=y, role="member")
    # Each intake pauses after its first member (at most 3 s) so that the other can start.
    first_member = threading.Barrier(2)
    seen: set[int] = set()

    def pause(sender, instance, created, **_kw):
        if created and threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            try:
                first_member.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass  # the other intake waits for this one's row: no need to wait for it

    outcomes: list[str] = []
    lock = threading.Lock()

    def intake(matter_type: str, responsible, lead) -> None:
        try:
            matter_create(
                actor=firm.lead,
                title="华泰科技新案",
                matter_type=matter_type,  # another number counter: no queue there
                parties=[PartyLink(party=firm.client_party, role="client")],
                lead_lawyer=lead,
                responsible_partner=responsible,
            )
            result = "ok"
        except Exception as exc:  # the deadlock (OperationalError) is what the test looks for
            result = f"{type(exc).__name__}: {exc}"
        finally:
            thread_connection.close()
        with lock:
            outcomes.append(result)

    post_save.connect(pause, sender=MatterMember, dispatch_uid="test.reach.pause")
    try:
        threads = [
            threading.Thread(target=intake, args=(MatterType.CIVIL, x, y)),
            threading.Thread(target=intake, args=(MatterType.NON_LITIGATION, y, x)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        post_save.disconnect(dispatch_uid="test.reach.pause", sender=MatterMember)
    assert outcomes == ["ok", "ok"]
    assert Matter.objects.filter(title="华泰科技新案").count() == 2
