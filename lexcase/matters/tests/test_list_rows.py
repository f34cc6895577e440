"""The matter list's rows are rendered in Python (`matter_tags.matter_rows`) for speed: they
must be exactly what the template loop they replace rendered, escaping included."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.template.loader import get_template
from django.utils import translation

from lexcase.matters.models import Matter, MatterMember, MemberRole
from lexcase.matters.selectors import MatterFilters, matters_page, matters_with_leads

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
