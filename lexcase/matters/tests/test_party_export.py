"""The party directory as Excel/CSV (issue 16 item 19a): the gate's party rule, identifiers
masked, audited."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lexcase.audit.models import AuditEvent
from lexcase.parties.models import Party
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def csv_of(user, query=""):
    response = client_for(user).get(f"/parties/export/?format=csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig")


def test_the_export_lists_visible_parties_masked_and_is_audited(firm):
    client = firm.client_party
    Party.objects.filter(pk=client.pk).update(name="=HYPERLINK(1)")
    Party.objects.get(pk=client.pk)
    text = csv_of(firm.lead)
    assert "'=HYPERLINK(1)" in text  # never a formula
    assert AuditEvent.objects.filter(action="parties.export", actor_id=firm.lead.pk).exists()
    # A lawyer off the matter does not see its parties in the export.
    assert "HYPERLINK" not in csv_of(firm.outsider)
    party = Party.objects.get(pk=client.pk)
    if party.id_number:
        assert party.id_number not in text


def test_the_export_keeps_the_search(firm):
    text = csv_of(firm.lead, "&q=" + firm.opposing_party.name)
    assert firm.opposing_party.name in text
    assert firm.client_party.name not in text or firm.client_party.name in firm.opposing_party.name


def test_control_characters_in_the_data_leave_the_cells_and_never_fail_the_export(firm):
    # openpyxl refuses control characters in a cell (IllegalCharacterError: an HTTP 500 for
    # the whole workbook) and a spreadsheet cannot show them: they are left out, before the
    # formula check, so "\x01=..." is still text.
    Party.objects.filter(pk=firm.client_party.pk).update(name="\x01=HYPERLINK(1)")
    Party.objects.filter(pk=firm.opposing_party.pk).update(name="王\x1b[31m伟\x07")
    response = client_for(firm.lead).get("/parties/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = sorted(str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["'=HYPERLINK(1)", "李秘", "王[31m伟"]
    text = csv_of(firm.lead)
    assert sorted(line.split(",")[0] for line in text.splitlines()[1:]) == names
