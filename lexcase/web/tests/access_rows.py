"""Access-table rows for the pages `web` composes (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from collections.abc import Callable

from lexcase.core.tests.access import LOGIN, E, Route
from lexcase.testing import Firm

# A person's data: the party through the gate (404 outside it), then partners and
# administrators only (403 for the rest).
PERSONAL_DATA = E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 200, 404)

# The matter page's forms on demand (web.views.MATTER_FORMS): through the gate (404), then
# the condition the page showed the form under (403). `matter` is an intake.
FORM = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 200, 404)


def _form(name: str) -> Callable[[Firm], str]:
    return lambda f: f"/matters/{f.matter.pk}/forms/{name}/"


TABLE: dict[str, Route] = {
    "matters:form": Route("GET", _form("case-number"), FORM),
    "matters:form#calendar: a hearing": Route("GET", _form("hearing"), FORM),
    "matters:form#team member": Route(
        "GET", _form("member"), E(LOGIN, LOGIN, 404, 404, 403, 200, 404, 200, 404)
    ),
    "matters:form#ethical wall": Route(
        "GET", _form("wall"), E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 200, 404)
    ),
    "matters:form#closing an intake": Route(
        "GET", _form("close"), E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 403, 404)
    ),
    # The stage changes only on an open matter (`matter` is an intake): 403 to all who see it.
    "matters:form#stage of an intake": Route(
        "GET", _form("stage"), E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 403, 404)
    ),
    "matters:form#party": Route("GET", _form("party"), FORM),
    "matters:form#calendar: a limitation period": Route("GET", _form("limitation"), FORM),
    "matters:form#calendar: a served document": Route("GET", _form("served"), FORM),
    "matters:form#calendar: a deadline": Route("GET", _form("deadline"), FORM),
    "matters:form#tasks: a new task": Route("GET", _form("task"), FORM),
    "matters:form#comms: a progress report": Route("GET", _form("report"), FORM),
    "matters:form#comms: the update cadence": Route("GET", _form("cadence"), FORM),
    "matters:form#reviews: the firm's seal": Route("GET", _form("seal"), FORM),
    "matters:form#reviews: the reviewer": Route(
        "GET", _form("reviewer"), E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 200, 404)
    ),
    "matters:form#no such form": Route("GET", _form("nothing"), E(LOGIN, LOGIN, *[404] * 7)),
    "matters:form#the confidential matter": Route(
        "GET",
        lambda f: f"/matters/{f.confidential.pk}/forms/party/",
        E(LOGIN, LOGIN, 404, 404, 404, 200, 404, 404, 404),
    ),
    "parties:personal_data_json": Route(
        "GET", lambda f: f"/parties/{f.client_party.pk}/personal-data.json", PERSONAL_DATA
    ),
    "parties:personal_data_pdf": Route(
        "GET", lambda f: f"/parties/{f.client_party.pk}/personal-data.pdf", PERSONAL_DATA
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {}
