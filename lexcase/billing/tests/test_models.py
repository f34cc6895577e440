"""The database refuses what the money invariants forbid, whatever a service forgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from lexcase.billing.contingency import NATIONAL_BANS
from lexcase.billing.models import (
    AgreementRate,
    Bill,
    BillLine,
    ClientFundsEntry,
    ContingencyBan,
    Expense,
    FeeAgreement,
    FeeInstalment,
    FeeShare,
    Invoice,
    Payment,
    PaymentAllocation,
    Refund,
    TimeEntry,
)

pytestmark = pytest.mark.django_db
D = Decimal


def refused(factory) -> bool:
    try:
        with transaction.atomic():
            factory()
    except IntegrityError:
        return True
    return False


def agreement(firm, **kw) -> FeeAgreement:
    fields = {"matter": firm.matter, "kind": "fixed", "fixed_amount": D("50000")}
    fields.update(kw)
    return FeeAgreement.objects.create(**fields)


def bill(firm, **kw) -> Bill:
    fields = {"matter": firm.matter, "client": firm.client_party, "total": D("1000")}
    fields.update(kw)
    return Bill.objects.create(**fields)


def payment(firm, **kw) -> Payment:
    fields = {
        "client": firm.client_party,
        "received_on": date(2026, 3, 1),
        "amount": D("1000"),
        "method": "bank",
        "payer": "北京华泰科技有限公司",
    }
    fields.update(kw)
    return Payment.objects.create(**fields)


def test_the_national_ban_list_is_seeded(firm):
    assert ContingencyBan.objects.count() == len(NATIONAL_BANS)
    assert ContingencyBan.objects.get(kind="cause", key="P06.01.01.03").label == "请求支付劳动报酬"


def test_money_fields_are_decimal_16_2():
    money = [
        f
        for model in apps.get_app_config("billing").get_models()
        for f in model._meta.fields
        if f.get_internal_type() == "DecimalField"
        and f.name not in ("contingency_rate", "percent", "tax_rate")
    ]
    assert len(money) >= 20
    assert {(f.max_digits, f.decimal_places) for f in money} == {(16, 2)}


def test_agreement_amounts_positive_and_rate_in_range(firm):
    assert refused(lambda: agreement(firm, fixed_amount=D("0")))
    assert refused(lambda: agreement(firm, hourly_rate=D("-1")))
    assert refused(lambda: agreement(firm, contingency_rate=D("0")))
    assert refused(lambda: agreement(firm, contingency_rate=D("100.01")))
    assert refused(lambda: agreement(firm, contingency_amount=D("0")))
    assert not refused(lambda: agreement(firm, contingency_rate=D("100")))


def test_one_approved_and_one_open_proposal_per_matter(firm):
    now = timezone.now()
    agreement(firm, version_no=1, status="approved", approved_at=now)
    assert refused(lambda: agreement(firm, version_no=2, status="approved", approved_at=now))
    agreement(firm, version_no=2, status="draft")
    assert refused(lambda: agreement(firm, version_no=3, status="pending"))
    assert refused(lambda: agreement(firm, version_no=2, status="superseded"))  # same version
    assert not refused(lambda: agreement(firm, version_no=3, status="superseded"))


def test_approved_needs_its_time(firm):
    assert refused(lambda: agreement(firm, status="approved"))


def test_retainer_period_in_order(firm):
    assert refused(
        lambda: agreement(firm, retainer_start=date(2026, 1, 1), retainer_end=date(2025, 12, 31))
    )


def test_instalments_rates_and_shares(firm):
    a = agreement(firm)
    FeeInstalment.objects.create(agreement=a, seq=1, due_on=date(2026, 1, 1), amount=D("1"))
    assert refused(
        lambda: FeeInstalment.objects.create(
            agreement=a, seq=1, due_on=date(2026, 2, 1), amount=D("1")
        )
    )
    assert refused(
        lambda: FeeInstalment.objects.create(
            agreement=a, seq=2, due_on=date(2026, 2, 1), amount=D("0")
        )
    )
    AgreementRate.objects.create(agreement=a, lawyer=firm.lead, hourly_rate=D("800"))
    assert refused(
        lambda: AgreementRate.objects.create(agreement=a, lawyer=firm.lead, hourly_rate=D("900"))
    )
    assert refused(
        lambda: FeeShare.objects.create(
            agreement=a, lawyer=firm.lead, role="handler", percent=D("100.01")
        )
    )
    assert refused(
        lambda: FeeShare.objects.create(agreement=a, lawyer=firm.lead, role="handler", percent=0)
    )


def test_time_entries(firm):
    def entry(**kw):
        fields = {
            "matter": firm.matter,
            "lawyer": firm.lead,
            "work_date": date(2026, 3, 2),
            "minutes": 30,
            "description": "起草起诉状",
        }
        fields.update(kw)
        return TimeEntry.objects.create(**fields)

    assert refused(lambda: entry(minutes=0))
    now = timezone.now()
    entry(minutes=0, timer_started_at=now)  # a running timer
    assert refused(lambda: entry(minutes=0, timer_started_at=now))  # a second one
    assert not refused(lambda: entry(lawyer=firm.partner, minutes=0, timer_started_at=now))
    assert refused(
        lambda: entry(timer_started_at=now, timer_stopped_at=now - timezone.timedelta(seconds=1))
    )
    assert refused(lambda: entry(rate=D("0")))
    line = BillLine.objects.create(
        bill=bill(firm), kind="service_fee", description="x", amount=D("1")
    )
    assert refused(lambda: entry(billable=False, bill_line=line))


def test_expenses_and_client_funds(firm):
    def expense(**kw):
        fields = {
            "matter": firm.matter,
            "kind": "court_fee",
            "description": "一审案件受理费",
            "amount": D("13800"),
            "incurred_on": date(2026, 3, 2),
            "paid_by": "firm",
        }
        fields.update(kw)
        return Expense.objects.create(**fields)

    assert refused(lambda: expense(amount=D("0")))
    line = BillLine.objects.create(
        bill=bill(firm), kind="disbursement", description="x", amount=D("1")
    )
    assert refused(lambda: expense(paid_by="client", bill_line=line))
    assert not refused(lambda: expense(paid_by="firm", bill_line=line))
    paid = expense(paid_by="client")
    assert paid.money_kind == "disbursement"
    assert expense(kind="travel").money_kind == "travel"

    def funds(**kw):
        fields = {
            "client": firm.client_party,
            "matter": firm.matter,
            "kind": "receipt",
            "amount": D("20000"),
            "entry_date": date(2026, 3, 1),
            "description": "代收诉讼费",
        }
        fields.update(kw)
        return ClientFundsEntry.objects.create(**fields)

    assert refused(lambda: funds(amount=D("-1")))
    assert refused(lambda: funds(kind="receipt", expense=paid))
    assert not refused(lambda: funds(kind="disbursement", expense=paid))


def test_bills(firm):
    assert refused(lambda: bill(firm, total=D("-1")))
    assert refused(lambda: bill(firm, paid=D("1001")))  # above the total
    assert refused(lambda: bill(firm, status="issued"))  # no number
    assert refused(lambda: bill(firm, status="void"))  # no reason
    assert refused(lambda: bill(firm, paid=D("1")))  # a draft is never paid
    issued = {"number": "2026-00001", "year": 2026, "seq": 1, "issued_on": date(2026, 3, 1)}
    assert refused(lambda: bill(firm, status="paid", paid=D("999"), **issued))
    b = bill(firm, status="paid", paid=D("1000"), **issued)
    assert refused(lambda: bill(firm, number="2026-00002", year=2026, seq=1))  # same seq
    assert refused(lambda: bill(firm, number=b.number))
    assert refused(
        lambda: BillLine.objects.create(bill=b, kind="service_fee", description="x", amount=0)
    )


def test_payments_and_allocations(firm):
    assert refused(lambda: payment(firm, amount=D("0")))
    assert refused(lambda: payment(firm, allocated=D("800"), refunded=D("201")))
    assert refused(lambda: payment(firm, status="void", void_reason="录错", allocated=D("1")))
    assert refused(lambda: payment(firm, status="void"))
    p = payment(firm)
    b = bill(firm, status="issued", number="2026-00001", year=2026, seq=1, issued_on=date.today())
    PaymentAllocation.objects.create(payment=p, bill=b, amount=D("10"), allocated_on=date.today())
    assert refused(
        lambda: PaymentAllocation.objects.create(
            payment=p, bill=b, amount=D("0"), allocated_on=date.today()
        )
    )
    assert refused(
        lambda: Refund.objects.create(
            payment=p,
            client=firm.client_party,
            amount=D("1"),
            refunded_on=date.today(),
            method="bank",
            reason="",
        )
    )


def test_invoices(firm):
    def invoice(**kw):
        fields = {
            "kind": "vat_general",
            "number": "26110000000000000001",
            "issued_on": date(2026, 3, 5),
            "amount": D("10600"),
            "tax_rate": D("0.06"),
            "client": firm.client_party,
            "buyer_name": "北京华泰科技有限公司",
        }
        fields.update(kw)
        return Invoice.objects.create(**fields)

    assert refused(lambda: invoice(kind="vat_special"))  # no tax number
    assert refused(lambda: invoice(tax_rate=D("1")))
    assert refused(lambda: invoice(tax_amount=D("20000")))
    assert refused(lambda: invoice(status="reversed"))
    invoice(tax_amount=D("600"))
    assert refused(lambda: invoice())  # the same number twice
