"""The work side of the firm's money in a browser: a lawyer proposes contingency terms (the
cap's steps while typing, the refusal above the cap), the partner approves and sets the
shares; the lawyer records time, runs the timer and records a court fee with its receipt;
finance records client funds and reads the ledger and the lawyer's fee statement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.personas import PASSWORD

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def matter(users: dict[str, Any]) -> Any:
    from lexcase.accounts.services import user_create
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create

    user_create(username="finance", role="finance", password=PASSWORD, name="李会计")
    client = party_create(actor=users["lawyer"], kind="organization", name="北京华泰科技有限公司")
    return matter_create(
        actor=users["lawyer"],
        title="华泰科技诉王伟买卖合同纠纷",
        matter_type="civil",
        parties=[PartyLink(party=client, role="client")],
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )


def _as(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def test_agreement_time_expense_and_client_funds(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any, matter: Any
) -> None:
    from lexcase.billing.models import ClientFundsEntry, Expense, FeeAgreement, TimeEntry

    base = live_server.url
    login(page, "lawyer")
    page.goto(f"{base}/matters/{matter.pk}/fees/new/")
    page.select_option("select[name=kind]", "contingency")
    page.select_option("select[name=contingency_basis]", "recovered")
    page.fill("input[name=contingency_basis_amount]", "3000000")
    page.wait_for_selector("#cap-steps li")  # htmx: the steps while typing
    assert "¥480,000.00" in page.inner_text("#cap-steps")
    page.fill("input[name=contingency_rate]", "20")
    page.fill("input[name=risk_contract_signed_on]", "2026-03-01")
    page.fill("input[name=guidance_price_disclosed_on]", "2026-02-28")
    page.click("form.form button.primary")
    error = page.locator(".has-error .field-error").first
    assert "¥480,000.00" in error.inner_text()
    screenshot(page, "60-billing-agreement-above-cap.png")
    page.fill("input[name=contingency_rate]", "16")
    page.click("form.form button.primary")
    page.wait_for_url(f"{base}/matters/{matter.pk}/fees/")
    page.click("text=提交审批")
    page.wait_for_selector("ul.messages")
    agreement = FeeAgreement.objects.get()
    assert (agreement.status, agreement.approval_required) == ("pending", True)

    _as(page, login, "partner")
    page.goto(f"{base}/matters/{matter.pk}/fees/")
    page.click("form[action$='/approve/'] button")
    page.wait_for_url(f"{base}/matters/{matter.pk}/fees/")
    page.click("text=修改分配")
    page.select_option("select[name=share-0-lawyer]", str(users["partner"].pk))
    page.select_option("select[name=share-0-role]", "originator")
    page.fill("input[name=share-0-percent]", "30")
    page.select_option("select[name=share-1-lawyer]", str(users["lawyer"].pk))
    page.select_option("select[name=share-1-role]", "handler")
    page.fill("input[name=share-1-percent]", "70")
    page.click("form.form button.primary")
    page.wait_for_url(f"{base}/matters/{matter.pk}/fees/")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.shares.count()) == ("approved", 2)
    screenshot(page, "61-billing-agreements.png")

    _as(page, login, "lawyer")
    page.goto(f"{base}/matters/{matter.pk}/time/")
    page.fill("input[name=time-work_date]", "2026-03-02")
    page.fill("input[name=time-minutes]", "90")
    page.fill("textarea[name=time-description]", "起草起诉状")
    page.check("input[name=time-billable]")
    page.click("form[action$='/time/'] button.primary")
    page.wait_for_url(f"{base}/matters/{matter.pk}/time/")
    page.fill("input[name=timer-description]", "阅卷")
    page.click("form[action$='/time/timer/'] button")
    page.wait_for_selector("#timer")
    screenshot(page, "62-billing-time.png")
    page.click("#timer button")
    page.wait_for_url(f"{base}/matters/{matter.pk}/time/")
    assert TimeEntry.objects.filter(timer_stopped_at__isnull=False).count() == 1
    page.goto(f"{base}/time/week/?week=2026-03-02")
    screenshot(page, "63-billing-timesheet.png")

    page.goto(f"{base}/matters/{matter.pk}/expenses/")
    page.fill("input[name=claim]", "1000000")
    page.click("#court-fee button")
    page.wait_for_selector("#court-fee ol.steps")
    assert page.input_value("input[name=amount]") == "13800.00"
    page.set_input_files(
        "input[name=receipt]",
        files=[{"name": "受理费收据.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("form[enctype] button.primary")
    page.wait_for_url(f"{base}/matters/{matter.pk}/expenses/")
    screenshot(page, "64-billing-expenses.png")
    expense = Expense.objects.get()
    assert (expense.kind, expense.amount, expense.receipt_document_id is not None) == (
        "court_fee",
        13800,
        True,
    )
    screenshot(page, "64-billing-expenses.png")

    _as(page, login, "finance")
    page.goto(f"{base}/matters/{matter.pk}/client-funds/")
    page.select_option("select[name=kind]", "receipt")
    page.fill("input[name=amount]", "20000")
    page.fill("input[name=description]", "预交诉讼费")
    page.click("form.form button.primary")
    page.wait_for_url(f"{base}/matters/{matter.pk}/client-funds/")
    assert ClientFundsEntry.objects.count() == 1
    screenshot(page, "65-billing-client-funds.png")
    page.goto(f"{base}/client-funds/")
    screenshot(page, "66-billing-client-funds-ledger.png")
    page.goto(f"{base}/fees/statement/?lawyer={users['lawyer'].pk}&year=2026")
    screenshot(page, "67-billing-fee-statement.png")
    page.csp.assert_clean()
