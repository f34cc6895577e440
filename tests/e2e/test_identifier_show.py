"""A lawyer sees a party's ID number masked, shows it in full with one click (htmx POST,
audited), and no request URL carries it (issue 14 item 6)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ID_NUMBER = "110101199003071233"


def test_a_lawyer_shows_the_full_id_number_on_the_party_page(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    from lexcase.audit.models import AuditEvent
    from lexcase.parties.services import party_create

    party = party_create(actor=users["lawyer"], kind="person", name="张建国", id_number=ID_NUMBER)
    page.set_default_timeout(30_000)  # a loaded machine: the first page is slow
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))

    login(page, "lawyer")
    response = page.goto(f"{live_server.url}/parties/{party.pk}/")
    assert "no-store" in response.headers["cache-control"]
    assert "110***********1233" in page.content() and ID_NUMBER not in page.content()
    screenshot(page, "identifier-1-masked.png")

    page.locator("#party-identifiers button").click()
    expect(page.locator("#party-identifiers")).to_contain_text(ID_NUMBER)
    screenshot(page, "identifier-2-shown.png")
    assert page.url == f"{live_server.url}/parties/{party.pk}/"  # swapped in, no reload
    assert not any(ID_NUMBER in url for url in urls)
    assert AuditEvent.objects.filter(action="party.identifiers_show").count() == 1
    page.csp.assert_clean()
