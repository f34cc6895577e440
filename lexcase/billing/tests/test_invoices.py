"""发票 recorded against issued bills: fee only, one client, tax included at the rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lexcase.billing.models import Bill, Invoice
from lexcase.billing.services.bills import bill_draw, bill_issue, bill_void, invoice_record
from lexcase.billing.tests.bill_data import expense, issued_bill, time_entry
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.models import EthicalWall, MatterType
from lexcase.matters.services import PartyLink, matter_create

pytestmark = pytest.mark.django_db
D = Decimal


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def record(firm, bills, **kwargs):
    values = {
        "actor": firm.finance,
        "bills": bills,
        "kind": "vat_general",
        "number": "0001",
        "issued_on": date(2026, 5, 6),
        "amount": D("1060.00"),
        "buyer_name": "北京华泰科技有限公司",
    }
    values.update(kwargs)
    return invoice_record(**values)


def test_an_invoice_covers_the_fee_with_tax_included(firm):
    time_entry(firm, minutes=60, rate=D("1060.00"))
    expense(firm, amount=D("13800.00"))  # pass-through: never invoiced by the firm
    bill = bill_draw(actor=firm.finance, matter=firm.matter, as_of=date(2026, 6, 30))
    bill = bill_issue(actor=firm.finance, bill=bill, version=bill.version)
    invoice = record(firm, [bill])
    assert (invoice.tax_rate, invoice.tax_amount, invoice.client) == (
        D("0.0600"),
        D("60.00"),  # 1060 × 0.06 / 1.06
        firm.client_party,
    )
    assert list(bill.invoices.all()) == [invoice]
    assert errors_of(lambda: record(firm, [bill], number="0002", amount=D("0.01"))) == {
        "amount": ["只有律师服务费可以开票：这些账单尚可开票金额最多为¥0.00。"]
    }


def test_refusals_name_the_field(firm):
    bill = issued_bill(firm)  # ¥1,000 fee
    assert set(errors_of(lambda: record(firm, [bill], amount=D("1000.01")))) == {"amount"}
    assert set(errors_of(lambda: record(firm, [bill], kind="vat_special"))) == {"buyer_tax_id"}
    assert set(errors_of(lambda: record(firm, [bill], tax_rate=D("1")))) == {"tax_rate"}
    assert set(errors_of(lambda: record(firm, [], amount=D("1")))) == {"bills"}
    record(firm, [bill], amount=D("100.00"))
    assert set(errors_of(lambda: record(firm, [bill], amount=D("100.00")))) == {"number"}
    time_entry(firm)
    draft = bill_draw(actor=firm.finance, matter=firm.matter, as_of=date(2026, 6, 30))
    assert set(errors_of(lambda: record(firm, [draft], number="9"))) == {"bills"}
    with pytest.raises(NotAllowed):
        record(firm, [bill], actor=firm.partner, number="8")


def test_a_special_invoice_with_the_buyers_tax_number_at_a_set_rate(firm, settings):
    settings.LEXCASE_BILLING = {**settings.LEXCASE_BILLING, "vat_rate": "0.03"}
    bill = issued_bill(firm)
    invoice = record(
        firm,
        [bill],
        kind="vat_special",
        amount=D("1000.00"),
        buyer_tax_id="91350200776049653a",
    )
    assert (invoice.tax_rate, invoice.tax_amount, invoice.buyer_tax_id) == (
        D("0.0300"),
        D("29.13"),  # 1000 × 0.03 / 1.03 = 29.126…
        "91350200776049653A",
    )


# -- what is left when an invoice also covers other bills ------------------------------------


def test_an_invoice_over_two_bills_leaves_on_one_what_the_other_cannot_hold(firm):
    a, b = issued_bill(firm), issued_bill(firm)  # ¥1,000 fee each
    record(firm, [a, b], number="X1", amount=D("1500.00"))
    # ¥1,500 over ¥2,000 of fees: at most ¥1,000 on b, so at least ¥500 is left on a.
    assert errors_of(lambda: record(firm, [a], number="X2", amount=D("500.01"))) == {
        "amount": ["只有律师服务费可以开票：这些账单尚可开票金额最多为¥500.00。"]
    }
    record(firm, [a], number="X2", amount=D("500.00"))
    # a and b are now full between them: nothing is left on b either.
    assert errors_of(lambda: record(firm, [b], number="X3", amount=D("0.01"))) == {
        "amount": ["只有律师服务费可以开票：这些账单尚可开票金额最多为¥0.00。"]
    }


def test_a_chain_of_invoices_counts_every_bill_it_reaches(firm):
    a, b, c = issued_bill(firm), issued_bill(firm), issued_bill(firm)
    record(firm, [a, b], number="Y1", amount=D("1000.00"))
    record(firm, [b, c], number="Y2", amount=D("1800.00"))
    # Y2 needs ¥800 of b at least, so Y1 at least ¥800 of a: ¥200 left on a.
    assert errors_of(lambda: record(firm, [a], number="Y3", amount=D("200.01")))["amount"] == [
        "只有律师服务费可以开票：这些账单尚可开票金额最多为¥200.00。"
    ]
    record(firm, [a], number="Y3", amount=D("200.00"))


def test_what_is_left_names_no_figure_that_depends_on_a_bill_the_actor_cannot_see(firm):
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
    messages = errors_of(lambda: record(firm, [plain], number="Z2", amount=D("300.01")))["amount"]
    assert messages == ["只有律师服务费可以开票：金额超过这些账单尚可开票的部分。"]
    assert "700" not in messages[0] and "300" not in messages[0]
    record(firm, [plain], number="Z2", amount=D("300.00"))  # still correct


def test_a_bill_voided_since_it_was_read_takes_no_invoice(firm):
    bill = issued_bill(firm)
    stale = Bill.objects.get(pk=bill.pk)  # read before the void, as a form would have
    bill_void(actor=firm.finance, bill=bill, version=bill.version, reason="开错了")
    assert errors_of(lambda: record(firm, [stale], amount=D("100.00"))) == {
        "bills": ["只有已开具的账单可以开票。"]
    }
    assert Invoice.objects.count() == 0
