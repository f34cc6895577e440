"""The legal hold on the matter page (lexcase/matters/retention.py): set or release it, with
a reason; the responsible partner or an administrator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.matters import retention
from lexcase.matters.actions import matter_action
from lexcase.matters.models import Matter


class LegalHoldForm(forms.Form):
    hold = forms.ChoiceField(
        choices=[("set", _("Set a legal hold")), ("release", _("Release the legal hold"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


@login_required
@require_POST
def legal_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Matter, data: dict) -> None:
        if data["hold"] == "set":
            retention.legal_hold_set(actor=request.user, matter=matter, reason=data["reason"])
        else:
            retention.legal_hold_release(actor=request.user, matter=matter, reason=data["reason"])

    return matter_action(
        request,
        pk,
        "matters.set_legal_hold",
        run,
        LegalHoldForm(request.POST),
        title=_("Legal hold"),
    )


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any] | None:
    """Shown when a hold is active, and to those who may set one."""
    hold = retention.legal_hold_active(matter=matter)
    can_set = request.user.has_perm("matters.set_legal_hold", matter)
    if hold is None and not can_set:
        return None
    return {
        "template": "matters/_legal_hold_section.html",
        "hold": hold,
        "can_set": can_set,
        "form": LegalHoldForm(initial={"hold": "release" if hold else "set"}),
    }
