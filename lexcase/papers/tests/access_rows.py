"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import ALL_STAFF_200, LOGIN, E, Route

# Generating (and previewing the merged values) is for members of the matter: the lead and
# the assistant; an administrator who is not on the matter sees it but may not generate.
MEMBERS_READ = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 403, 404)
MEMBERS_WRITE = E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 403, 404)

TABLE: dict[str, Route] = {
    "papers:templates": Route("GET", lambda f: "/papers/templates/", ALL_STAFF_200),
    # An upload without a file: the administrator's form comes back with its errors.
    "papers:templates#upload": Route(
        "POST",
        lambda f: "/papers/templates/",
        E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 400, 404),
        body=lambda f: {"key": "letter", "name": "律师函", "category": "correspondence"},
    ),
    "papers:template_download": Route(
        "GET", lambda f: "/papers/templates/power_of_attorney/download/", ALL_STAFF_200
    ),
    "papers:matter": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/papers/?template=firm_letter", MEMBERS_READ
    ),
    "papers:generate": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/papers/generate/",
        MEMBERS_WRITE,
        body=lambda f: {"template": "power_of_attorney"},
    ),
    "papers:dossier": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/papers/dossier/", MEMBERS_READ
    ),
    # Nothing ticked: members are sent back to the page with the error.
    "papers:dossier_assemble": Route(
        "POST", lambda f: f"/matters/{f.matter.pk}/papers/dossier/assemble/", MEMBERS_WRITE
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {}
