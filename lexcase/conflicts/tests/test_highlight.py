"""Highlighted matched text on the conflict report."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from lexcase.conflicts.highlight import highlight_hit
from lexcase.parties.services import party_create
from lexcase.testing import client_for


def hit(name: str, matched_on: str, matched_text: str | None = None, query: int = 0) -> dict:
    return {
        "party_name": name,
        "matched_on": matched_on,
        "matched_text": name if matched_text is None else matched_text,
        "query": query,
    }


def q(name: str, kind: str = "organization", **identifiers: str) -> dict:
    return {"name": name, "kind": kind, "role": "opposing", **identifiers}


def test_an_exact_name_is_marked_whole():
    assert str(highlight_hit(hit("北京华泰科技有限公司", "name"), [q("北京华泰科技有限公司")])) == (
        "<mark>北京华泰科技有限公司</mark>"
    )


def test_a_core_name_marks_the_name_without_its_legal_form():
    marked = highlight_hit(
        hit("北京华泰科技有限公司", "core_name"), [q("北京华泰科技有限责任公司")]
    )
    assert str(marked) == "<mark>北京华泰科技</mark>有限公司"


def test_a_substring_is_marked_where_it_sits():
    marked = highlight_hit(hit("深圳市大疆创新科技有限公司", "substring"), [q("大疆创新")])
    assert str(marked) == "深圳市<mark>大疆创新</mark>科技有限公司"


def test_the_mark_maps_folded_characters_back_to_the_stored_spelling():
    # Traditional query against a simplified name, and full-width Latin against lower case.
    marked = highlight_hit(hit("北京华泰科技有限公司", "substring"), [q("華泰")])
    assert str(marked) == "北京<mark>华泰</mark>科技有限公司"
    marked = highlight_hit(hit("ＡＢＣ 科技有限公司", "substring"), [q("abc科技")])
    assert str(marked) == "<mark>ＡＢＣ 科技</mark>有限公司"


def test_an_alias_match_shows_the_alias_after_the_current_name():
    marked = highlight_hit(hit("新华泰有限公司", "alias", "旧华泰有限公司"), [q("旧华泰有限公司")])
    assert str(marked) == "新华泰有限公司 (<mark>旧华泰有限公司</mark>)"


def test_a_substring_of_an_alias_marks_inside_the_alias():
    marked = highlight_hit(hit("新华泰有限公司", "substring", "旧华泰有限公司"), [q("旧华")])
    assert str(marked) == "新华泰有限公司 (<mark>旧华</mark>泰有限公司)"


def test_an_identifier_match_marks_the_identifier():
    # An ID number is masked (issue 18 item 11); a credit code is public and shown in full.
    marked = highlight_hit(
        hit("王伟", "id"), [q("王 伟", kind="person", id_number="11010519491231002x")]
    )
    assert str(marked) == "王伟 <mark>110***********002X</mark>"
    marked = highlight_hit(
        hit("华泰", "id"), [q("华泰", kind="organization", credit_code="91350200776049653a")]
    )
    assert str(marked) == "华泰 <mark>91350200776049653A</mark>"


def test_everything_is_escaped():
    marked = highlight_hit(hit("<b>甲</b>&乙公司", "substring"), [q("&乙")])
    assert str(marked) == "&lt;b&gt;甲&lt;/b&gt;<mark>&amp;乙</mark>公司"


def test_loose_matches_and_redacted_hits_mark_nothing():
    assert str(highlight_hit(hit("王小明", "fuzzy"), [q("王晓明", kind="person")])) == "王小明"
    assert str(highlight_hit(hit("王小明", "pinyin"), [q("王晓明", kind="person")])) == "王小明"
    assert str(highlight_hit({"party_name": None, "matched_on": "name", "query": 0}, [])) == ""


@pytest.mark.django_db
def test_the_adhoc_report_marks_the_matched_text(firm):
    party_create(actor=firm.lead, kind="organization", name="深圳市大疆创新科技有限公司")
    with translation.override("en"):
        response = client_for(firm.lead).post(
            "/conflicts/check/",
            {
                "parties-TOTAL_FORMS": "1",
                "parties-INITIAL_FORMS": "0",
                "parties-0-name": "大疆创新",
                "parties-0-kind": "organization",
                "parties-0-role": "opposing",
            },
        )
    assert response.status_code == 200
    assert "深圳市<mark>大疆创新</mark>科技有限公司" in response.content.decode()


@pytest.mark.django_db
def test_the_matter_page_section_marks_the_matched_text(firm, rf):
    # The section template as the matter page includes it, with the matter page's context
    # (rendered on its own: the rest of the page belongs to other apps).
    from django.template.loader import render_to_string

    from lexcase.conflicts.selectors import hits_for_user, matter_latest_check
    from lexcase.matters.services import PartyLink, matter_create

    other = party_create(actor=firm.lead, kind="organization", name="华泰(上海)贸易有限公司")
    intake = matter_create(
        actor=firm.lead,
        title="华泰贸易",
        matter_type="civil",
        parties=[PartyLink(party=other, role="client")],
    )
    check = matter_latest_check(matter=intake)
    hits = hits_for_user(user=firm.lead, hits=check.hits)
    request = rf.get("/")
    request.user = firm.lead
    html = render_to_string(
        "conflicts/_matter_section.html",
        {"matter": intake, "conflict_check": check, "conflict_hits": hits},
        request=request,
    )
    assert [h["party_name"] for h in hits] == ["北京华泰科技有限公司"]
    assert "北京<mark>华泰</mark>科技有限公司" in html


def test_the_report_groups_hits_by_verdict_most_severe_first():
    def row(name: str, verdict: str) -> dict:
        return {**hit(name, "name"), "verdict": verdict, "redacted": False, "reason": "r"}

    check = SimpleNamespace(
        worst="consent_required",
        created_at=None,
        engine_version="v",
        truncated=False,
        query=[q("甲")],
    )
    hits = [row("甲一", "consent_required"), row("甲二", "review"), row("甲三", "review")]
    with translation.override("en"):
        html = render_to_string(
            "conflicts/_matter_section.html", {"conflict_check": check, "conflict_hits": hits}
        )
    headers = re.findall(
        r'<th colspan="4"><span class="verdict verdict-(\w+)">.*?</span> '
        r'<span class="muted">(\d+)</span>',
        html,
    )
    assert headers == [("consent_required", "1"), ("review", "2")]
