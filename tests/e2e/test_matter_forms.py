"""The matter page's forms load when their section opens (htmx, issue 15 item 3) and post
as before; the page stays within the strict CSP."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_forms_load_on_opening_and_post(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, open_matter: Any
) -> None:
    from lexcase.calendar.models import Hearing
    from lexcase.comms.models import ClientUpdatePolicy
    from lexcase.matters.models import CourtCaseNumber
    from lexcase.todos.models import Task

    login(page, "lawyer")
    page.goto(f"{live_server.url}/matters/{open_matter.pk}/")
    # Closed: a link to the form's own page, no form yet.
    page.locator("details:has(a[href$='/forms/case-number/']) > summary").click()
    # The link is swapped for the form.
    form = page.locator("form[action$='/case-numbers/']")
    form.locator("input[name=number]").fill("（2026）京0105民初123号")
    form.locator("button", has_text="添加").click()
    page.wait_for_url(f"{live_server.url}/matters/{open_matter.pk}/")
    assert CourtCaseNumber.objects.filter(matter=open_matter).count() == 1
    assert page.locator("#overview", has_text="（2026）京0105民初123号").count() == 1

    # A hearing, from the deadlines section.
    page.locator("details:has(a[href$='/forms/hearing/']) > summary").click()
    hearing = page.locator("form[action$='/hearings/']")
    hearing.locator("input[name=hearing-court]").fill("北京市朝阳区人民法院")
    hearing.locator("input[name=hearing-starts_at]").fill("2026-12-20T09:30")
    hearing.locator("button", has_text="添加").click()
    page.wait_for_url(re.compile(rf"/matters/{open_matter.pk}/(#.*)?$"))
    assert Hearing.objects.filter(matter=open_matter).count() == 1

    # A section's form (registered by todos): a new task.
    page.locator("details:has(a[href$='/forms/task/']) > summary").click()
    task = page.locator("form[action$='/tasks/new/']")
    task.locator("input[name=task-title]").fill("准备证据目录")
    task.locator("button", has_text="添加任务").click()
    page.wait_for_url(re.compile(rf"/matters/{open_matter.pk}/(#.*)?$"))
    assert Task.objects.filter(matter=open_matter, title="准备证据目录").exists()

    # The communications card's update cadence (registered by comms).
    page.locator("details:has(a[href$='/forms/cadence/']) > summary").click()
    cadence = page.locator("form[action$='/client-updates/']")
    cadence.locator("input[name=policy-interval_days]").fill("5")
    cadence.locator("button", has_text="保存").click()
    page.wait_for_url(re.compile(rf"/matters/{open_matter.pk}/(#.*)?$"))
    assert ClientUpdatePolicy.objects.get(matter=open_matter).interval_days == 5
    page.csp.assert_clean()


def test_without_javascript_the_link_opens_the_form(
    browser: Any, live_server: Any, users: dict[str, Any], login: Any, open_matter: Any
) -> None:
    from lexcase.accounts.services import user_create
    from lexcase.matters.models import MatterMember

    helper = user_create(username="helper", role="assistant", password="x-long-password-2")
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, "lawyer")
        page.goto(f"{live_server.url}/matters/{open_matter.pk}/")
        page.locator("details:has(a[href$='/forms/member/']) > summary").click()
        page.locator("a[href$='/forms/member/']").click()
        page.wait_for_url(f"{live_server.url}/matters/{open_matter.pk}/forms/member/")
        page.select_option("main select[name=user]", value=str(helper.pk))
        page.select_option("main select[name=role]", value="assistant")
        page.locator("main form button", has_text="添加").click()
        page.wait_for_url(re.compile(rf"/matters/{open_matter.pk}/(#.*)?$"))
        assert MatterMember.objects.filter(matter=open_matter, user=helper).exists()
    finally:
        context.close()


def test_a_page_view_is_one_matter_view_in_the_audit_log(
    page: Any,
    live_server: Any,
    users: dict[str, Any],
    login: Any,
    open_matter: Any,
    screenshot: Any,
) -> None:
    """The page and what htmx loads on it by itself (the outcome statistics) are one access:
    one `matter.view` once everything has loaded, as the audit log should show it."""
    from lexcase.audit.models import AuditEvent

    login(page, "lawyer")
    before = AuditEvent.objects.filter(action="matter.view", matter_id=open_matter.pk).count()
    with page.expect_response(re.compile(r"/outcome-stats/\?view=")) as loaded:
        page.goto(f"{live_server.url}/matters/{open_matter.pk}/")
    assert loaded.value.status == 200
    # The statistics replaced their link: htmx has swapped the answer in.
    page.locator("#matter-outcomes div[hx-get]").wait_for(state="detached")
    screenshot(page, "78-matter-page-one-view.png")
    views = AuditEvent.objects.filter(action="matter.view", matter_id=open_matter.pk)
    assert list(views.order_by("pk").values_list("data", flat=True)[before:]) == [{}]
    page.csp.assert_clean()
