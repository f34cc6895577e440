"""One way to run a POST action on a matter page: visibility (404), permission (403), the
form, the service call, messages, back to the matter. Used by every app's matter actions;
it sits beside the gate it asks first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import flash_errors
from lexcase.matters.selectors import matter_get

# run(matter, cleaned_data) may return warnings to show beside the success message.
Run = Callable[[Any, dict[str, Any]], Iterable[str] | None]


def matter_action(
    request: AuthedRequest, matter_id: int, perm: str, run: Run, form: forms.Form | None = None
) -> HttpResponse:
    matter = matter_get(user=request.user, pk=matter_id)
    if not request.user.has_perm(perm, matter):
        raise PermissionDenied
    if form is not None and not form.is_valid():
        flash_errors(request, form)
        return redirect("matters:detail", pk=matter.pk)
    try:
        warnings = run(matter, form.cleaned_data if form is not None else {})
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        messages.error(request, _("The matter changed meanwhile; please try again."))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        for warning in warnings or ():
            messages.warning(request, warning)
        messages.success(request, _("Saved."))
    return redirect("matters:detail", pk=matter.pk)
