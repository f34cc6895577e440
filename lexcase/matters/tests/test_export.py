"""The matter list exported with its filters (issue 16 item 19a): gated like the page, audited,
no formula injection."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from lexcase.audit.models import AuditEvent
from lexcase.matters.models import Matter
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_lists_what_the_page_lists_with_its_filters(firm):
    response = client_for(firm.lead).get("/matters/export/?format=csv&matter_type=civil")
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][:2] == ["案件编号", "名称"]
    assert [r[0] for r in rows[1:]] == [firm.matter.number]
    event = AuditEvent.objects.get(action="matters.export")
    assert event.data == {"filters": {"matter_type": "civil", "sort": "activity"}, "rows": 1}


def test_a_walled_partner_exports_nothing_of_the_walled_matter(firm):
    rows = _rows(client_for(firm.walled).get("/matters/export/?format=csv"))
    numbers = [r[0] for r in rows[1:]]
    assert firm.matter.number not in numbers
    assert firm.confidential.number not in numbers


def test_a_title_that_looks_like_a_formula_stays_text(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(title='=HYPERLINK("http://x")')
    rows = _rows(client_for(firm.lead).get("/matters/export/?format=csv"))
    titles = {r[0]: r[1] for r in rows[1:]}
    assert titles[firm.matter.number] == '\'=HYPERLINK("http://x")'


def test_the_excel_file_opens_with_the_same_rows(firm):
    response = client_for(firm.lead).get("/matters/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert sorted(v[0] for v in values[1:]) == sorted(
        [firm.matter.number, firm.confidential.number]
    )
