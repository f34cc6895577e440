"""The demo firm's closed history (issue 16): a new firm's lawyers are not greeted by a
wall of overdue archiving from matters closed years ago."""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from lexcase.accounts.models import User
from lexcase.calendar.selectors import agenda_overdue
from lexcase.insights import demo as insights_demo
from lexcase.matters.models import ArchiveRecord, Matter, MatterClosing, Status
from lexcase.web.demo import demo_generate

pytestmark = pytest.mark.django_db


def _demo_with_history_ids() -> set[int]:
    """The demo firm; returns the ids of the history matters `demo_insights` wrote."""
    seen: dict[str, int] = {}
    real = insights_demo.demo_insights

    def spy(**kwargs: Any) -> list[int]:
        seen["before"] = Matter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return real(**kwargs)

    with mock.patch("lexcase.web.demo.demo_insights", spy):
        demo_generate(matters=30, seed=7)
    return set(Matter.objects.filter(pk__gt=seen["before"]).values_list("pk", flat=True))


def test_history_matters_past_their_archive_deadline_are_archived_not_overdue():
    history = _demo_with_history_ids()
    today = timezone.localdate()
    assert len(history) == 240
    statuses = Counter(Matter.objects.filter(pk__in=history).values_list("status", flat=True))
    # Closed past the archive deadline: on a shelf with its 档号, never an overdue item.
    assert (
        MatterClosing.objects.filter(
            matter__in=history, matter__status=Status.CLOSED, archive_deadline__lt=today
        ).count()
        == 0
    )
    assert statuses[Status.ARCHIVED] == ArchiveRecord.objects.filter(matter__in=history).count()
    assert statuses[Status.ARCHIVED] + statuses[Status.CLOSED] == 240
    # Recently closed ones still wait for archiving, with a deadline ahead.
    assert (
        MatterClosing.objects.filter(
            matter__in=history, matter__status=Status.CLOSED, archive_deadline__gte=today
        ).count()
        == statuses[Status.CLOSED]
    )
    for user in User.objects.filter(username__in=["lawyer", "lawyer2", "lawyer3", "partner"]):
        overdue = [
            item.matter.pk
            for item in agenda_overdue(user=user, today=today)
            if item.kind == "archive_due" and item.matter.pk in history
        ]
        assert overdue == []
