"""One way to run a POST action on a matter page: visibility (404), permission (403), the
form, the service call, messages, back to the matter. Used by every app's matter actions;
it sits beside the gate it asks first.

A submission that fails (the form's own checks or the service's `ValidationError`) saves
nothing and shows the same form again, bound with what was typed and each error beside its
field, so a long note or a hearing with one wrong field is not lost:

- from a form that htmx posts (the matter page's forms on demand, `matters/matter_form.html`
  with `MatterForm.in_place`): that form alone, status 422, `HX-Retarget: this` and
  `HX-Reswap: outerHTML` (the page's htmx config swaps a 422, base.html);
- from a plain POST (no JavaScript, or a form in a section): a page of its own for that
  action (the matter, the form, its errors, a link back), status 422.

Success, a stale edit and an action without a form go back to the matter with a message;
for htmx as a client-side redirect (`HX-Redirect`), so the whole page reloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import AlreadySent, NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.core.once import already_sent_message, sent_once
from lexcase.matters.extensions import matter_form_for_action
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matter_get

# run(matter, cleaned_data) may return warnings to show beside the success message.
Run = Callable[[Any, dict[str, Any]], Iterable[str] | None]


@dataclass(frozen=True)
class _Heading:
    """What the form's own page calls it, for an action no `MatterForm` is registered for."""

    title: Any
    submit: Any
    css: str = "form-inline"
    primary: bool = True
    in_place: bool = True


def _htmx(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def matter_back(request: AuthedRequest, matter: Matter, anchor: str = "") -> HttpResponse:
    """Back to the matter's page (a full page load also for an htmx request)."""
    path = reverse("matters:detail", args=[matter.pk])
    if _htmx(request):
        response = HttpResponseClientRedirect(path + anchor)
        if anchor and (request.htmx.current_url_abs_path or "").split("#")[0] == path:
            # The browser only scrolls to a fragment of the page it shows: load it again.
            response["HX-Refresh"] = "true"
        return response
    return redirect(path + anchor)


def matter_form_again(
    request: AuthedRequest,
    matter: Matter,
    form: forms.Form,
    *,
    title: Any = None,
    submit: Any = None,
    fields_template: str = "",
    once: bool = False,
) -> HttpResponse:
    """The form that failed, bound with what was typed and its errors (status 422): the form
    alone for htmx, else on a page of its own. Its heading is the registered `MatterForm`'s
    whose action this request is, else `title`/`submit`. `once`: the form carries a new
    one-time key (core.once; the refused one was freed)."""
    match = request.resolver_match
    entry: Any = matter_form_for_action(match.view_name) if match else None
    if entry is None:
        entry = _Heading(title=title or _("Check the form"), submit=submit or _("Save"))
    context = {
        "matter": matter,
        "entry": entry,
        "form": form,
        "action": request.get_full_path(),
        "fields_template": fields_template,
        "once": once,
    }
    if _htmx(request):
        response = render(request, "matters/matter_form.html#form", context, status=422)
        response["HX-Retarget"] = "this"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "matters/matter_form.html", context, status=422)


def matter_action(
    request: AuthedRequest,
    matter_id: int,
    perm: str,
    run: Run,
    form: forms.Form | None = None,
    *,
    title: Any = None,
    submit: Any = None,
    anchor: str = "",
    once: bool = False,
    saved: Callable[[], str] | None = None,
) -> HttpResponse:
    """`once`: the form carries a one-time key and `run` is carried out once per key
    (core.once: the same form sent again writes nothing and says so). `saved`: the success
    message, asked after `run` succeeded (it may say what was done); else 已保存。"""
    matter = matter_get(user=request.user, pk=matter_id)
    if not request.user.has_perm(perm, matter):
        raise PermissionDenied
    if form is not None and not form.is_valid():
        return matter_form_again(request, matter, form, title=title, submit=submit, once=once)
    try:
        with sent_once(request) if once else nullcontext():
            warnings = run(matter, form.cleaned_data if form is not None else {})
    except AlreadySent:
        messages.warning(request, already_sent_message())
        return matter_back(request, matter, anchor)
    except NotAllowed:
        raise PermissionDenied from None
    except StaleEdit:
        messages.error(request, _("The matter changed meanwhile; please try again."))
    except ValidationError as exc:
        if form is not None:
            # The service refused what was typed (each service is atomic: nothing written).
            apply_service_errors(form, exc)
            return matter_form_again(request, matter, form, title=title, submit=submit, once=once)
        for error in exc.messages:
            messages.error(request, error)
    else:
        for warning in warnings or ():
            messages.warning(request, warning)
        messages.success(request, saved() if saved is not None else _("Saved."))
    return matter_back(request, matter, anchor)
