"""A date picker shows the saved date in Chinese too: the lawyer edits a task's status on its
page and the due date survives (it was shown empty, `2026/12/08 18:00` not being a value an
``<input type=datetime-local>`` accepts, and saved as no date)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e


def test_a_task_edited_in_chinese_keeps_its_due_date(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any
) -> None:
    from lexcase.todos.models import Task
    from lexcase.todos.services import task_create

    due = datetime(2030, 3, 8, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    task = task_create(actor=users["lawyer"], title="准备质证意见", due_at=due)
    login(page, "lawyer")
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    assert page.input_value("input[name=due_at]") == "2030-03-08T18:00"
    page.select_option("select[name=status]", "doing")
    screenshot(page, "task-edit-due-date.png")
    page.locator("form.form button.primary").click()
    page.wait_for_load_state()
    assert "已保存" in page.content()
    task = Task.objects.get(pk=task.pk)
    assert task.status == "doing"
    assert task.due_at == due
    page.csp.assert_clean()
