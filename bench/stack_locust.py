"""Locust users of the stack's load test (bench/stack_load.py runs it; never imported by the
app or the test suite: locust monkey-patches the standard library with gevent).

Each simulated user signs in once through nginx with its own account (bench/stack_load.py
creates them: lawyers, and partners with an authenticator app, as the firm's policy wants)
and then works like a lawyer or partner with a few seconds' thought between clicks: the
matter list (plain, filtered, searched), a matter page, the search page, an ad-hoc conflict
check, a document upload and the agenda. A response counts as a failure unless it is the
page expected (status 200, or the upload's "saved" message after the redirect).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import random
import re
import struct
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

USERS = json.loads(Path(os.environ["STACK_LOAD_USERS"]).read_text(encoding="utf-8"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_accounts = list(USERS["accounts"])
random.Random(7).shuffle(_accounts)

WORDS = "合同 纠纷 借款 租赁 买卖 违约 赔偿 判决 上诉 证据 仲裁 劳动 工资 股权 担保 执行".split()


def totp(secret: str, at: float) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits): the code an authenticator app shows."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def text_file(rng: random.Random) -> tuple[str, bytes]:
    """A few KB to ~60 KB of Chinese legal text (a typical memo or letter as text)."""
    paragraphs = [
        "".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80))) + "。"
        for _ in range(rng.randint(10, 300))
    ]
    return f"备忘录-{rng.randint(1, 10**6)}.txt", "\n".join(paragraphs).encode()


def docx_file(rng: random.Random) -> tuple[str, bytes]:
    # Heavy, and only this measurement needs it.
    from docx import Document

    document = Document()
    document.add_heading("律师函", level=1)
    for _ in range(rng.randint(3, 30)):
        document.add_paragraph("".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))))
    buffer = io.BytesIO()
    document.save(buffer)
    return f"律师函-{rng.randint(1, 10**6)}.docx", buffer.getvalue()


class FirmUser(HttpUser):
    wait_time = between(2, 6)

    def on_start(self) -> None:
        if not _accounts:
            raise RuntimeError("more locust users than prepared accounts")
        self.account = _accounts.pop()
        self.rng = random.Random(self.account["username"])
        self.checks = 0
        page = self.client.get("/accounts/login/", name="sign in")
        response = self.client.post(
            "/accounts/login/",
            data={
                "login": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": self._csrf(page.text),
            },
            name="sign in",
        )
        if self.account.get("totp"):
            # Partners: the second step asks for the authenticator app's code.
            response = self.client.post(
                "/accounts/2fa/authenticate/",
                data={
                    "code": totp(self.account["totp"], time.time()),
                    "csrfmiddlewaretoken": self._csrf(response.text),
                },
                name="sign in (2FA)",
            )
        if "/accounts/" in response.url:
            raise RuntimeError(f"{self.account['username']} could not sign in: {response.url}")

    def _csrf(self, html: str) -> str:
        match = CSRF.search(html)
        return match[1] if match else self.client.cookies.get("csrftoken", "")

    def _get(self, url: str, name: str) -> Any:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{response.status_code} {response.url}")
            return response

    @task(20)
    def matter_list(self) -> None:
        query = self.rng.choice(["", "?status=open", "?priority=P1", "?status=open&mine=1"])
        self._get(f"/matters/{query}", "matter list")

    @task(6)
    def matter_list_search(self) -> None:
        term = self.rng.choice(self.account["terms"])
        self._get(f"/matters/?q={term}", "matter list search")

    @task(25)
    def matter_page(self) -> None:
        matter = self.rng.choice(self.account["matters"])
        self._get(f"/matters/{matter}/", "matter page")

    @task(10)
    def search(self) -> None:
        term = self.rng.choice(self.account["terms"] + WORDS)
        self._get(f"/search/?q={term}", "search")

    @task(12)
    def agenda(self) -> None:
        self._get("/agenda/", "agenda")

    @task(4)
    def conflict_check(self) -> None:
        if self.checks >= 25:  # the firm's limit is 30 per user per 10 minutes
            return
        self.checks += 1
        page = self._get("/conflicts/check/", "conflict check (form)")
        name = self.rng.choice(self.account["names"] + ["王伟", "北京华泰科技有限公司"])
        data = {
            "csrfmiddlewaretoken": self._csrf(page.text),
            "parties-TOTAL_FORMS": "3",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "20",
            "parties-0-name": name,
            "parties-0-kind": "organization" if len(name) > 4 else "person",
            "parties-0-role": "opposing",
            "parties-1-kind": "person",
            "parties-1-role": "client",
            "parties-2-kind": "person",
            "parties-2-role": "client",
        }
        with self.client.post(
            "/conflicts/check/", data=data, name="conflict check", catch_response=True
        ) as response:
            if response.status_code != 200 or "msg-error" in response.text:
                response.failure(f"{response.status_code}")

    @task(3)
    def upload(self) -> None:
        matter = self.rng.choice(self.account["upload_matters"])
        page = self._get(f"/matters/{matter}/", "matter page")
        name, data = (docx_file if self.rng.random() < 0.3 else text_file)(self.rng)
        with self.client.post(
            f"/matters/{matter}/documents/",
            data={"csrfmiddlewaretoken": self._csrf(page.text), "category": ""},
            files={"files": (name, data)},
            name="document upload",
            catch_response=True,
        ) as response:
            # Redirected back to the matter page, which shows the result message.
            if response.status_code != 200 or "msg-success" not in response.text:
                error = re.search(r'class="msg-error">([^<]+)', response.text)
                response.failure(f"{response.status_code} {error[1] if error else ''}")


@events.quitting.add_listener
def _summary(environment: Any, **_kwargs: Any) -> None:
    total = environment.stats.total
    print(f"locust: {total.num_requests} requests, {total.num_failures} failures")
