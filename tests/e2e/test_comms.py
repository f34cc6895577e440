"""A lawyer logs a client call from the matter page in a few seconds (htmx, no reload) and
sees it in the matter's log and the firm-wide list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots/h5")


def test_lawyer_logs_a_call_and_sees_it_in_the_log(
    page: Any,
    live_server: Any,
    users: dict[str, Any],
    login: Any,
    open_matter: Any,
    screenshot: Any,
) -> None:
    from lexcase.comms.models import Communication
    from lexcase.matters.services import matter_change_stage

    SHOTS.mkdir(parents=True, exist_ok=True)
    # Filing the case is news for the client: an update is due at once.
    matter_change_stage(actor=users["lawyer"], matter=open_matter, stage="filing")
    login(page, "lawyer")
    page.goto(f"{live_server.url}/agenda/")
    assert page.locator(f"a[href='/matters/{open_matter.pk}/#communications']").count() == 1
    page.screenshot(path=str(SHOTS / "comms-agenda-due.png"), full_page=True)
    page.goto(f"{live_server.url}/matters/{open_matter.pk}/")
    # The quick entry and the upload form come from the kept HTML of unbound forms
    # (core.formcache): the page as a whole, and the two forms twice over (kept, then reused).
    screenshot(page, "matter-page-lawyer.png")
    page.goto(f"{live_server.url}/matters/{open_matter.pk}/")
    assert page.locator("form.comm-entry select[name=comm-channel]").count() == 1
    assert page.locator("form.doc-upload input[type=file][name=files]").count() == 1
    section = page.locator("#communications")
    assert section.locator(".status-missed").count() == 1  # "client update due"
    assert section.locator(".comm-log li").count() == 1  # the "nothing yet" line
    # caret="initial": hiding the caret leaves style="" on the inputs, which htmx's settle
    # step would then copy onto the swapped-in fields (a CSP violation of the test's making).
    section.screenshot(path=str(SHOTS / "comms-matter-due.png"), caret="initial")
    form = section.locator("form.comm-entry")
    form.locator("select[name=comm-channel]").select_option("phone")
    form.locator("select[name=comm-direction]").select_option("outbound")
    form.locator("textarea[name=comm-summary]").fill("电话告知客户一审开庭时间，客户确认出庭")
    form.locator("input[name=comm-participants]").fill("张总（客户法务）")
    form.locator("textarea[name=comm-follow_up]").fill("周五前寄送证据清单")
    page.evaluate("window.__loads = (window.__loads || 0) + 1")
    form.locator("button.primary").click()
    page.wait_for_selector("#communications .comm-log li:has-text('电话告知客户一审开庭时间')")
    # htmx swapped the section in place: the page was not reloaded.
    assert page.evaluate("window.__loads") == 1
    # Telling the client settled it.
    assert page.locator("#communications .status-missed").count() == 0
    entry = page.locator("#communications .comm-log li").first
    assert "张总（客户法务）" in entry.inner_text()
    assert "周五前寄送证据清单" in entry.inner_text()
    page.locator("#communications").screenshot(path=str(SHOTS / "comms-matter-log.png"))
    comm = Communication.objects.get()
    assert (comm.channel, comm.direction, comm.created_by_id) == (
        "phone",
        "outbound",
        users["lawyer"].pk,
    )

    page.goto(f"{live_server.url}/communications/")
    assert page.locator("table.list tbody tr", has_text="电话告知客户一审开庭时间").count() == 1
    page.screenshot(path=str(SHOTS / "comms-firm-list.png"), full_page=True)
    page.csp.assert_clean()
