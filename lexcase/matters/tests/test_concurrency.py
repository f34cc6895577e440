"""Numbers and edits under concurrent writers (real threads, real transactions)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from lexcase.accounts.models import Role, User
from lexcase.conflicts import services as conflict_services
from lexcase.conflicts.services import latest_check
from lexcase.core.exceptions import StaleEdit
from lexcase.matters.models import Matter
from lexcase.matters.services import PartyLink, matter_create, matter_update
from lexcase.parties.services import party_create

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="thread concurrency is exercised on PostgreSQL"
)


def run_in_threads(n: int, target) -> list:
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_matter_numbers_unique_under_parallel_intake():
    lawyer = User.objects.create(username="lawyer", role=Role.LAWYER)
    n = 12
    results = run_in_threads(
        n, lambda i: matter_create(actor=lawyer, title=f"并发{i}", matter_type="civil").number
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == n
    seqs = sorted(int(number.rsplit("-", 1)[1]) for number in results)
    assert seqs == list(range(1, n + 1))


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_edits_of_one_version_have_exactly_one_winner():
    lawyer = User.objects.create(username="lawyer", role=Role.LAWYER)
    matter = matter_create(actor=lawyer, title="原标题", matter_type="civil")
    version = matter.version
    n = 8

    def edit(i: int) -> str:
        fresh = Matter.objects.get(pk=matter.pk)
        matter_update(actor=lawyer, matter=fresh, version=version, title=f"标题{i}")
        return f"标题{i}"

    results = run_in_threads(n, edit)
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, StaleEdit)]
    assert (len(winners), len(losers)) == (1, n - 1)
    matter.refresh_from_db()
    assert (matter.title, matter.version) == (winners[0], version + 1)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_intakes_for_opposite_sides_are_never_both_clean(monkeypatch):
    """docs/quality.md T12: two intakes for the two sides of one dispute, started together."""
    real_check = conflict_services.conflict_check

    def slow_check(*args, **kwargs):
        # Widen the race: both intakes have written their rows before either checks.
        time.sleep(0.4)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(conflict_services, "conflict_check", slow_check)

    lawyers = [User.objects.create(username=f"l{i}", role=Role.LAWYER) for i in range(2)]
    a = party_create(
        actor=lawyers[0],
        kind="organization",
        name="北京甲方科技有限公司",
        credit_code="91350200776049653A",
    )
    b = party_create(
        actor=lawyers[0],
        kind="organization",
        name="上海乙方贸易有限公司",
        credit_code="91440101MA5CJQ4N59",
    )
    sides = [(a, b), (b, a)]

    def intake(i: int) -> int:
        client, opposing = sides[i]
        return matter_create(
            actor=lawyers[i],
            title=f"争议{i}",
            matter_type="civil",
            parties=[
                PartyLink(party=client, role="client"),
                PartyLink(party=opposing, role="opposing"),
            ],
        ).pk

    for _round in range(3):
        ids = run_in_threads(2, intake)
        assert [r for r in ids if isinstance(r, Exception)] == []
        worst = [latest_check(Matter.objects.get(pk=pk)).worst for pk in ids]
        assert "absolute" in worst, worst
        Matter.objects.filter(pk__in=ids).delete()
