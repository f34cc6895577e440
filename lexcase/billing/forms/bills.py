"""Forms of the bills area: drawing a bill, issuing, voiding, payments, invoices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.billing.models import BillStatus
from lexcase.core.validators import validate_civil_date


class BillDrawForm(forms.Form):
    matter = forms.CharField(label=_("Matter number"), max_length=40)
    as_of = forms.DateField(
        label=_("Bill what is due up to"),
        required=False,
        validators=[validate_civil_date],
        widget=forms.DateInput(attrs={"type": "date"}),
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
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BillVoidForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for voiding"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
