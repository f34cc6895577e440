"""A live 发票 keeps its bill: the bill is voided only after the invoice's reversal (红冲, a
red-letter invoice in the tax system) is recorded; recording it (`invoice_reverse`) in the
service, the API and on the bill's page."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db import connection as thread_connection
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.billing.models import Bill, Invoice, TimeEntry
from lexcase.billing.services.bills import bill_void, invoice_record, invoice_reverse
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import EthicalWall, MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.testing import client_for

D = Decimal
LIVE_0001 = "本账单有未红冲的发票（发票号码 0001），请先登记红冲。"


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def record(firm, bills, **kwargs) -> Invoice:
    values = {
        "actor": firm.finance,
        "bills": bills,
        "kind": "vat_general",
        "number": "0001",
        "issued_on": date(2026, 5, 6),
        "amount": D("500.00"),
        "buyer_name": "北京华泰科技有限公司",
    }
    values.update(kwargs)
    return invoice_record(**values)


def api(user, path: str, body: dict | None = None):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    if body is None:
        return client.get(path)
    return client.post(path, json.dumps(body), content_type="application/json")


def confidential_matter(firm):
    return matter_create(
        actor=firm.lead,
        title="华泰科技保密仲裁",
        matter_type=MatterType.CIVIL,
        confidential=True,
        parties=[PartyLink(party=firm.client_party, role="client", standing="申请人")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )


# -- the void guard --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bill_a_live_invoice_covers_is_not_voided_and_nothing_changes(firm):
    bill = issued_bill(firm)  # ¥1,000 fee
    record(firm, [bill])
    before = Bill.objects.values().get(pk=bill.pk)
    assert errors_of(
        lambda: bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="开错了")
    ) == {"status": [LIVE_0001]}
    assert Bill.objects.values().get(pk=bill.pk) == before
    assert TimeEntry.objects.filter(bill_line__bill=bill).count() == 1  # still billed
    assert AuditEvent.objects.filter(action="billing.bill_void").count() == 0


@pytest.mark.django_db
def test_two_live_invoices_are_both_named(firm):
    bill = issued_bill(firm)
    record(firm, [bill], number="0002", amount=D("300.00"))
    record(firm, [bill], number="0001", amount=D("300.00"))
    assert errors_of(
        lambda: bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="开错了")
    ) == {"status": ["本账单有未红冲的发票（发票号码 0001, 0002），请先登记红冲。"]}


@pytest.mark.django_db
def test_the_refusal_names_no_invoice_that_also_covers_a_bill_the_actor_cannot_see(firm):
    hidden = confidential_matter(firm)
    plain, secret = issued_bill(firm), issued_bill(firm, hidden)
    record(firm, [plain, secret], number="Z1", amount=D("1700.00"))
    EthicalWall.objects.create(matter=hidden, user=firm.finance, reason="亲属")
    assert errors_of(
        lambda: bill_void(actor=firm.finance, bill=plain, version=plain.version, reason="开错了")
    ) == {"status": ["本账单有未红冲的发票，请先登记红冲。"]}
    assert Bill.objects.get(pk=plain.pk).status == "issued"


@pytest.mark.django_db
def test_the_api_and_the_page_refuse_the_void_with_the_field(firm):
    bill = issued_bill(firm)
    record(firm, [bill])
    response = api(
        firm.finance, f"/api/v1/bills/{bill.pk}/void", {"version": bill.version, "reason": "重开"}
    )
    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"field": "status", "message": LIVE_0001}],
    )
    page = client_for(firm.finance).post(
        f"/bills/{bill.pk}/void/", {"version": bill.version, "reason": "重开"}
    )
    # The bill's page again (422), the refusal where the void's form would be.
    assert page.status_code == 422
    assert f'<div class="errors" role="alert"><p>{LIVE_0001}</p></div>' in page.content.decode()
    assert Bill.objects.get(pk=bill.pk).status == "issued"


@pytest.mark.django_db(transaction=True)
def test_a_void_waits_for_an_invoice_being_recorded_and_then_refuses(firm):
    """The void locks the bill before it looks for invoices: an invoice_record holding the
    bill's lock makes it wait, and once the invoice commits the void sees it. Without the
    lock the void found no invoice yet, then its compare-and-swap waited for the row and
    voided the bill under the new invoice."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the void cannot run inside the record")
    bill = issued_bill(firm)
    outcome: list[object] = []

    def void() -> None:
        try:
            bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="开错了")
            outcome.append("voided")
        except ValidationError as exc:
            outcome.append(exc.message_dict)
        finally:
            thread_connection.close()

    waiter = threading.Thread(target=void)
    with transaction.atomic():
        record(firm, [bill])
        waiter.start()
        with connection.cursor() as cursor:
            for _ in range(200):  # until the void waits for a lock (at most 10 s)
                # The statistics views are read once per transaction unless cleared.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail(f"the void never waited for the bill's lock: {outcome}")
    waiter.join(timeout=30)
    assert outcome == [{"status": [LIVE_0001]}]
    assert Bill.objects.get(pk=bill.pk).status == "issued"


