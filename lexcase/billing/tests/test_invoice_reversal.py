"""A live 发票 keeps its bill: the bill is voided only after the invoice's reversal (红冲, a
red-letter invoice in the tax system) is recorded."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db import connection as thread_connection
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.billing.models import Bill, Invoice, TimeEntry
from lexcase.billing.services.bills import bill_void, invoice_record
from lexcase.billing.tests.bill_data import issued_bill
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


def api(user, path: str, body: dict):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    return client.post(path, json.dumps(body), content_type="application/json")


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
    hidden = matter_create(
        actor=firm.lead,
        title="华泰科技保密仲裁",
        matter_type=MatterType.CIVIL,
        confidential=True,
        parties=[PartyLink(party=firm.client_party, role="client", standing="申请人")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
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
    assert page["Location"] == f"/bills/{bill.pk}/"
    assert [m.message for m in get_messages(page.wsgi_request)] == [LIVE_0001]
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
