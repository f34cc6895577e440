from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from lexcase.accounts.http import AuthedRequest
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matter_get, matters_visible_to
from lexcase.search import selectors, services
from lexcase.search.forms import SearchForm

PAGE_LIMIT = 50


def _hit_url(hit: selectors.SearchHit) -> str:
    if hit.kind == "document":
        try:
            return reverse("documents:detail", args=[hit.id])
        except NoReverseMatch:
            return reverse("matters:detail", args=[hit.matter_id]) + "#documents"
    return reverse("matters:detail", args=[hit.matter_id])


def search_results(request: AuthedRequest) -> dict[str, Any]:
    """Run the search described by the query string; 404 for a matter the user cannot see."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "rows": [], "searched": False, "matter": None}
    if not form.is_valid():
        return context
    data = form.cleaned_data
    if data.get("matter"):
        context["matter"] = matter_get(user=request.user, pk=data["matter"])
    q = (data.get("q") or "").strip()
    if not q:
        return context
    filters = {
        "matter": data.get("matter"),
        "kind": data.get("kind") or None,
        "category": data.get("category") or None,
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }
    hits = selectors.search(
        user=request.user,
        q=q,
        matter_id=filters["matter"],
        category=filters["category"],
        kind=filters["kind"],
        date_from=filters["date_from"],
        date_to=filters["date_to"],
        limit=PAGE_LIMIT,
    )
    services.search_record_query(
        actor=request.user, q=q, filters=filters, results=len(hits), via="web"
    )
    # Hits come from visible matters only; this just names them.
    numbers = dict(
        matters_visible_to(request.user)
        .filter(pk__in={h.matter_id for h in hits})
        .values_list("pk", "number")
    )
    context["rows"] = [
        {"hit": h, "url": _hit_url(h), "matter_number": numbers.get(h.matter_id, "")} for h in hits
    ]
    context["searched"] = True
    context["limit"] = PAGE_LIMIT
    return context


@login_required
@require_GET
def search_page(request: AuthedRequest) -> HttpResponse:
    context = search_results(request)
    template = "search/page.html#results" if request.htmx else "search/page.html"
    return render(request, template, context)


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any]:
    """'Search inside this matter' on the matter page (the gate has admitted the user)."""
    return {"template": "search/_matter_section.html", "matter": matter}
