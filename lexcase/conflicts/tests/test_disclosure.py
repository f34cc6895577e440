"""What a conflict check discloses about matters the reader cannot see (issue 18 items 3 and 11,
issue 14): hidden hits, the review queue, who may run ad-hoc checks, the per-user rate limit,
and identifiers kept out of URLs."""

from __future__ import annotations

import json
import shutil
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lexcase.accounts.models import Role
from lexcase.accounts.services import api_token_create
from lexcase.conflicts.models import ConflictCheck
from lexcase.conflicts.selectors import hits_for_user, intakes_awaiting_review
from lexcase.conflicts.services import conflict_review_decide, latest_check
from lexcase.conflicts.throttle import adhoc_check_throttle
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.models import PartyRelation
from lexcase.parties.services import party_create
from lexcase.testing import client_for, make_user

pytestmark = pytest.mark.django_db

HIDDEN_KEYS = ("party_id", "party_name", "matter_id", "matter_number", "matter_status")
HIDDEN_KEYS += ("role_on_matter", "responsible_partner")
# Requests are answered in Chinese, the default language.
TOO_MANY = "冲突检索过于频繁：每 10 分钟最多 %d 次，请稍后再试。"


def api(user: Any) -> Client:
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def api_check(user: Any, *parties: tuple[str, str, str]) -> Any:
    body = {"parties": [{"name": n, "kind": k, "role": r} for n, k, r in parties]}
    return api(user).post("/api/v1/conflicts/check", body, content_type="application/json")


def page_check(user: Any, *parties: tuple[str, str, str], identifier: str = "") -> Any:
    data = {
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "20",
    }
    for i, (name, kind, role) in enumerate(parties):
        data |= {f"parties-{i}-name": name, f"parties-{i}-kind": kind, f"parties-{i}-role": role}
        data[f"parties-{i}-identifier"] = identifier
    return client_for(user).post("/conflicts/check/", data)


def values(data: Any) -> list[Any]:
    """Every scalar anywhere in a JSON document."""
    if isinstance(data, dict):
        return [v for value in data.values() for v in values(value)]
    if isinstance(data, list):
        return [v for value in data for v in values(value)]
    return [data]


HIDDEN_REASON = {
    "en": (
        "A matter you cannot see also matches this name. Its details are withheld: the "
        "conflict review goes to a partner who can see that matter, and they decide."
    ),
    "zh": (
        "另有您无权查看的案件与此名称匹配，详情不予显示："
        "利益冲突审查将交由能查看该案件的合伙人决定。"
    ),
}


def assert_hidden_line(hit: dict[str, Any], language: str = "zh") -> None:
    """`language`: requests are answered in Chinese; direct calls in tests run in English."""
    assert {k: hit[k] for k in HIDDEN_KEYS} == dict.fromkeys(HIDDEN_KEYS)
    assert (hit["redacted"], hit["verdict"], hit["matched_on"], hit["score"]) == (
        True,
        "review",
        "hidden",
        0,
    )
    assert hit["reason"] == HIDDEN_REASON[language]


