from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lexcase.accounts import services
from lexcase.accounts.forms import TokenCreateForm, UserCreateForm
from lexcase.accounts.models import User
from lexcase.core.exceptions import NotAllowed
from lexcase.core.forms import apply_service_errors


def _require_admin(request: HttpRequest) -> None:
    if not request.user.has_perm("accounts.manage_users"):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:users")
    users = User.objects.select_related("team").order_by("role", "username")
    return render(request, "accounts/users.html", {"form": form, "users": users})


@login_required
@require_POST
def user_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate yourself."))
    else:
        services.user_set_active(user=user, active=not user.is_active, actor=request.user)
        messages.success(request, _("Saved."))
    return redirect("accounts:users")


@login_required
@require_POST
def user_end_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    # Refused before the lookup, so nobody else learns which user ids exist.
    if not request.user.has_perm("accounts.end_sessions"):
        raise PermissionDenied
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    try:
        services.user_sessions_end(user=user, actor=request.user)
    except NotAllowed:
        raise PermissionDenied from None
    if user.pk == request.user.pk:
        # The administrator's own other sessions end; the one they are using stays.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your other sessions were ended."))
    else:
        messages.success(
            request,
            _("Every session of %(name)s was ended; they must sign in again.")
            % {"name": user.username},
        )
    return redirect("accounts:users")


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenCreateForm()
    tokens = request.user.api_tokens.all()
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "raw": raw})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = request.user.api_tokens.filter(pk=pk).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
