from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import PracticeArea, Role, User
from lexcase.matters.models import (
    CaseCause,
    MatterType,
    MemberRole,
    PartyRole,
    Priority,
    Stage,
    Status,
)
from lexcase.parties.models import PartyKind


def _lawyers() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(
            is_active=True, role__in=[Role.LAWYER, Role.PARTNER, Role.ADMIN]
        ).order_by("username"),
        required=False,
        empty_label="—",
    )


class MatterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    matter_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All")), *MatterType.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("All")), *Priority.choices], required=False
    )
    practice_area = forms.ModelChoiceField(
        label=_("Practice area"),
        queryset=PracticeArea.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    lawyer = forms.ModelChoiceField(
        label=_("Team member"),
        queryset=User.objects.filter(is_active=True).exclude(role=Role.FINANCE),
        required=False,
        empty_label=_("All"),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            ("activity", _("Last activity")),
            ("number", _("Number")),
            ("created", _("Newest")),
            ("priority", _("Priority")),
        ],
        required=False,
    )


class MatterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    matter_type = forms.ChoiceField(label=_("Matter type"), choices=MatterType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P2)
    cause = forms.ModelChoiceField(
        label=_("Cause of action"),
        queryset=CaseCause.objects.filter(parent__isnull=False),
        required=False,
        empty_label="—",
    )
    practice_area = forms.ModelChoiceField(
        label=_("Practice area"),
        queryset=PracticeArea.objects.all(),
        required=False,
        empty_label="—",
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    amount = forms.DecimalField(
        label=_("Amount in dispute (CNY)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
    )
    court = forms.CharField(label=_("Court or arbitration body"), required=False, max_length=200)
    confidential = forms.BooleanField(label=_("Confidential (team members only)"), required=False)


class MatterEditForm(MatterForm):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MatterCreateForm(MatterForm):
    lead_lawyer = _lawyers()
    lead_lawyer.label = _("Lead lawyer")
    responsible_partner = forms.ModelChoiceField(
        label=_("Responsible partner"),
        queryset=User.objects.filter(is_active=True, role__in=[Role.PARTNER, Role.ADMIN]),
        required=False,
        empty_label="—",
    )


PARTY_ROWS = 3


class PartyRowForm(forms.Form):
    name = forms.CharField(label=_("Party name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    standing = forms.CharField(label=_("Procedural standing"), max_length=30, required=False)
    identifier = forms.CharField(label=_("ID number / credit code"), max_length=18, required=False)


PartyRowFormSet = forms.formset_factory(PartyRowForm, extra=PARTY_ROWS, max_num=10)


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    role = forms.ChoiceField(label=_("Team role"), choices=MemberRole.choices)


class WallForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CaseNumberForm(forms.Form):
    number = forms.CharField(label=_("Court case number"), max_length=60)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)
