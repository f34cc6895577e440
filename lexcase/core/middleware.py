"""Keeps the client IP of the current request for the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
