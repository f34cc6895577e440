"""The matter list as a lawyer and a partner see it: the menu (drawn by {% main_nav %}), the
filter form (its people and practice areas drawn from values) and the rows."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_matter_list_page(
    page: Any,
    live_server: Any,
    users: dict[str, Any],
    open_matter: Any,
    login: Any,
    screenshot: Any,
) -> None:
    from lexcase.accounts.models import PracticeArea

    PracticeArea.objects.create(code="disputes", name="争议解决")
    login(page, "lawyer")
    page.goto(live_server.url + "/matters/")
    nav = page.locator("nav.nav")
    assert nav.locator("a[href='/matters/']").count() == 1
    assert nav.locator("a[href='/accounts/users/']").count() == 0
    lawyers = page.locator("#id_lawyer option").all_inner_texts()
    assert "陈思远" in lawyers and "王建国" in lawyers
    assert "争议解决" in page.locator("#id_practice_area option").all_inner_texts()
    assert open_matter.title in page.locator("#results table").inner_text()
    screenshot(page, "matter-list-lawyer.png")

    # Filtering by a team member keeps the choice selected and the matter listed.
    page.select_option("#id_lawyer", str(users["lawyer"].pk))
    page.wait_for_url(f"**/matters/?*lawyer={users['lawyer'].pk}*")
    assert page.locator("#id_lawyer").input_value() == str(users["lawyer"].pk)
    assert open_matter.title in page.locator("#results table").inner_text()

    page.context.clear_cookies()
    login(page, "partner")
    page.goto(live_server.url + "/matters/")
    assert page.locator("nav.nav a[href='/approvals/'], nav.nav a[href*='approvals']").count() == 1
    screenshot(page, "matter-list-partner.png")
