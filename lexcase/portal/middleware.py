"""Keeps portal users (client contacts) inside the portal.

The staff gate already shows a client user nothing (`_active_staff` excludes the role), but
staff pages would still render their menus and empty lists; this closes them outright.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lexcase.accounts.rules import is_client_contact

OPEN_PREFIXES = ("/portal/", "/api/v1/portal/", "/i18n/")
OPEN_PATHS = ("/accounts/logout/",)


def _open_to_clients(path: str) -> bool:
    static = settings.STATIC_URL or "/static/"
    return (
        path.startswith(OPEN_PREFIXES)
        or path.startswith(static if static.startswith("/") else f"/{static}")
        or path in OPEN_PATHS
    )


class PortalGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and is_client_contact(user)
            and not _open_to_clients(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "errors": [
                            {
                                "field": "__all__",
                                "message": _("Not available in the client portal."),
                            }
                        ]
                    },
                    status=403,
                )
            if request.method in ("GET", "HEAD"):
                return redirect("portal:home")
            return HttpResponseForbidden()
        return self.get_response(request)
