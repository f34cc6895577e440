"""Idle and absolute session timeouts (issue 14, quality bar T07).

Django's cookie age is one sliding or one fixed limit; a firm wants both: a session ends
after LEXCASE_SESSION_IDLE_MINUTES without a request and LEXCASE_SESSION_ABSOLUTE_HOURS
after sign-in however busy it is. Both instants live in the session itself, so they hold
for every session backend (signed cookies included)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

from lexcase.accounts.rules import mfa_required_for, second_factor_pending

SIGNED_IN_AT = "lexcase_signed_in_at"
SEEN_AT = "lexcase_seen_at"
# The last-seen stamp is rewritten at most this often: a session write on every request
# would cost a database write per page view for a minute's worth of idle precision.
TOUCH_EVERY_SECONDS = 60


@receiver(user_logged_in)
def _stamp_sign_in(sender: object, request: HttpRequest | None, user: object, **kw: object) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def signed_in_user(request: HttpRequest) -> Any:
    """The request's user read now (the session's user, or Django's anonymous one), and set
    as `request.user` itself in place of the lazy proxy AuthenticationMiddleware puts there.

    Every page asks for the user anyway (the timeouts below, the second-factor rule, the
    menu, the gate), and through the proxy each attribute read (`user.role`,
    `user.has_perm`, …) is a Python-level `__getattribute__` that raises and falls back to
    `__getattr__`: 80–400 of them a page (docs/benchmarks.md, "Matter list and q="). The
    object is the one the proxy would have handed out (Django's `get_user`, kept on the
    request as `_cached_user`); `login()` and `logout()` replace `request.user` as before."""
    user = getattr(request, "user", None)
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = request.user = user._wrapped
    return user


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            # A session from before this middleware counts from now.
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            seen = session.setdefault(SEEN_AT, now)
            idle = settings.LEXCASE_SESSION_IDLE_MINUTES * 60
            absolute = settings.LEXCASE_SESSION_ABSOLUTE_HOURS * 3600
            if now - seen > idle or now - signed_in > absolute:
                logout(request)
            elif now - seen >= TOUCH_EVERY_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


# While a required second factor is missing, only enrolment, its reauthentication, signing
# out and the language switch answer.
ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "healthz",
        "favicon",
    }
)


def enrolment_pending(user: object) -> bool:
    """The user's role must have a second factor and they have none yet (the rule
    `second_factor_pending`)."""
    return bool(second_factor_pending(user))


class MfaEnrolmentMiddleware:
    """A user whose role must have a second factor (LEXCASE_MFA_REQUIRED_ROLES) and has none
    is sent to enrolment from every page, and refused by the API, until they enrol."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:

        user = getattr(request, "user", None)
        if (
            user is not None
            and mfa_required_for(user)
            and not request.path.startswith(settings.STATIC_URL)
            and self._url_name(request) not in ENROLMENT_URL_NAMES
            and second_factor_pending(user)
        ):
            # The enrolment page's own words (accounts/enrolment_base.html).
            message = _("Your role requires two-factor authentication: set it up to continue.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": [{"field": "__all__", "message": message}]}, status=403
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _url_name(request: HttpRequest) -> str | None:
        try:
            return resolve(request.path_info).url_name
        except Resolver404:
            return None
