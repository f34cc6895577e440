"""The communication log as Excel/CSV (issue 16 item 19a): gated like the page, audited."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from lexcase.audit.models import AuditEvent
from lexcase.comms.services import communication_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_export_has_the_rows_the_user_may_see_and_is_audited(firm):
    communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="outbound",
        summary="=告知客户开庭时间",
    )
    response = client_for(firm.lead).get("/communications/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert firm.matter.number in text
    assert "'=告知客户开庭时间" in text  # never a formula
    assert AuditEvent.objects.filter(action="comms.export", actor_id=firm.lead.pk).exists()
    # Off the matter: the row is not there; walled: neither.
    for user in (firm.outsider, firm.walled):
        text = (
            client_for(user).get("/communications/export/?format=csv").content.decode("utf-8-sig")
        )
        assert firm.matter.number not in text
    # Excel by default.
    response = client_for(firm.lead).get("/communications/export/")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert firm.matter.number in values


def test_anonymous_users_get_no_export(firm):
    assert Client().get("/communications/export/").status_code == 302
