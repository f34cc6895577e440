"""The lawyer's first day: sign in, register a matter with its parties, find it again."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

TITLE = "华泰科技诉北京远大买卖合同纠纷"
CLIENT = "北京华泰科技有限公司"
CLIENT_CREDIT_CODE = "91350200776049653A"
OPPOSING = "北京远大贸易有限公司"
NUMBER = re.compile(r"\d{4}-民-\d{4}")


def fill_new_matter(page: Any, partner: Any, *, credit_code: str) -> None:
    page.fill("#id_title", TITLE)
    page.select_option("#id_matter_type", "civil")
    page.select_option("#id_priority", "P1")
    page.select_option("#id_responsible_partner", str(partner.pk))
    page.fill("#id_parties-0-name", CLIENT)
    page.select_option("#id_parties-0-kind", "organization")
    page.select_option("#id_parties-0-role", "client")
    page.fill("#id_parties-0-identifier", credit_code)
    page.fill("#id_parties-1-name", OPPOSING)
    page.select_option("#id_parties-1-kind", "organization")
    page.select_option("#id_parties-1-role", "opposing")


def submit_new_matter(page: Any) -> None:
    with page.expect_navigation():
        page.click("form.form button[type=submit].primary")


def assert_matter_detail(page: Any, live_server: Any, number: str) -> None:
    from lexcase.matters.models import Matter

    matter = Matter.objects.get(number=number)
    assert page.url == f"{live_server.url}/matters/{matter.pk}/"
    assert page.locator("h1").inner_text() == TITLE
    head = page.locator(".page-head").inner_text()
    assert number in head
    parties = page.locator("section.card", has=page.locator("a[href^='/parties/']"))
    assert CLIENT in parties.inner_text()
    assert OPPOSING in parties.inner_text()


def test_lawyer_registers_matter_and_finds_it(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.matters.models import Matter

    # 1-2. Sign in; the dashboard greets the lawyer by name.
    login(page, "lawyer", shot=screenshot)
    assert page.url == live_server.url + "/"
    assert "陈思远" in page.locator("h1").inner_text()
    screenshot(page, "02-dashboard.png")
    page.csp.assert_clean()

    # 3. Register a matter from the dashboard's "New matter" button.
    page.click("main a[href='/matters/new/']")
    page.wait_for_url(live_server.url + "/matters/new/")
    fill_new_matter(page, users["partner"], credit_code=CLIENT_CREDIT_CODE)
    screenshot(page, "03-new-matter.png")
    submit_new_matter(page)

    assert page.locator(".field-error, .errors").count() == 0, page.locator("main").inner_text()
    number = NUMBER.search(page.locator(".page-head").inner_text())
    assert number, page.locator(".page-head").inner_text()
    number = number.group(0)
    assert_matter_detail(page, live_server, number)
    screenshot(page, "04-matter-detail.png")
    page.csp.assert_clean()

    matter = Matter.objects.get(number=number)
    assert matter.title == TITLE
    assert matter.priority == "P1"
    assert matter.status == "intake"
    links = {mp.party.name: mp for mp in matter.matter_parties.select_related("party")}
    assert set(links) == {CLIENT, OPPOSING}
    assert links[CLIENT].role == "client"
    assert links[CLIENT].party.credit_code == CLIENT_CREDIT_CODE
    assert links[OPPOSING].role == "opposing"
    assert links[OPPOSING].party.credit_code == ""
    team = {m.user.username: m.role for m in matter.members.select_related("user")}
    assert team["partner"] == "responsible_partner"
    assert "lawyer" in team

    # 4. Find it again from the matter list: the search box updates #results through htmx.
    page.click("nav.nav a[href='/matters/']")
    page.wait_for_url(live_server.url + "/matters/")
    search = page.locator("#id_q")
    with page.expect_response(
        lambda r: "/matters/?" in r.url and r.request.headers.get("hx-request") == "true"
    ) as swap:
        search.fill("华泰")
        # fill() fires `input` only, and the list's hx-trigger listens for keyup/change, so
        # send one key as a typing user would (a paste would not refresh the results).
        search.press("End")
    assert swap.value.ok
    row = page.locator("#results tbody tr", has_text=number)
    row.wait_for()
    assert TITLE in row.inner_text()
    assert page.locator("#results tbody tr").count() == 1
    assert "q=" in page.url  # hx-push-url keeps the search in the address bar
    screenshot(page, "05-matter-list.png")
    page.csp.assert_clean()

    with page.expect_navigation():
        row.get_by_role("link", name=number).click()
    assert_matter_detail(page, live_server, number)
    page.csp.assert_clean()


def test_invalid_credit_code_is_refused(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.matters.models import Matter
    from lexcase.parties.models import Party

    login(page, "lawyer")
    page.goto(live_server.url + "/matters/new/")
    fill_new_matter(page, users["partner"], credit_code="91350200776049653B")
    submit_new_matter(page)

    assert page.url == live_server.url + "/matters/new/"
    error = page.locator(".field-error, .errors").first
    error.wait_for()
    texts = page.locator(".field-error, .errors").all_inner_texts()
    # zh-hans is the default language: the message names the 统一社会信用代码.
    assert any("统一社会信用代码" in t for t in texts), texts
    screenshot(page, "07-invalid-credit-code.png")
    # The form keeps what was typed.
    assert page.input_value("#id_title") == TITLE
    assert page.input_value("#id_parties-0-identifier") == "91350200776049653B"
    assert Matter.objects.count() == 0
    assert Party.objects.count() == 0
    page.csp.assert_clean()


def test_matter_list_fits_a_phone(
    phone_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.matters import services

    services.matter_create(
        actor=users["lawyer"],
        title=TITLE,
        matter_type="civil",
        priority="P1",
        responsible_partner=users["partner"],
    )
    page = phone_page
    login(page, "lawyer")
    page.goto(live_server.url + "/matters/")
    page.locator("#results tbody tr", has_text=TITLE).wait_for()
    overflow = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: window.innerWidth})"
    )
    screenshot(page, "06-phone-list.png")
    assert overflow["client"] == 390
    assert overflow["scroll"] <= 390 + 2, overflow
    page.csp.assert_clean()
