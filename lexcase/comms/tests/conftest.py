from __future__ import annotations

import pytest
import time_machine

from lexcase.comms import selectors as comms_selectors
from lexcase.comms.tests.clock import T0
from lexcase.matters.services import matter_open, matter_update
from lexcase.testing import approve_intake


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
        "lexcase.matters.extensions._AGENDA_SOURCES", [(20, comms_selectors.agenda_source)]
    )
