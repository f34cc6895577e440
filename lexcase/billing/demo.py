"""The demo firm's money (`python -m lexcase demo`, called by `web/demo.py`): fee agreements
of every kind, time, expenses (one paid from client funds held, 代收代付), bills in every
state (draft, issued, partly paid, paid, void), payments, a retainer held (预收款) and 发票
records — so the finance role's screens, receivables and the fee statements are not empty.

Written through the billing services (permissions, validation, audit) as the matter's lead
lawyer, its responsible partner and finance would; only the dates are moved back afterwards
(a service records "today"), within the current year so the bill numbers' yearly series
stays true. A fixed number of matters, whatever the size of the demo firm: it stays fast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lexcase.billing.models import Bill, BillLine, MoneyKind, Payment, PaymentAllocation
from lexcase.billing.services.agreements import (
    InstalmentIn,
    RateIn,
    ShareIn,
    agreement_approve,
    agreement_create,
    agreement_submit,
)
from lexcase.billing.services.bills import bill_draw, bill_issue, bill_void, invoice_record
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.services.work import client_funds_record, expense_create, time_entry_create
from lexcase.matters.models import (
    Matter,
    MatterMember,
    MatterParty,
    MatterType,
    MemberRole,
    PartyRole,
    Status,
)

D = Decimal
# Lifecycle of each demo matter's bill, in turn (void: issued in error; its work is unbilled
# again).
BILL_FATES = ("paid", "partly_paid", "issued", "overdue", "paid", "draft", "void", "issued")
KINDS = ("hourly", "fixed", "contingency", "retainer", "mixed", "hourly", "fixed", "legal_aid")
WORK = (
    "阅卷并整理证据目录",
    "起草起诉状及证据清单",
    "与委托人电话沟通案件进展",
    "参加庭前证据交换",
    "出庭参加庭审",
    "起草代理词",
    "检索类案裁判文书",
    "审查合同条款并出具修改意见",
)
METHODS = ("bank", "bank", "wechat", "alipay", "bank")
CONTINGENCY_TYPES = (MatterType.CIVIL, MatterType.COMMERCIAL_ARBITRATION)


@dataclass
class _Team:
    matter: Matter
    lead: Any
    partner: Any
    client: Any


def _teams(limit: int) -> list[_Team]:
    """Open matters with a lead lawyer, a responsible partner and a client, oldest first
    (the same ones for the same seed)."""
    matters = list(
        Matter.objects.filter(status=Status.OPEN)
        .exclude(matter_type=MatterType.CONSULTATION)
        .order_by("pk")[: limit * 3]
    )
    roles: dict[int, dict[str, Any]] = {}
    for member in MatterMember.objects.filter(
        matter__in=matters, role__in=[MemberRole.LEAD, MemberRole.RESPONSIBLE_PARTNER]
    ).select_related("user"):
        roles.setdefault(member.matter_id, {})[member.role] = member.user
    clients = {
        link.matter_id: link.party
        for link in MatterParty.objects.filter(
            matter__in=matters, role=PartyRole.CLIENT
        ).select_related("party")
    }
    teams = []
    for matter in matters:
        found = roles.get(matter.pk, {})
        lead, partner = found.get(MemberRole.LEAD), found.get(MemberRole.RESPONSIBLE_PARTNER)
        if lead and partner and matter.pk in clients and lead.pk != partner.pk:
            teams.append(_Team(matter, lead, partner, clients[matter.pk]))
    return teams[:limit]


def _agreement(team: _Team, kind: str, today: date, rng: random.Random) -> Any:
    start = today.replace(month=1, day=1)
    common: dict[str, Any] = {
        "actor": team.lead,
        "matter": team.matter,
        "signed_on": start,
        "shares": [
            ShareIn(lawyer=team.partner, role="originator", percent=D("30")),
            ShareIn(lawyer=team.lead, role="handler", percent=D("70")),
        ],
    }
    if kind == "contingency" or kind == "mixed":
        if team.matter.matter_type not in CONTINGENCY_TYPES or not team.matter.amount:
            kind = "fixed"
    terms: dict[str, Any]
    if kind == "hourly":
        terms = {"rates": [RateIn(lawyer=team.lead, hourly_rate=D(rng.choice((1200, 1500, 2000))))]}
        terms["fee_cap"] = D("90000")
    elif kind in ("contingency", "mixed"):
        basis = D(team.matter.amount or 0)  # a contingency matter has an amount (above)
        terms = {
            "contingency_basis": "recovered",
            "contingency_basis_amount": basis,
            "contingency_rate": D("8") if basis > 1_000_000 else D("12"),
            "risk_contract_signed_on": start,
            "guidance_price_disclosed_on": start,
        }
        if kind == "mixed":
            terms["fixed_amount"] = D("20000")
            terms["instalments"] = [InstalmentIn(start + timedelta(days=10), D("20000"), "签约后")]
    elif kind == "retainer":
        terms = {
            "fixed_amount": D("120000"),
            "retainer_start": start,
            "retainer_end": start.replace(month=12, day=31),
            "invoicing_schedule": "quarterly",
            "instalments": [
                InstalmentIn(start.replace(month=m), D("30000"), f"第{q}季度顾问费")
                for q, m in enumerate((1, 4, 7, 10), start=1)
            ],
        }
    elif kind == "legal_aid":
        terms = {"shares": []}
    else:  # fixed, in two instalments
        amount = D(rng.choice((30000, 50000, 80000)))
        terms = {
            "fixed_amount": amount,
            "instalments": [
                InstalmentIn(start + timedelta(days=15), amount / 2, "签约后七日内"),
                InstalmentIn(today + timedelta(days=60), amount / 2, "一审判决后"),
            ],
        }
    try:
        with transaction.atomic():
            agreement = agreement_create(kind=kind, **{**common, **terms})
    except ValidationError:
        # A contingency fee refused for this matter's cause (the ban list): a fixed fee.
        return _agreement(team, "fixed", today, rng)
    agreement = agreement_submit(actor=team.lead, agreement=agreement, version=agreement.version)
    return agreement_approve(actor=team.partner, agreement=agreement, version=agreement.version)


def _backdate_bill(bill: Bill, issued_on: date, terms_days: int = 30) -> None:
    Bill.objects.filter(pk=bill.pk).update(
        issued_on=issued_on, due_on=issued_on + timedelta(days=terms_days)
    )


def _pay(finance: Any, bill: Bill, amount: Decimal, on: date, rng: random.Random) -> Payment:
    payment = payment_record(
        actor=finance,
        client=bill.client,
        matter=bill.matter,
        received_on=on,
        amount=amount,
        method=rng.choice(METHODS),
        payer=bill.client.name,
        reference=f"DEMO{bill.pk:06d}",
        allocations=[AllocationIn(bill=bill, amount=amount)],
    )
    PaymentAllocation.objects.filter(payment=payment).update(allocated_on=on)
    return payment


def demo_money(*, finance: Any, seed: int = 42, matters: int = 16) -> dict[str, int]:
    """Money on up to `matters` open matters of the demo firm (see the module docstring)."""
    rng = random.Random(seed + 12)
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)

    def back(days: int) -> date:
        return max(year_start, today - timedelta(days=days))

    counts = dict.fromkeys(("agreements", "time", "expenses", "bills", "payments", "invoices"), 0)
    teams = _teams(matters)
    overdue_staged = False
    for i, team in enumerate(teams):
        kind = KINDS[i % len(KINDS)]
        _agreement(team, kind, today, rng)
        counts["agreements"] += 1
        for _n in range(rng.randint(3, 6)):
            time_entry_create(
                actor=team.lead,
                matter=team.matter,
                work_date=back(rng.randint(5, 300)),
                minutes=rng.choice((30, 60, 90, 120, 180, 240)),
                description=rng.choice(WORK),
                billable=rng.random() < 0.85,
            )
            counts["time"] += 1
        if team.matter.matter_type in (MatterType.CIVIL, MatterType.COMMERCIAL_ARBITRATION):
            expense_create(
                actor=team.lead,
                matter=team.matter,
                kind="court_fee",
                description="一审案件受理费",
                amount=D(rng.choice(("2300.00", "8800.00", "13800.00"))),
                incurred_on=back(rng.randint(30, 200)),
                paid_by="firm",
            )
            counts["expenses"] += 1
        if i == 1:
            # 代收代付: the client pays the appraisal fee into the firm's client-funds ledger;
            # the lawyer pays it out with the client's signed note.
            client_funds_record(
                actor=finance,
                matter=team.matter,
                kind="receipt",
                amount=D("15000.00"),
                entry_date=back(90),
                description="委托人预交鉴定费",
                method="bank",
                reference="DEMO-CF-001",
            )
            expense_create(
                actor=team.lead,
                matter=team.matter,
                kind="appraisal_fee",
                description="司法鉴定费（代收代付）",
                amount=D("12000.00"),
                incurred_on=back(80),
                paid_by="client_funds",
                client_note_signed_on=back(82),
            )
            counts["expenses"] += 1
        if kind == "legal_aid" and i % 2:
            continue  # free work: nothing to bill
        fate = BILL_FATES[i % len(BILL_FATES)]
        try:
            with transaction.atomic():
                bill = bill_draw(actor=finance, matter=team.matter, as_of=today, note="")
        except ValidationError:
            continue  # nothing due and unbilled
        counts["bills"] += 1
        if fate == "draft":
            continue
        bill = bill_issue(actor=finance, bill=bill, version=bill.version)
        if fate == "void":
            bill_void(
                actor=finance, bill=bill, version=bill.version, reason="账单金额有误，作废后重开"
            )
            continue
        if fate == "overdue" and overdue_staged:
            fate = "issued"  # one overdue bill is staged; the others are paid on time
        overdue_staged = overdue_staged or fate == "overdue"
        # A partly paid bill owes the rest within its (longer) terms; only the staged
        # overdue bill is past its due date on the firm's first morning.
        age = {"paid": 150, "partly_paid": 40, "issued": 10, "overdue": 200}[fate]
        terms = {"partly_paid": 90}.get(fate, 30)
        issued_on = back(age + rng.randint(0, 20))
        if fate == "overdue":  # past due whatever the time of year
            issued_on = today - timedelta(days=age + rng.randint(0, 20))
        _backdate_bill(bill, issued_on, terms)
        bill.refresh_from_db()
        fee = BillLine.objects.filter(bill=bill, kind=MoneyKind.SERVICE_FEE).values_list(
            "amount", flat=True
        )
        fee_total = sum(fee, D("0"))
        if fee_total > 0:
            invoice_record(
                actor=finance,
                bills=[bill],
                kind="vat_special" if team.client.credit_code else "vat_general",
                buyer_tax_id=team.client.credit_code or "",
                number=f"{today.year % 100:02d}{rng.randint(10**17, 10**18 - 1)}",
                issued_on=issued_on,
                amount=fee_total,
                buyer_name=team.client.name,
            )
            counts["invoices"] += 1
        paid_on = min(today, issued_on + timedelta(days=rng.randint(5, 25)))
        if fate == "paid":
            _pay(finance, bill, bill.total, paid_on, rng)
            counts["payments"] += 1
        elif fate == "partly_paid":
            _pay(finance, bill, (bill.total * D("0.4")).quantize(D("0.01")), paid_on, rng)
            counts["payments"] += 1
    if teams:
        # A retainer received before any bill (预收款), held for the client.
        team = teams[0]
        payment_record(
            actor=finance,
            client=team.client,
            matter=team.matter,
            received_on=back(3),
            amount=D("20000.00"),
            method="bank",
            payer=team.client.name,
            reference="DEMO-PREPAY",
            note="预收律师费",
        )
        counts["payments"] += 1
    return counts
