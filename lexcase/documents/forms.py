from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.core.forms import CivilDateField, EditVersionField
from lexcase.documents.models import Category

ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.docx,.xlsx,.txt"


class DateInput(forms.DateInput):
    """A date picker; its value must be ISO (YYYY-MM-DD) whatever the UI language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (content, size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT, "class": "doc-files"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def category_choices(auto: bool) -> list[tuple[str, Any]]:
    head = [("", _("Suggest from the file"))] if auto else []
    return head + list(Category.choices)


class UploadForm(forms.Form):
    # A declared field: the form's metaclass moves it into base_fields, so it never hides
    # BaseForm.files (the uploaded files) on an instance.
    files = MultipleFileField(label=_("Files"), allow_empty_file=True)  # type: ignore[assignment]
    category = forms.ChoiceField(label=_("Category"), choices=(), required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("For a single file; by default the file name."),
    )
    on_date = CivilDateField(label=_("Date"), widget=DateInput, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices(auto=True)
        self.fields["category"].widget.attrs["class"] = "doc-category"


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("New version"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    on_date = CivilDateField(label=_("Date"), widget=DateInput, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    shared_with_client = forms.BooleanField(label=_("Shared with the client"), required=False)
    version = EditVersionField()
