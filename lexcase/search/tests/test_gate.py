"""Search never shows, nor counts, anything from a matter the user cannot see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from lexcase.matters.models import MatterType
from lexcase.matters.services import matter_create
from lexcase.search.selectors import search
from lexcase.search.services import search_entry_upsert, search_matters_reindex

pytestmark = pytest.mark.django_db

SEES_MATTER = {"lead": True, "assistant": True, "partner": True, "admin": True,
               "partner_other": True, "outsider": False, "walled": False, "inactive": False,
               "finance": False}  # fmt: skip
SEES_CONFIDENTIAL = {"lead": True, "partner": True, "assistant": False, "admin": False,
                     "partner_other": False, "outsider": False, "walled": False,
                     "inactive": False, "finance": False}  # fmt: skip


@pytest.fixture
def corpus(firm):
    search_matters_reindex()
    for object_id, matter in ((1, firm.matter), (2, firm.confidential)):
        search_entry_upsert(
            kind="document",
            object_id=object_id,
            matter_id=matter.pk,
            title="证据目录",
            text="证据一：华泰科技与王伟签订的买卖合同；保密并购项目备忘录。",
            category="evidence",
        )
    return firm


@pytest.mark.parametrize("persona", sorted(SEES_MATTER))
def test_personas_see_hits_of_visible_matters_only(corpus, persona):
    user = getattr(corpus, persona)
    expected = set()
    if SEES_MATTER[persona]:
        expected |= {("matter", corpus.matter.pk), ("document", 1)}
    if SEES_CONFIDENTIAL[persona]:
        expected |= {("matter", corpus.confidential.pk), ("document", 2)}
    # 华泰/王伟 match f.matter's entry; 保密 the confidential matter's; both documents match all.
    hits = {(h.kind, h.id) for h in search(user=user, q="华泰")}
    hits |= {(h.kind, h.id) for h in search(user=user, q="保密")}
    assert hits == expected
    assert all(
        h.matter_id in {corpus.matter.pk, corpus.confidential.pk}
        for h in search(user=user, q="证据")
    )


def test_anonymous_sees_nothing(corpus):
    assert search(user=AnonymousUser(), q="华泰") == []


def test_explicit_matter_filter_does_not_bypass_the_gate(corpus):
    assert search(user=corpus.outsider, q="证据", matter_id=corpus.matter.pk) == []
    assert search(user=corpus.admin, q="证据", matter_id=corpus.confidential.pk) == []


@pytest.mark.parametrize("rank_cap", [2, 2000])
def test_invisible_hits_do_not_use_up_the_limit(corpus, rank_cap, monkeypatch):
    """Many better-ranked hits in a matter the user cannot see must not crowd out the
    visible ones, ranked best first or (many matches) newest first."""
    monkeypatch.setattr("lexcase.search.selectors.RANK_CAP", rank_cap)
    hidden = matter_create(
        actor=corpus.partner_other,
        title="其他案件",
        matter_type=MatterType.CIVIL,
        confidential=True,
        lead_lawyer=corpus.outsider,
    )
    for i in range(100, 160):
        search_entry_upsert(
            kind="document", object_id=i, matter_id=hidden.pk, title="华泰", text="华泰" * 20
        )
    hits = search(user=corpus.lead, q="华泰", limit=3)
    assert {(h.kind, h.id) for h in hits} == {("matter", corpus.matter.pk), ("document", 1),
                                              ("document", 2)}  # fmt: skip
    assert len(search(user=corpus.outsider, q="华泰", limit=100)) == 60
