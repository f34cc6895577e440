"""The intake workflow around the engine: automatic check, frozen report, review rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lexcase.conflicts.models import ConflictCheck
from lexcase.conflicts.selectors import hits_for_user, intakes_awaiting_review
from lexcase.conflicts.services import conflict_review_decide, intake_is_cleared, latest_check
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.services import PartyLink, matter_create, matter_open, matter_party_add
from lexcase.parties.services import party_create, party_update
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def reversed_intake(firm):
    """王伟 (opposing on the firm's live matter) now asks the firm to act against 华泰.
    With his ID number on file the match is conclusive (a bare personal name never is)."""
    party_update(
        actor=firm.lead,
        party=firm.opposing_party,
        version=firm.opposing_party.version,
        id_number="11010519491231002X",
    )
    return matter_create(
        actor=firm.outsider,
        title="王伟诉华泰",
        matter_type="civil",
        parties=[
            PartyLink(party=firm.opposing_party, role="client"),
            PartyLink(party=firm.client_party, role="opposing"),
        ],
    )


def test_every_intake_gets_a_frozen_check(firm):
    check = latest_check(firm.matter)
    assert check is not None and check.requested_by == firm.lead
    assert [q["name"] for q in check.query] == ["北京华泰科技有限公司", "王伟"]
    assert check.engine_version.startswith("lexcase-conflicts/")


def test_absolute_conflict_cannot_be_waived_and_blocks_opening(firm):
    matter = reversed_intake(firm)
    check = latest_check(matter)
    assert check.worst == "absolute"
    for decision in ("approve", "waive"):
        with pytest.raises(ValidationError):
            conflict_review_decide(
                actor=firm.partner, matter=matter, decision=decision, consent_reference="x"
            )
    conflict_review_decide(actor=firm.partner, matter=matter, decision="reject", note="双方代理")
    assert not intake_is_cleared(matter)
    with pytest.raises(ValidationError):
        matter_open(actor=firm.partner, matter=matter)


def test_requester_cannot_review_own_intake(firm):
    matter = matter_create(actor=firm.partner, title="新咨询", matter_type="consultation")
    with pytest.raises(ValidationError) as exc:
        conflict_review_decide(actor=firm.partner, matter=matter, decision="approve")
    assert list(exc.value.message_dict) == ["decision"]
    with pytest.raises(NotAllowed):
        conflict_review_decide(actor=firm.lead, matter=matter, decision="approve")
    conflict_review_decide(actor=firm.admin, matter=matter, decision="approve")
    assert intake_is_cleared(matter)


def test_waiver_needs_the_consent_reference(firm):
    other = party_create(actor=firm.lead, kind="person", name="赵六")
    matter = matter_create(
        actor=firm.outsider,
        title="赵六诉华泰",
        matter_type="civil",
        parties=[
            PartyLink(party=other, role="client"),
            PartyLink(party=firm.client_party, role="opposing"),
        ],
    )
    assert latest_check(matter).worst == "consent_required"
    with pytest.raises(ValidationError) as exc:
        conflict_review_decide(actor=firm.partner, matter=matter, decision="approve")
    assert list(exc.value.message_dict) == ["decision"]
    with pytest.raises(ValidationError) as exc:
        conflict_review_decide(actor=firm.partner, matter=matter, decision="waive")
    assert list(exc.value.message_dict) == ["consent_reference"]
    review = conflict_review_decide(
        actor=firm.partner, matter=matter, decision="waive", consent_reference="知情同意书-2026-017"
    )
    assert review.consent_reference == "知情同意书-2026-017"
    assert intake_is_cleared(matter)


def test_adding_a_party_to_an_intake_needs_a_fresh_review(firm):
    conflict_review_decide(actor=firm.partner, matter=firm.matter, decision="approve")
    assert intake_is_cleared(firm.matter)

    matter_party_add(
        actor=firm.lead,
        matter=firm.matter,
        party=party_create(actor=firm.lead, kind="person", name="第三人甲"),
        role="third_party",
    )
    assert ConflictCheck.objects.filter(matter=firm.matter).count() == 2
    assert not intake_is_cleared(firm.matter)


def test_hits_on_invisible_matters_are_redacted(firm):
    matter = reversed_intake(firm)
    hits = hits_for_user(user=firm.outsider, hits=latest_check(matter).hits)
    # One line per checked name with a hidden hit, saying only that: no number, partner or
    # verdict of the hidden matter (issue 18 item 3).
    assert [(h["query"], h["redacted"], h["matter_id"]) for h in hits] == [
        (0, True, None),
        (1, True, None),
    ]
    assert {h["matter_number"] for h in hits} == {None}
    assert {h["responsible_partner"] for h in hits} == {None}
    page = client_for(firm.outsider).get(f"/matters/{matter.pk}/").content.decode()
    assert firm.matter.number not in page and "华泰科技诉王伟买卖合同纠纷" not in page


def test_reviewer_queue_on_the_dashboard(firm):
    queue = [m.pk for m in intakes_awaiting_review(user=firm.partner)]
    assert queue == [firm.matter.pk, firm.confidential.pk]  # both registered by the lead
    # An admin does not see the confidential one (members only).
    assert [m.pk for m in intakes_awaiting_review(user=firm.admin)] == [firm.matter.pk]
    assert intakes_awaiting_review(user=firm.lead) == []  # lawyers do not review
    page = client_for(firm.partner).get("/").content.decode()
    assert firm.matter.number in page
    conflict_review_decide(actor=firm.partner, matter=firm.matter, decision="approve")
    assert [m.pk for m in intakes_awaiting_review(user=firm.partner)] == [firm.confidential.pk]


def test_intake_without_a_check_can_be_checked_from_its_page(firm):
    ConflictCheck.objects.filter(matter=firm.matter).delete()  # e.g. demo or legacy data
    client = client_for(firm.lead)
    assert "conflict-check/" in client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert client.post(f"/matters/{firm.matter.pk}/conflict-check/").status_code == 302
    assert latest_check(firm.matter).requested_by == firm.lead


def test_adhoc_check_page_finds_a_two_character_name(firm):
    client = client_for(firm.outsider)
    response = client.post(
        "/conflicts/check/",
        {
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "20",
            "parties-0-name": "王伟",
            "parties-0-kind": "person",
            "parties-0-role": "client",
        },
    )
    assert response.status_code == 200
    hits = response.context["conflict_hits"]
    # The outsider cannot see that matter: only that a hidden matter matched.
    assert [(h["redacted"], h["matter_number"], h["party_name"]) for h in hits] == [
        (True, None, None)
    ]
    assert (
        ConflictCheck.objects.filter(matter__isnull=True, requested_by=firm.outsider).count() == 1
    )
