"""The client's bills in the portal, in a browser: the lawyer shows a matter's bills to the
client's contact on the contact page; the contact finds 账单 in the portal's navigation, the
list and the bill (lines, payment received, the firm's account), the link from the matter
page, in Chinese and in English; another client's bill is 404. Screenshots in
var/screenshots/portal-bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "portal-bills"
CLIENT = "北京华泰科技有限公司"
OTHER_CLIENT = "上海秘密投资有限公司"
CONTACT_PASSWORD = "Fluss-Anker-2026!"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.fixture
def billed(users: dict[str, Any]) -> dict[str, Any]:
    from lexcase.accounts.models import FirmProfile, Role, User
    from lexcase.accounts.services import user_create
    from lexcase.billing.models import TimeEntry
    from lexcase.billing.services.bills import bill_draw, bill_issue
    from lexcase.billing.services.payments import AllocationIn, payment_record
    from lexcase.matters.models import Matter, MatterType
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create
    from lexcase.portal.models import ClientContact, ClientContactMatter

    lawyer, partner = users["lawyer"], users["partner"]
    finance = user_create(username="finance", role="finance", password="x-long-password-1")
    FirmProfile.objects.update_or_create(
        pk=1,
        defaults={
            "name": "北京律案律师事务所",
            "bank_name": "招商银行北京朝阳支行",
            "bank_account": "1109 0888 6610 201",
        },
    )

    def matter_of(party: Any, title: str) -> Any:
        matter = matter_create(
            actor=lawyer,
            title=title,
            matter_type=MatterType.CIVIL,
            priority="P2",
            parties=[PartyLink(party=party, role="client", standing="原告")],
            lead_lawyer=lawyer,
            responsible_partner=partner,
        )
        Matter.objects.filter(pk=matter.pk).update(status="open")
        matter.refresh_from_db()
        return matter

    def bill_of(matter: Any, minutes: int, text: str) -> Any:
        TimeEntry.objects.create(
            matter=matter,
            lawyer=lawyer,
            work_date=date(2026, 11, 2),
            minutes=minutes,
            description=text,
            rate=Decimal("2000.00"),
        )
        bill = bill_draw(actor=finance, matter=matter, as_of=date(2026, 11, 30))
        return bill_issue(actor=finance, bill=bill, version=bill.version)

    client = party_create(actor=lawyer, kind="organization", name=CLIENT)
    matter = matter_of(client, "华泰科技诉远大贸易买卖合同纠纷")
    bill = bill_of(matter, 750, "起草起诉状并准备证据目录")
    payment_record(
        actor=finance,
        client=client,
        received_on=timezone.localdate(),
        amount=Decimal("10000.00"),
        method="bank",
        payer="华泰科技财务部",
        reference="内部流水 88",
        allocations=[AllocationIn(bill=bill, amount=Decimal("10000.00"))],
    )
    other = party_create(actor=lawyer, kind="organization", name=OTHER_CLIENT)
    other_bill = bill_of(matter_of(other, "秘密投资股权转让"), 60, "秘密尽调")

    user = User.objects.create(
        username="zhao", email="zhao@huatai.example", role=Role.CLIENT, name="赵经理"
    )
    user.set_password(CONTACT_PASSWORD)
    user.save()
    contact = ClientContact.objects.create(
        user=user, party=client, accepted_at=timezone.now(), invited_by=lawyer
    )
    ClientContactMatter.objects.create(contact=contact, matter=matter, granted_by=lawyer)
    return {"matter": matter, "bill": bill, "other_bill": other_bill, "contact": contact}


def test_the_client_reads_its_bills(
    browser: Any, page: Any, live_server: Any, login: Any, billed: dict[str, Any]
) -> None:
    matter, bill, contact = billed["matter"], billed["bill"], billed["contact"]

    # 1. The lawyer shows the matter's bills to the contact (off by default).
    login(page, "lawyer")
    page.goto(f"{live_server.url}/portal/contacts/{contact.pk}/")
    assert "不显示" in page.locator("#matters").inner_text()
    with page.expect_navigation():
        page.click("#matters button:has-text('显示账单')")
    assert "该联系人现在可以查看" in page.locator(".messages").inner_text()
    shot(page, "01-staff-contact-bills-shown.png")
    page.csp.assert_clean()

    # 2. The contact signs in and finds 账单 in the portal's navigation.
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1100, "height": 800}
    )
    try:
        client = context.new_page()
        client.goto(live_server.url + "/accounts/login/")
        client.fill("input[name=login]", "zhao")
        client.fill("input[name=password]", CONTACT_PASSWORD)
        client.click("form[action='/accounts/login/'] button[type=submit]")
        client.wait_for_url(f"{live_server.url}/portal/")
        with client.expect_navigation():
            client.click("nav.portal-nav a:has-text('账单')")
        main = client.locator("main").inner_text()
        assert bill.number in main
        assert "¥25,000.00" in main and "¥10,000.00" in main and "¥15,000.00" in main
        assert "部分收款" in main
        assert bill.issued_on.isoformat() in main
        assert OTHER_CLIENT not in main and billed["other_bill"].number not in main
        shot(client, "02-bills-zh.png")

        # 3. The bill: its line as issued, the payment received, where to pay.
        with client.expect_navigation():
            client.click(f"main a:has-text('{bill.number}')")
        main = client.locator("main").inner_text()
        assert "起草起诉状并准备证据目录" in main
        assert "招商银行北京朝阳支行" in main and "1109 0888 6610 201" in main
        assert "华泰科技财务部" not in main and "内部流水" not in main
        shot(client, "03-bill-zh.png")

        # 4. From the matter page to that matter's bills.
        client.goto(f"{live_server.url}/portal/matters/{matter.pk}/")
        with client.expect_navigation():
            client.click("#matter-bills")
        assert client.url.endswith(f"/portal/bills/?matter={matter.pk}")
        assert bill.number in client.locator("main").inner_text()

        # 5. In English.
        with client.expect_navigation():
            client.click("header button:has-text('English')")
        main = client.locator("main").inner_text()
        assert "Partly paid" in main and "Outstanding" in main
        assert client.locator("nav.portal-nav a[aria-current=page]").inner_text() == "Bills"
        shot(client, "04-bills-en.png")
        client.goto(f"{live_server.url}/portal/bills/{bill.pk}/")
        main = client.locator("main").inner_text()
        assert "Payments received" in main and "How to pay" in main
        shot(client, "05-bill-en.png")

        # 6. Another client's bill, by a forged id: not found.
        response = client.goto(f"{live_server.url}/portal/bills/{billed['other_bill'].pk}/")
        assert response is not None and response.status == 404
    finally:
        context.close()


def _contact_page(browser: Any, live_server: Any, width: int, height: int) -> tuple[Any, Any]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    client = context.new_page()
    client.goto(live_server.url + "/accounts/login/")
    client.fill("input[name=login]", "zhao")
    client.fill("input[name=password]", CONTACT_PASSWORD)
    client.click("form[action='/accounts/login/'] button[type=submit]")
    client.wait_for_url(f"{live_server.url}/portal/")
    return context, client


# Each value of a bill on a phone says what it is (the table's head is not shown there).
PHONE_LABELS = ["账单编号", "案件", "开具日期", "付款期限", "金额", "已付金额", "未付金额", "状态"]


def test_the_bills_list_reads_on_a_phone(
    browser: Any, live_server: Any, billed: dict[str, Any]
) -> None:
    """At 390 px the list is not wider than the screen (it scrolled sideways: each row's
    eight cells on one line, the matter's cell at least 12rem); each bill is a card whose
    values are labelled; the desktop keeps its table."""
    from lexcase.portal.models import ClientContactMatter

    bill = billed["bill"]
    ClientContactMatter.objects.update(bills_visible=True)
    context, client = _contact_page(browser, live_server, 390, 844)
    try:
        client.goto(f"{live_server.url}/portal/bills/")
        assert client.evaluate("document.documentElement.scrollWidth") <= 390
        wrap = client.locator("main .table-wrap")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth") is True
        cells = client.locator("table.portal-bills tbody tr").first.locator("td")
        labels = cells.evaluate_all(
            "cs => cs.map(c => getComputedStyle(c, '::before').content.replace(/^\"|\"$/g, ''))"
        )
        assert labels == PHONE_LABELS
        assert client.locator("table.portal-bills thead").is_visible() is False
        assert bill.number in client.locator("main").inner_text()
        shot(client, "06-bills-phone-390.png")
        client.goto(f"{live_server.url}/portal/bills/{bill.pk}/")
        assert client.evaluate("document.documentElement.scrollWidth") <= 390
        shot(client, "07-bill-phone-390.png")
    finally:
        context.close()

    context, client = _contact_page(browser, live_server, 1280, 900)
    try:
        client.goto(f"{live_server.url}/portal/bills/")
        assert client.locator("table.portal-bills thead").is_visible() is True
        first = client.locator("table.portal-bills tbody tr").first.locator("td").first
        assert first.evaluate("c => getComputedStyle(c, '::before').content") in ("none", "normal")
        shot(client, "08-bills-desktop.png")
    finally:
        context.close()
