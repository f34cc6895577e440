"""The demo firm has money (issue 12 item 12): after `python -m lexcase demo`, finance signs
in to bills in every state, payments, 发票, a client-funds entry and non-empty receivables;
the responsible partners have overdue bills on their agenda."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lexcase.accounts.models import User
from lexcase.billing.models import (
    Bill,
    ClientFundsEntry,
    Expense,
    FeeAgreement,
    Invoice,
    Payment,
    TimeEntry,
)
from lexcase.billing.selectors.receivables import bills_page, receivables
from lexcase.calendar.selectors import agenda_overdue
from lexcase.testing import client_for
from lexcase.web.demo import demo_generate

pytestmark = pytest.mark.django_db


def test_the_demo_firm_has_money_for_finance_to_see(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        result = demo_generate(matters=60, seed=7)
    assert result["money_bills"] >= 8
    kinds = set(FeeAgreement.objects.values_list("kind", flat=True))
    assert {"hourly", "fixed", "retainer"} <= kinds and len(kinds) >= 4
    assert set(FeeAgreement.objects.values_list("status", flat=True)) == {"approved"}
    assert TimeEntry.objects.count() >= 30
    assert Expense.objects.filter(paid_by="client_funds").exists()
    assert ClientFundsEntry.objects.filter(kind="receipt").exists()
    assert {"draft", "issued", "partly_paid", "paid", "void"} <= set(
        Bill.objects.values_list("status", flat=True)
    )
    assert Invoice.objects.exists()
    assert Payment.objects.filter(allocated=0).exists()  # a retainer held (预收款)
    # Every bill's total is its lines' sum; every payment allocated within itself.
    for bill in Bill.objects.prefetch_related("lines"):
        assert bill.total == sum(line.amount for line in bill.lines.all())
        assert 0 <= bill.paid <= bill.total

    finance = User.objects.get(username="finance")
    owed = receivables(user=finance, as_of=timezone.localdate())
    assert owed.rows and owed.totals.open > 0
    assert any(owed.totals.buckets[k] > 0 for k in ("91_180", "over_180", "31_90"))
    assert bills_page(user=finance).items
    web = client_for(finance)
    for path in ("/receivables/", "/bills/", "/payments/"):
        page = web.get(path)
        assert page.status_code == 200, path
    assert owed.rows[0].matter_number in web.get("/receivables/").content.decode()

    # Overdue bills reach their responsible partners' agendas.
    partners = User.objects.filter(username__in=["partner", "partner2"])
    assert any(
        i.kind == "bill_overdue"
        for p in partners
        for i in agenda_overdue(user=p, today=timezone.localdate())
    )
