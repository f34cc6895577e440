"""The money gate on the work pages: finance sees a confidential matter's money, never its
documents, communications or tasks; the matter page's money section."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lexcase.billing.services.work import client_funds_record, time_entry_create
from lexcase.billing.tests.test_work_agreements import api
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_finance_reads_the_money_of_a_confidential_matter_and_nothing_else(firm):
    secret = firm.confidential
    time_entry_create(
        actor=firm.lead, matter=secret, work_date=date(2026, 3, 2), minutes=60, description="尽调"
    )
    finance = client_for(firm.finance)
    for path in ("fees/", "time/", "expenses/", "client-funds/"):
        assert finance.get(f"/matters/{secret.pk}/{path}").status_code == 200, path
    listed = api(firm.finance, "GET", f"/api/v1/matters/{secret.pk}/time-entries").json()
    assert [e["minutes"] for e in listed] == [60]
    assert finance.get(f"/matters/{secret.pk}/").status_code == 404
    assert finance.get(f"/matters/{secret.pk}/tasks/").status_code == 404
    for path in ("documents/", "communications/"):
        assert finance.post(f"/matters/{secret.pk}/{path}").status_code == 404, path
    for path in ("", "/tasks"):
        response = api(firm.finance, "GET", f"/api/v1/matters/{secret.pk}{path}")
        assert response.status_code == 404, path
    # The money pages show only the number and title of the matter, never its summary.
    page = finance.get(f"/matters/{secret.pk}/time/").content.decode()
    assert secret.title in page


def test_the_matter_page_shows_its_money_section(firm):
    time_entry_create(
        actor=firm.lead, matter=firm.matter, work_date=date(2026, 3, 2), minutes=90, description="x"
    )
    client_funds_record(
        actor=firm.finance,
        matter=firm.matter,
        kind="receipt",
        amount=Decimal("5000"),
        entry_date=date(2026, 3, 2),
        description="预交诉讼费",
    )
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/")
    sections = [s for s in page.context["sections"] if s["template"].startswith("billing/")]
    assert len(sections) == 1
    money = sections[0]
    assert (money["minutes"], money["unbilled_minutes"], money["funds_held"]) == (
        90,
        90,
        Decimal("5000.00"),
    )
    assert "¥5,000.00" in page.content.decode()


def test_finance_finds_a_confidential_matters_money_and_others_only_theirs(firm):
    found = client_for(firm.finance).get("/fees/matters/", {"q": "保密"})
    assert [m.pk for m in found.context["matters"]] == [firm.confidential.pk]
    assert f"/matters/{firm.confidential.pk}/fees/" in found.content.decode()
    assert client_for(firm.assistant).get("/fees/matters/", {"q": "保密"}).context["matters"] == []
    everything = client_for(firm.outsider).get("/fees/matters/").context["matters"]
    assert everything == []
