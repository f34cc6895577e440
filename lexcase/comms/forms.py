from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.template import Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lexcase.accounts.selectors import active_staff
from lexcase.comms.models import Channel, Direction
from lexcase.comms.services import FUTURE_TOLERANCE
from lexcase.core.forms import CivilDateField, CivilDateTimeField, EditVersionField
from lexcase.core.schema import MAX_ID
from lexcase.matters.models import Priority


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


# Names may be separated the Chinese way too: 、，；
_SPLIT = re.compile(r"[,，、;；\n]+")


def split_names(value: str) -> list[str]:
    return [n.strip() for n in _SPLIT.split(value or "") if n.strip()]


class CommunicationForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND
    )
    occurred_at = CivilDateTimeField(
        label=_("When"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Empty: now."),
    )
    summary = forms.CharField(
        label=pgettext_lazy("communication", "Summary"), widget=forms.Textarea(attrs={"rows": 2})
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("usernames, client contacts")}),
        help_text=_("Colleagues by username, client contacts by name; separate with commas."),
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    create_task = forms.BooleanField(label=_("Create a task for the follow-up"), required=False)

    def __init__(self, *args: Any, documents: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if documents:
            # Attach documents already on the matter (only offered when there are some).
            self.fields["documents"] = forms.TypedMultipleChoiceField(
                label=_("Documents"),
                choices=documents,
                coerce=int,
                required=False,
                widget=forms.SelectMultiple(attrs={"size": min(len(documents), 4)}),
            )

    def clean_occurred_at(self) -> Any:
        # Checked here too (the service has the last word) so every error shows at once.

        value = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(_("A communication cannot be in the future."))
        return value

    def clean_participants(self) -> list[str]:
        return split_names(self.cleaned_data.get("participants", ""))


class PolicyForm(forms.Form):
    interval_days = forms.IntegerField(
        label=_("Update the client every (days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Empty: the default for the matter's priority."),
    )
    version = EditVersionField(first=0)  # 0: no row yet


class ReportForm(forms.Form):
    needs_from_client = forms.CharField(
        label=_("What we need from the client"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Communications are internal notes until the lawyer picks one for the client to read.
    communication_ids = forms.TypedMultipleChoiceField(
        label=_("Contacts to mention in the report"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    send = forms.BooleanField(label=_("Send it to the client by e-mail"), required=False)
    recipient = forms.EmailField(label=_("Client e-mail"), required=False)

    def __init__(self, *args: Any, communications: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["communication_ids"]).choices = [
            (
                c.pk,
                f"{timezone.localtime(c.occurred_at):%Y-%m-%d} {c.get_channel_display()}："
                f"{Truncator(c.summary).chars(60)}",
            )
            for c in communications
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("send") and not data.get("recipient"):
            self.add_error("recipient", _("Give the client's e-mail address to send the report."))
        return data


class ReportTemplateForm(forms.Form):
    body = forms.CharField(label=_("Template"), widget=forms.Textarea(attrs={"rows": 30}))
    version = EditVersionField(first=0)  # 0: no row yet

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            Engine.get_default().from_string(body)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(
                _("The template does not compile: %(error)s"), params={"error": exc}
            ) from None
        return body


class CommunicationFilterForm(forms.Form):
    lawyer = forms.ModelChoiceField(
        label=_("Lawyer"),
        queryset=active_staff().order_by("username"),
        to_field_name="username",
        required=False,
        empty_label=_("All"),
    )
    # Bounded like a primary key: a larger number overflowed SQLite's integer (HTTP 500).
    matter = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    client = forms.CharField(label=_("Client"), required=False, max_length=100)
    start = CivilDateField(label=_("From"), required=False, widget=DateInput)
    end = CivilDateField(label=_("To"), required=False, widget=DateInput)


class IntervalsForm(forms.Form):
    """One field per priority: days between client updates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for priority, label in Priority.choices:
            self.fields[priority] = forms.IntegerField(label=label, min_value=1, max_value=365)
