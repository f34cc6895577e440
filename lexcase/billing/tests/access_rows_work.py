"""Access-table rows of the work area (joined in `access_rows`): `TABLE` (URL name → Route)
and `API_OPERATIONS` ((method, path) → TABLE key), as lexcase/core/tests/access.py says.

Personas: anonymous, inactive, finance, outsider, assistant, lead, walled, admin. Finance and
administrators pass the money gate on every matter (confidential ones included); outsiders
and the walled partner get 404; the assistant sees the money but proposes no fees."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from lexcase.billing.models import FeeAgreement, TimeEntry
from lexcase.core.tests.access import LOGIN, E, Route

# Reading a matter's money.
MONEY_READ = E(LOGIN, LOGIN, 200, 404, 200, 200, 404, 200, 404)
API_MONEY_READ = E(401, 401, 200, 404, 200, 200, 404, 200, 401)
# Proposing fee terms: fee earners on the team and administrators.
PROPOSE = E(LOGIN, LOGIN, 403, 404, 403, 200, 404, 200, 404)
PROPOSE_POST = E(LOGIN, LOGIN, 403, 404, 403, 302, 404, 302, 404)
API_PROPOSE = E(401, 401, 403, 404, 403, 200, 404, 200, 401)
# Fee shares: the responsible partner and administrators.
SHARES = E(LOGIN, LOGIN, 403, 404, 403, 403, 404, 200, 404)
API_SHARES = E(401, 401, 403, 404, 403, 403, 404, 200, 401)


def make_agreement(f, status: str = "draft", *, matter=None) -> int:
    return FeeAgreement.objects.create(
        matter=matter or f.matter,
        kind="fixed",
        fixed_amount=Decimal("60000"),
        status=status,
        proposed_by=f.lead,
        approved_at=timezone.now() if status == "approved" else None,
        created_by=f.lead,
    ).pk


# Recording time: the matter's team, never finance (administrators off the team neither).
RECORD_TIME_POST = E(LOGIN, LOGIN, 403, 404, 302, 302, 404, 403, 404)


def start_timer(f, user=None) -> None:
    TimeEntry.objects.create(
        matter=f.matter,
        lawyer=user or f.lead,
        work_date=timezone.localdate(),
        description="阅卷",
        timer_started_at=timezone.now(),
    )


def _running(f) -> str:
    start_timer(f)
    return "/time/timer/stop/"


# Recording expenses: the team and finance (an administrator off the team, no).
RECORD_EXPENSE_POST = E(LOGIN, LOGIN, 302, 404, 302, 302, 404, 403, 404)
EXPENSE = {
    "kind": "court_fee",
    "description": "一审案件受理费",
    "amount": "13800",
    "incurred_on": "2026-03-02",
    "paid_by": "firm",
}

FIXED = {"kind": "fixed", "fixed_amount": "60000", "signed_on": "2026-03-01"}

TABLE: dict[str, Route] = {
    "billing:agreements": Route("GET", lambda f: f"/matters/{f.matter.pk}/fees/", MONEY_READ),
    # Finance and administrators see a confidential matter's money; its other members too.
    "billing:agreements#confidential matter": Route(
        "GET",
        lambda f: f"/matters/{f.confidential.pk}/fees/",
        E(LOGIN, LOGIN, 200, 404, 404, 200, 404, 200, 404),
    ),
    "billing:agreement_create": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/fees/new/", PROPOSE
    ),
    "billing:agreement_create#post": Route(
        "POST", lambda f: f"/matters/{f.matter.pk}/fees/new/", PROPOSE_POST, body=lambda f: FIXED
    ),
    "billing:agreement_edit": Route(
        "GET", lambda f: f"/fees/agreements/{make_agreement(f)}/edit/", PROPOSE
    ),
    "billing:agreement_submit": Route(
        "POST",
        lambda f: f"/fees/agreements/{make_agreement(f)}/submit/",
        PROPOSE_POST,
        body=lambda f: {"version": 1},
    ),
    # Refused (changed meanwhile): the fee terms again with why on the agreement's card, 422.
    "billing:agreement_submit#refused": Route(
        "POST",
        lambda f: f"/fees/agreements/{make_agreement(f)}/submit/",
        E(LOGIN, LOGIN, 403, 404, 403, 422, 404, 422, 404),
        body=lambda f: {"version": 2},
    ),
    # Below the approval threshold: the lead lawyer (or an administrator) approves.
    "billing:agreement_approve": Route(
        "POST",
        lambda f: f"/fees/agreements/{make_agreement(f, 'pending')}/approve/",
        PROPOSE_POST,
        body=lambda f: {"version": 1},
    ),
    "billing:agreement_shares": Route(
        "GET", lambda f: f"/fees/agreements/{make_agreement(f)}/shares/", SHARES
    ),
    "billing:cap_steps": Route(
        "GET",
        lambda f: "/fees/cap-steps/?contingency_basis_amount=3000000",
        E(LOGIN, LOGIN, 200, 200, 200, 200, 200, 200, 404),
    ),
    "billing:time": Route("GET", lambda f: f"/matters/{f.matter.pk}/time/", MONEY_READ),
    "billing:time#post": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/time/",
        RECORD_TIME_POST,
        body=lambda f: {
            "time-work_date": "2026-03-02",
            "time-minutes": "90",
            "time-description": "起草起诉状",
            "time-billable": "on",
        },
    ),
    "billing:timer_start": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/time/timer/",
        RECORD_TIME_POST,
        body=lambda f: {"timer-description": "阅卷", "timer-billable": "on"},
    ),
    # Everyone stops only their own timer; without one, back to the timesheet with a message.
    "billing:timer_stop": Route(
        "POST", lambda f: "/time/timer/stop/", E(LOGIN, LOGIN, *[302] * 6, 404)
    ),
    "billing:timer_stop#the lead's timer runs": Route(
        "POST", _running, E(LOGIN, LOGIN, *[302] * 6, 404)
    ),
    "billing:timesheet": Route("GET", lambda f: "/time/week/", E(LOGIN, LOGIN, *[200] * 6, 404)),
    "billing:timesheet#another lawyer's": Route(
        "GET",
        lambda f: f"/time/week/?lawyer={f.lead.pk}&week=2026-03-02",
        E(LOGIN, LOGIN, 200, 403, 403, 200, 403, 200, 404),
    ),
    "billing:expenses": Route("GET", lambda f: f"/matters/{f.matter.pk}/expenses/", MONEY_READ),
    "billing:expenses#court fee calculator": Route(
        "GET",
        lambda f: f"/matters/{f.matter.pk}/expenses/?claim=1000000&procedure=ordinary",
        MONEY_READ,
    ),
    "billing:expenses#post": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/expenses/",
        RECORD_EXPENSE_POST,
        body=lambda f: EXPENSE,
    ),
    "billing:client_funds": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/client-funds/", MONEY_READ
    ),
    "billing:client_funds#confidential matter": Route(
        "GET",
        lambda f: f"/matters/{f.confidential.pk}/client-funds/",
        E(LOGIN, LOGIN, 200, 404, 404, 200, 404, 200, 404),
    ),
    "billing:client_funds#post": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/client-funds/",
        E(LOGIN, LOGIN, 302, 404, 403, 403, 404, 403, 404),
        body=lambda f: {
            "kind": "receipt",
            "amount": "20000",
            "entry_date": "2026-03-02",
            "description": "预交诉讼费",
            "method": "bank",
        },
    ),
    "billing:client_funds_ledger": Route(
        "GET", lambda f: "/client-funds/", E(LOGIN, LOGIN, 200, 403, 403, 403, 403, 200, 404)
    ),
    "billing:fee_statement": Route(
        "GET", lambda f: "/fees/statement/", E(LOGIN, LOGIN, *[200] * 6, 404)
    ),
    "billing:fee_statement#another lawyer's": Route(
        "GET",
        lambda f: f"/fees/statement/?lawyer={f.lead.pk}&year=2026",
        E(LOGIN, LOGIN, 200, 403, 403, 200, 403, 200, 404),
    ),
    # Everyone signed in; the list holds only the matters whose money the reader sees.
    "billing:money_matters": Route(
        "GET", lambda f: "/fees/matters/?q=保密", E(LOGIN, LOGIN, *[200] * 6, 404)
    ),
    # API
    "api:fee_agreement_list": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/fee-agreements", API_MONEY_READ
    ),
    "api:fee_agreement_list#confidential matter": Route(
        "GET",
        lambda f: f"/api/v1/matters/{f.confidential.pk}/fee-agreements",
        E(401, 401, 200, 404, 404, 200, 404, 200, 401),
    ),
    "api:fee_agreement_create": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/fee-agreements",
        E(401, 401, 403, 404, 403, 201, 404, 201, 401),
        body=lambda f: FIXED,
        json=True,
    ),
    "api:fee_agreement_get": Route(
        "GET", lambda f: f"/api/v1/fee-agreements/{make_agreement(f)}", API_MONEY_READ
    ),
    "api:fee_agreement_update": Route(
        "PUT",
        lambda f: f"/api/v1/fee-agreements/{make_agreement(f)}",
        API_PROPOSE,
        body=lambda f: {**FIXED, "fixed_amount": "50000", "version": 1},
        json=True,
    ),
    "api:fee_agreement_submit": Route(
        "POST",
        lambda f: f"/api/v1/fee-agreements/{make_agreement(f)}/submit",
        API_PROPOSE,
        body=lambda f: {"version": 1},
        json=True,
    ),
    "api:fee_agreement_approve": Route(
        "POST",
        lambda f: f"/api/v1/fee-agreements/{make_agreement(f, 'pending')}/approve",
        API_PROPOSE,
        body=lambda f: {"version": 1},
        json=True,
    ),
    "api:fee_agreement_shares": Route(
        "PUT",
        lambda f: f"/api/v1/fee-agreements/{make_agreement(f)}/shares",
        API_SHARES,
        body=lambda f: {
            "version": 1,
            "shares": [{"lawyer": "lead", "role": "handler", "percent": "100"}],
        },
        json=True,
    ),
    "api:time_entry_list": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/time-entries", API_MONEY_READ
    ),
    "api:time_entry_create": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/time-entries",
        E(401, 401, 403, 404, 201, 201, 404, 403, 401),
        body=lambda f: {"work_date": "2026-03-02", "minutes": 90, "description": "起草起诉状"},
        json=True,
    ),
    "api:time_entry_create#timer": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/time-entries",
        E(401, 401, 403, 404, 201, 201, 404, 403, 401),
        body=lambda f: {"timer": True, "description": "阅卷"},
        json=True,
    ),
    # Nobody has a running timer: 422 for everyone signed in.
    "api:timer_stop": Route("POST", lambda f: "/api/v1/timer/stop", E(401, 401, *[422] * 6, 401)),
    "api:expense_list": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/expenses", API_MONEY_READ
    ),
    "api:expense_create": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/expenses",
        E(401, 401, 201, 404, 201, 201, 404, 403, 401),
        body=lambda f: EXPENSE,
        json=True,
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/matters/{matter_id}/fee-agreements"): "api:fee_agreement_list",
    ("post", "/api/v1/matters/{matter_id}/fee-agreements"): "api:fee_agreement_create",
    ("get", "/api/v1/fee-agreements/{agreement_id}"): "api:fee_agreement_get",
    ("put", "/api/v1/fee-agreements/{agreement_id}"): "api:fee_agreement_update",
    ("post", "/api/v1/fee-agreements/{agreement_id}/submit"): "api:fee_agreement_submit",
    ("post", "/api/v1/fee-agreements/{agreement_id}/approve"): "api:fee_agreement_approve",
    ("put", "/api/v1/fee-agreements/{agreement_id}/shares"): "api:fee_agreement_shares",
    ("get", "/api/v1/matters/{matter_id}/time-entries"): "api:time_entry_list",
    ("post", "/api/v1/matters/{matter_id}/time-entries"): "api:time_entry_create",
    ("post", "/api/v1/timer/stop"): "api:timer_stop",
    ("get", "/api/v1/matters/{matter_id}/expenses"): "api:expense_list",
    ("post", "/api/v1/matters/{matter_id}/expenses"): "api:expense_create",
}
