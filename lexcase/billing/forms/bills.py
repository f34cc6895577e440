"""Forms of the bills area: drawing a bill, issuing, voiding, payments, invoices and their
reversals (红冲)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.billing.models import BillStatus, InvoiceKind, PaymentMethod
from lexcase.core.forms import EditVersionField
from lexcase.core.validators import validate_civil_date


class BillDrawForm(forms.Form):
    matter = forms.CharField(label=_("Matter number"), max_length=40)
    as_of = forms.DateField(
        label=_("Bill what is due up to"),
        required=False,
        validators=[validate_civil_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: today."),
    )
    note = forms.CharField(
        label=_("Note on the bill"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BillFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *BillStatus.choices],
    )


class VersionForm(forms.Form):
    version = EditVersionField()


class BillVoidForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for voiding"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _money(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )


def _day(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        validators=[validate_civil_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PaymentForm(forms.Form):
    """Money received: for a bill (its client, applied to it) or for a matter (预收款 held
    for the matter's client)."""

    bill = forms.CharField(label=_("For bill number"), required=False, max_length=40)
    matter = forms.CharField(label=_("Or for matter number"), required=False, max_length=40)
    received_on = _day(_("Received on"))
    amount = _money(_("Amount received"))
    allocate = _money(_("Apply to the bill"), required=False)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    payer = forms.CharField(label=_("Payer"), max_length=200)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("bill") and not data.get("matter"):
            raise forms.ValidationError(_("Name the bill or the matter the money is for."))
        return data


class AllocateForm(forms.Form):
    bill = forms.CharField(label=_("Bill number"), max_length=40)
    amount = _money(_("Amount"))


class RefundForm(forms.Form):
    amount = _money(_("Amount"))
    refunded_on = _day(_("Refunded on"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        validators=[validate_civil_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class InvoiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Invoice type"), choices=InvoiceKind.choices)
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    issued_on = _day(_("Invoice date"))
    amount = _money(_("Amount incl. tax"))
    tax_rate = forms.DecimalField(
        label=_("Tax rate"),
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=Decimal("0.9999"),
    )
    buyer_name = forms.CharField(label=_("Buyer"), max_length=200)
    buyer_tax_id = forms.CharField(label=_("Buyer tax number"), required=False, max_length=30)


class InvoiceReverseForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for reversal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        # Flashed on the bill's page without the field beside it: the message says which.
        error_messages={"required": _("Give the reason for reversing the invoice.")},
    )
