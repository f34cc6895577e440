"""A person's data as JSON or PDF (lexcase/web/personal_data.py); URL names `parties:*`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from lexcase.accounts.http import AuthedRequest
from lexcase.matters.selectors import party_get
from lexcase.web.personal_data import (
    personal_data_export,
    personal_data_json,
    personal_data_pdf,
)


def _download(body: bytes, *, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def party_personal_data_json(request: AuthedRequest, pk: int) -> HttpResponse:
    party = party_get(user=request.user, pk=pk)  # 404 outside the gate
    export = personal_data_export(user=request.user, party=party)  # 403 without the right
    return _download(
        personal_data_json(export),
        content_type="application/json; charset=utf-8",
        name=f"personal-data-{party.pk}.json",
    )


@login_required
@require_GET
def party_personal_data_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    party = party_get(user=request.user, pk=pk)
    export = personal_data_export(user=request.user, party=party)
    return _download(
        personal_data_pdf(export),
        content_type="application/pdf",
        name=f"personal-data-{party.pk}.pdf",
    )
