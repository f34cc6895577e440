"""Court messages against the confidentiality rules: who sees a message (with its matter; an
unmatched one only its author), filing on a matter one cannot see, and parsing again with a
wider view than the author's — which must not file the message on a matter the reader may
not file on by hand, and is on record when it moves the message."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from lexcase.audit.models import AuditEvent
from lexcase.matters.models import MatterMember, Status
from lexcase.matters.services import PartyLink, matter_create
from lexcase.papers import intake
from lexcase.papers.models import CourtMessage
from lexcase.parties.models import PartyKind
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

TEXT = (
    "【北京市第三中级人民法院】张三丰与上海某某贸易有限公司、王五买卖合同纠纷一案，"
    "定于2027年1月12日上午9时开庭。"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _matter(firm, *, lead, names: list[str], confidential: bool = False):
    parties = [
        PartyLink(
            party=party_create(actor=lead, kind=PartyKind.PERSON, name=name),
            role="client" if i == 0 else "opposing",
        )
        for i, name in enumerate(names)
    ]
    matter = matter_create(
        actor=lead,
        title="、".join(names),
        matter_type="civil",
        priority="P2",
        parties=parties,
        lead_lawyer=lead,
        responsible_partner=firm.partner,
        confidential=confidential,
    )
    matter.status = Status.OPEN
    matter.save(update_fields=["status"])
    return matter


def _message(firm, matter, *, author) -> CourtMessage:
    return CourtMessage.objects.create(
        text=TEXT,
        received_on=timezone.localdate(),
        matter=matter,
        matched_by="party" if matter else "",
        created_by=author,
    )


def _status(user, message) -> int:
    return client_for(user).get(f"/papers/court-messages/{message.pk}/").status_code


def test_who_sees_a_message(firm):
    on_matter = _message(firm, firm.matter, author=firm.lead)
    on_confidential = _message(firm, firm.confidential, author=firm.lead)
    unmatched = _message(firm, None, author=firm.lead)
    people = ("lead", "assistant", "partner", "partner_other", "admin", "walled", "outsider")
    seen = {
        name: [_status(getattr(firm, name), m) for m in (on_matter, on_confidential, unmatched)]
        for name in (*people, "finance", "collaborator")
    }
    assert seen == {
        "lead": [200, 200, 200],
        "assistant": [200, 404, 404],
        "partner": [200, 200, 404],
        "partner_other": [200, 404, 404],
        "admin": [200, 404, 404],
        "walled": [404, 404, 404],
        "outsider": [404, 404, 404],
        "finance": [404, 404, 404],
        "collaborator": [404, 404, 404],
    }
    listed = {
        name: sorted(m.pk for m in intake.court_messages_visible_to(getattr(firm, name)))
        for name in people
    }
    assert listed == {
        "lead": sorted([on_matter.pk, on_confidential.pk, unmatched.pk]),
        "assistant": [on_matter.pk],
        "partner": sorted([on_matter.pk, on_confidential.pk]),
        "partner_other": [on_matter.pk],
        "admin": [on_matter.pk],
        "walled": [],
        "outsider": [],
    }


def test_filing_on_a_matter_one_cannot_see_is_refused(firm):
    message = _message(firm, None, author=firm.outsider)
    web = client_for(firm.outsider)
    by_pk = web.post(f"/papers/court-messages/{message.pk}/match/", {"matter": firm.matter.pk})
    by_number = web.post(
        f"/papers/court-messages/{message.pk}/match/", {"number": firm.confidential.number}
    )
    # 422 since 4b44b2f: the number comes back as typed with why beside it, nothing filed.
    assert (by_pk.status_code, by_number.status_code) == (404, 422)
    message.refresh_from_db()
    assert message.matter_id is None
    # The assistant sees the matter but is no member of the confidential one.
    seen = _message(firm, firm.matter, author=firm.lead)
    response = client_for(firm.assistant).post(
        f"/papers/court-messages/{seen.pk}/match/", {"matter": firm.confidential.pk}
    )
    assert response.status_code == 404
    seen.refresh_from_db()
    assert seen.matter_id == firm.matter.pk


def test_parsing_again_with_a_wider_view_keeps_the_message_on_its_matter(firm):
    # The lead's matter names two of the message's parties; another team's matter names all
    # three. The lead's paste is filed on the lead's matter (the only one the lead sees).
    mine = _matter(firm, lead=firm.lead, names=["张三丰", "上海某某贸易有限公司"])
    theirs = _matter(firm, lead=firm.outsider, names=["张三丰", "上海某某贸易有限公司", "王五"])
    (message,) = intake.court_messages_intake(actor=firm.lead, text=TEXT)
    assert (message.matter_id, message.matched_by) == (mine.pk, "party")
    # A partner off both teams sees every open file: their rules would pick the other team's
    # matter, which they may not file on by hand.
    response = client_for(firm.partner_other).post(f"/papers/court-messages/{message.pk}/reparse/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.matter_id, message.matched_by) == (mine.pk, "party")
    assert intake.court_messages_visible_to(firm.outsider).filter(pk=message.pk).count() == 0
    assert not AuditEvent.objects.filter(action="court_message.reparse").exists()
    # A member of both teams may file it there: parsing again moves it, on record.
    MatterMember.objects.create(matter=theirs, user=firm.assistant, role="assistant")
    MatterMember.objects.create(matter=mine, user=firm.assistant, role="assistant")
    intake.court_message_reparse(actor=firm.assistant, message=message)
    message.refresh_from_db()
    assert (message.matter_id, message.matched_by) == (theirs.pk, "party")
    event = AuditEvent.objects.get(action="court_message.reparse")
    assert (event.matter_id, event.data) == (
        theirs.pk,
        {"from_matter": mine.pk, "to_matter": theirs.pk, "matched_by": "party"},
    )
