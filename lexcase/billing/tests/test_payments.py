"""Payments: allocations in one transaction with guarded updates, same client only, bill
status partly paid → paid, 预收款 applied later, refunds from the unallocated part; and 20
parallel allocations to one bill on PostgreSQL never over-allocate."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import connection as thread_connection
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.billing.models import Bill, Payment, PaymentAllocation, Refund
from lexcase.billing.selectors.receivables import receivables
from lexcase.billing.services.bills import bill_void
from lexcase.billing.services.payments import (
    AllocationIn,
    payment_allocate,
    payment_record,
    payment_refund,
)
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.services import PartyLink, matter_create
from lexcase.testing import client_for

D = Decimal
PAID_ON = date(2026, 5, 6)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def record(firm, amount: str, allocations=(), **kwargs):
    values = {
        "actor": firm.finance,
        "client": firm.client_party,
        "received_on": PAID_ON,
        "amount": D(amount),
        "method": "bank",
        "payer": "北京华泰科技有限公司",
        "reference": "银行流水 001",
        "allocations": allocations,
    }
    values.update(kwargs)
    return payment_record(**values)


@pytest.mark.django_db
def test_a_payment_pays_a_bill_partly_then_in_full(firm):
    bill = issued_bill(firm)  # ¥1,000.00
    first = record(firm, "400.00", [AllocationIn(bill=bill, amount=D("400.00"))])
    bill.refresh_from_db()
    assert (bill.status, bill.paid, first.allocated, first.unallocated) == (
        "partly_paid",
        D("400.00"),
        D("400.00"),
        D("0.00"),
    )
    second = record(firm, "700.00", [AllocationIn(bill=bill, amount=D("600.00"))])
    bill.refresh_from_db()
    assert (bill.status, bill.paid, second.unallocated) == ("paid", D("1000.00"), D("100.00"))
    assert sorted(a.amount for a in PaymentAllocation.objects.filter(bill=bill)) == [
        D("400.00"),
        D("600.00"),
    ]
    assert AuditEvent.objects.filter(action="billing.payment_allocate").count() == 2


@pytest.mark.django_db
def test_over_allocation_is_refused_and_nothing_is_recorded(firm):
    bill = issued_bill(firm)
    assert errors_of(
        lambda: record(firm, "2000.00", [AllocationIn(bill=bill, amount=D("1000.01"))])
    ) == {"allocations": ["超出该账单的未付金额。"]}
    assert errors_of(
        lambda: record(firm, "500.00", [AllocationIn(bill=bill, amount=D("500.01"))])
    ) == {"allocations": ["各项核销合计超过收款金额。"]}
    assert set(errors_of(lambda: record(firm, "-5"))) == {"amount"}
    assert set(errors_of(lambda: record(firm, "0.001"))) == {"amount"}
    assert (Payment.objects.count(), Bill.objects.get().paid) == (0, D("0.00"))


@pytest.mark.django_db
def test_only_the_same_clients_issued_bills_take_a_payment(firm):
    bill = issued_bill(firm)
    other_client = matter_create(
        actor=firm.lead,
        title="王伟咨询",
        matter_type="consultation",
        parties=[PartyLink(party=firm.opposing_party, role="client")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    theirs = issued_bill(firm, other_client)
    assert errors_of(
        lambda: record(firm, "100.00", [AllocationIn(bill=theirs, amount=D("100.00"))])
    ) == {"allocations": ["收款只能核销同一委托人的账单。"]}
    voided = bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="重开")
    assert errors_of(
        lambda: record(firm, "100.00", [AllocationIn(bill=voided, amount=D("100.00"))])
    ) == {"allocations": ["只有已开具且未付清的账单可以收款。"]}
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_a_retainer_is_held_then_applied_and_the_rest_refunded(firm):
    retainer = record(firm, "1500.00", matter=firm.matter)
    assert (retainer.allocated, retainer.unallocated) == (D("0.00"), D("1500.00"))
    bill = issued_bill(firm)
    payment_allocate(actor=firm.finance, payment=retainer, bill=bill, amount=D("600.00"))
    payment_allocate(actor=firm.finance, payment=retainer, bill=bill, amount=D("400.00"))
    applied = PaymentAllocation.objects.filter(payment=retainer).order_by("id")
    assert [a.amount for a in applied] == [D("600.00"), D("400.00")]
    assert set(
        errors_of(
            lambda: payment_refund(
                actor=firm.finance,
                payment=retainer,
                amount=D("500.01"),
                refunded_on=PAID_ON,
                method="bank",
                reason="结案退还",
            )
        )
    ) == {"amount"}
    refund = payment_refund(
        actor=firm.finance,
        payment=retainer,
        amount=D("500.00"),
        refunded_on=PAID_ON,
        method="bank",
        reason="结案退还",
    )
    retainer.refresh_from_db()
    assert (retainer.allocated, retainer.refunded, retainer.unallocated) == (
        D("1000.00"),
        D("500.00"),
        D("0.00"),
    )
    assert (refund.client, Refund.objects.count()) == (firm.client_party, 1)
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert set(
        errors_of(
            lambda: bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="错")
        )
    ) == {"status"}


@pytest.mark.django_db
def test_a_later_part_of_a_payment_to_the_same_bill_is_its_own_dated_allocation(firm):
    """¥600 of a retainer applied on 1 July and ¥400 more of it to the same bill on 10 August
    are two allocations, each dated the day it was made: July's collection stays in July
    (the fee statement by month, receivables as of 31 July), August's is in August."""
    with time_machine.travel(datetime(2026, 7, 1, 4, tzinfo=UTC), tick=False):
        bill = issued_bill(firm)  # ¥1,000.00, issued 1 July
        retainer = record(firm, "1500.00", matter=firm.matter)
        payment_allocate(actor=firm.finance, payment=retainer, bill=bill, amount=D("600.00"))
    with time_machine.travel(datetime(2026, 8, 10, 4, tzinfo=UTC), tick=False):
        payment_allocate(actor=firm.finance, payment=retainer, bill=bill, amount=D("400.00"))
    allocations = PaymentAllocation.objects.filter(payment=retainer, bill=bill).order_by("id")
    assert [(a.amount, a.allocated_on, a.allocated_by) for a in allocations] == [
        (D("600.00"), date(2026, 7, 1), firm.finance),
        (D("400.00"), date(2026, 8, 10), firm.finance),
    ]
    bill.refresh_from_db()
    retainer.refresh_from_db()
    assert (bill.paid, bill.status, retainer.allocated) == (D("1000.00"), "paid", D("1000.00"))
    july = receivables(user=firm.finance, as_of=date(2026, 7, 31), page=None)
    assert [(r.allocated, r.open) for r in july.rows] == [(D("600.00"), D("400.00"))]
    assert receivables(user=firm.finance, as_of=date(2026, 8, 10), page=None).rows == []
    audited = AuditEvent.objects.filter(action="billing.payment_allocate").order_by("id")
    assert [(e.object_id, e.data["amount"]) for e in audited] == [
        (str(allocations[0].pk), "600.00"),
        (str(allocations[1].pk), "400.00"),
    ]


