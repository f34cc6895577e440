"""The matter page's forms load when their section opens (htmx, issue 15 item 3), htmx posts
them (a failed one comes back in place, as typed) and a saved one reloads the page; the page
stays within the strict CSP."""

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
    # htmx posts it; the answer reloads the matter page (HX-Redirect).
    with page.expect_navigation(url=f"{live_server.url}/matters/{open_matter.pk}/"):
        form.locator("button", has_text="添加").click()
    assert CourtCaseNumber.objects.filter(matter=open_matter).count() == 1
    assert page.locator("#overview", has_text="（2026）京0105民初123号").count() == 1

    # A hearing, from the deadlines section.
    page.locator("details:has(a[href$='/forms/hearing/']) > summary").click()
    hearing = page.locator("form[action$='/hearings/']")
    hearing.locator("input[name=hearing-court]").fill("北京市朝阳区人民法院")
    hearing.locator("input[name=hearing-starts_at]").fill("2026-12-20T09:30")
    # htmx posts it; the answer reloads the matter page (HX-Redirect).
    with page.expect_navigation(url=re.compile(rf"/matters/{open_matter.pk}/(#.*)?$")):
        hearing.locator("button", has_text="添加").click()
    assert Hearing.objects.filter(matter=open_matter).count() == 1

    # A section's form (registered by todos): a new task.
    page.locator("details:has(a[href$='/forms/task/']) > summary").click()
    task = page.locator("form[action$='/tasks/new/']")
    task.locator("input[name=task-title]").fill("准备证据目录")
    # htmx posts it; the answer reloads the matter page (HX-Redirect).
    with page.expect_navigation(url=re.compile(rf"/matters/{open_matter.pk}/(#.*)?$")):
        task.locator("button", has_text="添加任务").click()
    assert Task.objects.filter(matter=open_matter, title="准备证据目录").exists()

    # The communications card's update cadence (registered by comms).
    page.locator("details:has(a[href$='/forms/cadence/']) > summary").click()
    cadence = page.locator("form[action$='/client-updates/']")
    cadence.locator("input[name=policy-interval_days]").fill("5")
    # htmx posts it; the answer loads the matter page again at its communications card
    # (HX-Redirect to #communications, and HX-Refresh: a fragment alone only scrolls).
    with page.expect_event("load"):  # a new document, not only a scroll
        cadence.locator("button", has_text="保存").click()
    assert page.url == f"{live_server.url}/matters/{open_matter.pk}/#communications"
    assert page.locator(".messages").inner_text() == "已保存。"
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


def test_a_hearing_with_one_bad_field_keeps_the_others(
    page: Any,
    live_server: Any,
    users: dict[str, Any],
    login: Any,
    open_matter: Any,
    screenshot: Any,
) -> None:
    """The hearing form on the matter page, with an end before its start: htmx puts the same
    form back in place (422), everything typed still in it and the error beside the end;
    nothing saved. Corrected, it saves and the page reloads."""
    from lexcase.calendar.models import Hearing

    login(page, "lawyer")
    page.goto(f"{live_server.url}/matters/{open_matter.pk}/")
    page.locator("details:has(a[href$='/forms/hearing/']) > summary").click()
    hearing = page.locator("form[action$='/hearings/']")
    hearing.locator("input[name=hearing-court]").fill("北京市朝阳区人民法院")
    hearing.locator("input[name=hearing-city]").fill("北京")
    hearing.locator("input[name=hearing-courtroom]").fill("第十二法庭")
    hearing.locator("input[name=hearing-starts_at]").fill("2026-12-20T09:30")
    hearing.locator("input[name=hearing-ends_at]").fill("2026-12-20T08:00")
    with page.expect_response(re.compile(r"/hearings/$")) as answered:
        hearing.locator("button", has_text="添加").click()
    assert answered.value.status == 422
    page.locator("form[action$='/hearings/'] .errorlist").wait_for()
    assert page.url == f"{live_server.url}/matters/{open_matter.pk}/"
    hearing = page.locator("form[action$='/hearings/']")
    assert [
        hearing.locator(f"input[name=hearing-{name}]").input_value()
        for name in ("court", "city", "courtroom", "starts_at", "ends_at")
    ] == ["北京市朝阳区人民法院", "北京", "第十二法庭", "2026-12-20T09:30", "2026-12-20T08:00"]
    assert hearing.locator(".errorlist").all_inner_texts() == ["结束时间必须晚于开始时间。"]
    assert Hearing.objects.filter(matter=open_matter).count() == 0
    hearing.scroll_into_view_if_needed()
    screenshot(page, "79-hearing-form-kept.png")

    # Corrected: saved, and the matter page loads again (htmx's HX-Redirect).
    hearing.locator("input[name=hearing-ends_at]").fill("2026-12-20T11:00")
    hearing.locator("button", has_text="添加").click()
    page.locator(".messages", has_text="已保存。").wait_for()
    assert Hearing.objects.filter(matter=open_matter, courtroom="第十二法庭").count() == 1
    page.csp.assert_clean()


def test_without_javascript_a_bad_hearing_comes_back_on_its_own_page(
    browser: Any,
    live_server: Any,
    users: dict[str, Any],
    login: Any,
    open_matter: Any,
    screenshot: Any,
) -> None:
    from lexcase.calendar.models import Hearing

    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, "lawyer")
        page.goto(f"{live_server.url}/matters/{open_matter.pk}/forms/hearing/")
        page.fill("main input[name=hearing-court]", "北京市朝阳区人民法院")
        page.fill("main input[name=hearing-starts_at]", "2026-12-20T09:30")
        page.fill("main input[name=hearing-ends_at]", "2026-12-20T08:00")
        page.locator("main form button", has_text="添加").click()
        page.wait_for_url(f"{live_server.url}/matters/{open_matter.pk}/hearings/")
        assert page.locator("main h1").inner_text() == "添加开庭"
        assert (
            page.locator("main input[name=hearing-court]").input_value() == "北京市朝阳区人民法院"
        )
        assert page.locator("main .errorlist").all_inner_texts() == ["结束时间必须晚于开始时间。"]
        assert page.locator("main a", has_text="返回案件").get_attribute("href") == (
            f"/matters/{open_matter.pk}/"
        )
        screenshot(page, "80-hearing-form-kept-without-js.png")
        assert Hearing.objects.filter(matter=open_matter).count() == 0
    finally:
        context.close()
