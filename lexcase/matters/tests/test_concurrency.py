"""Numbers and edits under concurrent writers (real threads, real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from lexcase.accounts.models import Role, User
from lexcase.core.exceptions import StaleEdit
from lexcase.matters.models import Matter
from lexcase.matters.services import matter_create, matter_update

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
