"""Upload bodies are refused as soon as they are known to be too large (issue 18: a 300 MB
upload filled /tmp before the 422).

- `UploadLimitMiddleware` answers 413 on a multipart POST whose Content-Length is over
  `LEXCASE_MAX_UPLOAD_REQUEST_MB`, before a byte of the body is read. Otherwise it puts
  `UploadLimitHandler` first among the upload handlers and parses the body at once (before
  the CSRF check or a view would), so the limits hold for every multipart form in the app:
  documents, the portal, the importer.
- `UploadLimitHandler` counts the bytes that really arrive, whatever Content-Length said: as
  soon as a file passes `LEXCASE_MAX_UPLOAD_MB` or all files pass the request limit it stops
  reading (StopUpload, connection reset), which closes and so deletes the temp file being
  written; the completed ones are closed as the parse fails.

The 413 has the API's error shape under /api/ and is a page in the user's language
elsewhere. Only multipart bodies (uploads) are handled here; other bodies keep Django's own
limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lexcase.core.middleware import DRAIN_LIMIT
from lexcase.documents.files import safe_original_name

MIB = 2**20


def file_limit_bytes() -> int:
    return int(settings.LEXCASE_MAX_UPLOAD_MB) * MIB


def request_limit_bytes() -> int:
    return int(settings.LEXCASE_MAX_UPLOAD_REQUEST_MB) * MIB


class UploadTooLarge(MultiPartParserError):
    """A file (`name` set) or the whole request (`name` empty) is over its limit. As a
    MultiPartParserError it is a 400 wherever the middleware does not turn it into a 413."""

    def __init__(self, *, field: str = "__all__", name: str = "") -> None:
        super().__init__(f"upload too large: {field} {name}".strip())
        self.field = field
        self.name = name

    def message(self) -> str:
        if self.name:
            return _("“%(name)s” is larger than the limit of %(limit)s MB.") % {
                "name": safe_original_name(self.name),
                "limit": settings.LEXCASE_MAX_UPLOAD_MB,
            }
        return _("The upload is larger than the limit of %(limit)s MB.") % {
            "limit": settings.LEXCASE_MAX_UPLOAD_REQUEST_MB
        }


class UploadLimitHandler(FileUploadHandler):
    """First upload handler: passes chunks on while the counts stay within the limits."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.total = 0
        self.size = 0
        self.refused: UploadTooLarge | None = None

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        # The declared Content-Length is checked by the middleware and trusted no further.
        self.total = 0
        self.refused = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.size += len(raw_data)
        self.total += len(raw_data)
        if self.size > file_limit_bytes():
            self.refused = UploadTooLarge(field=self.field_name, name=self.file_name or "")
        elif self.total > request_limit_bytes():
            self.refused = UploadTooLarge()
        if self.refused is not None:
            # The parser closes (deletes) the temp file in progress and reads no further.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def upload_complete(self) -> None:
        # After StopUpload the parser would hand the view a partial request; fail instead
        # (the parser then closes the files completed so far).
        if self.refused is not None:
            raise self.refused


def too_large_response(request: HttpRequest, refused: UploadTooLarge) -> HttpResponse:
    message = refused.message()
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": [{"field": refused.field, "message": message}]},
            status=413,
            json_dumps_params={"ensure_ascii": False},
        )
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/portal/" if request.path.startswith("/portal/") else "/"
    base = "portal/base.html" if request.path.startswith("/portal/") else "base.html"
    return render(
        request,
        "documents/upload_too_large.html",
        {"message": message, "back": back, "base_template": base},
        status=413,
    )


def _drain(request: HttpRequest, declared: int) -> None:
    """Read and discard a small rest of the body (nothing is written), so the client reads
    the 413 instead of a connection reset; a large one is not worth the bandwidth (the
    same rule as the request guard's for other bodies)."""
    if declared > DRAIN_LIMIT:
        return
    try:
        while request.read(MIB):
            pass
    except (OSError, ValueError):  # the client went away
        pass


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0  # Django reads nothing of such a body
            if declared > request_limit_bytes():
                _drain(request, declared)
                return too_large_response(request, UploadTooLarge())
            request.upload_handlers.insert(0, UploadLimitHandler(request))
            try:
                request.FILES  # noqa: B018 - parse now, under the limits
            except UploadTooLarge as exc:
                _drain(request, declared)
                return too_large_response(request, exc)
            except UnreadablePostError:
                pass  # the client went away; the CSRF check answers as before
        return self.get_response(request)
