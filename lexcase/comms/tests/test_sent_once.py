"""A communication entry sent twice (a double click, a reload of the answer) is logged once
(core.once). Before, the same call was logged twice, on the matter page and in the client
update record. The API does the same with an Idempotency-Key header."""

from __future__ import annotations

import json
import re

import pytest

from lexcase.accounts.services import api_token_create
from lexcase.comms.models import Communication
from lexcase.core.models import SentForm
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
ALREADY = "此表单已提交并已处理，未重复处理。"
ENTRY = {
    "comm-channel": "phone",
    "comm-direction": "outbound",
    "comm-summary": "电话告知客户开庭时间",
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _key(html: str) -> str:
    form = re.search(
        r'<form[^>]*action="/matters/\d+/communications/"[^>]*>(.*?)</form>', html, re.S
    )
    assert form is not None
    key = re.search(r'<input type="hidden" name="once" value="([0-9a-f-]{36})">', form.group(1))
    assert key is not None
    return key.group(1)


def test_an_entry_sent_twice_without_javascript_is_logged_once(firm):
    client = client_for(firm.lead)
    page = f"/matters/{firm.matter.pk}/"
    action = f"/matters/{firm.matter.pk}/communications/"
    body = {**ENTRY, "once": _key(client.get(page).content.decode())}
    assert client.post(action, body).status_code == 302
    second = client.post(action, body, follow=True)
    assert second.redirect_chain == [(page + "#communications", 302)]
    assert ALREADY in [str(m) for m in second.context["messages"]]
    assert Communication.objects.count() == 1
    # The page's next form is another entry.
    body["once"] = _key(client.get(page).content.decode())
    assert client.post(action, body).status_code == 302
    assert Communication.objects.count() == 2


def test_an_entry_sent_twice_with_htmx_is_logged_once_and_the_section_says_so(firm):
    client = client_for(firm.lead)
    action = f"/matters/{firm.matter.pk}/communications/"
    body = {**ENTRY, "once": _key(client.get(f"/matters/{firm.matter.pk}/").content.decode())}
    first = client.post(action, body, **HTMX)
    second = client.post(action, body, **HTMX)
    assert (first.status_code, second.status_code) == (200, 200)
    html = second.content.decode()
    assert html.lstrip().startswith('<section class="card" id="communications">')
    assert f'<li class="msg-warning">{ALREADY}</li>' in html
    assert html.count("电话告知客户开庭时间") == 1  # the one entry, listed once
    assert _key(html) != body["once"]  # the section's new form has a new key
    assert Communication.objects.count() == 1


def test_a_refused_entry_frees_its_key_and_comes_back_with_a_new_one(firm):
    client = client_for(firm.lead)
    action = f"/matters/{firm.matter.pk}/communications/"
    key = _key(client.get(f"/matters/{firm.matter.pk}/").content.decode())
    refused = client.post(action, {**ENTRY, "comm-summary": "", "once": key})
    assert (refused.status_code, SentForm.objects.count()) == (422, 0)
    assert re.search(r'name="once" value="[0-9a-f-]{36}"', refused.content.decode())
    assert client.post(action, {**ENTRY, "once": key}).status_code == 302
    assert Communication.objects.count() == 1


def test_the_api_logs_an_entry_once_per_idempotency_key(firm):
    _token, raw = api_token_create(user=firm.lead, name="once")
    url = f"/api/v1/matters/{firm.matter.pk}/communications"
    body = json.dumps(
        {
            "channel": "phone",
            "direction": "outbound",
            "summary": "电话告知客户",
            "occurred_at": "2026-01-05T10:00:00+08:00",
        }
    )

    def post(key: str):
        headers = {"Authorization": f"Bearer {raw}"}
        if key:
            headers["Idempotency-Key"] = key
        return client_for(None).post(url, body, content_type="application/json", headers=headers)

    assert [post("c-1").status_code, post("c-1").status_code] == [201, 409]
    assert [post("c-2").status_code, post("").status_code] == [201, 201]
    assert Communication.objects.count() == 3
