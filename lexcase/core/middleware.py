"""Request-wide middleware: the request guard, the client IP for the audit log, the
language rule."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.core.validators import NUL, nul_fields, nul_message, querydict_nul_fields

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("lexcase_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


class ChineseFirstMiddleware:
    """Pages are Chinese unless the user switched language (cookie): a browser's English
    Accept-Language must not flip a Chinese firm's UI. The API still honours the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _ip.set(request.META.get("REMOTE_ADDR"))
        try:
            response = self.get_response(request)
        finally:
            _ip.reset(token)
        # Pages with client data must not linger in shared caches.
        if request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


# Methods any route may answer; the rest (TRACE, CONNECT, WebDAV …) are refused everywhere.
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# An oversized body is read and discarded before the 413 goes out, so the client reads the
# answer instead of a connection reset; past this much it is not worth the bandwidth.
DRAIN_LIMIT = 32 * 1024 * 1024
API_PREFIX = "/api/"

API_ERROR_MESSAGES = {
    400: gettext_lazy("Bad request."),
    401: gettext_lazy("Authentication required."),
    403: gettext_lazy("You may not do this."),
    404: gettext_lazy("Not found."),
    405: gettext_lazy("Method not allowed."),
    413: gettext_lazy("The request body is too large."),
    500: gettext_lazy("Server error. It has been logged; please try again later."),
}


def _api_error(status: int, errors: list[dict[str, str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def _api_message(status: int) -> str:
    message = API_ERROR_MESSAGES.get(status) or API_ERROR_MESSAGES[500 if status >= 500 else 400]
    return str(message)


class RequestGuardMiddleware:
    """Refuses what no view should see, before any view runs, and keeps the API's error
    shape (`{"errors": [{"field", "message"}]}`) on every error response under /api/.

    - methods outside ALLOWED_METHODS → 405;
    - a NUL character in the path, the query string, a urlencoded form or a JSON body → 422
      naming the field under /api/, 400 elsewhere (multipart fields: Django's form
      fields refuse NUL themselves; the API's parser checks them, `api/api.py`);
    - a body other than a file upload larger than DATA_UPLOAD_MAX_MEMORY_SIZE → 413.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path_info.startswith(API_PREFIX)
        response = self._refusal(request, api=api)
        if response is None:
            response = self.get_response(request)
        if api and response.status_code >= 400 and not _is_json(response):
            response = self._reshape(response)
        return response

    def _refusal(self, request: HttpRequest, *, api: bool) -> HttpResponse | None:
        if request.method not in ALLOWED_METHODS:
            response = HttpResponse(status=405)
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if NUL in request.path_info:
            return self._nul(["__all__"], api=api)
        fields = querydict_nul_fields(request.GET)
        if fields:
            return self._nul(fields, api=api)
        content_type = request.content_type or ""
        if content_type.startswith("multipart/"):
            return None
        if self._too_large(request):
            return self._drained_413(request)
        try:
            if content_type == "application/x-www-form-urlencoded":
                fields = querydict_nul_fields(request.POST)
            elif content_type == "application/json" or content_type.endswith("+json"):
                fields = _json_nul_fields(request.body)
        except RequestDataTooBig:  # a chunked body, without a Content-Length
            return self._drained_413(request)
        return self._nul(fields, api=api) if fields else None

    @staticmethod
    def _too_large(request: HttpRequest) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return limit is not None and length > limit

    @staticmethod
    def _drained_413(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= DRAIN_LIMIT:
            try:
                while request.read(1024 * 1024):
                    pass
            except (OSError, ValueError):  # body already read, or the client went away
                pass
        message = _("The request body is too large.")
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _nul(fields: list[str], *, api: bool) -> HttpResponse:
        if api:
            return _api_error(422, [{"field": f, "message": nul_message()} for f in fields])
        return HttpResponse(nul_message(), status=400, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _reshape(response: HttpResponse) -> HttpResponse:
        shaped = _api_error(
            response.status_code,
            [{"field": "__all__", "message": _api_message(response.status_code)}],
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _json_nul_fields(body: bytes) -> list[str]:
    # NUL can only reach a JSON string as the escape \u0000 (raw control characters are
    # invalid JSON): skip the second parse for the bodies that cannot hold one.
    if b"\\u0000" not in body:
        return []
    try:
        return nul_fields(json.loads(body))
    except ValueError:  # not JSON: the API's parser answers 400
        return []
