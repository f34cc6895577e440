"""A matter page's form that fails keeps what was typed (matters.actions.matter_form_again):
nothing is written, and the same form comes back bound, each error beside its field, in the
user's language (Chinese by default) — for a plain POST on a page of its own for that action
(status 422, the matter named, a link back), for htmx the form alone with the headers that
put it back in place. Before, the errors were flashed and the user was sent back to the
matter page with an empty form."""

from __future__ import annotations

import re

import pytest

from lexcase.calendar.models import Deadline, Hearing
from lexcase.comms.models import ClientUpdatePolicy, Communication
from lexcase.documents.models import Document
from lexcase.documents.tests.access_rows import make_document
from lexcase.testing import client_for
from lexcase.todos.models import Task

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LONG_NOTE = "与对方律师电话沟通：对方同意在十二月二十日前提交补充证据，" * 20
NOTHING_SAVED = "未保存任何内容：请修改下方标出的字段后重新提交。"


def values(html: str, name: str) -> list[str]:
    """The value of each <input name=...> in the page (textareas: their text)."""
    found = re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    inputs = [re.search(r'value="([^"]*)"', tag) for tag in found]
    areas = re.findall(
        rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\n?(.*?)</textarea>', html, re.S
    )
    return [m.group(1) if m else "" for m in inputs] + areas


def test_task_with_a_bad_due_date_comes_back_as_typed_on_its_own_page(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/tasks/new/",
        {"task-title": "准备证据目录", "task-due_at": "2026-02-30T10:00", "task-notes": LONG_NOTE},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "task-title") == ["准备证据目录"]
    assert values(html, "task-due_at") == ["2026-02-30T10:00"]
    assert values(html, "task-notes") == [LONG_NOTE]
    assert "输入一个有效的日期/时间。" in html
    assert NOTHING_SAVED in html
    # The action's own page: the registered form's heading, the matter, a way back.
    assert "<h1>新建任务</h1>" in html
    assert f"{firm.matter.number} {firm.matter.title}" in html
    assert f'href="/matters/{firm.matter.pk}/">返回案件</a>' in html
    assert f'action="/matters/{firm.matter.pk}/tasks/new/"' in html
    assert Task.objects.filter(matter=firm.matter, title="准备证据目录").count() == 0


def test_task_with_an_error_comes_back_alone_in_place_for_htmx(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/tasks/new/",
        {"task-title": "", "task-notes": LONG_NOTE},
        **HTMX,
    )
    html = response.content.decode()
    assert (response.status_code, response["HX-Retarget"], response["HX-Reswap"]) == (
        422,
        "this",
        "outerHTML",
    )
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert f'hx-post="/matters/{firm.matter.pk}/tasks/new/"' in html
    assert values(html, "task-notes") == [LONG_NOTE]
    assert "此项为必填项。" in html
    assert Task.objects.filter(matter=firm.matter).exclude(kind="sla").count() == 0


def test_htmx_success_reloads_the_matter_page(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/tasks/new/", {"task-title": "准备证据目录"}, **HTMX
    )
    assert (response.status_code, response["HX-Redirect"]) == (200, f"/matters/{firm.matter.pk}/")
    assert Task.objects.filter(matter=firm.matter, title="准备证据目录").count() == 1


def test_htmx_success_to_a_fragment_of_the_page_shown_reloads_it(firm):
    """A fragment of the page the browser shows only scrolls it: HX-Refresh loads it again."""
    url = f"/matters/{firm.matter.pk}/client-updates/"
    data = {"policy-interval_days": "5", "policy-version": "0"}
    client = client_for(firm.lead)
    response = client.post(
        url, data, HTTP_HX_CURRENT_URL=f"http://testserver/matters/{firm.matter.pk}/", **HTMX
    )
    assert (response.status_code, response["HX-Redirect"], response.get("HX-Refresh")) == (
        200,
        f"/matters/{firm.matter.pk}/#communications",
        "true",
    )
    data["policy-version"] = "1"
    response = client.post(url, data, HTTP_HX_CURRENT_URL="http://testserver/agenda/", **HTMX)
    assert (response["HX-Redirect"], response.get("HX-Refresh")) == (
        f"/matters/{firm.matter.pk}/#communications",
        None,
    )


