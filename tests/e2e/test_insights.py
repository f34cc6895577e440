"""The firm dashboard in a browser: a partner opens it, filters by team, downloads the Excel
file and it opens with openpyxl, holding the team's figures and nothing of the other team's
matters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_teams(users: dict[str, Any]) -> dict[str, Any]:
    from lexcase.accounts.models import Team
    from lexcase.accounts.services import user_create
    from lexcase.billing.models import Bill
    from lexcase.matters.models import Matter, MatterMember
    from lexcase.parties.models import Party
    from lexcase.reviews.models import Review
    from tests.e2e.personas import PASSWORD

    lit, corp = Team.objects.create(name="诉讼一部"), Team.objects.create(name="公司业务部")
    partner, lawyer = users["partner"], users["lawyer"]
    type(partner).objects.filter(pk__in=[partner.pk, lawyer.pk]).update(team=lit)
    other = user_create(username="lawyer2", role="lawyer", password=PASSWORD, name="刘洋")
    partner2 = user_create(username="partner2", role="partner", password=PASSWORD, name="李慧敏")
    type(other).objects.filter(pk__in=[other.pk, partner2.pk]).update(team=corp)
    today = timezone.localdate()
    client = Party.objects.create(name="北京华泰科技有限公司")
    made = {}
    for key, lead, responsible, court, number in (
        ("lit", lawyer, partner, "北京市朝阳区人民法院", "2026-民-0101"),
        ("corp", other, partner2, "上海市浦东新区人民法院", "2026-民-0102"),
    ):
        m = Matter.objects.create(
            number=number,
            title=f"{court}买卖合同纠纷",
            matter_type="civil",
            status="closed",
            priority="P2",
            court=court,
            opened_on=today - timedelta(days=120),
            closed_on=today - timedelta(days=10),
        )
        MatterMember.objects.create(matter=m, user=lead, role="lead")
        MatterMember.objects.create(matter=m, user=responsible, role="responsible_partner")
        Review.objects.create(
            matter=m,
            kind="closing",
            status="done",
            due_on=today - timedelta(days=12),
            score=4 if key == "lit" else 2,
            findings="卷宗齐全" if key == "lit" else "证据目录未归档",
            completed_at=timezone.now() - timedelta(days=12),
            reviewer=responsible,
        )
        Bill.objects.create(
            matter=m,
            client=client,
            number=f"2026-9{len(made):02d}",
            year=2026,
            seq=900 + len(made),
            status="issued",
            issued_on=today - timedelta(days=20),
            total=Decimal("12000.00") if key == "lit" else Decimal("7000.00"),
        )
        made[key] = m
    return {"lit": lit, "corp": corp, **made}


def test_partner_filters_the_dashboard_by_team_and_opens_the_excel_file(
    page: Any,
    live_server: Any,
    login: Any,
    screenshot: Any,
    two_teams: dict[str, Any],
    tmp_path: Any,
) -> None:
    from openpyxl import load_workbook

    login(page, "partner")
    page.goto(f"{live_server.url}/insights/")
    assert page.locator("#kpi-deadlines").is_visible()
    html = page.content()
    assert "北京市朝阳区人民法院" in html and "上海市浦东新区人民法院" in html
    screenshot(page, "insights-01-firm.png")

    # The fixture returns matters: pick the team by its name, not by a matter's id.
    page.select_option("select[name=team]", label="诉讼一部")
    page.click("#insights-filters button[type=submit]")
    page.wait_for_url("**/insights/?*team=*")
    html = page.content()
    assert "北京市朝阳区人民法院" in html and "上海市浦东新区人民法院" not in html
    assert "卷宗齐全" in html and "证据目录未归档" not in html
    assert page.locator("#kpi-reviews").is_visible() and page.locator("#kpi-fees").is_visible()
    screenshot(page, "insights-02-team.png")

    with page.expect_download() as info:
        page.click("#insights-export")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    wb = load_workbook(path)
    assert {"summary", "deadlines", "reviews", "review_findings", "fees"} <= set(wb.sheetnames)
    summary = {row[0]: row[1] for row in wb["summary"].iter_rows(values_only=True) if row}
    assert summary.get("团队") == "诉讼一部"
    text = "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
    )
    assert "北京市朝阳区人民法院" in text and "上海市浦东新区人民法院" not in text
    assert "12000" in text and "7000" not in text
    page.csp.assert_clean()
