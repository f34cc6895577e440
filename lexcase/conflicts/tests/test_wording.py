"""A hit is worded by the other matter's status (issue 16 item 18): an open matter is 在办,
an intake's client is not yet the firm's client, only a closed matter's client is 老客户."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import translation

from lexcase.audit.models import AuditEvent
from lexcase.conflicts.engine import QueryParty, index_party
from lexcase.conflicts.verdicts import conflict_check
from lexcase.matters.models import Matter, Status
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.INTAKE, "亦为收案 {number} 的委托人（本所尚未接受委托）。"),
        (Status.OPEN, "现有客户：本所正在办理的案件 {number} 中代理该当事人。"),
        (Status.CLOSED, "老客户：亦为本所案件 {number} 的委托人。"),
    ],
)
def test_a_client_hit_says_what_the_firm_is_to_it(firm, status, reason):
    Matter.objects.filter(pk=firm.matter.pk).update(status=status, closed_on=date(2026, 1, 5))
    index_party(firm.client_party)
    with translation.override("zh-hans"):
        result = conflict_check(
            [QueryParty("北京华泰科技有限公司", "organization", "client")], today=TODAY
        )
    assert [h.reason for h in result.hits] == [reason.format(number=firm.matter.number)]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.INTAKE, "亦在收案 {number} 中被列为对方当事人。"),
        (Status.OPEN, "亦为在办案件 {number} 的对方当事人：本所目前正与该当事人对立。"),
        (Status.CLOSED, "亦为案件 {number} 的对方当事人：本所曾代理该当事人的对方。"),
    ],
)
def test_an_opposing_hit_says_whether_the_firm_is_against_it_now(firm, status, reason):
    Matter.objects.filter(pk=firm.matter.pk).update(status=status, closed_on=date(2026, 1, 5))
    index_party(firm.opposing_party)
    with translation.override("zh-hans"):
        result = conflict_check([QueryParty("王伟", "person", "opposing")], today=TODAY)
    reasons = [h.reason for h in result.hits if h.matter_id == firm.matter.pk]
    assert reasons == [reason.format(number=firm.matter.number)]


def test_the_conflict_report_pdf_names_the_partner_and_is_audited(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status=Status.OPEN)
    response = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/conflict-report.pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    page = pdfium.PdfDocument(response.content)[0]
    text = page.get_textpage().get_text_range()
    assert "利益冲突检索报告" in text
    assert firm.matter.number in text
    png = Path("var/screenshots/conflict_report_page1.png")
    png.parent.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.5).to_pil().save(png)
    assert AuditEvent.objects.filter(action="conflict.report_download").count() == 1
