"""A refused form keeps what was typed, with and without JavaScript: a personal task with an
impossible date (my board again, the form as typed, the error beside the field), a conflict
review's waiver without its consent reference (a page of its own), and a forged board move
(the board stays, with the error on it). Screenshots `forms-kept-*.png`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
NOTE = "对方已在微信中确认：同意先行调解，" * 6


@pytest.fixture(params=["js", "nojs"])
def any_page(request: Any, browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=request.param == "js",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.mode = request.param
    try:
        yield page
    finally:
        context.close()


def test_a_personal_task_with_a_bad_date_comes_back_as_typed(
    any_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.todos.models import Task

    page = any_page
    login(page, "lawyer")
    page.goto(live_server.url + "/tasks/")
    form = page.locator("form[action='/tasks/new/']")
    form.locator("input[name=task-title]").fill("整理案卷目录")
    form.locator("textarea[name=task-notes]").fill(NOTE)
    # An impossible date typed past the picker (a datetime-local input refuses it itself).
    form.locator("input[name=task-due_at]").evaluate("el => { el.type = 'text'; }")
    form.locator("input[name=task-due_at]").fill("2026-02-30T10:00")
    form.locator("button").click()
    page.wait_for_load_state()
    form = page.locator("form[action='/tasks/new/']")
    assert form.locator("input[name=task-title]").input_value() == "整理案卷目录"
    assert form.locator("textarea[name=task-notes]").input_value() == NOTE
    # (The server sends the impossible date back as typed; a datetime-local input shows an
    # invalid value as empty, so the error beside it says what to fix.)
    text = form.inner_text()
    assert "未保存任何内容" in text and "输入一个有效的日期/时间。" in text
    assert page.locator("#board").count() == 1
    assert Task.objects.filter(title="整理案卷目录").count() == 0
    screenshot(page, f"forms-kept-task-{page.mode}.png")


def test_a_waiver_without_its_consent_keeps_the_note(
    any_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.conflicts.models import ConflictReview
    from lexcase.matters.services import matter_create

    matter = matter_create(
        actor=users["lawyer"],
        title="华泰科技诉王伟买卖合同纠纷",
        matter_type="civil",
        priority="P2",
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )
    page = any_page
    login(page, "partner")
    page.goto(f"{live_server.url}/matters/{matter.pk}/#conflicts")
    form = page.locator(f"form[action='/matters/{matter.pk}/conflict-review/']")
    form.locator("select[name=review-decision]").select_option("waive")
    form.locator("textarea[name=review-note]").fill(NOTE)
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "利益冲突审查决定"
    form = page.locator(f"form[action='/matters/{matter.pk}/conflict-review/']")
    assert form.locator("textarea[name=review-note]").input_value() == NOTE
    assert form.locator("select[name=review-decision]").input_value() == "waive"
    assert "请登记已签署的知情同意书。" in form.inner_text()
    assert ConflictReview.objects.count() == 0
    screenshot(page, f"forms-kept-review-{page.mode}.png")


def test_a_forged_board_move_keeps_the_board(
    any_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.todos.services import task_create

    task = task_create(actor=users["lawyer"], title="核对证据清单", assignee=users["lawyer"])
    page = any_page
    login(page, "lawyer")
    page.goto(live_server.url + "/tasks/")
    card = page.locator(f"#task-{task.pk}")
    # Held as an element: the selector by value no longer matches once the value is forged.
    form = card.locator("form:has(input[name=status][value=doing])").element_handle()
    form.query_selector("input[name=status]").evaluate("el => { el.value = 'bogus'; }")
    form.query_selector("button").click()
    page.locator(".msg-error").wait_for()
    assert page.locator(".msg-error").inner_text() == "任务未移动：请选择看板上的一栏。"
    assert page.locator(f"section[data-status=todo] #task-{task.pk}").count() == 1
    assert page.locator(".board-col").count() == 3
    task.refresh_from_db()
    assert task.status == "todo"
    screenshot(page, f"forms-kept-board-{page.mode}.png")


def test_a_refused_relation_keeps_what_was_typed(
    any_page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.parties.models import Party, PartyRelation

    party = Party.objects.create(kind="organization", name="北京华泰科技有限公司")
    page = any_page
    login(page, "lawyer")
    page.goto(f"{live_server.url}/parties/{party.pk}/")
    page.locator("summary", has_text="添加关联方").click()
    form = page.locator(f"form[action='/parties/{party.pk}/relations/']")
    form.locator("select[name=kind]").select_option("legal_rep")
    form.locator("input[name=other_name]").fill("张建华")
    form.locator("input[name=other_identifier]").fill("110105198001011230")  # check digit 8
    form.locator("input[name=note]").fill("2024 年起任法定代表人")
    form.locator("button").click()
    page.wait_for_load_state()
    form = page.locator(f"form[action='/parties/{party.pk}/relations/']")
    assert form.is_visible()  # its <details> open
    assert form.locator("input[name=other_name]").input_value() == "张建华"
    assert form.locator("input[name=other_identifier]").input_value() == "110105198001011230"
    assert form.locator("input[name=note]").input_value() == "2024 年起任法定代表人"
    assert "校验" in form.inner_text()
    assert PartyRelation.objects.count() == 0
    screenshot(page, f"forms-kept-relation-{page.mode}.png")
