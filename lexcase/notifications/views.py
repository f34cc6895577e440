"""The notification list and the e-mail preferences page (routes in `comms:` for
continuity of the URL names)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.notifications import selectors, services
from lexcase.notifications.kinds import NOTIFICATION_KINDS


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    notes = selectors.notifications_for(user=request.user)
    return render(request, "notifications/notifications.html", {"notes": notes})


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("comms:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthedRequest) -> HttpResponse:
    current = selectors.notification_preferences(user=request.user)
    if request.method == "POST":
        wanted = {kind: f"email_{kind}" in request.POST for kind in NOTIFICATION_KINDS}
        services.notification_preferences_set(user=request.user, email_by_kind=wanted)
        messages.success(request, _("Saved."))
        return redirect("comms:preferences")
    rows = [(kind, label, current[kind]) for kind, label in NOTIFICATION_KINDS.items()]
    return render(request, "notifications/preferences.html", {"rows": rows})
