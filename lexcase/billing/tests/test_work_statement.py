"""The per-lawyer fee statement: collected fees (fee lines only) × the lawyer's share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from lexcase.billing.models import (
    Bill,
    BillLine,
    FeeAgreement,
    FeeShare,
    Payment,
    PaymentAllocation,
    TimeEntry,
)
from lexcase.billing.money import quantize
from lexcase.billing.selectors.work import fee_statement
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal


def agreement_with_shares(firm, matter=None, **shares) -> FeeAgreement:
    agreement = FeeAgreement.objects.create(
        matter=matter or firm.matter,
        kind="fixed",
        fixed_amount=D("100000"),
        status="approved",
        approved_at=timezone.now(),
    )
    for username, (role, percent) in shares.items():
        FeeShare.objects.create(
            agreement=agreement, lawyer=getattr(firm, username), role=role, percent=D(percent)
        )
    return agreement


_seq = iter(range(1, 1000))


def paid_bill(firm, agreement, *, fee: str, costs: str, payments: list[tuple[date, str]]):
    """An issued bill of a fee line and a cost line, with allocations (as the payments
    service leaves them)."""
    seq = next(_seq)
    total = D(fee) + D(costs)
    paid = sum((D(a) for _d, a in payments), D(0))
    bill = Bill.objects.create(
        number=f"2026-{seq:05d}",
        year=2026,
        seq=seq,
        matter=agreement.matter,
        client=firm.client_party,
        agreement=agreement,
        status="paid" if paid == total else "partly_paid",
        issued_on=date(2026, 4, 1),
        total=total,
        paid=paid,
    )
    BillLine.objects.create(bill=bill, kind="service_fee", description="律师费", amount=D(fee))
    BillLine.objects.create(bill=bill, kind="disbursement", description="诉讼费", amount=D(costs))
    for day, amount in payments:
        payment = Payment.objects.create(
            client=firm.client_party,
            received_on=day,
            amount=D(amount),
            method="bank",
            payer="华泰科技",
            allocated=D(amount),
        )
        PaymentAllocation.objects.create(
            payment=payment, bill=bill, amount=D(amount), allocated_on=day
        )
    return bill


def test_collected_fee_lines_times_the_share_by_month(firm):
    agreement = agreement_with_shares(firm, partner=("originator", "30"), lead=("handler", "70"))
    paid_bill(
        firm,
        agreement,
        fee="8000",
        costs="2000",
        payments=[(date(2026, 4, 15), "5000"), (date(2026, 5, 2), "3000")],
    )
    TimeEntry.objects.create(
        matter=firm.matter,
        lawyer=firm.lead,
        work_date=date(2026, 4, 3),
        minutes=90,
        description="x",
        billable=True,
    )
    TimeEntry.objects.create(
        matter=firm.matter,
        lawyer=firm.lead,
        work_date=date(2026, 4, 4),
        minutes=30,
        description="y",
        billable=False,
    )
    statement = fee_statement(viewer=firm.finance, lawyer=firm.lead, year=2026)
    april, may = statement.months[3], statement.months[4]
    # 5000 × 8000 / 10000 = 4000 collected as fees; 70% of it.
    assert (april.collected, april.share) == (D("4000"), D("2800"))
    assert (quantize(may.collected), quantize(may.share)) == (D("2400.00"), D("1680.00"))
    assert (april.minutes, april.billable_minutes) == (120, 90)
    assert quantize(statement.share) == D("4480.00")
    assert [(m.number, m.percent, quantize(m.share)) for m in statement.matters] == [
        (firm.matter.number, D("70.00"), D("4480.00"))
    ]
    partner = fee_statement(viewer=firm.finance, lawyer=firm.partner, year=2026)
    assert quantize(partner.share) == D("1920.00")
    assert fee_statement(viewer=firm.finance, lawyer=firm.lead, year=2025).share == 0


def test_a_lawyer_with_two_roles_counts_both_and_hidden_matters_do_not_show(firm):
    agreement = agreement_with_shares(firm, matter=firm.confidential)
    FeeShare.objects.create(agreement=agreement, lawyer=firm.lead, role="originator", percent=40)
    FeeShare.objects.create(agreement=agreement, lawyer=firm.lead, role="handler", percent=60)
    paid_bill(firm, agreement, fee="1000", costs="0.01", payments=[(date(2026, 6, 1), "1000.01")])
    mine = fee_statement(viewer=firm.lead, lawyer=firm.lead, year=2026)
    assert quantize(mine.share) == D("1000.00")
    # The assistant is not on the confidential matter: nothing of it reaches them.
    assert fee_statement(viewer=firm.assistant, lawyer=firm.lead, year=2026).matters == []


def test_the_statement_page(firm):
    agreement = agreement_with_shares(firm, lead=("handler", "100"))
    paid_bill(firm, agreement, fee="10000", costs="500", payments=[(date(2026, 4, 15), "10500")])
    page = client_for(firm.finance).get("/fees/statement/", {"lawyer": firm.lead.pk, "year": 2026})
    assert page.status_code == 200
    assert "¥10,000.00" in page.content.decode()
    assert (
        client_for(firm.assistant).get("/fees/statement/", {"lawyer": firm.lead.pk}).status_code
        == 403
    )
