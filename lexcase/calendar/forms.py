from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.selectors import active_staff
from lexcase.calendar.models import LimitationEvent, ServedDocument
from lexcase.core.forms import CivilDateField, CivilDateTimeField, ModelIdsField


class DateInput(forms.DateInput):
    """A date picker; its value must be ISO (YYYY-MM-DD) whatever the UI language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ServedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=ServedDocument.Kind.choices)
    service_date = CivilDateField(label=_("Service date"), widget=DateInput)
    method = forms.ChoiceField(label=_("Service method"), choices=ServedDocument.Method.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    final = forms.TypedChoiceField(
        label=_("Final when served?"),
        choices=[
            ("", _("Decide from the stage")),
            ("yes", _("Yes: second instance, final at first instance, arbitral award")),
            ("no", _("No: it can still be appealed")),
        ],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )


class EffectiveForm(forms.Form):
    effective_date = CivilDateField(
        label=_("Took effect on"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty: the day after the appeal period ends."),
    )


class DeadlineForm(forms.Form):
    title = forms.CharField(label=_("Deadline"), max_length=200)
    due_date = CivilDateField(label=_("Due date"), widget=DateInput)
    due_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=active_staff(),
        required=False,
        empty_label="—",
    )


class ConfirmForm(forms.Form):
    due_date = CivilDateField(label=_("Due date"), widget=DateInput, required=False)


class HearingForm(forms.Form):
    court = forms.CharField(label=_("Court"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    courtroom = forms.CharField(label=_("Courtroom"), max_length=100, required=False)
    starts_at = CivilDateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = CivilDateTimeField(
        label=_("Ends at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    attendees = ModelIdsField(
        label=_("Attendees"),
        queryset=active_staff(),
        required=False,
        help_text=_("Nobody chosen: the lead lawyer attends."),
    )


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("State Council notice"), max_length=300)
    csv = forms.CharField(
        label=_("Days (CSV: date,kind,name — kind is rest or work)"),
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class LimitationForm(forms.Form):
    claim = forms.CharField(label=_("Claim"), max_length=200)
    rule_id = forms.ChoiceField(
        label=_("Limitation rule"),
        choices=[
            ("limitation.general", _("General limitation (3 years)")),
            ("limitation.international_sale", _("International sale of goods (4 years)")),
            ("labor.arbitration_limitation", _("Labour arbitration (1 year)")),
        ],
    )
    start_date = CivilDateField(
        label=_("Knew or should have known of the harm on"), widget=DateInput
    )


class LimitationEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=LimitationEvent.Kind.choices)
    day = CivilDateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