# -- recording the reversal (红冲) -------------------------------------------------------------


@pytest.mark.django_db
def test_a_reversed_invoice_frees_its_bill_to_be_voided(firm):
    bill = issued_bill(firm)
    invoice = record(firm, [bill])
    reversed_ = invoice_reverse(
        actor=firm.finance, invoice=invoice, version=1, reason="  购买方名称有误，已开红字发票  "
    )
    assert (reversed_.status, reversed_.reversal_reason, reversed_.version) == (
        "reversed",
        "购买方名称有误，已开红字发票",
        2,
    )
    event = AuditEvent.objects.get(action="billing.invoice_reverse")
    assert (event.matter_id, event.data) == (
        firm.matter.pk,
        {
            "number": "0001",
            "amount": "500.00",
            "reason": "购买方名称有误，已开红字发票",
            "bills": [bill.pk],
        },
    )
    voided = bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="开错了")
    assert (voided.status, TimeEntry.objects.filter(bill_line__isnull=True).count()) == ("void", 1)
    assert list(voided.invoices.values_list("number", "status")) == [("0001", "reversed")]


@pytest.mark.django_db
def test_a_reversed_invoice_leaves_its_fee_to_be_invoiced_again(firm):
    bill = issued_bill(firm)  # ¥1,000 fee
    invoice = record(firm, [bill], amount=D("1000.00"))
    assert errors_of(lambda: record(firm, [bill], number="0002", amount=D("0.01"))) == {
        "amount": ["只有律师服务费可以开票：这些账单尚可开票金额最多为¥0.00。"]
    }
    invoice_reverse(actor=firm.finance, invoice=invoice, version=1, reason="金额有误")
    again = record(firm, [bill], number="0002", amount=D("1000.00"))
    assert sorted(bill.invoices.values_list("number", "status")) == [
        ("0001", "reversed"),
        ("0002", "issued"),
    ]
    assert again.amount == D("1000.00")


@pytest.mark.django_db
def test_a_reversal_needs_a_reason_the_current_version_a_live_invoice_and_finance(firm):
    bill = issued_bill(firm)
    invoice = record(firm, [bill])
    before = Invoice.objects.values().get(pk=invoice.pk)

    def reverse(**kwargs):
        values = {"actor": firm.finance, "invoice": invoice, "version": 1, "reason": "金额有误"}
        values.update(kwargs)
        return lambda: invoice_reverse(**values)

    assert errors_of(reverse(reason="  ")) == {"reason": ["请填写红冲原因。"]}
    assert errors_of(reverse(reason="错" * 2001)) == {"reason": ["内容过长。"]}
    with pytest.raises(StaleEdit):
        reverse(version=2)()
    for persona in ("lead", "partner", "admin", "assistant", "outsider"):
        with pytest.raises(NotAllowed):
            reverse(actor=getattr(firm, persona))()
    assert Invoice.objects.values().get(pk=invoice.pk) == before
    assert AuditEvent.objects.filter(action="billing.invoice_reverse").count() == 0

    reverse()()
    # Reversed already: with the version read before, someone else's change (409); with the
    # new one, the status that is no longer live.
    with pytest.raises(StaleEdit):
        reverse(reason="再冲")()
    assert errors_of(reverse(version=2, reason="再冲")) == {
        "status": ["只有未红冲的发票可以登记红冲。"]
    }
    assert Invoice.objects.values_list("status", "reversal_reason", "version").get() == (
        "reversed",
        "金额有误",
        2,
    )
    assert AuditEvent.objects.filter(action="billing.invoice_reverse").count() == 1


@pytest.mark.django_db
def test_the_api_reverses_an_invoice_and_refuses_with_the_field(firm):
    bill = issued_bill(firm)
    invoice = record(firm, [bill])
    path = f"/api/v1/invoices/{invoice.pk}/reverse"
    assert api(firm.lead, path, {"version": 1, "reason": "金额有误"}).status_code == 403
    assert api(firm.outsider, path, {"version": 1, "reason": "金额有误"}).status_code == 404
    assert (
        api(
            firm.finance, "/api/v1/invoices/999999/reverse", {"version": 1, "reason": "x"}
        ).status_code
        == 404
    )
    blank = api(firm.finance, path, {"version": 1, "reason": " "})
    assert (blank.status_code, blank.json()["errors"]) == (
        422,
        [{"field": "reason", "message": "请填写红冲原因。"}],
    )
    done = api(firm.finance, path, {"version": 1, "reason": "金额有误"})
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["reversal_reason"], body["version"], body["bill_ids"]) == (
        "reversed",
        "金额有误",
        2,
        [bill.pk],
    )
    assert api(firm.finance, path, {"version": 1, "reason": "再冲"}).status_code == 409
    again = api(firm.finance, path, {"version": 2, "reason": "再冲"})
    assert (again.status_code, again.json()["errors"]) == (
        422,
        [{"field": "status", "message": "只有未红冲的发票可以登记红冲。"}],
    )
    listed = api(firm.lead, f"/api/v1/invoices?bill_id={bill.pk}").json()
    assert [(i["number"], i["status"], i["reversal_reason"]) for i in listed] == [
        ("0001", "reversed", "金额有误")
    ]
    voided = api(
        firm.finance, f"/api/v1/bills/{bill.pk}/void", {"version": bill.version, "reason": "重开"}
    )
    assert (voided.status_code, voided.json()["status"]) == (200, "void")


