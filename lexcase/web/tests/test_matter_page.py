"""The matter page as a lawyer reads it (walk of issue 16)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from lexcase.audit.models import AuditEvent
from lexcase.audit.services import audit_record
from lexcase.matters.extensions import matter_form_names
from lexcase.matters.models import Matter, TimelineEntry, TimelineKind
from lexcase.matters.services import MATTER_VIEW_TOKEN_SALT
from lexcase.testing import client_for
from lexcase.web.tests.access_rows import TABLE

pytestmark = pytest.mark.django_db


def test_the_amount_in_dispute_has_thousands_separators(firm):
    """Issue 16 item 20: ¥17,956,000.00, not ¥17956000.00 (humanize's intcomma groups
    nothing under the Chinese locale)."""
    Matter.objects.filter(pk=firm.matter.pk).update(amount=Decimal("17956000"))
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "<dd>¥17,956,000.00</dd>" in page
    Matter.objects.filter(pk=firm.matter.pk).update(amount=None)
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "¥17,956,000.00" not in page


def timeline_of(page: str) -> str:
    return page.split('id="timeline"', 1)[1].split("</section>", 1)[0]


def test_an_empty_timeline_says_so(firm):
    """An empty 案件动态 card showed nothing at all (the demo firm's matters have no entries)."""
    TimelineEntry.objects.filter(matter=firm.matter).delete()
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert '<li class="muted">暂无记录。</li>' in timeline_of(page)
    TimelineEntry.objects.create(matter=firm.matter, actor=firm.lead, kind=TimelineKind.CREATED)
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "暂无记录" not in timeline_of(page)


def test_the_matter_page_has_a_section_nav_to_every_section(firm):
    """Issue 16 item 20: a lawyer reaches 文件 or 期限 without scrolling the whole page. The
    nav links each section on the page, in page order, and every link has its target."""
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    nav = re.search(r'<nav class="section-nav"[^>]*>(.*?)</nav>', page, re.S)
    assert nav is not None
    anchors = re.findall(r'href="#([\w-]+)">([^<]+)</a>', nav.group(1))
    ids = [a for a, _label in anchors]
    assert ids[:3] == ["overview", "conflicts", "deadlines"]
    assert {"tasks", "documents", "communications"} <= set(ids) and ids[-1] == "timeline"
    assert dict(anchors)["documents"] == "文件" and dict(anchors)["deadlines"] == "期限与开庭"
    positions = [page.index(f'id="{a}"') for a in ids]
    assert positions == sorted(positions)


def test_the_forms_are_links_loaded_on_demand(firm):
    """Issue 15 item 3: the page's forms are rendered when their <details> opens (htmx) or,
    without JavaScript, on a page of their own; the page itself carries none of them."""
    client = client_for(firm.lead)
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    url = f"/matters/{firm.matter.pk}/forms/case-number/"
    assert f'hx-get="{url}"' in page and f'<a href="{url}">' in page
    assert 'name="number"' not in page
    alone = client.get(url).content.decode()
    assert "<!doctype html>" in alone.lower() and 'name="number"' in alone
    assert f'action="/matters/{firm.matter.pk}/case-numbers/"' in alone
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<form") and 'name="number"' in partial
    assert "<html" not in partial


def test_opening_a_form_of_the_matter_is_audited_and_a_refused_one_is_not(firm):
    """A form on demand reads the matter (its number and title, the seal form its documents,
    the closing form what the checklist reads): recorded like the page it came from
    (`matter.view`, naming the form), whether htmx asked or not."""

    def views() -> list[tuple[int | None, int | None, dict]]:
        rows = AuditEvent.objects.filter(action="matter.view").order_by("pk")
        return [(e.actor_id, e.matter_id, e.data) for e in rows]

    before = views()
    client_for(firm.lead).get(f"/matters/{firm.matter.pk}/forms/seal/", HTTP_HX_REQUEST="true")
    client_for(firm.lead).get(f"/matters/{firm.matter.pk}/forms/party/")
    client_for(firm.outsider).get(f"/matters/{firm.matter.pk}/forms/seal/")
    client_for(firm.assistant).get(f"/matters/{firm.matter.pk}/forms/wall/")
    client_for(firm.lead).get(f"/matters/{firm.matter.pk}/forms/nothing/")
    assert views() == [
        *before,
        (firm.lead.pk, firm.matter.pk, {"form": "seal"}),
        (firm.lead.pk, firm.matter.pk, {"form": "party"}),
    ]


def test_every_form_on_demand_has_a_row_in_the_access_table():
    """Each registered form (web's own, and those other apps register) is reached by a row
    of the access table: who may have it is decided per form, not once for the route."""
    stub = SimpleNamespace(matter=SimpleNamespace(pk=1), confidential=SimpleNamespace(pk=2))
    paths = [r.path(stub) for k, r in TABLE.items() if k.split("#")[0] == "matters:form"]
    covered = {p.split("/forms/")[1].strip("/") for p in paths if p.startswith("/matters/1/")}
    assert sorted(covered - {"nothing"}) == matter_form_names()


def _matter_views(matter_pk: int) -> list[dict]:
    return list(
        AuditEvent.objects.filter(action="matter.view", matter_id=matter_pk)
        .order_by("pk")
        .values_list("data", flat=True)
    )


def test_a_page_view_in_a_browser_records_one_matter_view(firm):
    """The audit log shows one access per page view: the page and what htmx loads on it by
    itself (hx-trigger="load": the outcome statistics) record one `matter.view` together,
    not one each. A browser is mimicked: every such request the page makes, with htmx's
    headers."""
    client = client_for(firm.lead)
    before = _matter_views(firm.matter.pk)
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    loads = re.findall(r'hx-get="([^"]+)" hx-trigger="load"', page)
    assert loads  # the outcome statistics, for a lawyer
    for url in loads:
        response = client.get(
            url.replace("&amp;", "&"),
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL=f"http://testserver/matters/{firm.matter.pk}/",
        )
        assert response.status_code == 200
    assert _matter_views(firm.matter.pk) == [*before, {}]


def test_the_outcome_statistics_alone_are_still_a_recorded_read(firm):
    """Without the page's own view to ride on, the statistics are an access of their own:
    the plain link (no JavaScript), an htmx request with no token, one with a token of
    another matter or another user, or an expired one each record one `matter.view`."""
    client = client_for(firm.lead)
    url = reverse("insights:matter_outcomes", args=[firm.matter.pk])
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    token = re.search(r'hx-get="[^"?]+\?view=([^"&]+)"', page).group(1)
    other = client_for(firm.partner).get(f"/matters/{firm.matter.pk}/").content.decode()
    other_token = re.search(r'hx-get="[^"?]+\?view=([^"&]+)"', other).group(1)
    before = _matter_views(firm.matter.pk)
    client.get(url)
    client.get(url, HTTP_HX_REQUEST="true")
    client.get(f"{url}?view=forged", HTTP_HX_REQUEST="true")
    client.get(f"{url}?view={other_token}", HTTP_HX_REQUEST="true")
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        client.get(f"{url}?view={token}", HTTP_HX_REQUEST="true")
    page_event = {"page": "insights:matter_outcomes"}
    assert _matter_views(firm.matter.pk) == [*before, *[page_event] * 5]


def test_a_view_token_covers_only_a_page_view_on_record(firm):
    """The token names its page view's event: signed for the right reader and matter but
    naming an event that is not on record (its request rolled back, or never was), or an
    event that is not that reader's view of that matter, it covers nothing and the
    statistics record their own read."""

    def token(event_id: object) -> str:
        return signing.dumps([firm.lead.pk, firm.matter.pk, event_id], salt=MATTER_VIEW_TOKEN_SALT)

    download = audit_record(
        actor=firm.lead, action="document.download", obj=firm.matter, matter_id=firm.matter.pk
    )
    others_view = audit_record(
        actor=firm.partner, action="matter.view", obj=firm.matter, matter_id=firm.matter.pk
    )
    missing = (AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100
    client = client_for(firm.lead)
    url = reverse("insights:matter_outcomes", args=[firm.matter.pk])
    before = _matter_views(firm.matter.pk)
    for event_id in (missing, download.pk, others_view.pk, str(others_view.pk), None):
        response = client.get(f"{url}?view={token(event_id)}", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    page_event = {"page": "insights:matter_outcomes"}
    assert _matter_views(firm.matter.pk) == [*before, *[page_event] * 5]