def second_hidden_matter(firm: Any) -> Any:
    """Another matter the outsider cannot see, with an organisation on the OTHER side
    (opposing) from 华泰 on firm.matter (client)."""
    org = party_create(actor=firm.lead, kind="organization", name="上海远航物流有限公司")
    client = party_create(actor=firm.lead, kind="person", name="周某")
    matter_create(
        actor=firm.lead,
        title="周某诉远航",
        matter_type="civil",
        parties=[PartyLink(party=client, role="client"), PartyLink(party=org, role="opposing")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    return org


# --- hidden hits say only that a hidden matter needs a decision ------------------------------


@pytest.mark.parametrize(
    ("reader", "name", "kind", "hidden"),
    [
        ("outsider", "北京华泰科技有限公司", "organization", "matter"),  # not on the team
        ("walled", "北京华泰科技有限公司", "organization", "matter"),  # walled partner
        ("admin", "李秘", "person", "confidential"),  # admins never see confidential matters
    ],
)
def test_api_hidden_hit_reveals_nothing_of_the_matter(firm, reader, name, kind, hidden):
    matter = getattr(firm, hidden)
    response = api_check(getattr(firm, reader), (name, kind, "opposing"))
    assert response.status_code == 200
    report = response.json()
    assert len(report["hits"]) == 1
    assert_hidden_line(report["hits"][0])
    everything = values(report)
    assert matter.number not in everything
    assert not any(matter.number in str(v) for v in everything)
    assert firm.partner.username not in everything
    assert [h["matter_id"] for h in report["hits"]] == [None]
    # The stored report keeps everything, for those who may see it.
    stored = ConflictCheck.objects.get(pk=report["id"]).hits
    assert {h["matter_id"] for h in stored} == {matter.pk}
    assert report["worst"] == "review"


def test_hidden_side_and_verdict_do_not_change_what_the_reader_gets(firm):
    """The same reader gets the same answer whatever side the hidden party is on and whatever
    verdict the hidden hit carries: 华泰 is the client on one hidden matter, 远航 the opposing
    party on another; as a proposed client one is a returning client (info), the other an
    absolute conflict."""
    second_hidden_matter(firm)
    reports = {}
    for name in ("北京华泰科技有限公司", "上海远航物流有限公司"):
        for role in ("client", "opposing"):
            check = api_check(firm.outsider, (name, "organization", role)).json()
            full = ConflictCheck.objects.get(pk=check["id"]).hits
            reports[(name, role)] = (check["worst"], check["hits"], {h["verdict"] for h in full})
    full_verdicts = {key: r[2] for key, r in reports.items()}
    assert full_verdicts == {
        ("北京华泰科技有限公司", "client"): {"info"},
        ("北京华泰科技有限公司", "opposing"): {"consent_required"},
        ("上海远航物流有限公司", "client"): {"absolute"},
        ("上海远航物流有限公司", "opposing"): {"info"},
    }
    shown = {(worst, json.dumps(hits, sort_keys=True)) for worst, hits, _v in reports.values()}
    assert len(shown) == 1


def test_several_hidden_hits_collapse_into_one_line_per_checked_name(firm):
    org = second_hidden_matter(firm)
    matter_create(
        actor=firm.lead,
        title="又一案",
        matter_type="civil",
        parties=[PartyLink(party=org, role="client")],
        lead_lawyer=firm.lead,
    )
    report = api_check(
        firm.outsider,
        ("上海远航物流有限公司", "organization", "opposing"),
        ("北京华泰科技有限公司", "organization", "client"),
    ).json()
    stored = ConflictCheck.objects.get(pk=report["id"]).hits
    assert len([h for h in stored if h["query"] == 0]) == 2  # two hidden matters
    assert [h["query"] for h in report["hits"]] == [0, 1]
    for hit in report["hits"]:
        assert_hidden_line(hit)


def test_visible_hits_are_shown_in_full_next_to_the_hidden_line(firm):
    """The lead sees firm.matter but not a confidential matter of another team."""
    other_lead = make_user("other", Role.LAWYER)
    secret = matter_create(
        actor=other_lead,
        title="保密",
        matter_type="civil",
        confidential=True,
        parties=[PartyLink(party=firm.client_party, role="opposing")],
        lead_lawyer=other_lead,
    )
    report = api_check(firm.lead, ("北京华泰科技有限公司", "organization", "client")).json()
    visible = [h for h in report["hits"] if not h["redacted"]]
    assert [(h["matter_number"], h["responsible_partner"]) for h in visible] == [
        (firm.matter.number, "Partner")
    ]
    hidden = [h for h in report["hits"] if h["redacted"]]
    assert len(hidden) == 1
    assert_hidden_line(hidden[0])
    assert secret.number not in values(report)


def test_a_related_hit_through_a_hidden_party_does_not_name_it(firm):
    """华泰 is known to the outsider only as a party of a matter they cannot see; its
    subsidiary is on the outsider's own matter. Checking 华泰 must not name 华泰 (or its
    relation) through the visible subsidiary's related-party hit."""
    subsidiary = party_create(actor=firm.outsider, kind="organization", name="华泰深圳分部有限公司")
    matter_create(
        actor=firm.outsider,
        title="子公司案件",
        matter_type="civil",
        parties=[PartyLink(party=subsidiary, role="client")],
        lead_lawyer=firm.outsider,
    )
    PartyRelation.objects.create(source=firm.client_party, target=subsidiary, kind="parent")
    report = api_check(firm.outsider, ("北京华泰科技有限公司", "organization", "opposing")).json()
    stored = ConflictCheck.objects.get(pk=report["id"]).hits
    assert {h["matched_on"] for h in stored} == {"name", "related"}
    [hit] = report["hits"]
    assert_hidden_line(hit)
    assert not any("华泰科技" in str(v) for v in values(report))
    # Whoever sees both matters gets the related hit in full.
    full = api_check(firm.partner, ("北京华泰科技有限公司", "organization", "opposing")).json()
    related = [h for h in full["hits"] if h["matched_on"] == "related"]
    assert [h["party_name"] for h in related] == ["华泰深圳分部有限公司"]


def test_page_for_a_walled_partner_shows_no_hidden_detail(firm):
    response = page_check(firm.walled, ("北京华泰科技有限公司", "organization", "opposing"))
    assert response.status_code == 200
    page = response.content.decode()
    assert firm.matter.number not in page
    assert f"/matters/{firm.matter.pk}/" not in page
    assert "Partner" not in page and ">partner<" not in page
    [hit] = response.context["conflict_hits"]
    assert_hidden_line(hit)
    # The verdict badge is the hidden line's, not the stored worst (consent required).
    assert response.context["conflict_hits"].worst == "review"
    assert "verdict-consent_required" not in page


def test_staff_member_on_an_intake_sees_hidden_hits_redacted(firm):
    staff = make_user("xingzheng", Role.STAFF)
    intake = matter_create(
        actor=staff,
        title="行政登记的收案",
        matter_type="civil",
        parties=[PartyLink(party=firm.client_party, role="opposing")],
    )
    check = latest_check(intake)
    assert {h["matter_id"] for h in check.hits} == {firm.matter.pk}
    [hit] = hits_for_user(user=staff, hits=check.hits)
    assert_hidden_line(hit, "en")
    page = client_for(staff).get(f"/matters/{intake.pk}/").content.decode()
    assert firm.matter.number not in page
    assert "verdict-consent_required" not in page


def test_frozen_report_is_redacted_by_the_reader_at_read_time(firm):
    """A report stored before this rule (full hits on file) reads redacted for whoever
    cannot see the hit's matter, and in full for whoever can."""
    intake = matter_create(
        actor=firm.outsider,
        title="旧报告",
        matter_type="civil",
        parties=[PartyLink(party=firm.client_party, role="opposing")],
    )
    check = latest_check(intake)
    ConflictCheck.objects.filter(pk=check.pk).update(worst="consent_required")
    for reader, redacted in ((firm.outsider, True), (firm.partner, False)):
        report = api(reader).get(f"/api/v1/matters/{intake.pk}/conflict-report").json()
        assert [h["redacted"] for h in report["hits"]] == [redacted]
        if redacted:
            assert_hidden_line(report["hits"][0])
            assert report["worst"] == "review"
        else:
            assert report["hits"][0]["matter_number"] == firm.matter.number
            assert report["worst"] == "consent_required"


# --- the review queue routes a hidden-hit check to someone who can see it ---------------------


def confidential_hit_intake(firm: Any) -> Any:
    """An intake by the outsider naming 李秘, the client of the confidential matter, which
    only the lead and the partner (its members) can see."""
    secret = firm.confidential.matter_parties.get().party
    return matter_create(
        actor=firm.outsider,
        title="对李秘的新案",
        matter_type="civil",
        parties=[
            PartyLink(
                party=party_create(actor=firm.outsider, kind="person", name="钱某"), role="client"
            ),
            PartyLink(party=secret, role="opposing"),
        ],
    )


def test_queue_routes_a_hidden_hit_to_partners_who_can_see_it(firm):
    intake = confidential_hit_intake(firm)
    assert {h["matter_id"] for h in latest_check(intake).hits} == {firm.confidential.pk}
    assert intake.pk in [m.pk for m in intakes_awaiting_review(user=firm.partner)]
    # Both can see the intake, neither can see the confidential matter.
    assert intake.pk not in [m.pk for m in intakes_awaiting_review(user=firm.partner_other)]
    assert intake.pk not in [m.pk for m in intakes_awaiting_review(user=firm.admin)]


def test_a_reviewer_who_cannot_see_every_hit_cannot_decide(firm):
    intake = confidential_hit_intake(firm)
    for reviewer in (firm.partner_other, firm.admin):
        with pytest.raises(ValidationError) as exc:
            conflict_review_decide(actor=reviewer, matter=intake, decision="reject")
        assert list(exc.value.message_dict) == ["decision"]
    response = api(firm.partner_other).post(
        f"/api/v1/matters/{intake.pk}/conflict-review",
        {"decision": "reject"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "decision"
    page = client_for(firm.partner_other).get(f"/matters/{intake.pk}/").content.decode()
    assert "/conflict-review/" not in page
    conflict_review_decide(actor=firm.partner, matter=intake, decision="reject")


def test_queue_limit_counts_only_reviewable_intakes(firm):
    hidden = [confidential_hit_intake(firm) for _ in range(3)]
    plain = matter_create(actor=firm.outsider, title="无冲突", matter_type="consultation")
    queue = [m.pk for m in intakes_awaiting_review(user=firm.partner_other, limit=1)]
    assert queue == [firm.matter.pk]
    queue = [m.pk for m in intakes_awaiting_review(user=firm.partner_other, limit=10)]
    assert queue == [firm.matter.pk, plain.pk]
    assert not set(queue) & {m.pk for m in hidden}


# --- who may run ad-hoc checks ----------------------------------------------------------------


def test_adhoc_checks_default_to_lawyers_partners_and_admins(firm):
    staff = make_user("xingzheng", Role.STAFF)
    for user, allowed in (
        (firm.lead, True),
        (firm.walled, True),
        (firm.admin, True),
        (firm.assistant, False),
        (staff, False),
        (firm.finance, False),
    ):
        expected = 200 if allowed else 403
        assert client_for(user).get("/conflicts/check/").status_code == expected
        assert page_check(user, ("王伟", "person", "client")).status_code == expected
        assert api_check(user, ("王伟", "person", "client")).status_code == expected
    response = api_check(staff, ("王伟", "person", "client"))
    assert [e["field"] for e in response.json()["errors"]] == ["__all__"]
    assert ConflictCheck.objects.filter(requested_by=staff).count() == 0


def test_adhoc_roles_are_a_firm_setting(firm, settings):
    settings.LEXCASE_CONFLICT_CHECK_ROLES = ["partner", "staff"]
    staff = make_user("xingzheng", Role.STAFF)
    assert api_check(firm.lead, ("王伟", "person", "client")).status_code == 403
    assert page_check(firm.lead, ("王伟", "person", "client")).status_code == 403
    assert api_check(staff, ("王伟", "person", "client")).status_code == 200
    assert api_check(firm.walled, ("王伟", "person", "client")).status_code == 200
    assert api_check(firm.finance, ("王伟", "person", "client")).status_code == 403


def test_intake_registration_still_runs_the_check_for_any_role(firm):
    intake = matter_create(
        actor=firm.assistant,
        title="助理登记",
        matter_type="civil",
        parties=[PartyLink(party=firm.client_party, role="opposing")],
    )
    assert latest_check(intake) is not None
    assert latest_check(intake).requested_by == firm.assistant


# --- rate limit -----------------------------------------------------------------------------


def test_api_rate_limit_per_user(firm, settings):
    settings.LEXCASE_CONFLICT_CHECK_RATE = "3/10m"
    for _ in range(3):
        assert api_check(firm.lead, ("王伟", "person", "client")).status_code == 200
    response = api_check(firm.lead, ("王伟", "person", "client"))
    assert response.status_code == 429
    assert response.json() == {"errors": [{"field": "__all__", "message": TOO_MANY % 3}]}
    assert 0 < int(response["Retry-After"]) <= 600
    # Refused checks are not run and not recorded.
    assert ConflictCheck.objects.filter(requested_by=firm.lead, matter=None).count() == 3
    # Another user has their own allowance.
    assert api_check(firm.walled, ("王伟", "person", "client")).status_code == 200


def test_page_rate_limit_shows_a_message(firm, settings):
    settings.LEXCASE_CONFLICT_CHECK_RATE = "2/10m"
    assert page_check(firm.lead, ("王伟", "person", "client")).status_code == 200
    assert page_check(firm.lead, ("王伟", "person", "client")).status_code == 200
    response = page_check(firm.lead, ("王伟", "person", "client"))
    assert response.status_code == 429
    assert "conflict_hits" in response.context and response.context["conflict_hits"] == []
    assert TOO_MANY % 2 in response.content.decode()
    # The page and the API share one allowance.
    assert api_check(firm.lead, ("王伟", "person", "client")).status_code == 429


def test_rate_limit_lives_in_the_shared_cache(firm, settings, tmp_path):
    """Counted in Django's cache, not in process memory: with a file (or database, Redis)
    cache, another thread's fresh cache connection, as another worker process would open,
    sees the same count, and wiping the cache's store resets it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.LEXCASE_CONFLICT_CHECK_RATE = "2/1h"
    assert [adhoc_check_throttle(user=firm.lead) for _ in range(2)] == [0, 0]
    waits: list[int] = []
    worker = threading.Thread(target=lambda: waits.append(adhoc_check_throttle(user=firm.lead)))
    worker.start()
    worker.join()
    assert len(waits) == 1 and 0 < waits[0] <= 3600
    assert adhoc_check_throttle(user=firm.walled) == 0
    shutil.rmtree(tmp_path / "cache")
    assert adhoc_check_throttle(user=firm.lead) == 0


# --- identifiers out of URLs (item 11) ------------------------------------------------------


def test_suggestions_are_posted_and_mask_id_numbers(firm):
    party = party_create(
        actor=firm.lead, kind="person", name="张建国", id_number="110101199003071233"
    )
    client = client_for(firm.lead)
    assert client.get("/conflicts/suggest/?name=张建国").status_code == 405
    response = client.post("/conflicts/suggest/", {"row": "parties-0", "parties-0-name": "张建国"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "110101199003071233" not in page
    assert "110***********1233" in page
    assert "pick=" not in page  # the pick is posted too, never put in a URL
    picked = client.post(
        "/conflicts/suggest/",
        {"row": "parties-0", "pick": str(party.pk), "parties-0-role": "opposing"},
    )
    assert picked.status_code == 200
    assert 'value="张建国"' in picked.content.decode()


def test_identifier_match_is_masked_in_the_report(firm):
    party_create(actor=firm.lead, kind="person", name="张建国", id_number="110101199003071233")
    response = page_check(firm.lead, ("某人", "person", "client"), identifier="110101199003071233")
    page = response.content.decode()
    [hit] = response.context["conflict_hits"]
    assert hit["matched_on"] == "id"
    # Only the form's own field echoes what was typed; the report shows it masked.
    assert page.count("110101199003071233") == 1
    assert 'value="110101199003071233"' in page
    assert "张建国 <mark>110***********1233</mark>" in page
