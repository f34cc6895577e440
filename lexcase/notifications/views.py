"""The notification list and the preferences page (routes in `comms:` for continuity of
the URL names); the teams' group-robot channels for administrators (`notifications:`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.notifications import robots, selectors, services
from lexcase.notifications.forms import RobotChannelForm
from lexcase.notifications.kinds import NOTIFICATION_KINDS, RobotEvent
from lexcase.notifications.models import RobotChannel


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    """The user's notifications: their texts name matters (numbers, titles, deadlines), so
    the page is a read of those matters on record, as the other lists of several matters
    record it (`matters.services.matters_record_list_read`, which sits above this app: the
    same event, written here)."""
    notes = list(selectors.notifications_for(user=request.user))
    matter_ids = selectors.notifications_matter_ids(notes)
    if matter_ids:
        audit_record(
            actor=request.user,
            action="matter.list_view",
            data={"page": "comms:notifications", "matters": matter_ids},
        )
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
        services.notification_preferences_set(
            user=request.user,
            email_by_kind={kind: f"email_{kind}" in request.POST for kind in NOTIFICATION_KINDS},
            in_app_by_kind={kind: f"app_{kind}" in request.POST for kind in NOTIFICATION_KINDS},
        )
        messages.success(request, _("Saved."))
        return redirect("comms:preferences")
    rows = [(kind, label, *current[kind]) for kind, label in NOTIFICATION_KINDS.items()]
    return render(request, "notifications/preferences.html", {"rows": rows})


# -- Group-robot channels (administrators) --------------------------------------------------


def _require_robot_admin(request: AuthedRequest) -> None:
    if not request.user.has_perm("notifications.manage_robots"):
        raise PermissionDenied


def _robot_save(
    request: AuthedRequest, form: RobotChannelForm, channel: RobotChannel | None
) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.robot_channel_save(
            actor=request.user,
            channel=channel,
            team=data["team"],
            platform=data["platform"],
            name=data["name"],
            url=data["url"],
            secret=form.secret_value(),
            events=list(data["events"]),
            active=bool(data["active"]),
            version=data.get("version"),
        )
    except StaleEdit:
        form.add_error(
            None,
            _(
                "Someone else changed this group robot while you were editing. Reload the "
                "page to see their changes, then apply yours again."
            ),
        )
        return False
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def robot_channels(request: AuthedRequest) -> HttpResponse:
    """The teams' group robots: the list (URLs and secrets masked), a new one, the log."""
    _require_robot_admin(request)
    form = RobotChannelForm(request.POST or None)
    if request.method == "POST" and _robot_save(request, form, None):
        messages.success(request, _("Saved."))
        return redirect("notifications:robots")
    channels = [
        (c, robots.mask_url(c.url), robots.mask_secret(c.secret))
        for c in selectors.robot_channels()
    ]
    return render(
        request,
        "notifications/robots.html",
        {
            "form": form,
            "channels": channels,
            "deliveries": selectors.robot_deliveries_recent(),
            "events": dict(RobotEvent.choices),
        },
        status=422 if request.method == "POST" else 200,  # refused: as typed, nothing saved
    )


@login_required
@require_http_methods(["GET", "POST"])
def robot_channel_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_robot_admin(request)
    channel = get_object_or_404(RobotChannel, pk=pk)
    initial = {
        "team": channel.team_id,
        "platform": channel.platform,
        "name": channel.name,
        "events": channel.events,
        "active": channel.active,
        "version": channel.version,
    }
    form = RobotChannelForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and _robot_save(request, form, channel):
        messages.success(request, _("Saved."))
        return redirect("notifications:robots")
    return render(
        request,
        "notifications/robot_edit.html",
        {
            "form": form,
            "channel": channel,
            "masked_url": robots.mask_url(channel.url),
            "masked_secret": robots.mask_secret(channel.secret),
        },
        status=422 if request.method == "POST" else 200,  # refused: as typed, nothing saved
    )


@login_required
@require_POST
def robot_channel_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_robot_admin(request)
    services.robot_channel_delete(
        actor=request.user, channel=get_object_or_404(RobotChannel, pk=pk)
    )
    messages.success(request, _("Removed."))
    return redirect("notifications:robots")


@login_required
@require_POST
def robot_channel_test(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_robot_admin(request)
    services.robot_test_send(actor=request.user, channel=get_object_or_404(RobotChannel, pk=pk))
    messages.success(request, _("A test message is on its way; its outcome appears below."))
    return redirect("notifications:robots")
