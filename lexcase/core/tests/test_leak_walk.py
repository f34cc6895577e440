"""Nothing of a matter crosses the gate (律师法 Art. 38): records of one matter, each with a
marker in its text (`test_read_audit.plant_records`: a communication, a deadline, a task, a
time entry, a court message, a notification, a hearing, a document with a seal request, a
review), then every GET row of the access table (pages, partials, exports, feeds, API
operations) is requested as each persona who may not see that matter, and no answer may show
a marker, nor the matter's number or title (but where IDENTITY_SHOWN says why), whatever its
status (an error page echoing data counts too).

- `firm.matter`: the partner walled off it (`walled`, who saw it before: a notification sent
  before the wall), a lawyer off its team (`outsider`, notified before they left it), finance
  (money aside: time entries are finance's to see on every matter not walled) and the
  outside helper not invited (`collaborator`).
- `firm.confidential` (members: the lead and the responsible partner): an administrator
  and the matter's assistant, who are not on it, and finance (money aside).
- `firm.matter` with the administrator walled off it: the wall holds for them too, money
  included.

The calendar feed, the portal and the helper's own pages have walks of their own (their
rows are requested as here with the personas' own credentials)."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from django.db import transaction

from lexcase.core.tests.access import PERSONAS
from lexcase.core.tests.test_access_table import (
    API_OPERATIONS,
    TABLE,
    all_route_names,
    client_as,
    send,
)
from lexcase.core.tests.test_read_audit import MARKERS, plant_records
from lexcase.matters.models import EthicalWall
from lexcase.testing import Firm, readable, use_document_store

MONEY = ("MARKtime",)

# (planted on, who may not see it)
CASES = {
    "matter": ("matter", ("walled", "outsider", "finance", "collaborator")),
    "confidential": ("confidential", ("admin", "assistant", "finance")),
    # The wall holds for an administrator too (and for the money they otherwise all see).
    "walled admin": ("matter", ("admin",)),
}


# Routes whose URL is itself the credential of the matter's reader: whoever holds it reads
# as them (the calendar feed's secret: `calendar/tests/test_feed_*`).
BEARER_URLS = {"calendar:feed_ics"}


# Where the matter's number and title (not its records) may show to a persona the gate
# refuses: why.
IDENTITY_SHOWN = {
    "papers:templates": "the merge fields' examples are fixed text (2026-民-0001)",
    "collab:task": "the helper's invited task names its matter's number (docs/security.md)",
}
# The money gate (`money_visible_through`): finance and administrators see the money of
# every matter they are not walled off, confidential ones included, with its number.
MONEY_READERS = {"finance", "admin"}


MONEY_API = ("/bills", "/payments", "/fee-agreements", "/time-entries", "/expenses")
MONEY_API += ("/receivables", "/invoices", "/fees/")


def _identity_shown(key: str, persona: str, path: str, *, walled: bool) -> bool:
    name = key.split("#", 1)[0]
    if name in IDENTITY_SHOWN:
        return True
    money = name.startswith("billing:") or any(p in path for p in MONEY_API)
    return persona in MONEY_READERS and money and not walled


def get_keys() -> list[str]:
    names = all_route_names() | set(API_OPERATIONS.values())
    return sorted(
        k for k, r in TABLE.items() if r.method == "GET" and k.split("#")[0] in names - BEARER_URLS
    )


def _planted_on(firm: Firm, which: str) -> Firm:
    return dataclasses.replace(firm, matter=getattr(firm, which))


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("key", get_keys())
def test_no_record_of_a_hidden_matter_shows_anywhere(firm, settings, tmp_path: Path, key, case):
    use_document_store(settings, tmp_path / "store")
    which, personas = CASES[case]
    if case == "walled admin":
        EthicalWall.objects.create(matter=firm.matter, user=firm.admin, reason="曾代理对方")
    plant_records(_planted_on(firm, which), readers=("walled", "outsider"))
    route = TABLE[key]
    hidden = getattr(firm, which)
    leaks = {}
    answered: dict[str, int] = {}
    for persona, steered in itertools.product(personas, (False, True)):
        assert persona in PERSONAS
        if steered and answered[persona] != 200:
            continue  # refused as listed: steering it is the gate's test, not this walk's
        with transaction.atomic():
            path = route.path(firm)
            client = client_as(firm, persona, path)
            if steered:
                response = _steered(client, firm, route, path, hidden)
            else:
                response = send(client, firm, route, path)
            text = readable(response)
            transaction.set_rollback(True)
        answered.setdefault(persona, response.status_code)
        allowed = set(MONEY) if persona == "finance" else set()
        if _identity_shown(key, persona, path, walled=case == "walled admin"):
            allowed |= {hidden.number, hidden.title}
        shown = [m for m in (*MARKERS, hidden.number, hidden.title) if m in text]
        shown = [m for m in shown if m not in allowed]
        if shown:
            leaks[(persona, "steered" if steered else "as listed")] = (response.status_code, shown)
    assert leaks == {}, f"{key} shows records of the {case} matter"


def _steered(client, firm: Firm, route, path: str, hidden) -> object:
    """The row's request with filters pointing at the hidden matter and its client, and the
    ordering and field-choice parameters other APIs take (?ordering=, ?fields=), added to
    its own query parameters."""
    base, _sep, query = path.partition("?")
    params = dict(parse_qsl(query))
    params.update(route.body(firm) if route.body else {})
    client_party = (
        hidden.matter_parties.filter(role="client").values_list("party_id", flat=True).first()
    )
    params.update(
        {
            "matter": str(hidden.pk),
            "matter_id": str(hidden.pk),
            "client": str(client_party or ""),
            "client_id": str(client_party or ""),
            "ordering": "-title",
            "order": "-title",
            "sort": "title",
            "fields": "title,summary,notes",
        }
    )
    return client.get(base, params)
