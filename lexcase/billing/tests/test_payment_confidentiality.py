"""One payment of a client may pay bills on several of its matters. Whoever sees a bill sees
the amount applied to it; the payment itself — payer, reference, its total, what it paid
elsewhere, what is held, the matter it was sent for — only whoever sees the payment, and a
payment is seen only by a reader who sees its matter and every bill it was applied to (the
money gate, `matters_money_visible_to`). Personas: the assistant and the other partner see
the plain matter only; finance walled off the hidden matter."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.test import Client
from openpyxl import load_workbook

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import Bill, Payment
from lexcase.billing.services.bills import invoice_record
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.matters.models import EthicalWall, Matter, MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.testing import Firm, client_for

pytestmark = pytest.mark.django_db
D = Decimal
PAYER = "深圳隐名担保有限公司"
HIDDEN_TITLE = "华泰科技保密仲裁"


@dataclass
class Split:
    firm: Firm
    hidden: Matter  # confidential, same client: lead and partner only
    bill: Bill  # on firm.matter, ¥1,000.00
    hidden_bill: Bill  # on `hidden`, ¥1,000.00
    payment: Payment  # ¥2,500.00 for `hidden`: ¥600 to `bill`, ¥1,000 to `hidden_bill`


def _split(firm: Firm, *, sent_for: str = "hidden") -> Split:
    hidden = matter_create(
        actor=firm.lead,
        title=HIDDEN_TITLE,
        matter_type=MatterType.CIVIL,
        confidential=True,
        parties=[PartyLink(party=firm.client_party, role="client", standing="申请人")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    bill = issued_bill(firm)
    hidden_bill = issued_bill(firm, hidden)
    payment = payment_record(
        actor=firm.finance,
        client=firm.client_party,
        matter=hidden if sent_for == "hidden" else firm.matter,
        received_on=date(2026, 5, 6),
        amount=D("2500.00"),
        method="bank",
        payer=PAYER,
        reference="银行流水 778899",
        allocations=[
            AllocationIn(bill=bill, amount=D("600.00")),
            AllocationIn(bill=hidden_bill, amount=D("1000.00")),
        ],
    )
    return Split(firm, hidden, bill, hidden_bill, payment)


@pytest.fixture
def split(firm: Firm) -> Split:
    return _split(firm)


@pytest.fixture
def split_plain(firm: Firm) -> Split:
    """The same payment, sent for the plain matter."""
    return _split(firm, sent_for="plain")


def _readers(s: Split) -> dict[str, Any]:
    f = s.firm
    EthicalWall.objects.create(matter=s.hidden, user=f.finance, reason="亲属")
    return {"assistant": f.assistant, "partner_other": f.partner_other, "finance": f.finance}


READERS = ["assistant", "partner_other", "finance"]


def _text(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _api(user: Any) -> Client:
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


# -- the bill page: the amount applied to this bill, nothing of the payment ------------------


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("sent_for", ["hidden", "plain"])
def test_bill_page_shows_the_amount_applied_but_not_a_payment_hidden_from_the_reader(
    firm, persona, sent_for
):
    s = _split(firm, sent_for=sent_for)
    user = _readers(s)[persona]
    page = _text(client_for(user).get(f"/bills/{s.bill.pk}/"))
    assert ("¥600.00" in page, PAYER in page, f"/payments/{s.payment.pk}/" in page) == (
        True,
        False,
        False,
    )
    assert (HIDDEN_TITLE in page, s.hidden.number in page, "¥2,500.00" in page) == (
        False,
        False,
        False,
    )


def test_bill_page_names_the_payer_and_links_the_payment_to_who_sees_it(split):
    f = split.firm
    page = _text(client_for(f.finance).get(f"/bills/{split.bill.pk}/"))
    assert (PAYER in page, f"/payments/{split.payment.pk}/" in page) == (True, True)
    # The lead sees both matters, so the payment; without record_payment no link is needed
    # but the payer is named.
    page = _text(client_for(f.lead).get(f"/bills/{split.bill.pk}/"))
    assert (PAYER in page, f"/payments/{split.payment.pk}/" in page) == (True, True)


def _pdf_text(user: Any, bill: Bill) -> str:
    response = client_for(user).get(f"/bills/{bill.pk}/pdf/")
    assert response.status_code == 200
    return pdfium.PdfDocument(response.content)[0].get_textpage().get_text_range()


@pytest.mark.parametrize("persona", READERS)
def test_bill_pdf_leaves_out_the_payer_of_a_payment_hidden_from_the_reader(split, persona):
    text = _pdf_text(_readers(split)[persona], split.bill)
    assert ("600.00" in text, "收到付款" in text, PAYER in text) == (True, True, False)


def test_bill_pdf_names_the_payer_to_who_sees_the_payment(split):
    text = _pdf_text(split.firm.lead, split.bill)
    assert ("600.00" in text, PAYER in text) == (True, True)


# -- the payment itself: 404, left out of lists, exports and the API ---------------------------


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("sent_for", ["hidden", "plain"])
def test_a_payment_applied_to_a_hidden_bill_is_not_the_readers(firm, persona, sent_for):
    s = _split(firm, sent_for=sent_for)
    user = _readers(s)[persona]
    web = client_for(user)
    assert web.get(f"/payments/{s.payment.pk}/").status_code == 404
    assert PAYER not in _text(web.get("/payments/"))
    export = web.get("/payments/export.xlsx")
    rows = [list(r) for r in load_workbook(io.BytesIO(export.content)).active.values]
    assert rows[1:] == []
    api = _api(user)
    assert api.get(f"/api/v1/payments/{s.payment.pk}").status_code == 404
    assert json.loads(api.get("/api/v1/payments").content)["items"] == []


def test_whoever_sees_every_bill_of_a_payment_sees_it_in_full(split_plain):
    f = split_plain.firm
    for user in (f.lead, f.partner, f.finance, f.admin):
        api = _api(user)
        body = json.loads(api.get(f"/api/v1/payments/{split_plain.payment.pk}").content)
        assert (body["amount"], body["allocated"], body["payer"]) == (
            "2500.00",
            "1600.00",
            PAYER,
        ), user.username
        assert len(body["allocations"]) == 2


def test_bill_api_and_page_state_the_bills_own_paid_amount(split):
    """The bill's own `paid` is this bill's: it stays."""
    user = split.firm.assistant
    body = json.loads(_api(user).get(f"/api/v1/bills/{split.bill.pk}").content)
    assert (body["paid"], body["open"]) == ("600.00", "400.00")


# -- invoices (发票): one may cover bills of several matters of the client ----------------------


def _invoice_both(s: Split) -> Any:
    return invoice_record(
        actor=s.firm.finance,
        bills=[s.bill, s.hidden_bill],
        kind="vat_general",
        number="24110000000099887766",
        issued_on=date(2026, 5, 7),
        amount=D("1800.00"),
        buyer_name="北京华泰科技有限公司",
    )


@pytest.mark.parametrize("persona", READERS)
def test_an_invoice_also_covering_a_hidden_bill_is_not_shown_to_the_reader(split, persona):
    _invoice_both(split)
    user = _readers(split)[persona]
    page = _text(client_for(user).get(f"/bills/{split.bill.pk}/"))
    assert ("24110000000099887766" in page, "¥1,800.00" in page) == (False, False)
    api = _api(user).get(f"/api/v1/invoices?bill_id={split.bill.pk}")
    assert (api.status_code, json.loads(api.content)) == (200, [])


def test_an_invoice_is_shown_to_who_sees_every_bill_it_covers(split):
    invoice = _invoice_both(split)
    api = _api(split.firm.lead).get(f"/api/v1/invoices?bill_id={split.bill.pk}")
    body = json.loads(api.content)
    assert [(i["number"], i["amount"], i["bill_ids"]) for i in body] == [
        (invoice.number, "1800.00", sorted([split.bill.pk, split.hidden_bill.pk]))
    ]
