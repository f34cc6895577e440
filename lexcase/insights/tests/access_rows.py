"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import API_MATTER_READ, LOGIN, MATTER_READ, E, Route

# The walled persona is a partner: walls remove matters from the figures, not the page.
FIRM_PAGE = E(LOGIN, LOGIN, 403, 403, 403, 403, 200, 200, 404)
PERSONAL_PAGE = E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404)
CONFIDENTIAL_READ = E(LOGIN, LOGIN, 404, 404, 404, 200, 404, 404, 404)

TABLE: dict[str, Route] = {
    "insights:firm": Route("GET", lambda f: "/insights/", FIRM_PAGE),
    "insights:firm#bad period": Route(
        "GET",
        lambda f: "/insights/?date_from=2026-05-01&date_to=2026-01-01",
        E(LOGIN, LOGIN, 403, 403, 403, 403, 422, 422, 404),
    ),
    "insights:firm_export": Route("GET", lambda f: "/insights/export.xlsx", FIRM_PAGE),
    "insights:mine": Route("GET", lambda f: "/insights/mine/", PERSONAL_PAGE),
    "insights:mine_export": Route("GET", lambda f: "/insights/mine/export.xlsx", PERSONAL_PAGE),
    "insights:matter_outcomes": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/outcome-stats/", MATTER_READ
    ),
    "insights:matter_outcomes#confidential matter": Route(
        "GET", lambda f: f"/matters/{f.confidential.pk}/outcome-stats/", CONFIDENTIAL_READ
    ),
    "api:insights_kpis": Route(
        "GET", lambda f: "/api/v1/insights/kpis", E(401, 401, 403, 200, 200, 200, 200, 200, 401)
    ),
    "api:insights_kpis#bad period": Route(
        "GET",
        lambda f: "/api/v1/insights/kpis?from=2026-05-01&to=2026-01-01",
        E(401, 401, 403, 422, 422, 422, 422, 422, 401),
    ),
    "api:outcome_stats": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/outcome-stats", API_MATTER_READ
    ),
    "api:outcome_stats#confidential matter": Route(
        "GET",
        lambda f: f"/api/v1/matters/{f.confidential.pk}/outcome-stats",
        E(401, 401, 404, 404, 404, 200, 404, 404, 401),
    ),
}

API_OPERATIONS = {
    ("get", "/api/v1/insights/kpis"): "api:insights_kpis",
    ("get", "/api/v1/matters/{matter_id}/outcome-stats"): "api:outcome_stats",
}
