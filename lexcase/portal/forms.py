from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.portal.selectors import invitable_parties
from lexcase.portal.services import MESSAGE_MAX


class InviteForm(forms.Form):
    party = forms.ModelChoiceField(label=_("Client"), queryset=None)
    name = forms.CharField(label=_("Contact's name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=150)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = invitable_parties(user=user)


class AcceptForm(forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message to your legal team"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Description"), max_length=200, required=False)
