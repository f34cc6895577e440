from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.documents.models import Category


class TemplateUploadForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        help_text=_(
            "Upload under an existing key to add a new version (a starter's key replaces it)."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(
        label=_("Category of the generated papers"), choices=Category.choices
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    file = forms.FileField(label=_("Word file (.docx)"))


class GenerateForm(forms.Form):
    template = forms.SlugField(max_length=50)


class CourtMessagesForm(forms.Form):
    """One or several pasted court messages (the service checks their number and length)."""

    text = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6, "id": "court-text"}),
    )
