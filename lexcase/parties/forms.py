from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.core.forms import EditVersionField
from lexcase.parties.identifiers import mask_identifier
from lexcase.parties.models import PartyKind, PartyRelation


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = forms.CharField(
        label=_("Aliases and former names (one per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    passport = forms.CharField(label=_("Passport number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


IDENTIFIER_FIELDS = ("id_number", "credit_code", "passport")


class PartyEditForm(PartyForm):
    """Editing never shows a stored identifier in full (issue 18 item 11): its field starts
    blank with the masked value as placeholder; blank keeps the stored value, a new value
    replaces it, and the "remove" box next to it clears it."""

    version = EditVersionField()

    def __init__(self, *args: object, stored: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        order = list(self.fields)
        for name in IDENTIFIER_FIELDS:
            if not stored.get(name):
                continue
            masked = mask_identifier(stored[name])
            self.fields[name].widget.attrs["placeholder"] = masked
            self.fields[f"clear_{name}"] = forms.BooleanField(
                label=_("Remove the stored number %(masked)s") % {"masked": masked},
                required=False,
            )
            order.insert(order.index(name) + 1, f"clear_{name}")
        self.order_fields(order)

    def identifier_changes(self) -> dict[str, str]:
        """The identifiers to write: typed ones, and "" for removed ones; untouched blank
        fields are left out so that the stored value stays."""
        changes = {}
        for name in IDENTIFIER_FIELDS:
            if self.cleaned_data.get(name):
                changes[name] = self.cleaned_data[name]
            elif self.cleaned_data.get(f"clear_{name}"):
                changes[name] = ""
        return changes


class PartySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *PartyKind.choices], required=False
    )


class RelationForm(forms.Form):
    """The named party is <kind> of this one, e.g. its legal representative or shareholder
    (created if new, reused by identifier)."""

    kind = forms.ChoiceField(label=_("Relation"), choices=PartyRelation.Kind.choices)
    other_name = forms.CharField(label=_("Related party"), max_length=200)
    other_kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    other_identifier = forms.CharField(
        label=_("ID number / credit code"), max_length=18, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
