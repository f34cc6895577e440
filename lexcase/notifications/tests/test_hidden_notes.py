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