def test_hearing_refused_by_the_service_keeps_every_field(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/hearings/",
        {
            "hearing-court": "北京市朝阳区人民法院",
            "hearing-city": "北京",
            "hearing-courtroom": "第十二法庭",
            "hearing-starts_at": "2026-12-20T09:30",
            "hearing-ends_at": "2026-12-20T08:00",
            "hearing-attendees": [str(firm.lead.pk)],
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert [
        values(html, f"hearing-{name}")
        for name in ("court", "city", "courtroom", "starts_at", "ends_at")
    ] == [
        ["北京市朝阳区人民法院"],
        ["北京"],
        ["第十二法庭"],
        ["2026-12-20T09:30"],
        ["2026-12-20T08:00"],
    ]
    assert re.search(rf'<option value="{firm.lead.pk}"[^>]* selected>', html)
    assert "结束时间必须晚于开始时间。" in html
    assert "<h1>添加开庭</h1>" in html
    assert Hearing.objects.filter(matter=firm.matter).count() == 0


def test_deadline_without_its_date_keeps_its_title(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/deadlines/",
        {"deadline-title": "举证期限届满", "deadline-due_date": "", "deadline-due_time": "17:00"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert (values(html, "deadline-title"), values(html, "deadline-due_time")) == (
        ["举证期限届满"],
        ["17:00"],
    )
    assert "此项为必填项。" in html
    assert Deadline.objects.filter(matter=firm.matter).count() == 0


def test_communication_without_javascript_comes_back_as_typed(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/communications/",
        {
            "comm-channel": "phone",
            "comm-direction": "outbound",
            "comm-occurred_at": "2026-13-01T10:00",
            "comm-summary": LONG_NOTE,
            "comm-follow_up": "周五前发送证据清单",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "comm-summary") == [LONG_NOTE]
    assert values(html, "comm-follow_up") == ["周五前发送证据清单"]
    assert values(html, "comm-occurred_at") == ["2026-13-01T10:00"]
    assert "输入一个有效的日期/时间。" in html
    assert "<h1>客户沟通</h1>" in html
    assert Communication.objects.filter(matter=firm.matter).count() == 0


def test_document_edit_comes_back_on_its_page_as_typed(firm):
    pk = make_document(firm)
    before = Document.objects.values("title", "notes", "on_date", "version").get(pk=pk)
    response = client_for(firm.lead).post(
        f"/documents/{pk}/edit/",
        {
            "title": "买卖合同（签字版）",
            "category": "contract",
            "on_date": "2026-02-30",
            "notes": LONG_NOTE,
            "version": str(before["version"]),
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "title") == ["买卖合同（签字版）"]
    assert values(html, "on_date") == ["2026-02-30"]
    assert values(html, "notes") == [LONG_NOTE]
    assert "请输入有效的日期。" in html
    assert NOTHING_SAVED in html
    assert Document.objects.values("title", "notes", "on_date", "version").get(pk=pk) == before


def test_document_edit_still_answers_a_stale_version_with_a_message(firm):
    pk = make_document(firm)
    version = Document.objects.get(pk=pk).version
    client = client_for(firm.lead)
    response = client.post(
        f"/documents/{pk}/edit/",
        {"title": "新标题", "category": "contract", "version": str(version + 1)},
    )
    # Since 96b5c0b the edit comes back on the document's page (409) instead of a redirect.
    assert response.status_code == 409
    assert "新标题" in response.content.decode()
    assert Document.objects.get(pk=pk).title == "买卖合同"


def test_portal_reply_too_long_keeps_the_text(firm):
    text = "请补充以下材料：" + "合同原件、发票、付款凭证。" * 400
    response = client_for(firm.lead).post(
        f"/portal/matters/{firm.matter.pk}/reply/", {"portal-text": text}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "portal-text") == [text]
    assert f"确保该变量包含不超过 5000 字符 (目前字符数 {len(text)})。" in html
    assert "<h1>通过客户门户给客户留言</h1>" in html
    assert Communication.objects.filter(matter=firm.matter).count() == 0


def test_outsider_gets_404_and_member_without_the_right_403_before_the_form(firm):
    bad = {"hearing-court": "某法院", "hearing-starts_at": "not a time"}
    url = f"/matters/{firm.matter.pk}/hearings/"
    assert client_for(firm.outsider).post(url, bad).status_code == 404
    assert client_for(firm.outsider).post(url, bad, **HTMX).status_code == 404
    url = f"/matters/{firm.matter.pk}/legal-hold/"
    assert client_for(firm.lead).post(url, {"hold": "set", "reason": ""}).status_code == 403


def test_stale_edit_still_goes_back_with_a_message(firm):
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/client-updates/",
        {"policy-interval_days": "5", "policy-version": "99"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/matters/{firm.matter.pk}/#communications", 302)]
    assert [str(m) for m in response.context["messages"]] == ["案件已被他人修改，请重试。"]
    assert ClientUpdatePolicy.objects.filter(matter=firm.matter, interval_days=5).count() == 0


def test_english_user_gets_the_errors_in_english(firm):
    client = client_for(firm.lead)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/matters/{firm.matter.pk}/deadlines/",
        {"deadline-title": "Evidence", "deadline-due_date": ""},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in html
    assert "Nothing was saved: correct the fields marked below and send the form again." in html
    assert values(html, "deadline-title") == ["Evidence"]
