"""What the rest of the firm reads from receivables: overdue bills on the responsible
partner's agenda (an agenda source registered with `matters.extensions`) and the closing
checklist's "fees settled", read from the matter's bills (`matters.archive.CHECKLIST_READERS`)
instead of ticked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from lexcase.billing.models import Bill
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.calendar.selectors import agenda_items, agenda_overdue
from lexcase.matters import archive
from lexcase.matters.models import Matter, MatterClosing, Status
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal
ALL = ["final_document", "fees_settled", "client_informed", "originals_returned"]


def overdue(bill: Bill, days: int) -> Bill:
    Bill.objects.filter(pk=bill.pk).update(due_on=timezone.localdate() - timedelta(days=days))
    bill.refresh_from_db()
    return bill


def pay(firm, bill: Bill, amount: str) -> None:
    payment_record(
        actor=firm.finance,
        client=bill.client,
        received_on=timezone.localdate(),
        amount=D(amount),
        method="bank",
        payer="付款人",
        allocations=[AllocationIn(bill=bill, amount=D(amount))],
    )


def bills_on_agenda(user, *, mine_only: bool) -> list[str]:
    today = timezone.localdate()
    if mine_only:
        items = agenda_overdue(user=user, today=today)
    else:
        items = agenda_items(
            user=user, start=today - timedelta(days=60), end=today, mine_only=False
        )
    return sorted(i.obj.number for i in items if i.kind == "bill_overdue")


@pytest.fixture
def bills(firm):
    """On the ordinary matter: one overdue, one overdue but partly paid, one paid in full
    (past due), one not yet due; on the confidential matter: one overdue."""
    late = overdue(issued_bill(firm), 10)
    partly = overdue(issued_bill(firm, minutes=120), 40)
    pay(firm, partly, "500.00")
    settled = overdue(issued_bill(firm), 20)
    pay(firm, settled, "1000.00")
    issued_bill(firm)  # due in 30 days
    secret = overdue(issued_bill(firm, firm.confidential), 5)
    return {"late": late, "partly": partly, "settled": settled, "secret": secret}


def test_overdue_bills_are_on_the_responsible_partners_agenda(firm, bills):
    wanted = sorted(bills[k].number for k in ("late", "partly", "secret"))
    assert bills_on_agenda(firm.partner, mine_only=True) == wanted
    items = [i for i in agenda_overdue(user=firm.partner, today=timezone.localdate())]
    partly = next(i for i in items if i.obj == bills["partly"])
    assert partly.day == bills["partly"].due_on
    assert partly.url == f"/bills/{bills['partly'].pk}/"
    with translation.override("en"):
        item = next(
            i
            for i in agenda_overdue(user=firm.partner, today=timezone.localdate())
            if i.obj == bills["partly"]
        )
    assert item.title == f"Overdue bill {bills['partly'].number}: ¥1,500.00 owed"
    # Not yet due, or paid: not on anyone's agenda.
    assert bills["settled"].number not in bills_on_agenda(firm.admin, mine_only=False)


def test_who_else_sees_overdue_bills_on_the_agenda(firm, bills):
    ordinary = sorted(bills[k].number for k in ("late", "partly"))
    everything = sorted([*ordinary, bills["secret"].number])
    # Only the responsible partner has them as their own.
    for user in (firm.lead, firm.assistant, firm.partner_other, firm.finance, firm.admin):
        assert bills_on_agenda(user, mine_only=True) == [], user
    # The team view: every matter the user can open (the confidentiality gate, since the
    # agenda links to the matter) — the team, partners and administrators on non-confidential
    # matters, never finance (receivables is its page), never a walled partner or outsider.
    assert bills_on_agenda(firm.lead, mine_only=False) == everything
    assert bills_on_agenda(firm.partner_other, mine_only=False) == ordinary
    assert bills_on_agenda(firm.admin, mine_only=False) == ordinary
    for user in (firm.finance, firm.walled, firm.outsider, firm.inactive):
        assert bills_on_agenda(user, mine_only=False) == [], user


def test_the_agenda_page_shows_the_partners_overdue_bill(firm, bills):
    with translation.override("en"):
        page = client_for(firm.partner).get("/agenda/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert bills["late"].number in text and f"/bills/{bills['late'].pk}/" in text
    assert bills["settled"].number not in text
    page = client_for(firm.finance).get("/agenda/")
    assert page.status_code in (200, 403)
    assert bills["secret"].number not in page.content.decode()


# --- the closing checklist's "fees settled" ----------------------------------------------------


@pytest.fixture
def only_fees(monkeypatch):
    """Only billing's reader: reviews' closing review is tested in reviews."""
    monkeypatch.setattr(archive, "CLOSING_REQUIREMENTS", [])


def opened(matter: Matter) -> Matter:
    Matter.objects.filter(pk=matter.pk).update(status=Status.OPEN, opened_on=date(2026, 1, 5))
    matter.refresh_from_db()
    return matter


def close(matter, actor, **kw) -> MatterClosing:
    kw.setdefault("outcome_kind", "settled")
    kw.setdefault("checklist", ALL)
    return archive.matter_close_checked(actor=actor, matter=matter, **kw)


def test_fees_settled_is_read_from_the_bills_not_ticked(firm, only_fees):
    matter = opened(firm.matter)
    bill = issued_bill(firm, matter, minutes=90)  # ¥1,500.00
    assert archive.checklist_read(matter)[0].done is False
    # Ticking it does not make it true while money is owed.
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        close(matter, firm.lead)
    (message,) = exc.value.message_dict["checklist"]
    assert "Fees settled" in message and "¥1,500.00 still owed on issued bills" in message
    pay(firm, bill, "1500.00")
    # Settled: done without the tick, and recorded as done.
    closing = close(
        matter, firm.lead, checklist=["final_document", "client_informed", "originals_returned"]
    )
    assert closing.checklist["fees_settled"] is True
    assert closing.override_reason == ""


def test_a_partner_closes_with_fees_owed_only_with_a_reason(firm, only_fees):
    matter = opened(firm.matter)
    issued_bill(firm, matter)
    closing = close(matter, firm.partner, override_reason="客户分期付款，财务继续催收")
    assert closing.checklist["fees_settled"] is False
    assert closing.override_by == firm.partner


def test_a_matter_without_bills_has_its_fees_settled(firm, only_fees):
    matter = opened(firm.matter)
    closing = close(
        matter, firm.lead, checklist=["final_document", "client_informed", "originals_returned"]
    )
    assert closing.checklist["fees_settled"] is True


def test_the_closing_page_shows_what_is_owed_instead_of_a_box(firm, only_fees):
    matter = opened(firm.matter)
    issued_bill(firm, matter, minutes=90)
    with translation.override("en"):
        page = client_for(firm.lead).get(f"/matters/{matter.pk}/close/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="closing-read"' in text
    assert "¥1,500.00" in text
    assert 'value="fees_settled"' not in text  # no box to tick
    assert 'value="final_document"' in text
    # Those who may not close a matter never reach the page (finance among them).
    assert client_for(firm.finance).get(f"/matters/{matter.pk}/close/").status_code == 404
    assert client_for(firm.outsider).get(f"/matters/{matter.pk}/close/").status_code == 404
