"""Verdict rules (docs/domain.md §3.3), one test per rule, on the root `firm` fixture."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from lexcase.conflicts import engine
from lexcase.conflicts.engine import ENGINE_VERSION, QueryParty, index_party, staff_relative_add
from lexcase.conflicts.selectors import hits_for_user
from lexcase.conflicts.services import conflict_check_record
from lexcase.conflicts.tests.world import make_matter, make_party
from lexcase.conflicts.verdicts import conflict_check
from lexcase.matters.models import MatterType, Status
from lexcase.parties.models import PartyRelation

TODAY = date(2026, 6, 1)
ORG = "organization"


@pytest.fixture
def acme(firm):
    """The firm acts for 甲 against 乙 on an open matter; both are organisations."""
    client = make_party(firm.lead, "上海甲方实业有限公司")
    opposing = make_party(firm.lead, "广州远洋贸易有限公司")
    matter = make_matter(firm, [(client, "client"), (opposing, "opposing")])
    return client, opposing, matter


def _verdicts(result, party_id: int) -> list[tuple[str, str]]:
    return [(h.verdict, h.matter_number) for h in result.hits if h.party_id == party_id]


def test_client_who_is_opposing_on_open_matter_is_absolute(acme):
    _client, opposing, matter = acme
    result = conflict_check([QueryParty(opposing.name, ORG, "client")], today=TODAY)
    assert _verdicts(result, opposing.pk) == [("absolute", matter.number)]
    assert result.hits[0].reason == (
        f"Same party as the opposing party on open matter {matter.number}, where the firm "
        "acts for the other side: the firm cannot act for both sides."
    )


def test_opposing_who_is_current_client_needs_consent(acme):
    client, _opposing, matter = acme
    result = conflict_check([QueryParty(client.name, ORG, "opposing")], today=TODAY)
    assert _verdicts(result, client.pk) == [("consent_required", matter.number)]
    assert "Art. 52(3)" in result.hits[0].reason


def test_same_dispute_reversed_is_absolute_for_both(acme):
    client, opposing, _matter = acme
    result = conflict_check(
        [QueryParty(opposing.name, ORG, "client"), QueryParty(client.name, ORG, "opposing")],
        today=TODAY,
    )
    assert [(h.query, h.verdict) for h in result.hits] == [(0, "absolute"), (1, "absolute")]
    assert result.hits[1].reason.startswith("Same dispute with the sides reversed")


def test_reversed_needs_conclusive_match_of_the_other_side(acme):
    client, _opposing, _matter = acme
    # The proposed client matches the old opponent only by trade name: no reversal proven.
    result = conflict_check(
        [QueryParty("远洋", ORG, "client"), QueryParty(client.name, ORG, "opposing")],
        today=TODAY,
    )
    assert [h.verdict for h in result.hits if h.party_id == client.pk] == ["consent_required"]


@pytest.mark.parametrize(
    ("closed_days_ago", "verdict"),
    [(30, "consent_required"), (365, "consent_required"), (400, "review"), (3000, "review")],
)
def test_former_client_window_of_one_year(firm, closed_days_ago, verdict):
    former = make_party(firm.lead, "杭州星河科技有限公司")
    other = make_party(firm.lead, "杭州丁方科技有限公司")
    make_matter(
        firm,
        [(former, "client"), (other, "opposing")],
        status=Status.CLOSED,
        closed_on=TODAY - timedelta(days=closed_days_ago),
    )
    result = conflict_check([QueryParty(former.name, ORG, "opposing")], today=TODAY)
    assert [h.verdict for h in result.hits if h.party_id == former.pk] == [verdict]


def test_archived_matter_without_close_date_counts_as_recent(firm):
    former = make_party(firm.lead, "南京戊方物流有限公司")
    make_matter(firm, [(former, "client")], status=Status.ARCHIVED)
    result = conflict_check([QueryParty(former.name, ORG, "opposing")], today=TODAY)
    assert [h.verdict for h in result.hits] == ["consent_required"]
    assert "unrecorded date" in result.hits[0].reason


def test_retained_counsel_client_as_opponent_needs_consent(firm):
    retained = make_party(firm.lead, "成都己方医药有限公司")
    matter = make_matter(firm, [(retained, "client")], matter_type=MatterType.COUNSEL)
    result = conflict_check([QueryParty(retained.name, ORG, "opposing")], today=TODAY)
    assert _verdicts(result, retained.pk) == [("consent_required", matter.number)]
    assert "Art. 52(4)" in result.hits[0].reason


def test_consultation_client_is_checked_too(firm):
    consulted = make_party(firm.lead, "武汉庚方建设有限公司")
    make_matter(firm, [(consulted, "client")], matter_type=MatterType.CONSULTATION)
    result = conflict_check([QueryParty(consulted.name, ORG, "opposing")], today=TODAY)
    assert [h.verdict for h in result.hits] == ["consent_required"]


def test_returning_client_same_side_is_info(acme):
    client, _opposing, matter = acme
    result = conflict_check([QueryParty(client.name, ORG, "client")], today=TODAY)
    assert _verdicts(result, client.pk) == [("info", matter.number)]


def test_opposing_again_is_info(acme):
    _client, opposing, matter = acme
    result = conflict_check([QueryParty(opposing.name, ORG, "opposing")], today=TODAY)
    assert _verdicts(result, opposing.pk) == [("info", matter.number)]


def test_excluded_matter_is_ignored(acme):
    _client, opposing, matter = acme
    result = conflict_check(
        [QueryParty(opposing.name, ORG, "client")], exclude_matter_id=matter.pk, today=TODAY
    )
    assert [(h.verdict, h.matter_id) for h in result.hits] == [("info", None)]


def test_name_only_person_match_is_review_not_absolute(firm):
    index_party(firm.opposing_party)  # 王伟, opposing on firm.matter, no ID number
    result = conflict_check([QueryParty("王伟", "person", "client")], today=TODAY)
    assert [(h.verdict, h.matched_on) for h in result.hits] == [("review", "name")]
    assert "If it is the same party, this is an absolute conflict." in result.hits[0].reason


def test_person_matched_by_id_number_is_absolute(firm):
    person = make_party(firm.lead, "赵敏", "person", id_number="11010519491231002X")
    make_matter(firm, [(firm.client_party, "client"), (person, "opposing")])
    result = conflict_check(
        [QueryParty("赵敏", "person", "client", id_number="11010519491231002x")], today=TODAY
    )
    assert [(h.verdict, h.matched_on) for h in result.hits] == [("absolute", "id")]


def test_same_name_different_id_number_is_info(firm):
    person = make_party(firm.lead, "赵敏", "person", id_number="11010519491231002X")
    make_matter(firm, [(firm.client_party, "client"), (person, "opposing")])
    other_id = "110105194912310011"
    result = conflict_check(
        [QueryParty("赵敏", "person", "client", id_number=other_id)], today=TODAY
    )
    assert [h.verdict for h in result.hits] == ["info"]


def test_responsible_partner_and_matter_fields_are_reported(firm):
    index_party(firm.client_party)
    result = conflict_check([QueryParty("北京华泰科技有限公司", ORG, "opposing")], today=TODAY)
    hit = result.hits[0]
    assert (
        hit.responsible_partner,
        hit.matter_id,
        hit.matter_status,
        hit.role_on_matter,
        hit.party_name,
        hit.matched_text,
    ) == (
        "Partner",  # the name, not the login
        firm.matter.pk,
        "intake",
        "client",
        "北京华泰科技有限公司",
        "北京华泰科技有限公司",
    )


def test_staff_relative_as_opposing_party_needs_consent(firm):
    rel = staff_relative_add(user=firm.outsider, name="周芷若", relation="spouse")
    result = conflict_check([QueryParty("周芷若", "person", "opposing")], today=TODAY)
    assert [(h.relative_id, h.verdict, h.staff_member) for h in result.hits] == [
        (rel.pk, "consent_required", "outsider")
    ]
    assert "Outsider" in result.hits[0].reason and "Art. 52(1)" in result.hits[0].reason


def test_staff_relative_other_relation_is_review(firm):
    staff_relative_add(user=firm.outsider, name="周芷若", relation="other")
    result = conflict_check([QueryParty("周芷若", "person", "opposing")], today=TODAY)
    assert [h.verdict for h in result.hits] == ["review"]


def test_staff_relative_found_by_pinyin_is_review(firm):
    staff_relative_add(user=firm.outsider, name="周芷若", relation="sibling")
    result = conflict_check([QueryParty("周芷偌", "person", "opposing")], today=TODAY)
    assert [(h.matched_on, h.verdict) for h in result.hits] == [("pinyin", "review")]


def test_related_party_of_current_client_is_capped_at_consent(firm):
    parent = make_party(firm.lead, "华泰控股集团有限公司")
    subsidiary = make_party(firm.lead, "北京华泰小贷有限公司")
    PartyRelation.objects.create(source=parent, target=subsidiary, kind="parent")
    opponent = make_party(firm.lead, "某某对方有限公司")
    make_matter(firm, [(parent, "client"), (opponent, "opposing")])
    result = conflict_check([QueryParty(subsidiary.name, ORG, "client")], today=TODAY)
    related = [h for h in result.hits if h.matched_on == "related"]
    assert [(h.party_id, h.via_party_id, h.verdict) for h in related] == [
        (parent.pk, subsidiary.pk, "info")
    ]
    with translation.override("en"):
        result = conflict_check([QueryParty(subsidiary.name, ORG, "opposing")], today=TODAY)
    related = [h for h in result.hits if h.matched_on == "related"]
    assert [h.verdict for h in related] == ["consent_required"]
    assert related[0].reason.startswith("Related party: 华泰控股集团有限公司 is the parent company")


def test_hits_ordered_by_severity_then_score(acme, firm):
    client, opposing, _matter = acme
    index_party(firm.opposing_party)
    result = conflict_check(
        [
            QueryParty("王伟", "person", "client"),
            QueryParty(client.name, ORG, "client"),
            QueryParty(opposing.name, ORG, "client"),
        ],
        today=TODAY,
    )
    assert [(h.query, h.verdict) for h in result.hits] == [
        (2, "absolute"),
        (0, "review"),
        (1, "info"),
    ]


def test_result_carries_engine_version_and_no_truncation(acme):
    result = conflict_check([QueryParty("甲方", ORG, "client")], today=TODAY)
    assert (result.engine_version, result.truncated) == (ENGINE_VERSION, False)


def test_many_short_substring_hits_are_grouped_and_counted(firm, monkeypatch):
    monkeypatch.setattr(engine, "SUBSTRING_LISTED", 3)
    made = {make_party(firm.lead, f"鑫{i}号有限公司").pk for i in range(5)}
    candidates = engine.find_candidates(QueryParty("鑫", "person", "client"))
    [group] = candidates.groups
    members = {p for p, _r in engine.group_members(group)}
    assert (len(candidates), group.matched_on, group.key, group.total, group.listed) == (
        3,
        "substring",
        "鑫",
        5,
        3,
    )
    assert (group.grouped, group.approximate, members) == (2, False, made)
    assert {c.party_id for c in candidates} < made
    result = conflict_check([QueryParty("鑫", "person", "client")])
    assert [(i, g.total, g.grouped) for i, g in result.groups] == [(0, 5, 2)]
    # Frozen in the report and shown there: the count, never silently dropped.
    check = conflict_check_record(actor=firm.lead, parties=[QueryParty("鑫", "person", "client")])
    stored = [(g["query"], g["key"], g["total"], g["listed"], g["grouped"]) for g in check.groups]
    assert stored == [(0, "鑫", 5, 3, 2)]
    with translation.override("en"):
        html = render_to_string(
            "conflicts/_matter_section.html",
            {
                "conflict_check": check,
                # The groups as the reader may read them (the lead sees every matter).
                "conflict_hits": hits_for_user(
                    user=firm.lead, hits=check.hits, groups=check.groups
                ),
            },
        )
    assert "鑫 (part of the name): 2 more parties matched this way" in html


def test_reason_follows_active_language(acme):
    _client, opposing, _matter = acme
    with translation.override("en"):
        result = conflict_check([QueryParty(opposing.name, ORG, "client")], today=TODAY)
    assert result.hits[0].reason.startswith("Same party as the opposing party")
