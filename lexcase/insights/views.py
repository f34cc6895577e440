"""Dashboards (firm and personal), their Excel exports, and a matter's outcome statistics."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.services import audit_record
from lexcase.insights import selectors
from lexcase.insights.charts import bar_chart
from lexcase.insights.exports import dashboard_workbook
from lexcase.insights.forms import DashboardFilterForm
from lexcase.insights.outcomes import matter_outcome_stats
from lexcase.matters.models import ClosingOutcome, Matter
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind_allowed(request: AuthedRequest, kind: str) -> None:
    perm = "insights.view_firm" if kind == selectors.FIRM else "insights.view_personal"
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _board(request: AuthedRequest, kind: str) -> tuple[DashboardFilterForm, selectors.Dashboard]:
    form = DashboardFilterForm(request.GET or None, personal=kind == selectors.PERSONAL)
    board = selectors.dashboard(user=request.user, kind=kind, filters=form.filters())
    return form, board


def _filters_text(form: DashboardFilterForm, board: selectors.Dashboard) -> list[tuple[str, str]]:
    f = board.filters
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = [(_("Period"), f"{f.date_from.isoformat()} – {f.date_to.isoformat()}")]
    for name in ("team", "practice_area", "lawyer"):
        if name in form.fields:
            obj = data.get(name)
            rows.append((str(form.fields[name].label), str(obj) if obj else _("All")))
    return rows


def _filters_lines(rows: list[tuple[str, str]]) -> list[str]:
    """The filters as the page says them, "label: value" in the reader's language (Chinese
    takes the full-width colon: 期间：2026-01-01 – 2026-12-31)."""
    return [_("%(label)s: %(value)s") % {"label": label, "value": value} for label, value in rows]


def _invalid(request: AuthedRequest, form: DashboardFilterForm) -> HttpResponse:
    """Bad filters: the form with its field errors, no figures, nothing exported."""
    return render(
        request,
        "insights/dashboard.html",
        {"form": form, "board": None, "sections": [], "figures": [], "invalid": True},
        status=422,
    )


def _page(request: AuthedRequest, kind: str) -> HttpResponse:
    _kind_allowed(request, kind)
    form = DashboardFilterForm(request.GET or None, personal=kind == selectors.PERSONAL)
    if form.is_bound and not form.is_valid():
        return _invalid(request, form)
    form, board = _board(request, kind)
    sections = [{"s": s, "chart": bar_chart(s)} for s in board.sections]
    return render(
        request,
        "insights/dashboard.html",
        {
            "form": form,
            "board": board,
            "sections": sections,
            "figures": [f for s in board.sections for f in s.figures],
            "filters_text": _filters_lines(_filters_text(form, board)),
            "query": request.GET.urlencode(),
            "can_firm": request.user.has_perm("insights.view_firm"),
        },
    )


@login_required
@require_GET
def firm_dashboard(request: AuthedRequest) -> HttpResponse:
    return _page(request, selectors.FIRM)


@login_required
@require_GET
def my_dashboard(request: AuthedRequest) -> HttpResponse:
    return _page(request, selectors.PERSONAL)


def _export(request: AuthedRequest, kind: str) -> HttpResponse:
    _kind_allowed(request, kind)
    form = DashboardFilterForm(request.GET or None, personal=kind == selectors.PERSONAL)
    if form.is_bound and not form.is_valid():
        return _invalid(request, form)
    form, board = _board(request, kind)
    content = dashboard_workbook(board, filters_text=_filters_text(form, board))
    audit_record(
        actor=request.user,
        action="insights.export",
        data={"kind": kind, "filters": request.GET.dict()},
    )
    name = f"lexcase-{kind}-{timezone.localdate().isoformat()}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def firm_export(request: AuthedRequest) -> HttpResponse:
    return _export(request, selectors.FIRM)


@login_required
@require_GET
def my_export(request: AuthedRequest) -> HttpResponse:
    return _export(request, selectors.PERSONAL)


def _outcome_context(request: AuthedRequest, matter: Matter) -> dict[str, Any]:
    stats = matter_outcome_stats(user=request.user, matter=matter)
    labels = dict(ClosingOutcome.choices)
    rows = [
        {"kind": k, "label": labels.get(k, k), **v, "pct": round(100 * v["share"], 1),
         "low": round(100 * v["ci_low"], 1), "high": round(100 * v["ci_high"], 1),
         "ci_w": round(100 * (v["ci_high"] - v["ci_low"]), 1)}
        for k, v in sorted(stats["outcomes"].items(), key=lambda kv: -kv[1]["count"])
    ]  # fmt: skip
    similar = [{**s, "label": labels.get(s["outcome"], s["outcome"])} for s in stats["similar"]]
    return {"matter": matter, "stats": stats, "rows": rows, "similar": similar}


@login_required
@require_GET
def matter_outcomes(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("insights.view_outcomes"):
        raise PermissionDenied
    # Loaded by the matter page itself (htmx, with the page view's token): that view is the
    # access on record; the plain link, or a request without a valid token, records its own.
    matter_record_view(
        actor=request.user,
        matter=matter,
        page="insights:matter_outcomes",
        part_of=request.GET.get("view", "") if request.htmx else "",
    )
    template = "insights/_outcomes.html" if request.htmx else "insights/outcomes.html"
    return render(request, template, _outcome_context(request, matter))


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any] | None:
    """A link that loads the outcome statistics (htmx on load; a plain link without JS), so
    the matter page never waits for them."""
    if not request.user.has_perm("insights.view_outcomes"):
        return None
    return {"template": "insights/_matter_section.html", "matter": matter}
