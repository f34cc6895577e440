from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from conftest import approve_intake
from lexcase.matters.services import matter_open, matter_update

SHANGHAI = timezone.get_fixed_timezone(480)
# Monday 2 March 2026, 09:00 in Shanghai.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def opened(firm):
    """The fixture matter, cleared and opened on T0 as a P1 matter."""
    with time_machine.travel(T0, tick=False):
        approve_intake(firm.matter, firm.partner)
        matter_open(actor=firm.partner, matter=firm.matter)
        firm.matter.refresh_from_db()
        firm.matter = matter_update(
            actor=firm.lead, matter=firm.matter, version=firm.matter.version, priority="P1"
        )
    return firm


@pytest.fixture(autouse=True)
def _only_comms_agenda(monkeypatch):
    # Other apps' agenda sources are built concurrently; these tests are about ours.
    monkeypatch.setattr(
        "lexcase.calendar.selectors.AGENDA_SOURCES", ("lexcase.comms.selectors.agenda_source",)
    )
