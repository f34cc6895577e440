"""A group's counts never tell a reader how many of its listed parties are on matters hidden
from them (hits_for_user folds those into one line per checked name, with no count).

The listed members of a group are at most GROUP_LISTED; with the group's total and listed
counts, or its count beyond the list and the (public) cap, a reader who counts the listed
hits they can see learns how many listed ones are hidden. For a checked name with hidden
hits, the reader gets the group without its numbers."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.conflicts import engine
from lexcase.conflicts.tests.world import make_matter, make_party
from lexcase.matters.models import Matter
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(engine, "GROUP_LISTED", 2)
    monkeypatch.setattr(engine, "RANK_PREFIX", 1)


def _namesakes(firm) -> None:
    namesakes = [make_party(firm.lead, "李娜", "person") for _ in range(5)]
    client = make_party(firm.lead, "上海甲方实业有限公司")
    # The oldest namesake is the opponent on a confidential matter: listed first, hidden
    # from a partner off its team.
    hidden = make_matter(firm, [(client, "client"), (namesakes[0], "opposing")])
    Matter.objects.filter(pk=hidden.pk).update(confidential=True)


def test_the_api_withholds_a_groups_counts_where_the_name_has_hidden_hits(firm, small_limits):
    _namesakes(firm)
    _token, raw = api_token_create(user=firm.partner_other, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {"parties": [{"name": "李娜", "kind": "person", "role": "client"}]}
    response = api.post("/api/v1/conflicts/check", json.dumps(body), "application/json")
    assert response.status_code == 200
    report = response.json()
    assert [h["matched_on"] for h in report["hits"] if h["redacted"]] == ["hidden"]
    [group] = [g for g in report["groups"] if g["matched_on"] == "name"]
    assert (group["total"], group["listed"], group["grouped"]) == (None, None, None)
    # The lead sees every matter: the counts stand.
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    report = api.post("/api/v1/conflicts/check", json.dumps(body), "application/json").json()
    [group] = [g for g in report["groups"] if g["matched_on"] == "name"]
    assert (group["total"], group["listed"], group["grouped"]) == (5, 2, 3)


def test_the_page_withholds_the_count_where_the_name_has_hidden_hits(firm, small_limits):
    _namesakes(firm)
    form = {
        "parties-TOTAL_FORMS": "1",
        "parties-INITIAL_FORMS": "0",
        "parties-0-name": "李娜",
        "parties-0-kind": "person",
        "parties-0-role": "client",
    }
    page = client_for(firm.partner_other).post("/conflicts/check/", form).content.decode()
    assert "以此方式匹配，在此计数" not in page
    assert (
        "另有当事人以此方式匹配，未逐一列出；因此名称也匹配到您无权查看的案件，不显示其数量。"
        in page
    )
    # The lead, who sees every matter, reads the count.
    page = client_for(firm.lead).post("/conflicts/check/", form).content.decode()
    assert "李娜（名称相同）：另有 3 个当事人以此方式匹配，在此计数，未逐一列出。" in page
