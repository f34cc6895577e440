from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.core.forms import ModelIdField, ModelIdsField, past_64_bits
from lexcase.matters.models import Matter
from lexcase.parties.models import Party
from lexcase.portal.selectors import grantable_matters, invitable_parties
from lexcase.portal.services import MESSAGE_MAX


class MatterChoiceField(ModelIdField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class MatterMultipleChoiceField(ModelIdsField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


# What a checkbox sends when ticked or not (and the spellings a script may use); any other
# value is a field error, not silently "shown" (Django's BooleanField reads any text as on).
CHECKBOX_VALUES = frozenset({"", "on", "1", "true", "0", "false"})


class BillsVisibleField(forms.BooleanField):
    """Whether the contact also sees the bills issued to its client on the matters granted
    (`ClientContactMatter.bills_visible`): off unless ticked."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Also show the bills issued to this client on these matters"))
        super().__init__(required=False, initial=False, **kwargs)


def _checkbox_value_known(form: forms.Form, name: str) -> None:
    """A field error for a value the checkbox never sends (a forged form)."""
    if not form.is_bound:
        return
    raw = form.data.getlist(name) if hasattr(form.data, "getlist") else [form.data.get(name)]
    if any(str(value).strip().lower() not in CHECKBOX_VALUES for value in raw if value is not None):
        form.add_error(name, _("Tick the box or leave it empty."))


class ClientChoiceForm(forms.Form):
    """Step one of an invitation: whose contact (the matters offered depend on it)."""

    party: forms.ModelChoiceField[Party] = ModelIdField(label=_("Client"), queryset=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parties = invitable_parties(user=user)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = self.parties


class InviteForm(forms.Form):
    party: forms.ModelChoiceField[Party] = ModelIdField(
        label=_("Client"), queryset=None, widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("Contact's name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=150)
    # Only matters of this client that the inviter sees and works on.
    matters = MatterMultipleChoiceField(
        label=_("Matters the contact may see"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    bills_visible = BillsVisibleField()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = invitable_parties(user=user)
        raw = self.data.get("party") if self.is_bound else self.initial.get("party")
        try:
            given: Any = getattr(raw, "pk", raw)
            party_id = int(given)
        except (TypeError, ValueError):
            party_id = None
        if party_id is not None and past_64_bits(party_id):
            party_id = None  # names no party; SQLite's driver raises OverflowError on it
        cast(forms.ModelChoiceField, self.fields["matters"]).queryset = (
            grantable_matters(user=user, party=party_id)
            if party_id is not None
            else Matter.objects.none()
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _checkbox_value_known(self, "bills_visible")
        return cleaned


class GrantForm(forms.Form):
    matter = MatterChoiceField(label=_("Matter"), queryset=None)
    bills_visible = BillsVisibleField(label=_("Also show the bills issued to this client on it"))

    def __init__(self, *args: Any, user: Any, contact: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["matter"]).queryset = grantable_matters(
            user=user, party=contact.party_id
        ).exclude(portal_grants__contact=contact)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _checkbox_value_known(self, "bills_visible")
        return cleaned


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
