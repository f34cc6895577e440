"""Keeps outside helpers (role `collaborator`) on their own pages.

The staff gate already shows a collaborator nothing (`is_active_staff` excludes the role) and
the API refuses their tokens; this closes every other page outright with 404, so no staff
page, menu or empty list reveals what exists. The firm's home sends them to their tasks.
Every refused request is audited."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lexcase.accounts.rules import is_collaborator
from lexcase.audit.services import audit_record

# Their own pages, the language switch, and their own account (sign-out, password, second
# factor: allauth's pages under /accounts/).
OPEN_PREFIXES = ("/collab/", "/i18n/", "/accounts/")
OPEN_PATHS = ("/healthz", "/favicon.ico", "/team/firm/logo/")


def _open_to_collaborators(path: str) -> bool:
    static = settings.STATIC_URL or "/static/"
    return (
        path.startswith(OPEN_PREFIXES)
        or path.startswith(static if static.startswith("/") else f"/{static}")
        or path in OPEN_PATHS
    )


class CollaboratorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or not is_collaborator(user)
            or _open_to_collaborators(request.path)
        ):
            return self.get_response(request)
        if request.path == "/" and request.method in ("GET", "HEAD"):
            return redirect("collab:home")
        audit_record(
            actor=user,
            action="collab.refused",
            data={"method": request.method, "path": request.path[:200]},
        )
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"errors": [{"field": "__all__", "message": _("Not found.")}]}, status=404
            )
        raise Http404
