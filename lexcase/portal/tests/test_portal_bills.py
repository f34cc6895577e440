"""The client's bills in the portal: what a contact sees of the bills issued to its client on
the matters whose grant shows them, what it never sees, and the firm's switch per grant."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from lexcase.accounts.models import FirmProfile
from lexcase.audit.models import AuditEvent
from lexcase.billing.models import Bill, PaymentAllocation
from lexcase.portal.models import ClientContactMatter
from lexcase.portal.tests.factories import PortalWorld

pytestmark = pytest.mark.django_db


def as_user(user, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_list_shows_the_clients_issued_bills_only(world: PortalWorld):
    page = as_user(world.a.user).get("/portal/bills/").content.decode()
    bill = world.a_bill
    assert bill.number in page
    assert world.a_matter.number in page
    assert "¥1,500.00" in page and "¥600.00" in page and "¥900.00" in page
    assert "部分收款" in page
    assert bill.issued_on.strftime("%Y-%m-%d") in page
    assert bill.due_on.strftime("%Y-%m-%d") in page
    # Never the void bill (its number stays with it), the draft, or B's bill.
    assert world.a_void.number not in page
    assert f"/portal/bills/{world.a_draft.pk}/" not in page
    assert world.b_bill.number not in page
    assert world.b_matter.number not in page


def test_the_list_in_english(world: PortalWorld):
    page = as_user(world.a.user, "en").get("/portal/bills/").content.decode()
    assert "Partly paid" in page and "Outstanding" in page
    assert '<a href="/portal/bills/" aria-current="page">Bills</a>' in page


def test_the_bill_page_shows_the_bill_as_issued_and_nothing_internal(world: PortalWorld):
    page = as_user(world.a.user).get(f"/portal/bills/{world.a_bill.pk}/").content.decode()
    assert world.a_bill.number in page
    assert "起草起诉状" in page  # the line as issued
    assert "¥1,500.00" in page and "¥900.00" in page
    assert "¥600.00" in page  # the payment received
    for internal in ("华泰科技财务部", "内部流水 88", "财务内部备注", "内部草稿工时", "开错了"):
        assert internal not in page
    assert "请向律师团队索取本所收款账户" in page  # no bank account on the profile yet


def test_the_bill_page_names_the_firms_bank_account(world: PortalWorld):
    FirmProfile.objects.update_or_create(
        pk=1,
        defaults={
            "name": "北京律案律师事务所",
            "bank_name": "招商银行北京分行",
            "bank_account": "1109 0123 4567 890",
        },
    )
    page = as_user(world.a.user).get(f"/portal/bills/{world.a_bill.pk}/").content.decode()
    assert "招商银行北京分行" in page and "1109 0123 4567 890" in page
    assert "北京律案律师事务所" in page  # the account name defaults to the firm's


@pytest.mark.parametrize("which", ["b_bill", "a_draft", "a_void"])
def test_a_forged_bill_id_is_404(world: PortalWorld, which: str):
    pk = getattr(world, which).pk
    assert as_user(world.a.user).get(f"/portal/bills/{pk}/").status_code == 404
    assert as_user(world.a.user).get("/portal/bills/999999/").status_code == 404


def test_a_bill_to_another_client_of_the_same_matter_is_not_shown(world: PortalWorld):
    Bill.objects.filter(pk=world.a_bill.pk).update(client=world.b_secret_opponent)
    client = as_user(world.a.user)
    assert world.a_bill.number not in client.get("/portal/bills/").content.decode()
    assert client.get(f"/portal/bills/{world.a_bill.pk}/").status_code == 404


def test_bills_are_shown_only_while_the_grant_shows_them(world: PortalWorld):
    client = as_user(world.a.user)
    matter_page = client.get(f"/portal/matters/{world.a_matter.pk}/").content.decode()
    assert f'href="/portal/bills/?matter={world.a_matter.pk}"' in matter_page
    assert world.a.user.has_perm("portal.view_bills", world.a_matter)
    ClientContactMatter.objects.filter(contact=world.a).update(bills_visible=False)
    assert not world.a.user.has_perm("portal.view_bills", world.a_matter)
    assert world.a_bill.number not in client.get("/portal/bills/").content.decode()
    assert client.get(f"/portal/bills/{world.a_bill.pk}/").status_code == 404
    assert client.get(f"/portal/bills/?matter={world.a_matter.pk}").status_code == 404
    matter_page = client.get(f"/portal/matters/{world.a_matter.pk}/").content.decode()
    assert "/portal/bills/?matter=" not in matter_page


def test_a_revoked_grant_hides_the_bills(world: PortalWorld):
    ClientContactMatter.objects.filter(contact=world.a).delete()
    client = as_user(world.a.user)
    assert client.get(f"/portal/bills/{world.a_bill.pk}/").status_code == 404


def test_each_read_is_on_record(world: PortalWorld):
    client = as_user(world.a.user)
    client.get("/portal/bills/")
    event = AuditEvent.objects.filter(action="portal.bills").latest("pk")
    assert event.data == {"bills": [world.a_bill.pk], "matters": [world.a_matter.pk]}
    assert event.actor_id == world.a.user.pk
    client.get(f"/portal/bills/{world.a_bill.pk}/")
    event = AuditEvent.objects.filter(action="portal.bill_view").latest("pk")
    assert (event.object_id, event.matter_id) == (str(world.a_bill.pk), world.a_matter.pk)


def test_the_team_switches_a_grants_bills(world: PortalWorld):
    lead = as_user(world.firm.lead)
    url = f"/portal/contacts/{world.a.pk}/matters/{world.a_matter.pk}/bills/"
    response = lead.post(url, {"visible": "0"})
    assert response.status_code == 302
    grant = ClientContactMatter.objects.get(contact=world.a, matter=world.a_matter)
    assert grant.bills_visible is False
    event = AuditEvent.objects.filter(action="portal.contact_bills").latest("pk")
    assert event.data == {"party": world.a.party_id, "visible": False}
    page = lead.get(f"/portal/contacts/{world.a.pk}/").content.decode()
    assert "显示账单" in page
    lead.post(url, {"visible": "1"})
    grant.refresh_from_db()
    assert grant.bills_visible is True


def test_a_new_grant_shows_no_bills_until_switched_on(world: PortalWorld):
    assert ClientContactMatter._meta.get_field("bills_visible").default is False


# -- The portal API: the same bills, the same rule, the same reads on record ---------------


def test_the_api_lists_the_clients_issued_bills_only(world: PortalWorld):
    bill = world.a_bill
    response = as_user(world.a.user).get("/api/v1/portal/bills")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": bill.pk,
            "number": bill.number,
            "matter_id": world.a_matter.pk,
            "matter_number": world.a_matter.number,
            "matter_title": world.a_matter.title,
            "status": "partly_paid",
            "issued_on": bill.issued_on.isoformat(),
            "due_on": bill.due_on.isoformat(),
            "total": "1500.00",
            "paid": "600.00",
            "outstanding": "900.00",
        }
    ]
    event = AuditEvent.objects.filter(action="portal.bills").latest("pk")
    assert (event.actor_id, event.matter_id) == (world.a.user.pk, None)
    assert event.data == {"bills": [bill.pk], "matters": [world.a_matter.pk], "api": True}


def test_the_api_narrows_to_a_matter_whose_grant_shows_bills(world: PortalWorld):
    client = as_user(world.a.user)
    response = client.get(f"/api/v1/portal/bills?matter={world.a_matter.pk}")
    assert [b["id"] for b in response.json()] == [world.a_bill.pk]
    assert AuditEvent.objects.filter(action="portal.bills").latest("pk").matter_id == (
        world.a_matter.pk
    )
    for other in (world.b_matter.pk, world.firm.confidential.pk, 999999):
        assert client.get(f"/api/v1/portal/bills?matter={other}").status_code == 404
    ClientContactMatter.objects.filter(contact=world.a).update(bills_visible=False)
    assert client.get(f"/api/v1/portal/bills?matter={world.a_matter.pk}").status_code == 404
    assert client.get("/api/v1/portal/bills").json() == []


def test_the_api_bill_is_the_bill_as_issued_and_nothing_internal(world: PortalWorld):
    FirmProfile.objects.update_or_create(
        pk=1,
        defaults={
            "name": "北京律案律师事务所",
            "bank_name": "招商银行北京分行",
            "bank_account": "1109 0123 4567 890",
        },
    )
    bill = world.a_bill
    response = as_user(world.a.user).get(f"/api/v1/portal/bills/{bill.pk}")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "number", "total", "paid", "outstanding", "note")} == {
        "id": bill.pk,
        "number": bill.number,
        "total": "1500.00",
        "paid": "600.00",
        "outstanding": "900.00",
        "note": bill.note,
    }
    assert [(line["position"], line["amount"]) for line in body["lines"]] == [(1, "1500.00")]
    applied = PaymentAllocation.objects.get(bill=bill).allocated_on.isoformat()
    assert body["payments"] == [{"on": applied, "amount": "600.00"}]
    assert body["pay_to"] == {
        "account_name": "北京律案律师事务所",
        "bank": "招商银行北京分行",
        "account": "1109 0123 4567 890",
        "remark": bill.number,
    }
    text = response.content.decode()
    for internal in ("华泰科技财务部", "内部流水 88", "财务内部备注", "内部草稿工时", "开错了"):
        assert internal not in text
    event = AuditEvent.objects.filter(action="portal.bill_view").latest("pk")
    assert (event.object_id, event.matter_id, event.data) == (
        str(bill.pk),
        world.a_matter.pk,
        {"api": True},
    )


@pytest.mark.parametrize("which", ["b_bill", "a_draft", "a_void"])
def test_a_forged_api_bill_id_is_404_and_not_recorded_as_read(world: PortalWorld, which: str):
    pk = getattr(world, which).pk
    client = as_user(world.a.user)
    assert client.get(f"/api/v1/portal/bills/{pk}").status_code == 404
    assert client.get("/api/v1/portal/bills/999999").status_code == 404
    assert AuditEvent.objects.filter(action="portal.bill_view").count() == 0


def test_the_api_refuses_staff_sessions(world: PortalWorld):
    assert as_user(world.firm.lead).get("/api/v1/portal/bills").status_code == 401
    assert (
        as_user(world.firm.finance).get(f"/api/v1/portal/bills/{world.a_bill.pk}").status_code
        == 401
    )
