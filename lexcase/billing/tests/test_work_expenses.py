"""Expenses (kind, who paid, the receipt as a document, the court-fee calculator) and the
client-funds ledger (receipts, disbursements through expenses, refunds, never negative)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lexcase.billing.models import ClientFundsEntry, Expense
from lexcase.billing.services.work import (
    client_funds_balance,
    client_funds_record,
    expense_create,
)
from lexcase.billing.tests.test_work_agreements import api
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Document
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 3, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def spend(firm, user=None, **kw) -> Expense:
    values = {
        "kind": "court_fee",
        "description": "一审案件受理费",
        "amount": D("13800"),
        "incurred_on": DAY,
        "paid_by": "firm",
    }
    values.update(kw)
    return expense_create(actor=user or firm.lead, matter=firm.matter, **values)


def receive(firm, amount="20000", kind="receipt"):
    return client_funds_record(
        actor=firm.finance,
        matter=firm.matter,
        kind=kind,
        amount=D(amount),
        entry_date=DAY,
        description="预交费用",
        method="bank",
    )


def test_an_advanced_court_fee_with_its_receipt_stored_as_a_document(firm):
    receipt = SimpleUploadedFile("受理费收据.pdf", PDF, content_type="application/pdf")
    expense = spend(firm, receipt=receipt)
    assert (expense.money_kind, expense.paid_by, expense.amount) == (
        "disbursement",
        "firm",
        D("13800.00"),
    )
    document = Document.objects.get(pk=expense.receipt_document_id)
    assert (document.matter_id, document.category) == (firm.matter.pk, "other")
    assert document.title == "收据：一审案件受理费"
    assert ClientFundsEntry.objects.count() == 0


def test_finance_may_record_but_not_upload_into_a_matter_it_is_not_on(firm):
    spend(firm, user=firm.finance)
    receipt = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        spend(firm, user=firm.finance, receipt=receipt)
    assert list(exc.value.message_dict) == ["receipt"]
    assert (Expense.objects.count(), Document.objects.count()) == (1, 0)
    with pytest.raises(NotAllowed):
        spend(firm, user=firm.admin)


def test_paid_from_client_funds_needs_the_note_writes_the_ledger_and_never_goes_negative(firm):
    with pytest.raises(ValidationError) as exc:
        spend(firm, paid_by="client_funds")
    assert list(exc.value.message_dict) == ["client_note_signed_on"]
    receive(firm, "20000")
    spend(firm, paid_by="client_funds", client_note_signed_on=DAY)
    client = firm.client_party.pk
    assert client_funds_balance(client_id=client, matter_id=firm.matter.pk) == D("6200.00")
    with pytest.raises(ValidationError) as exc:
        spend(firm, paid_by="client_funds", client_note_signed_on=DAY, amount=D("6200.01"))
    assert list(exc.value.message_dict) == ["amount"]
    assert "¥6,200.00" in exc.value.message_dict["amount"][0]
    entries = list(ClientFundsEntry.objects.order_by("pk").values_list("kind", "amount"))
    assert entries == [("receipt", D("20000.00")), ("disbursement", D("13800.00"))]
    assert Expense.objects.count() == 1


def test_refunds_up_to_the_balance_and_only_finance_records_funds(firm):
    receive(firm, "1000")
    with pytest.raises(ValidationError) as exc:
        receive(firm, "1000.01", kind="refund")
    assert list(exc.value.message_dict) == ["amount"]
    receive(firm, "1000", kind="refund")
    balance = client_funds_balance(client_id=firm.client_party.pk, matter_id=firm.matter.pk)
    assert balance == D("0.00")
    with pytest.raises(NotAllowed):
        client_funds_record(
            actor=firm.lead,
            matter=firm.matter,
            kind="receipt",
            amount=D("1"),
            entry_date=DAY,
            description="x",
        )


def test_the_note_belongs_only_to_client_funds_and_kinds_are_checked(firm):
    with pytest.raises(ValidationError) as exc:
        spend(firm, kind="lunch", paid_by="nobody", client_note_signed_on=DAY, amount=D("-1"))
    assert sorted(exc.value.message_dict) == [
        "amount",
        "client_note_signed_on",
        "kind",
        "paid_by",
    ]


def test_the_api_records_an_expense_with_a_document_of_the_matter(firm):
    path = f"/api/v1/matters/{firm.matter.pk}/expenses"
    body = {
        "kind": "notary_fee",
        "description": "公证费",
        "amount": "800",
        "incurred_on": "2026-03-02",
        "paid_by": "client",
    }
    created = api(firm.lead, "POST", path, body)
    assert created.status_code == 201
    assert (created.json()["amount"], created.json()["money_kind"]) == ("800.00", "disbursement")
    other = api(firm.lead, "POST", path, {**body, "receipt_document_id": 999999})
    assert (other.status_code, [e["field"] for e in other.json()["errors"]]) == (
        422,
        ["receipt_document_id"],
    )
    funded = api(firm.lead, "POST", path, {**body, "paid_by": "client_funds"})
    assert [e["field"] for e in funded.json()["errors"]] == ["client_note_signed_on"]
    listed = api(firm.finance, "GET", path).json()
    assert [e["description"] for e in listed] == ["公证费"]


def test_the_court_fee_calculator_fills_in_the_expense(firm):
    page = client_for(firm.lead).get(
        f"/matters/{firm.matter.pk}/expenses/", {"claim": "1000000", "procedure": "simplified"}
    )
    assert page.status_code == 200
    assert page.context["fee"].fee == D("6900.00")
    assert page.context["form"].initial["amount"] == D("6900.00")
    assert page.context["form"].initial["kind"] == "court_fee"
    assert "¥6,900.00" in page.content.decode()


def test_the_expense_page_with_a_receipt_upload(firm):
    response = client_for(firm.assistant).post(
        f"/matters/{firm.matter.pk}/expenses/",
        {
            "kind": "travel",
            "description": "赴上海开庭高铁票",
            "amount": "553.50",
            "incurred_on": "2026-03-02",
            "paid_by": "firm",
            "receipt": SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.money_kind, expense.receipt_document is not None) == ("travel", True)


def test_the_ledger_pages(firm):
    receive(firm, "5000")
    finance = client_for(firm.finance)
    ledger = finance.get("/client-funds/")
    assert [(b.client_name, b.balance) for b in ledger.context["balances"]] == [
        ("北京华泰科技有限公司", D("5000.00"))
    ]
    refused = finance.post(
        f"/matters/{firm.matter.pk}/client-funds/",
        {
            "kind": "refund",
            "amount": "5000.01",
            "entry_date": "2026-03-03",
            "description": "退还余款",
        },
    )
    assert refused.status_code == 422
    assert list(refused.context["form"].errors) == ["amount"]
    assert client_for(firm.lead).get("/client-funds/").status_code == 403
