from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_safe


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which a browser asks for on a page without `<link rel="icon">` (the
    error pages, a PDF or an image opened in the browser, the API): the static icon."""
    response = HttpResponseRedirect(static("lexcase/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
