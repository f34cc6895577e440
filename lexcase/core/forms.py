"""Small helpers shared by forms and views."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from lexcase.core.validators import validate_civil_date


class CivilDateField(forms.DateField):
    """A date a firm's record can hold (the civil range of `core/validators`): 0001-01-01
    typed into a browser's date picker is a slip, and date arithmetic on it overflows."""

    default_validators = [validate_civil_date]


class CivilDateTimeField(forms.DateTimeField):
    """A date and time in the civil range (see `CivilDateField`)."""

    default_validators = [validate_civil_date]


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form; unknown fields become form errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_errors(request: HttpRequest, form: forms.Form) -> None:
    """A POST-and-redirect form's errors, shown as messages on the page it returns to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
