from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import PracticeArea
from lexcase.accounts.selectors import (
    active_staff,
    lead_lawyer_candidates,
    matter_workers,
    responsible_partner_candidates,
)
from lexcase.core.forms import CivilDateField, EditVersionField, FixedChoiceField, ValuesChoiceField
from lexcase.matters.archive import (
    CHECKLIST_READERS,
    can_override_checklist,
    checklist_items,
    retention_classes,
)
from lexcase.matters.causes import cause_tree
from lexcase.matters.models import (
    CaseCause,
    CauseKind,
    ClosingChecklistItem,
    ClosingOutcome,
    MatterType,
    MemberRole,
    PartyRole,
    Priority,
    RetentionClass,
    Stage,
    Status,
)
from lexcase.matters.rules import matter_fields_editable, may_lower_confidentiality
from lexcase.parties.models import PartyKind


def _lawyers() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=lead_lawyer_candidates().order_by("username"),
        required=False,
        empty_label="—",
    )


class MatterFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = FixedChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    matter_type = FixedChoiceField(
        label=_("Type"), choices=[("", _("All")), *MatterType.choices], required=False
    )
    priority = FixedChoiceField(
        label=_("Priority"), choices=[("", _("All")), *Priority.choices], required=False
    )
    # Drawn from values, not instances (the list shows this form on every page).
    practice_area = ValuesChoiceField(
        label=_("Practice area"),
        queryset=PracticeArea.objects.all(),
        required=False,
        empty_label=_("All"),
        label_fields=("name",),
        label_of=str,
        fixed_key="matters.filter.practice_area",
    )
    lawyer = ValuesChoiceField(
        label=_("Team member"),
        queryset=matter_workers(),
        required=False,
        empty_label=_("All"),
        label_fields=("name", "username"),
        label_of=lambda name, username: name or username,  # User.display_name
        fixed_key="matters.filter.lawyer",
    )
    sort = FixedChoiceField(
        label=_("Sort"),
        choices=[
            ("activity", _("Last activity")),
            ("number", _("Number")),
            ("created", _("Newest")),
            ("priority", _("Priority")),
        ],
        required=False,
    )


class CauseSelect(forms.Select):
    """The 案由 picker: a list box grouped by part (民事), chapter (罪名) or 行政行为, causes
    indented under their parents, and a filter box (static/js/cause_picker.js) that matches
    names, parents, pinyin and pinyin initials and shows only the causes of the matter's
    type. Without JavaScript it is a plain list box."""

    template_name = "matters/widgets/cause_select.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "size": 10,
                "data-cause-picker": "1",
                # The filter's count line: "%s" is replaced by the number shown.
                "data-count-text": _("%s causes match"),
                **(attrs or {}),
            }
        )

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> list[Any]:

        chosen = {str(v) for v in value if v not in (None, "")}
        groups: list[tuple[str | None, list[dict[str, Any]], int]] = [
            (None, [self.create_option(name, "", "—", not chosen, 0)], 0)
        ]
        index = 1
        for root, options in cause_tree():
            subgroup = []
            for option in options:
                label = "\u3000" * (option.depth - 1) + option.name
                opt = self.create_option(
                    name, str(option.pk), label, str(option.pk) in chosen, index
                )
                opt["attrs"].update({"data-kind": option.kind, "data-search": option.search})
                subgroup.append(opt)
                index += 1
            label = f"{CauseKind(root.kind).label} · {root.name}"
            groups.append((label, subgroup, index))
        return groups


class MatterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    matter_type = forms.ChoiceField(label=_("Matter type"), choices=MatterType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P2)
    cause = forms.ModelChoiceField(
        label=_("Cause of action"),
        queryset=CaseCause.objects.filter(parent__isnull=False),
        required=False,
        empty_label="—",
        widget=CauseSelect,
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
    """Fields the user's role on the matter may not change are disabled (their posted values
    are ignored); the reason field shows only to who may lift confidentiality."""

    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)
    confidential_reason = forms.CharField(
        label=_("Reason for lifting confidentiality"),
        help_text=_(
            "Required when you untick “Confidential”: every partner of the firm will see the "
            "matter, and the team is notified."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
    )
    version = EditVersionField()

    field_order = [*MatterForm.base_fields, "confidential_reason", "outcome"]

    def __init__(self, *args: Any, user: Any, matter: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editable = set(matter_fields_editable(user, matter))
        for name, field in self.fields.items():
            if name not in ("version", "confidential_reason") and name not in editable:
                field.disabled = True
        if not (matter.confidential and may_lower_confidentiality(user, matter)):
            del self.fields["confidential_reason"]


class MatterCreateForm(MatterForm):
    lead_lawyer = _lawyers()
    lead_lawyer.label = _("Lead lawyer")
    responsible_partner = forms.ModelChoiceField(
        label=_("Responsible partner"),
        queryset=responsible_partner_candidates(),
        required=False,
        empty_label="—",
    )


PARTY_ROWS = 3


class PartyRowForm(forms.Form):
    name = forms.CharField(label=_("Party name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices)
    standing = forms.CharField(label=_("Procedural standing"), max_length=30, required=False)
    # Typed in groups (110101 1990 0307 1233) it is longer than 18; the services normalise it.
    identifier = forms.CharField(label=_("ID number / credit code"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A row is skipped when its name is blank: a number typed without one would be
        # dropped unseen, and its party never checked for conflicts.
        if not (data.get("name") or "").strip() and (data.get("identifier") or "").strip():
            self.add_error("name", _("Enter the name of the party with this number."))
        return data


PartyRowFormSet = forms.formset_factory(PartyRowForm, extra=PARTY_ROWS, max_num=10)


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=active_staff().order_by("username"))
    role = forms.ChoiceField(label=_("Team role"), choices=MemberRole.choices)


class WallForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=active_staff().order_by("username"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CaseNumberForm(forms.Form):
    number = forms.CharField(label=_("Court case number"), max_length=60)
    # Blank: the stage the number's type code tells (民初 → 一审, 民终 → 二审), else the
    # matter's current stage (services.matter_case_number_add).
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", _("From the case number")), *Stage.choices],
        required=False,
    )


class CloseForm(forms.Form):
    """Closing: the outcome and the completeness checklist (items are firm data). The
    override fields are offered only to partners and administrators."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ClosingOutcome.choices], required=True
    )
    outcome_text = forms.CharField(
        label=_("Outcome details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    checklist = forms.MultipleChoiceField(
        label=_("Completeness checklist"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    override_reason = forms.CharField(
        label=_("Close anyway: reason (partners and administrators)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["checklist"]).choices = [
            (item.code, item.display_label + ("" if item.required else _(" (optional)")))
            for item in checklist_items()
            if item.code not in CHECKLIST_READERS  # answered from the records, not ticked
        ]
        if self.is_bound and isinstance(self.data, MultiValueDict):
            # A tick sent for an item read from the records (an older page) is ignored, as
            # the service ignores it, rather than refused as an unknown choice.
            data = self.data.copy()
            data.setlist(
                "checklist", [c for c in data.getlist("checklist") if c not in CHECKLIST_READERS]
            )
            self.data = data
        if user is not None and not can_override_checklist(user):
            del self.fields["override_reason"]


class ArchiveForm(forms.Form):
    retention = forms.ChoiceField(label=_("Retention"))
    room = forms.CharField(label=_("Archive room"), max_length=60)
    shelf = forms.CharField(label=_("Shelf"), max_length=60)
    box = forms.CharField(label=_("Box"), max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["retention"]).choices = [
            (c.code, c.display_name) for c in retention_classes()
        ]


class LoanForm(forms.Form):
    # A username (with a <datalist> of staff on the page), not a <select> per file row.
    borrower = forms.CharField(
        label=_("Borrower (username)"),
        max_length=150,
        widget=forms.TextInput(attrs={"list": "staff-users", "autocomplete": "off"}),
    )
    due_on = CivilDateField(
        label=_("Due back on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)


class LoanReturnForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=9999)
    retention = forms.ChoiceField(label=_("Retention"), required=False)
    matter_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All")), *MatterType.choices], required=False
    )
    loan = forms.ChoiceField(
        label=_("Loan"),
        choices=[
            ("", _("All")),
            ("out", _("Lent out")),
            ("overdue", _("Overdue")),
            ("in", _("In the archive room")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["retention"]).choices = [
            ("", _("All")),
            *((c.code, c.display_name) for c in retention_classes()),
        ]


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ClosingChecklistItem
        fields = ["code", "label", "label_en", "required", "active", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Closings keep ticked codes: renaming a code would orphan them.
            self.fields["code"].disabled = True


class RetentionClassForm(forms.ModelForm):
    matter_types = forms.MultipleChoiceField(
        label=_("Default for matter types"),
        choices=MatterType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = RetentionClass
        fields = ["code", "name", "name_en", "years", "matter_types", "position", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Archive number counters are kept per class code.
            self.fields["code"].disabled = True


class _RetentionFormSet(forms.BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or not data.get("active", True):
                continue
            for matter_type in data.get("matter_types") or []:
                if matter_type in seen:
                    form.add_error(
                        "matter_types",
                        _("%(type)s is already the default of %(other)s.")
                        % {"type": MatterType(matter_type).label, "other": seen[matter_type]},
                    )
                seen[matter_type] = data.get("name") or ""


ChecklistItemFormSet = forms.modelformset_factory(
    ClosingChecklistItem, form=ChecklistItemForm, extra=1, can_delete=False
)
RetentionClassFormSet = forms.modelformset_factory(
    RetentionClass, form=RetentionClassForm, formset=_RetentionFormSet, extra=1, can_delete=False
)
