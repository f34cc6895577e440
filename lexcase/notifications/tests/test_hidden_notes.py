"""A notification about a matter its reader can no longer see (walled off, removed from a
confidential matter's team) is hidden from the list — and from the unread badge, which would
otherwise tell that something happened there."""

from __future__ import annotations

import pytest

from lexcase.matters.models import EthicalWall, MatterMember
from lexcase.notifications import selectors
from lexcase.notifications.selectors import notifications_for, unread_count
from lexcase.notifications.services import notification_send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("probe", [200, 1])  # 1: more unread than the probe reads
def test_the_badge_counts_only_what_the_list_shows(firm, monkeypatch, probe):
    monkeypatch.setattr(selectors, "_UNREAD_PROBE", probe)
    for matter in (firm.matter, firm.confidential):
        notification_send(
            user=firm.lead,
            kind="deadline_missed",
            text=matter.title,
            key=f"k{matter.pk}",
            matter=matter,
        )
    notification_send(user=firm.lead, kind="digest", text="议程", key="digest")
    assert (unread_count(user=firm.lead), len(notifications_for(user=firm.lead))) == (3, 3)
    EthicalWall.objects.create(matter=firm.matter, user=firm.lead, reason="冲突")
    MatterMember.objects.filter(matter=firm.confidential, user=firm.lead).delete()
    assert [n.text for n in notifications_for(user=firm.lead)] == ["议程"]
    assert unread_count(user=firm.lead) == 1
    notification_send(user=firm.lead, kind="digest", text="议程 2", key="digest2")
    assert unread_count(user=firm.lead) == 2


def test_a_digest_naming_a_matter_is_hidden_once_its_reader_is_walled_off(firm):
    # The morning digest lists several matters and has no `matter` of its own: it is hidden
    # as soon as its reader may no longer see any one of them (a wall put up later).
    from datetime import date

    from lexcase.calendar.models import Deadline
    from lexcase.calendar.services import reminders_run

    today = date(2026, 12, 1)
    for matter in (firm.matter, firm.confidential):
        Deadline.objects.create(
            matter=matter, title="举证期限", due_date=date(2026, 12, 3), responsible=firm.lead
        )
    reminders_run(today=today)
    (digest,) = notifications_for(user=firm.lead)
    assert firm.matter.number in digest.text and firm.confidential.number in digest.text
    EthicalWall.objects.create(matter=firm.matter, user=firm.lead, reason="冲突")
    assert (list(notifications_for(user=firm.lead)), unread_count(user=firm.lead)) == ([], 0)
    # A digest sent before its matters were recorded with it: the migration links them
    # from the numbers its lines end with.
    import importlib

    from django.apps import apps

    digest.matters.clear()
    assert len(notifications_for(user=firm.lead)) == 1
    migration = importlib.import_module("lexcase.notifications.migrations.0004_digest_matters")
    migration.link_old_digests(apps, None)
    assert set(digest.matters.values_list("pk", flat=True)) == {
        firm.matter.pk,
        firm.confidential.pk,
    }
    assert list(notifications_for(user=firm.lead)) == []
