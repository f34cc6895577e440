"""A bill issued on a matter whose grant shows bills is told to the client's contacts who may
see it (in the portal and by e-mail), once, in the firm's language; nobody else hears of it,
and a draft or a void bill is never told."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from lexcase.billing.events import bill_issued
from lexcase.billing.models import Bill
from lexcase.billing.money import yuan
from lexcase.billing.services.bills import bill_draw, bill_issue, bill_void
from lexcase.billing.tests.bill_data import time_entry
from lexcase.notifications.models import Notification, NotificationPreference
from lexcase.portal.models import ClientContact, ClientContactMatter
from lexcase.portal.services import bill_issued_notify
from lexcase.portal.tests.factories import PortalWorld, make_contact

pytestmark = pytest.mark.django_db


def notices(contact: ClientContact) -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(user=contact.user)
        .order_by("pk")
        .values_list("kind", "text", "url")
    )


def bill_notices(contact: ClientContact) -> list[tuple[str, str, str]]:
    return [n for n in notices(contact) if n[0] == "bill_issued"]


def issue_a_draft(world: PortalWorld) -> Bill:
    return bill_issue(actor=world.firm.finance, bill=world.a_draft, version=world.a_draft.version)


def told(world: PortalWorld, bill: Bill) -> tuple[str, str, str]:
    return (
        "bill_issued",
        f"账单 {bill.number} 已向 {world.firm.client_party.name} 开具，案件 "
        f"{world.a_matter.number}：{yuan(bill.total)}，付款期限 {bill.due_on.isoformat()}。",
        f"/portal/bills/{bill.pk}/",
    )


def test_issuing_a_bill_tells_the_contact_who_sees_it_once(world: PortalWorld):
    assert bill_notices(world.a) == []
    bill = issue_a_draft(world)
    assert bill_notices(world.a) == [told(world, bill)]
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (
            ["client-a@example.com"],
            f"案件 {world.a_matter.number} 有新账单",
            f"账单 {bill.number} 已向 {world.firm.client_party.name} 开具，案件 "
            f"{world.a_matter.number}。\n请登录客户门户查看。\n",
        )
    ]
    # The e-mail names no amount (read behind the portal's sign-in).
    assert yuan(bill.total) not in mail.outbox[0].body
    # Client B (the opposing party on A's matter) hears nothing.
    assert bill_notices(world.b) == []
    # Told once: the event again (or the notice) sends nothing more.
    bill_issued.send(sender=Bill, bill=bill)
    assert bill_issued_notify(bill=bill) == 0
    assert bill_notices(world.a) == [told(world, bill)]
    assert len(mail.outbox) == 1
    # The portal's home page shows it, linking to the bill.
    client = Client()
    client.force_login(world.a.user)
    page = client.get("/portal/").content.decode()
    assert f'<a href="/portal/bills/{bill.pk}/">{told(world, bill)[1]}</a>' in page


def test_the_notice_is_in_the_firms_language_not_the_issuers(world: PortalWorld):
    with translation.override("en"):
        bill = issue_a_draft(world)
    assert bill_notices(world.a) == [told(world, bill)]


def test_no_notice_when_the_grant_does_not_show_bills(world: PortalWorld):
    ClientContactMatter.objects.filter(contact=world.a).update(bills_visible=False)
    issue_a_draft(world)
    assert bill_notices(world.a) == []
    assert mail.outbox == []


def test_only_contacts_who_may_see_the_bill_are_told(world: PortalWorld):
    firm = world.firm
    # Another contact of A: granted the matter with bills shown, without, not granted, not
    # yet accepted, switched off.
    shown = make_contact(firm.client_party, "a-shown", "甲")
    hidden = make_contact(firm.client_party, "a-hidden", "乙")
    ungranted = make_contact(firm.client_party, "a-ungranted", "丙", matters=[])
    pending = make_contact(firm.client_party, "a-pending", "丁")
    off = make_contact(firm.client_party, "a-off", "戊")
    ClientContactMatter.objects.filter(contact__in=[shown, pending, off]).update(bills_visible=True)
    ClientContact.objects.filter(pk=pending.pk).update(accepted_at=None)
    off.user.is_active = False
    off.user.save(update_fields=["is_active"])
    # B's contact granted A's matter (a stale row: B is not the client there) with bills.
    ClientContactMatter.objects.create(contact=world.b, matter=world.a_matter, bills_visible=True)
    bill = issue_a_draft(world)
    assert bill_notices(world.a) == [told(world, bill)]
    assert bill_notices(shown) == [told(world, bill)]
    for contact in (hidden, ungranted, pending, off, world.b):
        assert bill_notices(contact) == [], contact.user.username
    assert sorted(m.to[0] for m in mail.outbox) == ["a-shown@example.com", "client-a@example.com"]


def test_a_bill_to_another_client_of_the_matter_is_not_told_to_a(world: PortalWorld):
    Bill.objects.filter(pk=world.a_draft.pk).update(client=world.firm.opposing_party)
    world.a_draft.refresh_from_db()
    issue_a_draft(world)
    assert bill_notices(world.a) == []
    assert bill_notices(world.b) == []


def test_drafts_and_void_bills_are_never_told(world: PortalWorld):
    firm = world.firm
    # A draft (not sent) and a bill voided before its grant showed bills: nobody is told.
    assert bill_issued_notify(bill=world.a_draft) == 0
    assert bill_issued_notify(bill=world.a_void) == 0
    bill_void(actor=firm.finance, bill=world.a_draft, version=world.a_draft.version, reason="重复")
    assert bill_notices(world.a) == []
    # An issued bill voided afterwards: told once when issued, nothing more on the void.
    world.a_draft.refresh_from_db()
    time_entry(firm, world.a_matter, minutes=30)
    draft = bill_draw(actor=firm.finance, matter=world.a_matter, as_of=date(2026, 6, 30))
    bill = bill_issue(actor=firm.finance, bill=draft, version=draft.version)
    bill = bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="开错了")
    assert [n[2] for n in bill_notices(world.a)] == [f"/portal/bills/{bill.pk}/"]
    assert bill_issued_notify(bill=bill) == 0


def test_the_contact_can_turn_the_notice_off(world: PortalWorld):
    NotificationPreference.objects.create(
        user=world.a.user, kind="bill_issued", in_app=False, email=False
    )
    issue_a_draft(world)
    assert bill_notices(world.a) == []
    assert mail.outbox == []


def test_the_contact_sets_the_bill_notice_on_its_page(world: PortalWorld):
    client = Client()
    client.force_login(world.a.user)
    page = client.get("/portal/notifications/")
    assert "门户中向您开具的账单" in page.content.decode()
