from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from lexcase.accounts.http import AuthedRequest
from lexcase.core.schema import Choices, Id
from lexcase.core.validators import civil_date_message, civil_day
from lexcase.matters.selectors import matter_get
from lexcase.search import selectors, services
from lexcase.search.forms import MAX_QUERY
from lexcase.search.models import SearchEntry

router = Router(tags=["search"])

API_LIMIT = 50


class SearchResultOut(Schema):
    kind: Choices[str, SearchEntry.Kind]
    id: int
    matter_id: int
    title: str
    snippet: str  # HTML: escaped text, matched terms in <mark>


class SearchOut(Schema):
    results: list[SearchResultOut]


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]}) from None
    if civil_day(day) is None:
        raise ValidationError({field: [civil_date_message()]})
    return day


@router.get("/search", response=SearchOut, operation_id="search")
def search(
    request: AuthedRequest,
    q: str = Query(..., min_length=1, max_length=MAX_QUERY),
    matter: Id | None = None,
    category: str = "",
    kind: Choices[str, SearchEntry.Kind] | None = None,
    date_from: str = "",
    date_to: str = "",
    limit: int = Query(API_LIMIT, ge=1, le=200),
) -> SearchOut:
    """Full-text search over the matters and documents the caller can see, best first.
    An explicit `matter` the caller cannot see is a 404, as everywhere else."""
    errors: dict[str, list[str]] = {}
    q = q.strip()
    if not q:
        errors["q"] = [_("Enter something to search for.")]
    elif len(q) > MAX_QUERY:
        errors["q"] = [_("At most %(n)d characters.") % {"n": MAX_QUERY}]
    dates: dict[str, date | None] = {}
    for field, value in (("date_from", date_from), ("date_to", date_to)):
        try:
            dates[field] = _date(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    start, end = dates.get("date_from"), dates.get("date_to")
    if start and end and start > end:
        errors["date_to"] = [_("The end date is before the start date.")]
    if errors:
        raise ValidationError(errors)
    if matter is not None:
        matter_get(user=request.user, pk=matter)  # 404 when not visible
    hits = selectors.search(
        user=request.user,
        q=q,
        matter_id=matter,
        category=category or None,
        kind=kind,
        date_from=dates["date_from"],
        date_to=dates["date_to"],
        limit=limit,
    )
    services.search_record_query(
        actor=request.user,
        q=q,
        filters={
            "matter": matter,
            "kind": kind,
            "category": category,
            "date_from": dates["date_from"],
            "date_to": dates["date_to"],
        },
        results=len(hits),
        via="api",
    )
    return SearchOut(
        results=[
            SearchResultOut(
                kind=h.kind, id=h.id, matter_id=h.matter_id, title=h.title, snippet=str(h.snippet)
            )
            for h in hits
        ]
    )
