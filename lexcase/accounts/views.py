from __future__ import annotations

from allauth.account.views import PasswordResetView as AllauthPasswordResetView
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import remove_webauthn
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lexcase.accounts import selectors, services
from lexcase.accounts.forms import (
    FirmProfileForm,
    PasswordResetRequestForm,
    PracticeAreaForm,
    SecondFactorResetForm,
    TeamForm,
    TokenCreateForm,
    UserCreateForm,
)
from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.models import PracticeArea, Team, User
from lexcase.accounts.rules import mfa_required_for
from lexcase.accounts.selectors import firm_profile
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors


def _require_admin(request: AuthedRequest) -> None:
    if not request.user.has_perm("accounts.manage_users"):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request: AuthedRequest) -> HttpResponse:
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
    return _users_page(request, form, status=422 if form.errors else 200)


def _users_page(
    request: AuthedRequest, form: UserCreateForm, *, status: int = 200, refused: str = ""
) -> HttpResponse:
    """The users page; refused (a new user's form as typed, or `refused`: why an action on
    a user was refused), status 422 and nothing written."""
    users = User.objects.select_related("team").order_by("role", "username")
    return render(
        request,
        "accounts/users.html",
        {"form": form, "users": users, "refused": refused},
        status=status,
    )


@login_required
@require_POST
def user_toggle_active(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    if user.pk == request.user.pk:
        refused = _("You cannot deactivate yourself.")
        return _users_page(request, UserCreateForm(), status=422, refused=refused)
    services.user_set_active(user=user, active=not user.is_active, actor=request.user)
    messages.success(request, _("Saved."))
    return redirect("accounts:users")


@login_required
@require_POST
def user_end_sessions(request: AuthedRequest, pk: int) -> HttpResponse:
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
@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("accounts.unlock_login"):
        raise PermissionDenied
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    services.user_login_unlock(user=user, actor=request.user, request=request)
    messages.success(request, _("%(name)s may try to sign in again.") % {"name": user.username})
    return redirect("accounts:users")


@login_required
@require_http_methods(["GET", "POST"])
def user_second_factor_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """An administrator removes another user's second factor (lost phone) with a reason."""
    # Refused before the lookup, so nobody else learns which user ids exist.
    if not request.user.has_perm("accounts.reset_second_factor"):
        raise PermissionDenied
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    if not request.user.has_perm("accounts.reset_second_factor", user):
        # Their own: through their own two-factor page, which asks for the password again.
        raise PermissionDenied
    form = SecondFactorResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.user_second_factor_reset(
                    user=user, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The second factor of %(name)s was removed and their sessions ended; "
                        "they were told by e-mail."
                    )
                    % {"name": user.username},
                )
                return redirect("accounts:users")
    kinds = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    return render(
        request,
        "accounts/second_factor_reset.html",
        {
            "form": form,
            "target": user,
            "kinds": kinds,
            "required": mfa_required_for(user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            form = TokenCreateForm()
    tokens = request.user.api_tokens.all()
    others = selectors.live_tokens_of_others(actor=request.user)
    response = render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "raw": raw, "others": others, "now": timezone.now()},
    )
    # The page may carry a new secret: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = selectors.token_revocable_by(actor=request.user, pk=pk)
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


@login_required
@require_http_methods(["GET", "POST"])
def firm_profile_edit(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.change_firmprofile"):
        raise PermissionDenied
    profile = firm_profile()
    initial = {
        "name": profile.name,
        "address": profile.address,
        "licence_number": profile.licence_number,
        "phone": profile.phone,
        "email": profile.email,
        "website": profile.website,
        "bank_name": profile.bank_name,
        "bank_account_name": profile.bank_account_name,
        "bank_account": profile.bank_account,
        "sole_partner_self_review": profile.sole_partner_self_review,
        "version": profile.version,
    }
    form = FirmProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("logo")
        try:
            services.firm_profile_update(
                actor=request.user,
                version=data.pop("version"),
                remove_logo=data.pop("remove_logo"),
                # The form caps the size again in the service; reading one byte past the cap
                # is enough to refuse a larger file.
                logo=upload.read(services.LOGO_MAX_BYTES + 1) if upload else None,
                **data,
            )
        except StaleEdit:
            form.add_error(
                None,
                _(
                    "Someone else changed the firm profile while you were editing. "
                    "Reload the page to see their changes, then apply yours again."
                ),
            )
            status = 409
        except ValidationError as exc:
            apply_service_errors(form, exc)
            status = 422
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:firm")
    elif request.method == "POST":
        status = 422
    return render(request, "accounts/firm.html", {"form": form, "profile": profile}, status=status)


def _require_organisation(request: AuthedRequest) -> None:
    if not request.user.has_perm("accounts.manage_organisation"):
        raise PermissionDenied


def _organisation_page(
    request: AuthedRequest,
    *,
    team_form: TeamForm | None = None,
    area_form: PracticeAreaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/organisation.html",
        {
            "teams": selectors.teams_with_members(),
            "areas": selectors.practice_areas_with_members(),
            "team_form": team_form or TeamForm(prefix="team"),
            "area_form": area_form or PracticeAreaForm(prefix="area"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def organisation(request: AuthedRequest) -> HttpResponse:
    """Teams (who is in each) and practice areas: the firm's settings an administrator
    makes in the first week, without Django's admin."""
    _require_organisation(request)
    return _organisation_page(request)


@login_required
@require_POST
def team_create(request: AuthedRequest) -> HttpResponse:
    _require_organisation(request)
    form = TeamForm(request.POST, prefix="team")
    if form.is_valid():
        try:
            team = services.team_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("accounts:organisation")
    return _organisation_page(request, team_form=form, status=422)


@login_required
@require_POST
def practice_area_create(request: AuthedRequest) -> HttpResponse:
    _require_organisation(request)
    form = PracticeAreaForm(request.POST, prefix="area")
    if form.is_valid():
        try:
            area = services.practice_area_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Practice area %(name)s created.") % {"name": area.name})
            return redirect("accounts:organisation")
    return _organisation_page(request, area_form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_organisation(request)
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise Http404
    initial = {"name": team.name, "members": list(team.user_set.filter(is_active=True))}
    form = TeamForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.team_save(actor=request.user, team=team, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
                return redirect("accounts:organisation")
    return render(
        request,
        "accounts/organisation_edit.html",
        {"form": form, "title": _("Team %(name)s") % {"name": team.name}},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_area_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_organisation(request)
    area = PracticeArea.objects.filter(pk=pk).first()
    if area is None:
        raise Http404
    initial = {"name": area.name, "members": list(area.user_set.filter(is_active=True))}
    form = PracticeAreaForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.practice_area_save(
                    actor=request.user, area=area, code=area.code, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Practice area %(name)s saved.") % {"name": area.name})
                return redirect("accounts:organisation")
    return render(
        request,
        "accounts/organisation_edit.html",
        {"form": form, "title": _("Practice area %(name)s") % {"name": area.name}},
        status=status,
    )


def firm_logo(request: HttpRequest) -> HttpResponse:
    """The logo, for every page including the login page and the portal: not a secret."""
    profile = firm_profile()
    if not profile.logo_type:
        raise Http404
    response = HttpResponse(bytes(profile.logo), content_type=profile.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


def webauthn_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """allauth's removal of a security key, refused for a user who must keep a second factor
    and would be left with none (allauth asks the adapter for an authenticator app, not for
    a key). The page itself, the password confirmation and 404 for another's key are
    allauth's."""
    user = request.user
    if request.method == "POST" and user.is_authenticated:
        key = Authenticator.objects.filter(
            pk=pk, user_id=user.pk, type=Authenticator.Type.WEBAUTHN
        ).first()
        if key is not None and not get_adapter().can_delete_authenticator(key):
            messages.error(
                request,
                _(
                    "Your role must keep a second factor: add an authenticator app or another "
                    "security key before removing this one."
                ),
            )
            return redirect("mfa_list_webauthn")
    return remove_webauthn(request, pk=pk)


class PasswordResetView(AllauthPasswordResetView):
    """allauth's "forgot password" page: the same answer for every address
    (PasswordResetRequestForm); a request refused by the rate limit is audited."""

    form_class = PasswordResetRequestForm

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        response = super().form_valid(form)
        if response.status_code == 429:
            services.password_reset_throttled()
        return response


password_reset = PasswordResetView.as_view()
