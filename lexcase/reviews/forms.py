from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import User
from lexcase.core.forms import EditVersionField
from lexcase.documents.models import Document

SCORES = [(str(n), str(n)) for n in range(1, 6)]


class ReviewForm(forms.Form):
    """The review: the checklist (pre-ticked where the data says so), score, findings and
    follow-up actions, one per line."""

    checked = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple
    )
    score = forms.TypedChoiceField(
        label=_("Score (1 poor – 5 excellent)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_ups = forms.CharField(
        label=_("Follow-up actions (one per line; each becomes a task for the lead lawyer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = EditVersionField()

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["checked"]).choices = [
            (row["code"], f"{row['label']}" + (f" — {row['why']}" if row["why"] else ""))
            for row in rows
        ]
        if not self.is_bound:
            self.initial.setdefault("checked", [row["code"] for row in rows if row["auto"]])

    def follow_up_lines(self) -> list[str]:
        return (self.cleaned_data.get("follow_ups") or "").splitlines()


class DelegateForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The responsible partner"),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = candidates


class SurveyForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with our work?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    responsiveness = forms.TypedChoiceField(
        label=_("How quickly did we respond?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    clarity = forms.TypedChoiceField(
        label=_("How clear were our updates?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SealRequestForm(forms.Form):
    document: forms.ModelChoiceField[Document] = forms.ModelChoiceField(
        label=_("Document"), queryset=None
    )
    purpose = forms.CharField(label=_("Purpose of the seal"), max_length=500)

    def __init__(self, *args: Any, documents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["document"]).queryset = documents


class ArchiveRequestForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class DecideForm(forms.Form):
    note = forms.CharField(
        label=_("Note (required to refuse)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FileBackForm(forms.Form):
    file = forms.FileField(label=_("Sealed document"))
