"""A rule-library deadline's title follows the reader's language (the English UI showed
民事判决上诉期); a title the lawyer wrote stays as written."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from lexcase.calendar.models import Deadline
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def _deadline(firm, title: str, rule_id: str) -> Deadline:
    return Deadline.objects.create(
        matter=firm.matter,
        title=title,
        due_date=date(2026, 12, 31),
        status=Deadline.Status.OPEN,
        responsible=firm.lead,
        rule_id=rule_id,
        trigger_date=date(2026, 12, 16),
    )


def test_the_title_follows_the_language_and_a_written_one_is_kept(firm):
    rule = _deadline(firm, "民事判决上诉期", "civil.appeal.judgment")
    written = _deadline(firm, "上诉期（客户要求提前准备）", "civil.appeal.judgment")
    with translation.override("en"):
        assert (rule.display_title, written.display_title) == (
            "Appeal against a civil judgment",
            "上诉期（客户要求提前准备）",
        )
    with translation.override("zh-hans"):
        assert rule.display_title == "民事判决上诉期"


def test_the_english_matter_page_and_agenda_show_the_english_name(firm):
    _deadline(firm, "民事判决上诉期", "civil.appeal.judgment")
    client = client_for(firm.lead)
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "<td>Appeal against a civil judgment" in page
    assert "民事判决上诉期" not in page
    week = client.get("/agenda/week/?start=2026-12-31").content.decode()
    assert ("Appeal against a civil judgment" in week, "民事判决上诉期" in week) == (True, False)


def test_a_common_title_without_a_rule_follows_the_language(firm):
    """The demo firm's deadlines without a rule (上诉期限届满 …) stayed Chinese in English."""
    common = _deadline(firm, "上诉期限届满", "")
    fee = _deadline(firm, "缴纳诉讼费", "")
    written = _deadline(firm, "上诉期限届满前与客户确认", "")
    with translation.override("en"):
        assert (common.display_title, fee.display_title, written.display_title) == (
            "Time limit for appeal ends",
            "Pay the court fee",
            "上诉期限届满前与客户确认",
        )
    with translation.override("zh-hans"):
        assert common.display_title == "上诉期限届满"
    client = client_for(firm.lead)
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "Time limit for appeal ends" in page and "上诉期限届满</td>" not in page
