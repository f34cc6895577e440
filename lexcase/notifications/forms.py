from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import Team
from lexcase.core.forms import EditVersionField
from lexcase.notifications.kinds import RobotEvent
from lexcase.notifications.models import RobotChannel


class RobotChannelForm(forms.Form):
    """A team's group robot. The stored URL and secret are never put back into the form:
    leaving them empty keeps them."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), empty_label=None)
    platform = forms.ChoiceField(label=_("Platform"), choices=RobotChannel.Platform.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("Signing secret (钉钉 加签 / 飞书 签名校验)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)
    events = forms.MultipleChoiceField(
        label=_("Post"),
        choices=RobotEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    # The version the editor loaded (optimistic locking); only on the edit form.
    version = EditVersionField(required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["url"].help_text = _("Leave empty to keep the stored address.")
            self.fields["secret"].help_text = _("Leave empty to keep the stored secret.")
        else:
            del self.fields["clear_secret"]
            del self.fields["version"]

    def secret_value(self) -> str | None:
        """What to store: the new secret, "" to remove it, None to keep it."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data.get("secret") or None
