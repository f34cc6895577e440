"""/api/v1/insights/kpis and /api/v1/matters/{id}/outcome-stats."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed
from lexcase.core.schema import Id
from lexcase.insights import selectors
from lexcase.insights.forms import DashboardFilterForm
from lexcase.insights.outcomes import matter_outcome_stats
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view

router = Router(tags=["insights"])

# API names of the filters → the form's fields.
_PARAMS = {
    "from": "date_from",
    "to": "date_to",
    "team": "team",
    "practice_area": "practice_area",
    "lawyer": "lawyer",
}


class FigureOut(Schema):
    name: str
    label: str
    value: float | int | None
    unit: str
    section: str
    definition: str


class SectionOut(Schema):
    name: str
    title: str
    definition: str
    columns: list[str]
    rows: list[list[Any]]


class KpisOut(Schema):
    scope: str
    counts: str
    date_from: date
    date_to: date
    team: int | None
    practice_area: int | None
    lawyer: int | None
    figures: list[FigureOut]
    sections: list[SectionOut]


@router.get("/insights/kpis", response=KpisOut, operation_id="insights_kpis")
def insights_kpis(
    request: AuthedRequest,
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
    team: Id | None = None,
    practice_area: Id | None = None,
    lawyer: Id | None = None,
) -> dict[str, Any]:
    """Named figures with their definitions, counted over the reader's gate: the firm view for
    partners and administrators; everyone else who works on matters gets their own matters.
    Query: from, to (civil dates, default the last twelve months), team, practice_area, lawyer."""
    user = request.user
    if user.has_perm("insights.view_firm"):
        kind = selectors.FIRM
    elif user.has_perm("insights.view_personal"):
        kind = selectors.PERSONAL
    else:
        raise NotAllowed(
            "insights.view_personal",
            message=_("Figures are for lawyers, partners and administrators."),
        )
    data = {_PARAMS[k]: v for k, v in request.GET.items() if k in _PARAMS}
    form = DashboardFilterForm(data, personal=kind == selectors.PERSONAL)
    if not form.is_valid():
        back = {v: k for k, v in _PARAMS.items()}
        raise ValidationError(
            {back.get(field, field): errors for field, errors in form.errors.items()}
        )
    f = form.filters()
    board = selectors.dashboard(user=user, kind=kind, filters=f)
    return {
        "scope": kind,
        "counts": board.counts,
        "date_from": f.date_from,
        "date_to": f.date_to,
        "team": f.team,
        "practice_area": f.practice_area,
        "lawyer": f.lawyer,
        "figures": board.figures(),
        "sections": [
            {
                "name": s.name,
                "title": s.title,
                "definition": s.definition,
                "columns": s.columns,
                "rows": s.rows,
            }
            for s in board.sections
        ],
    }


class OutcomeOut(Schema):
    count: int
    share: float
    ci_low: float
    ci_high: float


class SimilarOut(Schema):
    matter_id: int
    number: str
    outcome: str
    score: float


class OutcomeStatsOut(Schema):
    n: int
    enough: bool
    min_n: int
    outcomes: dict[str, OutcomeOut]
    median_days: float | None
    similar: list[SimilarOut]
    basis: str
    criteria: list[str]
    firm_wide: bool


@router.get(
    "/matters/{matter_id}/outcome-stats",
    response=OutcomeStatsOut,
    operation_id="matter_outcome_stats",
)
def outcome_stats(request: AuthedRequest, matter_id: Id) -> dict[str, Any]:
    matter = matter_get(user=request.user, pk=matter_id)
    if not request.user.has_perm("insights.view_outcomes"):
        raise NotAllowed
    matter_record_view(actor=request.user, matter=matter, page="matter_outcome_stats", via="api")
    return matter_outcome_stats(user=request.user, matter=matter)
