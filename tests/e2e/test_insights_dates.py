"""The dashboard's period in a browser, in Chinese: the dates read 2026-01-01, not 01/01/2026
and mm/dd/yyyy (a date picker is drawn in the browser's language, and Debian's chromium speaks
English whatever the page says). Screenshots insights-period-*.png (var/screenshots)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_the_period_reads_the_chinese_way(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    login(page, "partner")
    page.goto(f"{live_server.url}/insights/")
    start, end = page.locator("#id_date_from"), page.locator("#id_date_to")
    # No period chosen: the fields say how to write a date, in Chinese.
    assert start.get_attribute("placeholder") == "年-月-日"
    screenshot(page, "insights-period-zh.png")
    start.fill("2026-01-01")
    end.fill("2026-06-30")
    with page.expect_navigation():
        page.click("#insights-filters button[type=submit]")
    assert ISO.match(start.input_value()) and ISO.match(end.input_value())
    assert "期间：2026-01-01" in page.locator("main").inner_text()
    screenshot(page, "insights-period-zh-chosen.png")
    # Typed as a Chinese page writes it too (2026/03/01): read as that date.
    start.fill("2026/03/01")
    end.fill("2026-06-30")
    with page.expect_navigation():
        page.click("#insights-filters button[type=submit]")
    assert page.locator("#id_date_from").input_value() == "2026/03/01"  # as typed
    assert "期间：2026-03-01" in page.locator("main").inner_text()
    screenshot(page, "insights-period-zh-typed.png")
    with page.expect_navigation():
        page.click("header button:has-text('English')")
    assert page.locator("#id_date_from").get_attribute("placeholder") == "YYYY-MM-DD"
    screenshot(page, "insights-period-en.png")
    page.csp.assert_clean()