@pytest.mark.django_db
def test_only_finance_records_allocates_and_refunds(firm):
    bill = issued_bill(firm)
    payment = record(firm, "100.00")
    for persona in ("lead", "partner", "admin", "assistant"):
        user = getattr(firm, persona)
        with pytest.raises(NotAllowed):
            record(firm, "100.00", actor=user)
        with pytest.raises(NotAllowed):
            payment_allocate(actor=user, payment=payment, bill=bill, amount=D("1"))
        with pytest.raises(NotAllowed):
            payment_refund(
                actor=user,
                payment=payment,
                amount=D("1"),
                refunded_on=PAID_ON,
                method="bank",
                reason="x",
            )


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_allocations_never_over_allocate(firm):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no parallel allocations to race")
    bill = issued_bill(firm)  # ¥1,000.00
    payments = [record(firm, "100.00") for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def allocate(payment: Payment) -> None:
        try:
            barrier.wait(timeout=30)
            payment_allocate(actor=firm.finance, payment=payment, bill=bill, amount=D("100.00"))
            result = "ok"
        except ValidationError:
            result = "refused"
        finally:
            thread_connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=allocate, args=(p,)) for p in payments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    bill.refresh_from_db()
    allocated = sum(a.amount for a in PaymentAllocation.objects.filter(bill=bill))
    assert (outcomes.count("ok"), outcomes.count("refused")) == (10, 10)
    assert (bill.paid, allocated, bill.status) == (D("1000.00"), D("1000.00"), "paid")
    assert sum(p.allocated for p in Payment.objects.all()) == D("1000.00")


