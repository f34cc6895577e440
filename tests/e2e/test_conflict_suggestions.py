"""Party suggestions at intake are posted (htmx with the CSRF header), show ID numbers
masked, and no request URL ever carries an ID number (issue 18 item 11)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ID_NUMBER = "110101199003071233"


def test_suggestions_are_posted_and_never_put_an_id_number_in_a_url(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    from lexcase.parties.services import party_create

    party_create(actor=users["lawyer"], kind="person", name="张建国", id_number=ID_NUMBER)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    login(page, "lawyer")
    page.goto(live_server.url + "/matters/new/")
    page.select_option("#id_parties-0-kind", "person")
    page.fill("#id_parties-0-identifier", "110101 1990 0307 1233")
    page.fill("#id_parties-0-name", "张建")
    suggestion = page.locator("#suggest-parties-0 li")
    suggestion.wait_for()
    assert "110***********1233" in suggestion.inner_text()
    assert ID_NUMBER not in page.content()
    screenshot(page, "conflicts-suggestions.png")

    suggestion.locator("button").click()
    expect(page.locator("#id_parties-0-name")).to_have_value("张建国")
    # The picked row carries the full number: the form submits it to reuse the party.
    assert page.input_value("#id_parties-0-identifier") == ID_NUMBER
    assert posts.count(live_server.url + "/conflicts/suggest/") >= 2
    assert not [u for u in urls if "1990" in u or "pick=" in u]
    page.csp.assert_clean()
