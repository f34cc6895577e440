from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.conflicts.models import ConflictReview


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Review decision"), choices=ConflictReview.Decision.choices
    )
    consent_reference = forms.CharField(
        label=_("Signed informed consent (知情同意书) reference"), max_length=200, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
