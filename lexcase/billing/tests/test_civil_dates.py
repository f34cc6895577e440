"""Dates on money records lie in the civil range (1901-01-01 … 2100-12-31, core/validators):
0001-01-01 or 9999-12-31 typed by mistake is a field error and nothing is written. The time,
expense, client-funds and fee-agreement forms and services stored them before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lexcase.billing.models import ClientFundsEntry, Expense, FeeAgreement, TimeEntry
from lexcase.billing.services.agreements import InstalmentIn, agreement_create
from lexcase.billing.services.work import client_funds_record, expense_create, time_entry_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
BAD_DATES = [date(1, 1, 1), date(9999, 12, 31)]
ZH = "请输入 1901-01-01 至 2100-12-31 之间的日期。"
EN = "Enter a date between 1901-01-01 and 2100-12-31."


def _errors(call) -> dict[str, list[str]]:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


@pytest.mark.parametrize("bad", BAD_DATES)
def test_a_time_entry_outside_the_civil_range_is_refused(firm, bad):
    errors = _errors(
        lambda: time_entry_create(
            actor=firm.lead, matter=firm.matter, work_date=bad, minutes=60, description="阅卷"
        )
    )
    assert errors == {"work_date": [ZH]}
    assert TimeEntry.objects.count() == 0


@pytest.mark.parametrize("field", ["incurred_on", "client_note_signed_on"])
@pytest.mark.parametrize("bad", BAD_DATES)
def test_an_expense_dated_outside_the_civil_range_is_refused(firm, bad, field):
    dates = {"incurred_on": date(2026, 3, 2), "client_note_signed_on": date(2026, 3, 1)}
    dates[field] = bad
    errors = _errors(
        lambda: expense_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="court_fee",
            description="一审案件受理费",
            amount=Decimal("100"),
            paid_by="client_funds",
            **dates,
        )
    )
    assert errors[field] == [ZH]
    assert Expense.objects.count() == 0


@pytest.mark.parametrize("bad", BAD_DATES)
def test_client_funds_dated_outside_the_civil_range_are_refused(firm, bad):
    errors = _errors(
        lambda: client_funds_record(
            actor=firm.finance,
            matter=firm.matter,
            kind="receipt",
            amount=Decimal("100"),
            entry_date=bad,
            description="预交诉讼费",
        )
    )
    assert errors == {"entry_date": [ZH]}
    assert ClientFundsEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "field", "extra"),
    [
        ("fixed", "signed_on", {"fixed_amount": Decimal("100")}),
        (
            "retainer",
            "retainer_start",
            {"fixed_amount": Decimal("100"), "invoicing_schedule": "monthly"},
        ),
        (
            "retainer",
            "retainer_end",
            {"fixed_amount": Decimal("100"), "invoicing_schedule": "monthly"},
        ),
    ],
)
@pytest.mark.parametrize("bad", BAD_DATES)
def test_agreement_dates_outside_the_civil_range_are_refused(firm, bad, kind, field, extra):
    dates = (
        {"retainer_start": date(2026, 1, 1), "retainer_end": date(2026, 12, 31)}
        if kind == "retainer"
        else {}
    )
    dates[field] = bad
    errors = _errors(
        lambda: agreement_create(actor=firm.lead, matter=firm.matter, kind=kind, **extra, **dates)
    )
    assert errors == {field: [ZH]}
    assert FeeAgreement.objects.count() == 0


@pytest.mark.parametrize("bad", BAD_DATES)
def test_an_instalment_due_outside_the_civil_range_is_refused(firm, bad):
    errors = _errors(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="fixed",
            fixed_amount=Decimal("100"),
            instalments=[InstalmentIn(due_on=bad, amount=Decimal("100"), description="签约后")],
        )
    )
    assert errors == {"instalments": [ZH]}
    assert FeeAgreement.objects.count() == 0


def _post(user, path, body, language="zh-hans"):
    client = client_for(user)
    client.cookies["django_language"] = language
    return client.post(path, body)


@pytest.mark.parametrize(("language", "message"), [("zh-hans", ZH), ("en", EN)])
def test_the_time_page_names_the_date_field_in_the_readers_language(firm, language, message):
    response = _post(
        firm.lead,
        f"/matters/{firm.matter.pk}/time/",
        {"time-work_date": "9999-12-31", "time-minutes": "60", "time-description": "阅卷"},
        language,
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"work_date": [message]}
    assert TimeEntry.objects.count() == 0


def test_the_expense_and_client_funds_pages_refuse_a_date_outside_the_range(firm):
    expense = _post(
        firm.lead,
        f"/matters/{firm.matter.pk}/expenses/",
        {
            "kind": "court_fee",
            "description": "一审案件受理费",
            "amount": "100",
            "incurred_on": "0001-01-01",
            "paid_by": "firm",
        },
    )
    funds = _post(
        firm.finance,
        f"/matters/{firm.matter.pk}/client-funds/",
        {"kind": "receipt", "amount": "100", "entry_date": "9999-12-31", "description": "预交"},
    )
    assert (expense.status_code, funds.status_code) == (422, 422)
    assert expense.context["form"].errors == {"incurred_on": [ZH]}
    assert funds.context["form"].errors == {"entry_date": [ZH]}
    assert (Expense.objects.count(), ClientFundsEntry.objects.count()) == (0, 0)


def test_the_agreement_page_refuses_a_signing_date_outside_the_range(firm):
    response = _post(
        firm.lead,
        f"/matters/{firm.matter.pk}/fees/new/",
        {"kind": "fixed", "fixed_amount": "60000", "signed_on": "9999-12-31"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"signed_on": [ZH]}
    assert FeeAgreement.objects.count() == 0
