"""The labelled set: each query finds its party the promised way, with the promised verdict."""

from __future__ import annotations

from collections import Counter

import pytest

from lexcase.conflicts.engine import QueryParty, find_candidates
from lexcase.conflicts.tests.labelled_cases import CASES, NEGATIVES, Case
from lexcase.conflicts.verdicts import SEVERITY, conflict_check

CASES_BY_LABEL = {c.expect: c for c in CASES if c.cls == "related"}


def _query(case: Case, role: str = "client") -> QueryParty:
    return QueryParty(
        name=case.name,
        kind=case.kind,
        role=role,
        id_number=case.id_number,
        credit_code=case.credit_code,
        passport=case.passport,
    )


def _label(case: Case) -> str:
    return f"{case.cls}:{case.name}->{case.expect}"


def _verdict_for(world, case: Case) -> str:
    kind, pk = world.owner(case.expect)
    hits = conflict_check([_query(case)]).hits
    mine = [h for h in hits if (h.party_id if kind == "party" else h.relative_id) == pk]
    return max((h.verdict for h in mine), key=SEVERITY.__getitem__, default="")


@pytest.mark.parametrize("case", CASES, ids=_label)
def test_labelled_case_found_and_judged_as_labelled(db, world, case):
    candidates = {c.owner: c for c in find_candidates(_query(case))}
    found = candidates.get(world.owner(case.expect))
    matched_on = found.matched_on if found else None
    assert (matched_on, _verdict_for(world, case)) == (case.matched_on, case.verdict)


@pytest.mark.parametrize("case", NEGATIVES, ids=lambda c: f"{c.note}:{c.name}")
def test_negative_never_absolute(db, world, case):
    hits = conflict_check([_query(case)]).hits
    assert [h.party_name for h in hits if h.verdict == "absolute"] == []
    assert _verdict_for(world, case) == case.verdict
    found = {c.owner: c.matched_on for c in find_candidates(_query(case))}
    assert found.get(world.owner(case.expect)) == case.matched_on


def test_labelled_recall_is_complete_per_class(db, world):
    # One figure per class, reported by the suite: every labelled case found as labelled.
    total, hit = Counter(), Counter()
    for case in CASES:
        total[case.cls] += 1
        found = {c.owner: c.matched_on for c in find_candidates(_query(case))}
        hit[case.cls] += found.get(world.owner(case.expect)) == case.matched_on
    assert hit == total


def test_related_parties_only_through_conclusive_hits(db, world):
    # 华为技术有限公司 (an exact organisation name) brings its legal representative; the
    # person's name alone (任正飞, no identifier) does not bring the company.
    by_org = {c.owner: c.matched_on for c in find_candidates(_query(CASES_BY_LABEL["ren"]))}
    by_person = {
        c.owner: c.matched_on for c in find_candidates(QueryParty("任正飞", "person", "client"))
    }
    assert (by_org.get(world.owner("ren")), by_person.get(world.owner("huawei"))) == (
        "related",
        None,
    )
    assert by_person.get(world.owner("ren")) == "name"