def api(user, path: str, body: dict | None = None):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    if body is None:
        return client.get(path)
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_the_payments_api_applies_holds_and_names_the_field(firm):
    bill = issued_bill(firm)
    body = {
        "client_id": firm.client_party.pk,
        "received_on": "2026-05-06",
        "amount": "1200.00",
        "method": "alipay",
        "payer": "华泰科技",
        "allocations": [{"bill_id": bill.pk, "amount": "1000.00"}],
    }
    over = api(
        firm.finance,
        "/api/v1/payments",
        {**body, "allocations": [{"bill_id": bill.pk, "amount": "1000.01"}]},
    )
    assert (over.status_code, over.json()["errors"]) == (
        422,
        [{"field": "allocations", "message": "超出该账单的未付金额。"}],
    )
    negative = api(firm.finance, "/api/v1/payments", {**body, "amount": "-1", "allocations": []})
    assert [e["field"] for e in negative.json()["errors"]] == ["amount"]
    assert Payment.objects.count() == 0
    created = api(firm.finance, "/api/v1/payments", body)
    assert created.status_code == 201
    out = created.json()
    assert (out["allocated"], out["unallocated"], out["allocations"][0]["bill_number"]) == (
        "1000.00",
        "200.00",
        bill.number,
    )
    refund = api(
        firm.finance,
        f"/api/v1/payments/{out['id']}/refunds",
        {"amount": "200.00", "refunded_on": "2026-05-07", "method": "bank", "reason": "多付"},
    )
    assert (refund.status_code, refund.json()["unallocated"]) == (201, "0.00")


@pytest.mark.django_db
def test_the_payment_page_pays_a_bill_by_its_number(firm):
    bill = issued_bill(firm)
    finance = client_for(firm.finance)
    form = finance.get(f"/payments/new/?bill={bill.pk}")
    assert form.context["form"].initial["amount"] == D("1000.00")
    response = finance.post(
        "/payments/new/",
        {
            "bill": bill.number,
            "received_on": "2026-05-06",
            "amount": "1000.00",
            "method": "bank",
            "payer": "华泰科技",
        },
    )
    payment = Payment.objects.get()
    assert response["Location"] == f"/payments/{payment.pk}/"
    bill.refresh_from_db()
    assert (bill.status, bill.paid) == ("paid", D("1000.00"))
    again = finance.post(
        "/payments/new/",
        {
            "bill": bill.number,
            "received_on": "2026-05-06",
            "amount": "5.00",
            "allocate": "5.00",
            "method": "bank",
            "payer": "华泰科技",
        },
    )
    assert again.context["form"].errors == {"allocate": ["只有已开具且未付清的账单可以收款。"]}


@pytest.mark.django_db
def test_a_payment_also_applied_to_a_bill_hidden_from_its_reader_is_not_theirs(firm):
    # One payment of the client paid a bill on the matter and one on a confidential matter of
    # the same client. The assistant on the matter (not on the confidential one) and finance
    # walled off the confidential one may not see the payment: its amount, what it applied
    # and what it holds are partly the hidden matter's (they see the ¥1,000 applied to their
    # bill on the bill's page: test_payment_confidentiality).
    from lexcase.matters.models import EthicalWall
    from lexcase.testing import client_for

    secret = matter_create(
        actor=firm.lead,
        title="华泰科技保密收购",
        matter_type="non_litigation",
        confidential=True,
        parties=[PartyLink(party=firm.client_party, role="client")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    mine, hidden = issued_bill(firm), issued_bill(firm, secret)
    payment = record(
        firm,
        "2000.00",
        [
            AllocationIn(bill=mine, amount=D("1000.00")),
            AllocationIn(bill=hidden, amount=D("1000.00")),
        ],
        matter=firm.matter,
    )
    EthicalWall.objects.create(matter=secret, user=firm.finance, reason="曾代理对方")
    for user in (firm.assistant, firm.finance):
        page = client_for(user).get(f"/payments/{payment.pk}/")
        got = api(user, f"/api/v1/payments/{payment.pk}")
        assert (page.status_code, got.status_code) == (404, 404), user.username
    # The lead sees both bills, as before.
    out = api(firm.lead, f"/api/v1/payments/{payment.pk}").json()
    assert sorted(a["bill_number"] for a in out["allocations"]) == sorted(
        [mine.number, hidden.number]
    )
