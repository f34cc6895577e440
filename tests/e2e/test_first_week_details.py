"""Details a firm's users met in their first week: a question label takes no colon after it
(是否送达即生效？), and the assistant's menu offers no ad-hoc conflict check it may not run."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_served_form_label_and_assistant_menu(
    page: Any,
    live_server: Any,
    users: dict[str, Any],
    login: Any,
    open_matter: Any,
    screenshot: Any,
) -> None:
    from lexcase.accounts.services import user_create
    from tests.e2e.personas import PASSWORD

    login(page, "lawyer")
    page.goto(f"{live_server.url}/matters/{open_matter.pk}/forms/served/")
    label = page.locator("label[for=id_served-final]").inner_text()
    assert label == "是否送达即生效？", label
    assert page.locator("label[for=id_served-service_date]").inner_text() == "送达日期:"
    screenshot(page, "served-form-labels.png")
    page.csp.assert_clean()

    user_create(username="assistant", role="assistant", password=PASSWORD, name="吴佳")
    page.context.clear_cookies()
    login(page, "assistant")
    nav = page.locator("nav.nav")
    assert nav.locator("a[href='/matters/']").count() == 1
    assert nav.locator("a[href='/conflicts/check/']").count() == 0
    screenshot(page, "assistant-dashboard.png")
    page.csp.assert_clean()
