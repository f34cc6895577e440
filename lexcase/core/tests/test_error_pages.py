"""The 400, 403 and 404 pages are in the reader's language (Chinese by default, English when
switched): without templates of our own Django answered with its built-in English pages
("Not Found", "403 Forbidden", "Bad Request (400)") on every Chinese screen."""

from __future__ import annotations

import pytest

from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

PAGES = {
    404: ("页面不存在", "该页面不存在，或您无权查看。", "Page not found"),
    403: (
        "无权操作",
        "您无权打开此页面或执行此操作。如认为应当有此权限，请联系管理员。",
        "Not allowed",
    ),
    400: (
        "请求无法处理",
        "无法读取该请求：内容可能格式有误或过大。请返回检查所填内容后重试。",
        "Bad request",
    ),
}


def _request(firm, status: int, language: str = ""):
    client = client_for(firm.lead)
    if language:
        client.cookies["django_language"] = language
    if status == 404:
        return client.get("/matters/999999/")
    if status == 403:
        return client.get("/team/users/")  # administrators only
    # More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses to read the body.
    return client.post("/parties/new/", {f"f{i}": "x" for i in range(1100)})


@pytest.mark.parametrize("status", [404, 403, 400])
def test_the_error_page_is_in_chinese_by_default(firm, status):
    response = _request(firm, status)
    text = response.content.decode()
    title, explanation, _english = PAGES[status]
    assert response.status_code == status
    assert (f"<h1>{title}</h1>" in text, f"<p>{explanation}</p>" in text) == (True, True)
    assert ("Not Found" in text, "Forbidden" in text, "Bad Request" in text) == (False,) * 3


@pytest.mark.parametrize("status", [404, 403, 400])
def test_the_error_page_is_in_english_when_switched(firm, status):
    response = _request(firm, status, "en")
    _title, _explanation, english = PAGES[status]
    assert response.status_code == status
    assert f"<h1>{english}</h1>" in response.content.decode()
