"""A lawyer's morning: the P1 matter's SLA task on the board, moved with one click, then by
drag; the same task on 今日 (the agenda)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def p1_matter(users: dict[str, Any]) -> Any:
    import importlib

    from django.apps import apps

    from lexcase.accounts.services import user_create
    from lexcase.conflicts.services import conflict_review_decide
    from lexcase.matters.models import PrioritySLA
    from lexcase.matters.services import matter_create, matter_open

    # Browser tests run on a flushed database: put back the reference data they rely on.
    PrioritySLA.objects.get_or_create(
        priority="P1", defaults={"first_action_hours": 24, "description": "P1"}
    )
    importlib.import_module("lexcase.todos.migrations.0002_default_checklists").load(apps, None)

    admin = user_create(username="boss", role="admin", password="x-long-password-1", name="主任")
    matter = matter_create(
        actor=users["lawyer"],
        title="张某人身损害赔偿纠纷",
        matter_type="civil",
        priority="P1",
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )
    conflict_review_decide(actor=admin, matter=matter, decision="approve")
    return matter_open(actor=admin, matter=matter)


def test_board_moves_a_card_by_click_and_by_drag(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any, p1_matter: Any
) -> None:
    from lexcase.todos.models import Task

    sla = Task.objects.get(matter=p1_matter, kind="sla")
    login(page, "lawyer")
    page.goto(live_server.url + "/tasks/")
    card = page.locator(f"#task-{sla.pk}")
    assert card.locator("xpath=ancestor::section").get_attribute("data-status") == "todo"
    screenshot(page, "20-task-board.png")

    # One click (htmx): the card moves to "doing" without a page load.
    card.locator("form:has(input[name=status][value=doing]) button").click()
    page.wait_for_selector(f"section[data-status=doing] #task-{sla.pk}")
    sla.refresh_from_db()
    assert sla.status == "doing"

    # Drag it to "done".
    page.drag_and_drop(f"#task-{sla.pk}", "section[data-status=done]")
    page.wait_for_selector(f"section[data-status=done] #task-{sla.pk}")
    sla.refresh_from_db()
    assert sla.status == "done"
    screenshot(page, "21-task-board-done.png")

    # The matter's opening checklist is on 今日's next-7-days list, P1 first.
    page.goto(live_server.url + "/agenda/")
    assert page.locator(".agenda-item", has_text="核实诉讼时效").count() == 1
    screenshot(page, "22-agenda-with-tasks.png")
    page.csp.assert_clean()


def test_partner_sees_workload_with_charts(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any, p1_matter: Any
) -> None:
    login(page, "partner")
    page.goto(live_server.url + "/workload/")
    row = page.locator("table.list tbody tr", has_text="陈思远")
    # The lawyer leads one open P1 matter (weight 3 × stage 0.5 for preparation).
    assert row.locator("td").nth(1).inner_text() == "1"
    assert page.locator("svg.bars rect.bar").count() >= 2
    screenshot(page, "23-workload.png")
    page.goto(live_server.url + f"/matters/{p1_matter.pk}/")
    page.locator("details:has([hx-get*=lead-suggestions]) > summary").click()
    page.wait_for_selector(".suggestions li")
    screenshot(page, "24-matter-with-tasks.png")
    page.csp.assert_clean()
