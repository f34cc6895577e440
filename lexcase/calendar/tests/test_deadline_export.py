"""Deadlines as Excel/CSV (issue 16 item 19a): only matters the user can see, audited."""

from __future__ import annotations

from datetime import date

import pytest

from lexcase.audit.models import AuditEvent
from lexcase.calendar.models import Deadline
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def csv_of(user, query=""):
    response = client_for(user).get(f"/agenda/deadlines/export/?format=csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig")


def test_deadlines_of_visible_matters_only_live_by_default_and_audited(firm):
    Deadline.objects.create(
        matter=firm.matter, title="上诉期限届满", due_date=date(2026, 10, 9), status="open"
    )
    Deadline.objects.create(
        matter=firm.matter, title="举证期限届满", due_date=date(2026, 9, 1), status="done"
    )
    Deadline.objects.create(
        matter=firm.confidential, title="保密案件期限", due_date=date(2026, 9, 2), status="open"
    )
    text = csv_of(firm.lead)
    assert "上诉期限届满" in text and firm.matter.number in text
    assert "举证期限届满" not in text
    assert "举证期限届满" in csv_of(firm.lead, "&status=all")
    assert "上诉期限届满" not in csv_of(firm.lead, "&start=2026-10-10")
    assert AuditEvent.objects.filter(
        action="calendar.deadlines_export", actor_id=firm.lead.pk
    ).exists()
    assert "上诉期限届满" not in csv_of(firm.outsider)
    assert "上诉期限届满" not in csv_of(firm.walled)
    # The confidential matter's deadline: its members only.
    assert "保密案件期限" not in csv_of(firm.partner_other)
