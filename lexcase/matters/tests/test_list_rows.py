"""The matter list's rows are rendered in Python (`matter_tags.matter_rows`) for speed: they
must be exactly what the template loop they replace rendered, escaping included."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.template.loader import get_template
from django.utils import translation

from lexcase.matters.models import Matter, MatterMember, MemberRole
from lexcase.matters.selectors import MatterFilters, matters_page, matters_with_leads
from lexcase.matters.templatetags.matter_tags import _minute

pytestmark = pytest.mark.django_db

# The loop `matters/_table.html` had before the rows moved to `matter_rows`.
ENGINE_ROWS = """{% load i18n lexcase %}{% for m in items %}
  <tr>
    <td class="nowrap"><a href="{% url 'matters:detail' m.pk %}">{{ m.number }}</a></td>
    <td>{{ m.title }}{% if m.confidential %} <span class="tag tag-conf">{% translate "Confidential" %}</span>{% endif %}</td>
    <td><span class="prio prio-{{ m.priority }}">{{ m.get_priority_display }}</span></td>
    <td><span class="status status-{{ m.status }}">{{ m.get_status_display }}</span></td>
    {% if not compact %}
    <td>{{ m.get_matter_type_display }}</td>
    <td>{{ m.get_stage_display }}</td>
    <td>{% for member in teams|dict_get:m.pk %}{% if member.role == "lead" or member.role == "responsible_partner" %}<span class="person">{{ member.user.display_name }}</span>{% endif %}{% endfor %}</td>
    <td class="nowrap">{{ m.updated_at|date:"Y-m-d H:i" }}</td>
    {% endif %}
  </tr>{% endfor %}"""  # noqa: E501


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(html.split()))


def _tbody(html: str) -> str:
    return _squash(html.split("<tbody>")[1].split("</tbody>")[0])


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("compact", [False, True])
def test_rows_are_what_the_template_rendered(firm, lang, compact):
    matter = Matter.objects.get(title="华泰科技诉王伟买卖合同纠纷")
    Matter.objects.filter(pk=matter.pk).update(title="<b>A & \"B\"</b> 'C'", stage="bogus")
    # Every member of a page's matters, as the old loop received them (it filtered roles).
    user = firm.partner
    lead_roles = [MemberRole.LEAD, MemberRole.RESPONSIBLE_PARTNER]
    assert MatterMember.objects.filter(matter=matter).exclude(role__in=lead_roles).exists()
    items = matters_page(user=user, filters=MatterFilters()).items
    assert len(items) >= 2 and any(m.confidential for m in items)
    every_member = {m.pk: list(MatterMember.objects.filter(matter=m)) for m in items}
    with translation.override(lang):
        got = get_template("matters/_table.html").render(
            {"items": items, "teams": matters_with_leads(items), "compact": compact}
        )
        want = (
            engines["django"]
            .from_string(ENGINE_ROWS)
            .render({"items": items, "teams": every_member, "compact": compact})
        )
    assert _tbody(got) == _squash(want)
    assert "&lt;b&gt;A &amp; &quot;B&quot;&lt;/b&gt; &#x27;C&#x27;" in got
    assert ("<td>bogus</td>" in got) is not compact


def test_an_empty_page_says_so(firm):
    with translation.override("en"):
        html = get_template("matters/_table.html").render({"items": []})
    assert _tbody(html) == '<tr><td colspan="8" class="muted">No matters found.</td></tr>'


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 7, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        datetime(1000, 3, 4, 5, 6, tzinfo=UTC),
        datetime(999, 3, 4, 5, 6, tzinfo=UTC),
        datetime(1, 1, 2, 0, 0, tzinfo=UTC),
        datetime(9999, 12, 31, 12, 0, tzinfo=UTC),
        None,
    ],
)
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_the_last_activity_minute_is_strftimes(value, zone):
    """The rows' time without strftime for four-digit years: the same text as
    `localtime.strftime("%Y-%m-%d %H:%M")` in any zone, and the years strftime writes with
    fewer digits still through it."""
    tz = ZoneInfo(zone)
    want = value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""
    assert _minute(value, tz) == want


def test_repeated_team_members_and_labels_are_each_rows_own(firm):
    """Names and labels are escaped once per page and reused: every row still shows its own
    members, in their order, escaped."""
    firm.lead.name = '<i>"林"</i>'
    firm.lead.save()
    items = matters_page(user=firm.partner, filters=MatterFilters()).items
    teams = matters_with_leads(items)
    with translation.override("en"):
        html = get_template("matters/_table.html").render({"items": items, "teams": teams})
    cells = re.findall(
        r"<td>((?:<span class=\"person\">[^<]*</span>)*)</td>\n    <td class=\"nowrap\">", html
    )
    want = [
        "".join(f'<span class="person">{escape(lead.name)}</span>' for lead in teams[m.pk])
        for m in items
    ]
    assert cells == want
    assert any("&lt;i&gt;&quot;林&quot;&lt;/i&gt;" in c for c in cells)
