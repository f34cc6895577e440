from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import PracticeArea, Team
from lexcase.accounts.selectors import active_staff
from lexcase.core.forms import CivilDateTimeField, EditVersionField
from lexcase.matters.models import MatterType, Priority, Stage
from lexcase.todos.models import COMMENT_MAX, ChecklistItem, Task


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=active_staff(),
        required=False,
        empty_label=_("Me"),
    )
    due_at = CivilDateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("As the matter")), *list(Priority.choices)],
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskEditForm(TaskForm):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=active_staff(),
        required=False,
        empty_label=_("Nobody"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)
    version = EditVersionField()


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=Task.Status.choices)
    version = EditVersionField(required=False)


class BoardFilterForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=active_staff(),
        required=False,
        empty_label=_("Anyone"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *list(Priority.choices)], required=False
    )
    due = forms.ChoiceField(
        label=_("Due"),
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("today", _("Today")),
            ("week", _("Next 7 days")),
        ],
        required=False,
    )


class WorkloadFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("All teams")
    )
    practice_area = forms.ModelChoiceField(
        label=_("Practice area"),
        queryset=PracticeArea.objects.all(),
        required=False,
        empty_label=_("All practice areas"),
    )


class ChecklistItemForm(forms.Form):
    matter_type = forms.ChoiceField(label=_("Matter type"), choices=MatterType.choices)
    stage = forms.ChoiceField(
        label=_("When"),
        choices=[("", _("When the matter opens")), *list(Stage.choices)],
        required=False,
    )
    title = forms.CharField(label=_("Task"), max_length=200)
    due_days = forms.IntegerField(
        label=_("Due after (days)"), min_value=0, max_value=365, initial=7
    )
    assign_to = forms.ChoiceField(label=_("Assign to"), choices=ChecklistItem.Assign.choices)
