"""Browser tests: Playwright (sync API) driving Debian's chromium against ``live_server``.

Never run ``playwright install``: the browser is the system chromium (``make install`` puts it
there; CI has it). Without it every e2e test is skipped with a reason.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from lexcase.testing import use_document_store
from tests.e2e.personas import PASSWORD


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time when the test database is SQLite in
    memory. There every server thread shares the test thread's single connection
    (``connections_override``), and two requests at once (a page's htmx call still running
    when the form is posted) misuse it: sqlite3 raises "bad parameter or other API misuse"
    and the page never arrives. Connections stay threaded and keep-alive; only the
    application call (and reading its body) takes the lock. On PostgreSQL each thread has
    its own connection and requests run concurrently as in production."""

    def set_app(self, application: Any) -> None:
        if not self.connections_override:
            super().set_app(application)
            return
        lock = threading.Lock()

        def serial(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    close = getattr(response, "close", None)
                    if close is not None:
                        close()

        super().set_app(serial)


LiveServerThread.server_class = _OneRequestAtATime

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"

# Records CSP violations in the page itself as well as in the console. Playwright injects
# init scripts through the DevTools protocol, so this does not need (or weaken) the CSP.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"{CHROMIUM} not found: install Debian's chromium (`make install` does) "
            "to run the browser tests; `playwright install` is not used"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop (SynchronousOnlyOperation). The tests'
    # own ORM calls (fixtures, assertions, pytest-django's flush) are genuinely synchronous,
    # so allow them, but only while the browser is up, so the rest of the suite still gets
    # Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class CspWatch:
    """CSP violations seen by a page: console messages and securitypolicyviolation events."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def violations(self) -> list[str]:
        in_page = self.page.evaluate("window.__cspViolations || []")
        return [*self.console, *(f"{self.page.url}: {v}" for v in in_page)]

    def assert_clean(self) -> None:
        assert self.violations() == [], "CSP violations:\n" + "\n".join(self.violations())


def _new_page(browser: Any, **context_args: Any) -> tuple[Any, Any, CspWatch]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    return context, page, CspWatch(page)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A desktop-sized page; CSP violations collected on ``page.csp``."""
    context, page, watch = _new_page(browser, viewport={"width": 1280, "height": 900})
    page.csp = watch
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A 390px-wide touch page (an iPhone 12-14 class phone)."""
    context, page, watch = _new_page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.csp = watch
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def doc_storage(settings: Any, tmp_path: Path) -> Path:
    """A private documents storage, extraction run when an upload commits."""
    return use_document_store(settings, tmp_path / "store")


@pytest.fixture
def screenshot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def users(transactional_db: None) -> dict[str, Any]:
    from lexcase.accounts.services import user_create

    return {
        "lawyer": user_create(username="lawyer", role="lawyer", password=PASSWORD, name="陈思远"),
        "partner": user_create(
            username="partner", role="partner", password=PASSWORD, name="王建国"
        ),
    }


@pytest.fixture
def open_matter(users: dict[str, Any]) -> Any:
    """An open matter of the lawyer's (the partner responsible), its intake approved by an
    administrator."""
    from lexcase.accounts.services import user_create
    from lexcase.conflicts.services import conflict_review_decide
    from lexcase.matters.services import matter_create, matter_open

    admin = user_create(username="boss", role="admin", password="x-long-password-1", name="主任")
    matter = matter_create(
        actor=users["lawyer"],
        title="华泰科技诉王伟买卖合同纠纷",
        matter_type="civil",
        priority="P2",
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )
    conflict_review_decide(actor=admin, matter=matter, decision="approve")
    return matter_open(actor=admin, matter=matter)


@pytest.fixture
def login(live_server: Any) -> Any:
    """Sign in through the allauth form; the dashboard is the landing page."""

    def sign_in(page: Any, username: str, shot: Any = None) -> None:
        page.goto(live_server.url + "/accounts/login/")
        if shot:
            shot(page, "01-login.png")
        page.fill("input[name=login]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(live_server.url + "/")

    return sign_in
