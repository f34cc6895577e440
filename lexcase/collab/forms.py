from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import User
from lexcase.accounts.selectors import active_collaborators
from lexcase.core.forms import CivilDateField, ModelIdsField
from lexcase.documents.models import Document
from lexcase.todos.models import Task


class HelperChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"


class TaskChoiceField(ModelIdsField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class InviteForm(forms.Form):
    collaborator: forms.ModelChoiceField[User] = HelperChoiceField(
        label=_("Outside helper"), queryset=None
    )
    tasks: forms.ModelMultipleChoiceField[Task] = TaskChoiceField(
        label=_("Tasks they may see"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    ends_on = CivilDateField(
        label=_("Access ends on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("tasks", [task.pk])
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collaborator"]).queryset = active_collaborators()
        cast(forms.ModelMultipleChoiceField, self.fields["tasks"]).queryset = Task.objects.filter(
            Q(pk=task.pk) | ~Q(status=Task.Status.DONE), matter=task.matter
        )


class ShareForm(forms.Form):
    document: forms.ModelChoiceField[Document] = DocumentChoiceField(
        label=_("Document"), queryset=None
    )

    def __init__(self, *args: Any, documents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["document"]).queryset = documents


class DeliverableForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
