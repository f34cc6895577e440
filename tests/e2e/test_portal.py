"""The client portal in a browser: a lawyer invites the client's contact; the contact sets a
password through the one-time link, sees their matter and a shared document, sends a
message; the lawyer finds it in the matter's communication log. Desktop and phone width."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "portal"
CLIENT = "北京华泰科技有限公司"
OPPOSING = "北京远大贸易有限公司"
OTHER_CLIENT = "上海秘密投资有限公司"
CONTACT_EMAIL = "zhao@huatai.example"
CONTACT_PASSWORD = "Fluss-Anker-2026!"
MESSAGE = "请问下次开庭需要我们准备哪些材料？"
REPLY = "请于开庭前三日提交原始合同和付款凭证。"
PHONE_NOTE = "内部电话记录：与对方律师沟通和解底线"
LINK = re.compile(r"https?://[^/\s]+(/portal/invite/[\w-]+/)")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.fixture
def documents_tmp(settings: Any, tmp_path: Path) -> None:
    storages = dict(settings.STORAGES)
    storages["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "documents"},
    }
    settings.STORAGES = storages


@pytest.fixture
def portal_matter(users: dict[str, Any], documents_tmp: None) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lexcase.calendar.models import Hearing
    from lexcase.documents.services import documents_upload
    from lexcase.matters.models import Matter, MatterType
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create

    lawyer, partner = users["lawyer"], users["partner"]
    client = party_create(actor=lawyer, kind="organization", name=CLIENT)
    opposing = party_create(actor=lawyer, kind="organization", name=OPPOSING)
    matter = matter_create(
        actor=lawyer,
        title="华泰科技诉远大贸易买卖合同纠纷",
        matter_type=MatterType.CIVIL,
        priority="P1",
        parties=[
            PartyLink(party=client, role="client", standing="原告"),
            PartyLink(party=opposing, role="opposing", standing="被告"),
        ],
        lead_lawyer=lawyer,
        responsible_partner=partner,
    )
    Matter.objects.filter(pk=matter.pk).update(status="open", stage="first_instance")
    # Another client's matter of the same lawyer: must never show in this client's portal.
    other = party_create(actor=lawyer, kind="organization", name=OTHER_CLIENT)
    other_matter = matter_create(
        actor=lawyer,
        title="秘密投资股权转让",
        matter_type=MatterType.NON_LITIGATION,
        parties=[PartyLink(party=other, role="client")],
        lead_lawyer=lawyer,
        responsible_partner=partner,
    )
    Matter.objects.filter(pk=other_matter.pk).update(status="open")

    def pdf(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

    documents_upload(
        actor=lawyer,
        matter=matter,
        uploads=[pdf("一审判决书.pdf")],
        category="court",
        title="一审判决书",
        shared_with_client=True,
    )
    documents_upload(
        actor=lawyer,
        matter=matter,
        uploads=[pdf("内部备忘录.pdf")],
        category="other",
        title="内部备忘录",
    )
    Hearing.objects.create(
        matter=matter,
        court="北京市朝阳区人民法院",
        courtroom="第三法庭",
        starts_at=timezone.now() + timedelta(days=10),
        client_visible=True,
    )
    matter.refresh_from_db()
    return matter


def test_client_signs_up_sees_matter_and_messages_the_team(
    browser: Any, page: Any, live_server: Any, login: Any, portal_matter: Any
) -> None:
    from lexcase.comms.models import Communication

    # 1. The lawyer invites the client's contact from the portal contacts page: first the
    # client, then the contact and which of that client's matters they may see.
    login(page, "lawyer")
    page.goto(live_server.url + "/portal/contacts/")
    page.select_option("#id_party", label=CLIENT)
    with page.expect_navigation():
        page.click("#invite form button.primary")
    offered = page.locator("#invite input[name=matters]")
    assert [offered.nth(i).get_attribute("value") for i in range(offered.count())] == [
        str(portal_matter.pk)
    ]
    page.fill("#id_name", "赵经理")
    page.fill("#id_email", CONTACT_EMAIL)
    page.check(f"#invite input[name=matters][value='{portal_matter.pk}']")
    shot(page, "01-staff-invite.png")
    with page.expect_navigation():
        page.click("#invite form button.primary")
    # The answer page: the e-mail went out, and the one-time link is shown once.
    assert CONTACT_EMAIL in page.locator("main").inner_text()
    assert "/portal/invite/" in page.locator("#invitation-link").input_value()
    shot(page, "02-staff-invitation-link.png")
    page.csp.assert_clean()
    # The contact's page lists the one granted matter.
    page.click("main a:has-text('打开联系人')")
    assert portal_matter.number in page.locator("#matters").inner_text()
    shot(page, "02b-staff-contact.png")
    page.csp.assert_clean()
    assert [m.to for m in mail.outbox] == [[CONTACT_EMAIL]]
    link = LINK.search(mail.outbox[0].body).group(1)

    # 2. The contact opens the one-time link on a phone and chooses a password.
    phone = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        client = phone.new_page()
        client.goto(live_server.url + link)
        shot(client, "03-phone-accept.png")
        client.fill("#id_password", CONTACT_PASSWORD)
        client.fill("#id_password2", CONTACT_PASSWORD)
        with client.expect_navigation():
            client.click("main form button.primary")
        assert client.url == live_server.url + "/portal/"

        # 3. Their matters: this one, not the lawyer's other client's.
        main = client.locator("main").inner_text()
        assert portal_matter.title in main
        assert "秘密投资" not in main
        shot(client, "04-phone-matters.png")
        _assert_fits(client)

        # 4. The matter: the hearing, the shared document (not the internal one).
        client.click(f"a[href='/portal/matters/{portal_matter.pk}/']")
        client.wait_for_url(f"{live_server.url}/portal/matters/{portal_matter.pk}/")
        main = client.locator("main").inner_text()
        assert "北京市朝阳区人民法院" in main
        assert "一审判决书" in main
        assert "内部备忘录" not in main
        assert OPPOSING in main  # the other side of their own case
        shot(client, "05-phone-matter.png")
        _assert_fits(client)
        with client.expect_download() as download:
            client.click("#documents a:has-text('一审判决书')")
        assert download.value.suggested_filename == "一审判决书.pdf"

        # 5. They write to the team.
        client.fill("#id_text", MESSAGE)
        with client.expect_navigation():
            client.click("#messages button.primary")
        assert MESSAGE in client.locator("#messages").inner_text()
        shot(client, "06-phone-message-sent.png")
        _assert_fits(client)

        # Staff pages are closed: the dashboard sends them back to the portal.
        client.goto(live_server.url + "/matters/")
        assert client.url == live_server.url + "/portal/"
    finally:
        phone.close()

    comm = Communication.objects.get(matter=portal_matter)
    assert (comm.channel, comm.direction, comm.summary) == ("portal", "inbound", MESSAGE)

    # 6. The lawyer sees the message in the matter's communication log.
    page.goto(f"{live_server.url}/matters/{portal_matter.pk}/")
    log = page.locator("#communications").inner_text()
    assert MESSAGE in log
    assert "赵经理" in page.locator("#portal").inner_text()  # the portal card
    shot(page, "07-lawyer-communication-log.png")
    page.goto(f"{live_server.url}/notifications/")
    assert MESSAGE[:20] in page.locator("main").inner_text()
    page.csp.assert_clean()

    # 7. The lawyer answers with a portal message; the client reads it in the thread.
    page.goto(f"{live_server.url}/matters/{portal_matter.pk}/")
    # First an internal phone note: the log keeps it, the client never sees it.
    page.select_option("#id_comm-channel", "phone")
    page.select_option("#id_comm-direction", "outbound")
    page.fill("#id_comm-summary", PHONE_NOTE)
    page.click("#communications button.primary")
    page.wait_for_selector(f"#communications :text('{PHONE_NOTE}')")
    page.select_option("#id_comm-channel", "portal")
    page.select_option("#id_comm-direction", "outbound")
    page.fill("#id_comm-summary", REPLY)
    page.click("#communications button.primary")
    page.wait_for_selector(f"#communications :text('{REPLY}')")
    client_page = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    try:
        reader = client_page.new_page()
        reader.goto(live_server.url + "/accounts/login/")
        reader.fill("input[name=login]", CONTACT_EMAIL)
        reader.fill("input[name=password]", CONTACT_PASSWORD)
        with reader.expect_navigation():
            reader.click("form[action='/accounts/login/'] button[type=submit]")
        reader.goto(f"{live_server.url}/portal/matters/{portal_matter.pk}/")
        thread = reader.locator("#messages ol").inner_text()
        assert MESSAGE in thread and REPLY in thread
        assert PHONE_NOTE not in reader.locator("main").inner_text()
        reader.locator("#messages").scroll_into_view_if_needed()
        shot(reader, "09-phone-reply.png")
    finally:
        client_page.close()


def test_client_portal_desktop(page: Any, live_server: Any, portal_matter: Any) -> None:
    from lexcase.portal.models import ClientContact
    from lexcase.portal.tests.factories import make_contact

    party = portal_matter.matter_parties.get(role="client").party
    contact: ClientContact = make_contact(party, "client-desktop", "钱总")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", contact.user.username)
    page.fill("input[name=password]", "correct-horse-battery")
    with page.expect_navigation():
        page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(live_server.url + "/portal/")
    page.goto(f"{live_server.url}/portal/matters/{portal_matter.pk}/")
    shot(page, "08-desktop-matter.png")
    assert "一审判决书" in page.locator("main").inner_text()
    page.csp.assert_clean()


def _assert_fits(page: Any) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide at a 390px viewport"
