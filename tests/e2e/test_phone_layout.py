"""A lawyer on a 390-px phone (issue 16 item 20): the top bar folds into a menu, list tables
become stacked cards, a long unbroken title wraps instead of widening the page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

LONG_TITLE = "北京华泰科技有限公司诉远大贸易有限公司" * 3 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 4


@pytest.fixture
def long_matter(users: dict[str, Any]) -> Any:
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create

    client = party_create(actor=users["lawyer"], kind="organization", name="北京华泰科技有限公司")
    return matter_create(
        actor=users["lawyer"],
        title=LONG_TITLE,
        matter_type="civil",
        parties=[PartyLink(party=client, role="client")],
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )


def _page_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_phone_menu_folds_and_tables_stack(
    phone_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any,
    long_matter: Any,
) -> None:  # fmt: skip
    page = phone_page
    login(page, "lawyer")
    page.goto(live_server.url + "/matters/")
    top = page.locator("header.topbar").bounding_box()
    # One row: brand and the menu button (was three rows, ~270 px).
    assert top["height"] < 80, top
    assert page.locator("nav.nav").is_visible() is False
    screenshot(page, "phone-390-matters.png")
    page.click("label.menu-button")
    assert page.locator("nav.nav").is_visible() is True
    screenshot(page, "phone-390-menu-open.png")
    page.click("label.menu-button")

    # The title wraps within the screen; the page is not wider than the phone.
    assert _page_width(page) <= 390
    cell = page.locator("table.list tbody tr").first.locator("td").first
    assert cell.bounding_box()["width"] > 300  # a stacked card spans the screen
    page.goto(live_server.url + f"/matters/{long_matter.pk}/")
    assert _page_width(page) <= 390
    screenshot(page, "phone-390-matter.png")
    page.csp.assert_clean()


def test_the_desktop_keeps_its_one_line_menu(
    page: Any, live_server: Any, users: dict[str, Any], login: Any
) -> None:
    login(page, "lawyer")
    page.goto(live_server.url + "/matters/")
    assert page.locator("nav.nav").is_visible() is True
    assert page.locator("label.menu-button").is_visible() is False
