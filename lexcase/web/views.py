"""The dashboard: the user's matters, intakes, recent activity, reviews waiting, sign-ins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lexcase.audit.selectors import audit_sign_ins
from lexcase.conflicts.selectors import intakes_awaiting_review
from lexcase.matters.selectors import MatterFilters, matters_page, timeline_for_user


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    mine = matters_page(
        user=request.user,
        filters=MatterFilters(lawyer=request.user.pk, status="open"),
        size=10,
    )
    intake = matters_page(
        user=request.user, filters=MatterFilters(lawyer=request.user.pk, status="intake"), size=10
    )
    return render(
        request,
        "web/home.html",
        {
            "mine": mine,
            "intake": intake,
            "activity": timeline_for_user(user=request.user, limit=15),
            "to_review": intakes_awaiting_review(user=request.user),
            "logins": audit_sign_ins(username=request.user.get_username()),
        },
    )