@pytest.mark.django_db
def test_an_invoice_also_covering_a_bill_hidden_from_finance_is_not_found(firm):
    hidden = confidential_matter(firm)
    plain, secret = issued_bill(firm), issued_bill(firm, hidden)
    invoice = record(firm, [plain, secret], number="Z1", amount=D("1700.00"))
    EthicalWall.objects.create(matter=hidden, user=firm.finance, reason="亲属")
    response = api(
        firm.finance, f"/api/v1/invoices/{invoice.pk}/reverse", {"version": 1, "reason": "x"}
    )
    assert (response.status_code, response.json()["errors"]) == (
        404,
        [{"field": "__all__", "message": "未找到。"}],
    )
    page = client_for(firm.finance).post(
        f"/bills/{plain.pk}/invoices/{invoice.pk}/reverse/", {"version": 1, "reason": "x"}
    )
    assert page.status_code == 404
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"


@pytest.mark.django_db
def test_the_bill_page_records_the_reversal_and_then_offers_the_void(firm):
    bill = issued_bill(firm)
    invoice = record(firm, [bill])
    finance = client_for(firm.finance)
    action = f"/bills/{bill.pk}/invoices/{invoice.pk}/reverse/"
    page = finance.get(f"/bills/{bill.pk}/").content.decode()
    assert (action in page, f"/bills/{bill.pk}/void/" in page) == (True, False)
    assert "本账单有未红冲的发票：请先在上方登记红冲，再作废账单。" in page
    lead_page = client_for(firm.lead).get(f"/bills/{bill.pk}/").content.decode()
    assert (action in lead_page, "<td>0001</td>" in lead_page) == (False, True)
    assert client_for(firm.lead).post(action, {"version": 1, "reason": "x"}).status_code == 403
    other = issued_bill(firm)  # the invoice does not cover it
    assert (
        finance.post(
            f"/bills/{other.pk}/invoices/{invoice.pk}/reverse/", {"version": 1, "reason": "x"}
        ).status_code
        == 404
    )

    def flashed(response) -> list[str]:
        # Followed to the bill's page, which shows (and so consumes) the messages.
        assert response.redirect_chain == [(f"/bills/{bill.pk}/", 302)]
        return [m.message for m in response.context["messages"]]

    blank = finance.post(action, {"version": 1, "reason": ""})
    # Refused: the bill's page with the reversal's form open and the error at its field.
    assert blank.status_code == 422
    assert '<p class="field-error">请填写红冲原因。</p>' in blank.content.decode()
    done = finance.post(action, {"version": 1, "reason": "购买方名称有误"}, follow=True)
    assert flashed(done) == ["已登记发票红冲。"]
    stale = finance.post(action, {"version": 1, "reason": "再冲"}, follow=True)
    assert flashed(stale) == ["发票已被他人修改，请重试。"]
    page = stale.content.decode()
    assert ("已红冲" in page, "购买方名称有误" in page, action in page) == (True, True, False)
    assert f"/bills/{bill.pk}/void/" in page
    finance.post(f"/bills/{bill.pk}/void/", {"version": bill.version, "reason": "开错"})
    assert Bill.objects.get(pk=bill.pk).status == "void"


@pytest.mark.django_db
def test_a_reversal_records_who_and_when_on_the_invoice(firm):
    """Who recorded the 红冲 and when are kept on the invoice itself (not only in the audit
    log): the service sets them, the API's invoice and the bill's page show them; a live
    invoice has neither."""
    bill = issued_bill(firm)
    invoice = record(firm, [bill])
    assert (invoice.reversed_at, invoice.reversed_by) == (None, None)
    live = api(firm.lead, f"/api/v1/invoices?bill_id={bill.pk}").json()
    assert [(i["reversed_at"], i["reversed_by"]) for i in live] == [(None, None)]
    at = datetime(2026, 5, 8, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(at, tick=False):
        invoice_reverse(actor=firm.finance, invoice=invoice, version=1, reason="金额有误")
    invoice.refresh_from_db()
    assert (invoice.reversed_at, invoice.reversed_by) == (at, firm.finance)
    listed = api(firm.lead, f"/api/v1/invoices?bill_id={bill.pk}").json()
    assert [(i["reversed_at"], i["reversed_by"]) for i in listed] == [
        ("2026-05-08T02:30:00Z", firm.finance.display_name)
    ]
    page = client_for(firm.finance).get(f"/bills/{bill.pk}/").content.decode()
    assert f"红冲登记:</span> 2026-05-08 10:30 · {firm.finance.display_name}" in page
