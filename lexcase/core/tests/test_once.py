"""core.once: a one-time key is carried out once, freed when its write is refused, scoped to
its user, forgotten after KEEP; two requests with the same key at the same moment carry out
one (the second waits for the first to commit, then is refused)."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from lexcase.core.exceptions import AlreadySent
from lexcase.core.models import SentForm
from lexcase.core.once import KEEP, once_claim, once_field, request_key, sent_once


def test_each_form_gets_its_own_key():
    keys = {re.search(r'value="([^"]+)"', str(once_field())).group(1) for _ in range(3)}
    assert len(keys) == 3
    assert all(uuid.UUID(k) for k in keys)


def _post(user, **data):
    request = RequestFactory().post("/x/", data)
    request.user = user
    return request


@pytest.mark.django_db
def test_a_key_is_the_users_own_and_a_request_without_one_has_none(firm):
    a, b = _post(firm.lead, once="k"), _post(firm.assistant, once="k")
    assert request_key(a) == request_key(_post(firm.lead, once="k"))
    assert request_key(a) != request_key(b)
    assert request_key(_post(firm.lead)) is None
    header = RequestFactory().post("/x/", headers={"Idempotency-Key": "k"})
    header.user = firm.lead
    assert request_key(header) == request_key(a)


@pytest.mark.django_db
def test_a_key_is_carried_out_once_and_freed_when_the_write_is_refused(firm):
    request = _post(firm.lead, once=str(uuid.uuid4()))
    with pytest.raises(ValueError), sent_once(request):
        raise ValueError("a field error")
    assert SentForm.objects.count() == 0
    with sent_once(request):
        pass
    with pytest.raises(AlreadySent), sent_once(request):
        raise AssertionError("not reached")
    assert SentForm.objects.count() == 1


@pytest.mark.django_db
def test_keys_older_than_keep_are_forgotten():
    old = SentForm.objects.create(key=uuid.uuid4(), at=timezone.now() - KEEP - timedelta(hours=1))
    recent = SentForm.objects.create(
        key=uuid.uuid4(), at=timezone.now() - KEEP + timedelta(hours=1)
    )
    once_claim(uuid.uuid4())
    assert set(SentForm.objects.values_list("key", flat=True)) - {old.key} == set(
        SentForm.objects.values_list("key", flat=True)
    )
    assert SentForm.objects.filter(pk=recent.pk).exists()
    assert not SentForm.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_the_same_key_at_once_carry_out_one():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the second request waits its turn")
    key = uuid.uuid4()
    claimed = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                once_claim(key)
                claimed.set()
                # The second request arrives while this one has not committed yet.
                threading.Event().wait(0.5)
            outcome["first"] = "done"
        finally:
            connection.close()

    def second() -> None:
        claimed.wait(5)
        try:
            with transaction.atomic():
                once_claim(key)
            outcome["second"] = "done"
        except AlreadySent:
            outcome["second"] = "refused"
        except Exception as exc:
            outcome["second"] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcome == {"first": "done", "second": "refused"}
    assert list(SentForm.objects.values_list("key", flat=True)) == [key]
