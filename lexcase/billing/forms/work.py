"""Forms of the work area: fee agreements (terms, shares), time, expenses, client funds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import User
from lexcase.accounts.selectors import active_staff
from lexcase.billing.models import (
    AgreementKind,
    ClientFundsKind,
    ContingencyBasis,
    ExpenseKind,
    InvoicingSchedule,
    PaidBy,
    PaymentMethod,
    ShareRole,
)
from lexcase.billing.services.agreements import INSTALMENT_DESCRIPTION_MAX, InstalmentIn, RateIn
from lexcase.core.forms import CivilDateField, EditVersionField


class DateInput(forms.DateInput):
    """A date picker; its value must be ISO (YYYY-MM-DD) whatever the UI language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=16, decimal_places=2, min_value=Decimal("0.01"), **kwargs
    )


def _blank(*choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class AgreementForm(forms.Form):
    """Fee terms. Instalments and per-lawyer rates are lines of text, so the form works
    without JavaScript: `YYYY-MM-DD amount description` and `username rate`."""

    kind = forms.ChoiceField(label=_("Fee arrangement"), choices=AgreementKind.choices)
    fixed_amount = money(_("Fixed amount (¥)"), required=False)
    hourly_rate = money(_("Hourly rate (¥)"), required=False)
    fee_cap = money(_("Fee cap (¥)"), required=False)
    contingency_basis = forms.ChoiceField(
        label=_("Contingency basis"), choices=_blank(*ContingencyBasis.choices), required=False
    )
    contingency_basis_amount = money(
        _("Basis amount (¥)"),
        required=False,
        help_text=_("The amount the tiered cap is computed on."),
    )
    contingency_rate = forms.DecimalField(
        label=_("Contingency rate (%)"), max_digits=5, decimal_places=2, required=False
    )
    contingency_amount = money(_("Success fee (¥)"), required=False)
    risk_contract_signed_on = CivilDateField(
        label=_("Separate contingency contract signed on"), widget=DateInput, required=False
    )
    guidance_price_disclosed_on = CivilDateField(
        label=_("Government guidance price disclosed on"), widget=DateInput, required=False
    )
    group_litigation = forms.BooleanField(label=_("Group litigation"), required=False)
    retainer_start = CivilDateField(label=_("Retainer from"), widget=DateInput, required=False)
    retainer_end = CivilDateField(label=_("Retainer until"), widget=DateInput, required=False)
    invoicing_schedule = forms.ChoiceField(
        label=_("Invoicing schedule"), choices=_blank(*InvoicingSchedule.choices), required=False
    )
    instalments = forms.CharField(
        label=_("Instalments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: due date, amount, description — e.g. 2026-03-01 30000 签约后"),
    )
    rates = forms.CharField(
        label=_("Rates per lawyer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: username and hourly rate — e.g. lead 1500"),
    )
    terms = forms.CharField(
        label=_("Special terms"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signed_on = CivilDateField(label=_("Contract signed on"), widget=DateInput, required=False)

    def __init__(self, *args: Any, cap_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap_url:
            # The cap's steps appear while the basis is typed (htmx); without JavaScript
            # they are shown after the form is sent.
            self.fields["contingency_basis_amount"].widget.attrs.update(
                {
                    "hx-get": cap_url,
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": "#cap-steps",
                    "hx-swap": "innerHTML",
                    "name": "contingency_basis_amount",
                }
            )

    def clean_instalments(self) -> list[InstalmentIn]:
        out: list[InstalmentIn] = []
        for n, line in enumerate(self.cleaned_data["instalments"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split(maxsplit=2)
            try:
                due_on = date.fromisoformat(parts[0])
                amount = Decimal(parts[1])
            except (IndexError, ValueError, InvalidOperation):
                raise ValidationError(
                    _("Line %(n)s: write the due date (YYYY-MM-DD), the amount, a description."),
                    params={"n": n},
                ) from None
            description = (parts[2:] or [""])[0].strip()
            if len(description) > INSTALMENT_DESCRIPTION_MAX:
                # It was cut at 200 characters without a word: the terms said less than typed.
                raise ValidationError(
                    _("Line %(n)s: the description has %(len)s characters; at most %(max)s."),
                    params={"n": n, "len": len(description), "max": INSTALMENT_DESCRIPTION_MAX},
                )
            out.append(InstalmentIn(due_on=due_on, amount=amount, description=description))
        return out

    def clean_rates(self) -> list[RateIn]:
        out: list[RateIn] = []
        for n, line in enumerate(self.cleaned_data["rates"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                username, rate = parts[0], Decimal(parts[1])
            except (IndexError, InvalidOperation):
                raise ValidationError(
                    _("Line %(n)s: write the username and the hourly rate."), params={"n": n}
                ) from None
            user = active_staff().filter(username=username).first()
            if user is None:
                raise ValidationError(
                    _("Line %(n)s: no active user “%(u)s”."), params={"n": n, "u": username}
                )
            out.append(RateIn(lawyer=user, hourly_rate=rate))
        return out


class AgreementEditForm(AgreementForm):
    version = EditVersionField()


class VersionForm(forms.Form):
    version = EditVersionField()


class ShareForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=_("Lawyer"), queryset=active_staff(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=_blank(*ShareRole.choices), required=False)
    percent = forms.DecimalField(
        label=_("Share (%)"), max_digits=5, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        filled = [data.get(f) not in (None, "") for f in ("lawyer", "role", "percent")]
        if any(filled) and not all(filled):
            raise ValidationError(_("Give the lawyer, the role and the share."))
        return data


ShareFormSet = forms.formset_factory(ShareForm, extra=0, min_num=4, max_num=20)


def share_initial(shares: Any) -> list[dict[str, Any]]:
    return [{"lawyer": s.lawyer, "role": s.role, "percent": s.percent} for s in shares]


def shares_from(formset: Any) -> list[tuple[User, str, Decimal]]:
    return [
        (f.cleaned_data["lawyer"], f.cleaned_data["role"], f.cleaned_data["percent"])
        for f in formset.forms
        if f.cleaned_data.get("lawyer")
    ]


# -- time -------------------------------------------------------------------------------------


class TimeEntryForm(forms.Form):
    work_date = CivilDateField(label=_("Date"), widget=DateInput)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    description = forms.CharField(
        label=_("Work done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)


class TimerForm(forms.Form):
    description = forms.CharField(label=_("Working on"), max_length=5000)
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)


class TimesheetForm(forms.Form):
    lawyer = forms.ModelChoiceField(
        label=_("Lawyer"), queryset=active_staff(), required=False, empty_label=_("Me")
    )
    # Civil: the week of 0001-01-01 or 9999-12-31 has no Monday or Sunday to compute.
    week = CivilDateField(label=_("Week of"), widget=DateInput, required=False)


# -- expenses and client funds ------------------------------------------------------------------


class ExpenseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of expense"), choices=ExpenseKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    amount = money(_("Amount (¥)"))
    incurred_on = CivilDateField(label=_("Date"), widget=DateInput)
    paid_by = forms.ChoiceField(label=_("Paid by"), choices=PaidBy.choices)
    receipt = forms.FileField(label=_("Receipt"), required=False)
    client_note_signed_on = CivilDateField(
        label=_("Client's signed note dated"),
        widget=DateInput,
        required=False,
        help_text=_("Required when paid from client funds (收费程序规则 Art. 9)."),
    )
    client_note = forms.FileField(label=_("Client's signed note"), required=False)


COURT_PROCEDURES = [
    ("ordinary", _("Ordinary procedure")),
    ("simplified", _("Simplified procedure (halved)")),
    ("mediation", _("Ended by mediation (halved)")),
    ("withdrawal", _("Withdrawn (halved)")),
]


class CourtFeeForm(forms.Form):
    """The 诉讼费 calculator offered with an expense of kind court fee (a GET form)."""

    claim = money(_("Amount claimed (¥)"))
    procedure = forms.ChoiceField(label=_("Procedure"), choices=COURT_PROCEDURES)


class ClientFundsForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Entry"),
        choices=[
            (ClientFundsKind.RECEIPT, ClientFundsKind.RECEIPT.label),
            (ClientFundsKind.REFUND, ClientFundsKind.REFUND.label),
        ],
    )
    amount = money(_("Amount (¥)"))
    entry_date = CivilDateField(label=_("Date"), widget=DateInput)
    description = forms.CharField(label=_("Description"), max_length=200)
    method = forms.ChoiceField(
        label=_("Method"), choices=_blank(*PaymentMethod.choices), required=False
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class StatementForm(forms.Form):
    lawyer = forms.ModelChoiceField(
        label=_("Lawyer"), queryset=active_staff(), required=False, empty_label=_("Me")
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
