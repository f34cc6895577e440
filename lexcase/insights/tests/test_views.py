"""Pages, exports and the API: what each reader gets, and nothing hidden in any of them."""

from __future__ import annotations

import io
import json

from django.test import Client
from openpyxl import load_workbook

from lexcase.accounts.services import api_token_create
from lexcase.calendar.models import Deadline
from lexcase.matters.models import Matter
from lexcase.testing import client_for


def _sheet_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content))
    return "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
    )


def test_firm_dashboard_page_and_export_leave_out_hidden_matters(firm):
    Matter.objects.filter(pk=firm.confidential.pk).update(
        status="closed", opened_on="2026-01-01", closed_on="2026-02-01", court="保密法院"
    )
    Matter.objects.filter(pk=firm.matter.pk).update(
        status="closed", opened_on="2026-01-01", closed_on="2026-03-02", court="公开法院"
    )
    page = client_for(firm.partner_other).get("/insights/?date_from=2026-01-01&date_to=2026-06-30")
    assert page.status_code == 200
    html = page.content.decode()
    assert "公开法院" in html and "保密法院" not in html
    assert 'style="' not in html and "<script>" not in html
    export = client_for(firm.partner_other).get(
        "/insights/export.xlsx?date_from=2026-01-01&date_to=2026-06-30"
    )
    assert export.status_code == 200
    assert export["Content-Disposition"].startswith("attachment;")
    text = _sheet_text(export.content)
    assert "公开法院" in text and "保密法院" not in text
    # The lead is on both: their own figures include the confidential court.
    mine = client_for(firm.lead).get(
        "/insights/mine/export.xlsx?date_from=2026-01-01&date_to=2026-06-30"
    )
    assert "保密法院" in _sheet_text(mine.content)
    # The outsider is on neither.
    theirs = client_for(firm.outsider).get(
        "/insights/mine/export.xlsx?date_from=2026-01-01&date_to=2026-06-30"
    )
    assert "公开法院" not in _sheet_text(theirs.content)


def test_bad_period_is_a_field_error_in_the_users_language(firm):
    page = client_for(firm.partner).get("/insights/?date_from=2026-05-01&date_to=2026-01-01")
    assert page.status_code == 422
    assert "早于" in page.content.decode() or "before its start" in page.content.decode()
    _t, raw = api_token_create(user=firm.partner, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    bad = api.get("/api/v1/insights/kpis?from=2026-05-01&to=2026-01-01")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["to"]
    garbage = api.get("/api/v1/insights/kpis?from=yesterday")
    assert [e["field"] for e in garbage.json()["errors"]] == ["from"]


def test_kpi_api_names_figures_with_definitions(firm):
    Deadline.objects.create(matter=firm.matter, title="x", due_date="2026-01-05", status="missed")
    Deadline.objects.create(
        matter=firm.confidential, title="y", due_date="2026-01-05", status="missed"
    )
    _t, raw = api_token_create(user=firm.partner_other, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = api.get("/api/v1/insights/kpis?from=2026-01-01&to=2026-01-31").json()
    assert body["scope"] == "firm"
    figs = {f["name"]: f for f in body["figures"]}
    assert figs["deadlines.missed"]["value"] == 1  # the confidential one does not count
    assert figs["deadlines.missed"]["definition"]
    _t, raw = api_token_create(user=firm.lead, name="t")
    lead = Client(headers={"Authorization": f"Bearer {raw}"})
    body = lead.get("/api/v1/insights/kpis?from=2026-01-01&to=2026-01-31").json()
    assert body["scope"] == "personal"
    assert {f["name"]: f["value"] for f in body["figures"]}["deadlines.missed"] == 2


def test_outcome_section_on_the_matter_page_and_its_page(firm):
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/")
    assert f"/matters/{firm.matter.pk}/outcome-stats/" in page.content.decode()
    stats = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/outcome-stats/")
    assert stats.status_code == 200
    assert "outcome-stats" in stats.content.decode()
    partial = client_for(firm.lead).get(
        f"/matters/{firm.matter.pk}/outcome-stats/", headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode()
    _t, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = api.get(f"/api/v1/matters/{firm.matter.pk}/outcome-stats").json()
    assert (body["n"], body["enough"], body["outcomes"], body["similar"]) == (0, False, {}, [])
    assert json.dumps(body)


def test_a_period_at_the_ends_of_the_calendar_is_a_field_error_not_a_500(firm):
    # The first and last days the calendar holds (0001-01-01, 9999-12-31) overflowed when
    # the period was turned into a datetime range in the firm's time zone (HTTP 500).
    _t, raw = api_token_create(user=firm.partner, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    for start, end, fields in (
        ("9999-12-31", "9999-12-31", ["from", "to"]),
        ("0001-01-01", "0001-01-01", ["from", "to"]),
        ("0001-01-01", "2026-01-01", ["from"]),
    ):
        query = f"date_from={start}&date_to={end}"
        for path in ("/insights/", "/insights/export.xlsx", "/insights/mine/"):
            assert client_for(firm.partner).get(f"{path}?{query}").status_code == 422, (path, query)
        bad = api.get(f"/api/v1/insights/kpis?from={start}&to={end}")
        assert bad.status_code == 422
        assert sorted(e["field"] for e in bad.json()["errors"]) == fields


def test_the_period_is_written_the_chinese_way_whatever_the_browser(firm):
    """A date picker is drawn in the browser's language (Chromium in English showed
    12/07/2026 and mm/dd/yyyy on the Chinese dashboard): the period's fields are text, in
    ISO order, and a date typed as Chinese pages write it is read."""
    client = client_for(firm.partner_other)
    html = client.get("/insights/?date_from=2026-01-01&date_to=2026-06-30").content.decode()
    assert 'type="date"' not in html
    assert (
        '<input type="text" name="date_from" value="2026-01-01" inputmode="numeric" '
        'autocomplete="off" maxlength="10" size="10" placeholder="年-月-日" class="date-text" '
        'id="id_date_from">'
    ) in html
    typed = client.get("/insights/?date_from=2026/02/01&date_to=2026-06-30").content.decode()
    # Kept as typed in the field, read as the date: the period line says which.
    assert 'name="date_from" value="2026/02/01"' in typed
    assert "期间：2026-02-01" in typed
