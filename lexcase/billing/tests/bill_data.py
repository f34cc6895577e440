"""Money to bill, made directly through the models and the agreement services (shared by the
bills, payments and receivables tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lexcase.billing.models import Expense, TimeEntry
from lexcase.billing.services.agreements import (
    InstalmentIn,
    agreement_approve,
    agreement_create,
    agreement_submit,
)
from lexcase.billing.services.bills import bill_draw, bill_issue

D = Decimal


def approved_fixed_fee(firm: Any, matter: Any = None, *, instalments=None) -> Any:
    matter = matter or firm.matter
    instalments = instalments or [
        InstalmentIn(due_on=date(2026, 3, 1), amount=D("30000"), description="签约后"),
        InstalmentIn(due_on=date(2026, 9, 1), amount=D("30000"), description="一审判决后"),
    ]
    agreement = agreement_create(
        actor=firm.lead,
        matter=matter,
        kind="fixed",
        fixed_amount=sum((i.amount for i in instalments), D("0")),
        instalments=instalments,
    )
    agreement = agreement_submit(actor=firm.lead, agreement=agreement, version=agreement.version)
    return agreement_approve(actor=firm.partner, agreement=agreement, version=agreement.version)


def time_entry(firm: Any, matter: Any = None, **kwargs: Any) -> TimeEntry:
    values = {
        "matter": matter or firm.matter,
        "lawyer": firm.lead,
        "work_date": date(2026, 4, 2),
        "minutes": 90,
        "description": "起草起诉状",
        "billable": True,
        "rate": D("1500.00"),
    }
    values.update(kwargs)
    return TimeEntry.objects.create(**values)


def expense(firm: Any, matter: Any = None, **kwargs: Any) -> Expense:
    values = {
        "matter": matter or firm.matter,
        "kind": "court_fee",
        "description": "一审案件受理费",
        "amount": D("13800.00"),
        "incurred_on": date(2026, 4, 3),
        "paid_by": "firm",
    }
    values.update(kwargs)
    return Expense.objects.create(**values)


def issued_bill(firm: Any, matter: Any = None, *, minutes: int = 60, rate: str = "1000.00"):
    """An issued bill of minutes / 60 × rate on `matter` (60 min at ¥1,000: ¥1,000.00)."""
    matter = matter or firm.matter
    time_entry(firm, matter, minutes=minutes, rate=D(rate))
    bill = bill_draw(actor=firm.finance, matter=matter, as_of=date(2026, 6, 30))
    return bill_issue(actor=firm.finance, bill=bill, version=bill.version)
