"""A lawyer on a 390-px phone (issue 16 item 20): the top bar folds into a menu, list tables
become stacked cards, a long unbroken title wraps instead of widening the page."""

from __future__ import annotations

import itertools
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


def test_a_busy_day_in_the_month_and_the_forms_fit_a_phone(
    phone_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any,
    long_matter: Any,
) -> None:  # fmt: skip
    """Walk of issue 16: on a phone a day with several events drew them over the next days'
    (the tablet rule's fixed cell height won over the phone's), and the new-matter form and
    the task board were wider than the screen (a fieldset's and a textarea's own width)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from lexcase.calendar.models import Deadline
    from lexcase.todos.models import Task

    today = timezone.localdate()
    # A day of this month with room after it (the last days of a month: the first).
    day = today if today.day < 25 else today.replace(day=1)
    due = datetime.combine(day, time(18, 0), tzinfo=timezone.get_current_timezone())
    for n in range(5):
        Task.objects.create(
            title=f"第{n + 1}项工作：整理证据材料并提交",
            matter=long_matter,
            assignee=users["lawyer"],
            created_by=users["lawyer"],
            due_at=due,
            priority="P2",
        )
    Task.objects.create(
        title="次日任务",
        assignee=users["lawyer"],
        created_by=users["lawyer"],
        due_at=due + timedelta(days=1),
        priority="P2",
    )
    Deadline.objects.create(
        matter=long_matter,
        title="上诉期限届满",
        due_date=day,
        status=Deadline.Status.OPEN,
        responsible=users["lawyer"],
    )
    page = phone_page
    login(page, "lawyer")
    page.goto(live_server.url + f"/agenda/month/?month={day:%Y-%m}")
    boxes = [
        page.locator("table.month a.chip").nth(i).bounding_box()
        for i in range(page.locator("table.month a.chip").count())
    ]
    assert len(boxes) == 7
    # Each event sits below the one before it: none drawn over another.
    for above, below in itertools.pairwise(boxes):
        assert below["y"] >= above["y"] + above["height"] - 1, (above, below)
    # The statutory deadline stands apart from the tasks.
    assert page.locator("table.month a.chip.is-hard").count() == 1
    assert _page_width(page) <= 390
    screenshot(page, "phone-390-month-busy-day.png")
    for path, name in (("/matters/new/", "new-matter"), ("/tasks/", "tasks")):
        page.goto(live_server.url + path)
        assert _page_width(page) <= 390, path
        screenshot(page, f"phone-390-{name}.png")
    page.csp.assert_clean()


def test_the_administrators_pages_fit_a_phone(
    phone_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    """Walk of issue 16: the holiday calendar was 414 px wide on a 390-px phone (a grid
    column as wide as its widest field); the robots' form laid out on a phone."""
    from lexcase.accounts.services import user_create
    from tests.e2e.personas import PASSWORD

    user_create(username="admin", role="admin", password=PASSWORD, name="周主任")
    page = phone_page
    login(page, "admin")
    for path, name in (
        ("/calendar/holidays/", "holidays"),
        ("/notifications/robots/", "robots"),
        ("/team/firm/", "firm"),
    ):
        page.goto(live_server.url + path)
        assert _page_width(page) <= 390, path
        screenshot(page, f"phone-390-{name}.png")
    page.csp.assert_clean()
