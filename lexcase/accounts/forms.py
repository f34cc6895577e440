from __future__ import annotations

from typing import Any, cast

from allauth.account.forms import ResetPasswordForm
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import Role, Team, TokenScope
from lexcase.accounts.selectors import active_staff
from lexcase.accounts.services import password_reset_request
from lexcase.core.forms import EditVersionField, ModelIdsField


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: phone lost, reported by telephone on 6 December."),
        error_messages={"required": _("Say why the second factor is reset.")},
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    # Read-only unless the holder asks for more: most integrations only read.
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        days = cast(forms.IntegerField, self.fields["days"])
        days.initial = settings.LEXCASE_API_TOKEN_DAYS
        days.max_value = settings.LEXCASE_API_TOKEN_MAX_DAYS
        days.validators.append(MaxValueValidator(settings.LEXCASE_API_TOKEN_MAX_DAYS))


class FirmProfileForm(forms.Form):
    name = forms.CharField(label=_("Firm name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    licence_number = forms.CharField(
        label=_("Practice licence number (执业许可证号)"), max_length=30, required=False
    )
    phone = forms.CharField(label=_("Telephone"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    bank_name = forms.CharField(
        label=_("Bank"),
        max_length=100,
        required=False,
        help_text=_("Where clients pay the firm: shown with their bills in the client portal."),
    )
    bank_account_name = forms.CharField(
        label=_("Account name"),
        max_length=100,
        required=False,
        help_text=_("Empty: the firm name."),
    )
    bank_account = forms.CharField(label=_("Account number"), max_length=40, required=False)
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 256 KB.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    sole_partner_self_review = forms.BooleanField(
        label=_("Sole-partner firm"),
        required=False,
        help_text=_(
            "A partner may review the conflict check of an intake they registered themselves, "
            "with a recorded reason, because no other partner can."
        ),
    )
    version = EditVersionField()


class PasswordResetRequestForm(ResetPasswordForm):
    """allauth's request form without its lookup: the address is handed to
    services.password_reset_request, which answers the same for every address."""

    def clean_email(self) -> str:
        self.users: list[Any] = []
        return self.cleaned_data["email"].strip().lower()

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email = self.cleaned_data["email"]
        password_reset_request(
            email=email,
            base_url=request.build_absolute_uri("/"),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        return email


class _MembersChoice(ModelIdsField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    members = _MembersChoice(
        label=_("Members"),
        queryset=active_staff().order_by("name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person is in one team: ticking someone moves them here."),
    )


class PracticeAreaForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, e.g. ip-litigation; fixed once created."),
    )
    name = forms.CharField(label=_("Practice area name"), max_length=100)
    members = _MembersChoice(
        label=_("Lawyers who practise it"),
        queryset=active_staff().order_by("name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
