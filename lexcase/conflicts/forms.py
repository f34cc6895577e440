from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.conflicts.models import ConflictReview, StaffRelative
from lexcase.matters.models import PartyRole
from lexcase.parties.models import PartyKind

# An 18-character identifier typed in groups (110101 1990 0307 1233) or pasted with invisible
# format characters is longer than 18; the services normalise it before validating.
IDENTIFIER_INPUT_LENGTH = 40


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


class CheckPartyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    identifier = forms.CharField(
        label=_("ID number / credit code"), max_length=IDENTIFIER_INPUT_LENGTH, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A row is skipped when its name is blank: a number typed without one would be
        # dropped unseen, and its party never checked for conflicts.
        if not (data.get("name") or "").strip() and (data.get("identifier") or "").strip():
            self.add_error("name", _("Enter the name of the party with this number."))
        return data


CheckPartyFormSet = forms.formset_factory(CheckPartyForm, extra=3, max_num=20)


class RecordConsultationForm(forms.Form):
    record = forms.BooleanField(
        label=_("Record this consultation so it counts in future checks"),
        help_text=_(
            "Creates a closed consultation matter with these parties, with you on its team."
        ),
        required=False,
    )


class StaffRelativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices, initial=PartyKind.PERSON)
    relation = forms.ChoiceField(label=_("Relation"), choices=StaffRelative.Relation.choices)
    id_number = forms.CharField(
        label=_("ID number (optional)"), max_length=IDENTIFIER_INPUT_LENGTH, required=False
    )
