"""Probe: after retention anonymises a person party, none of its former personal data
(name, aliases, ID number, phone, e-mail, address) is readable or findable anywhere the
app keeps or indexes it — except where docs/security.md accepts it (frozen conflict
reports and audit events keep the names they were written with)."""

from __future__ import annotations

import base64
import pickle
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from lexcase.accounts.models import Team, User
from lexcase.calendar.services import deadline_create, hearing_create
from lexcase.comms.models import Communication
from lexcase.comms.services import communication_create
from lexcase.conflicts import highlight
from lexcase.conflicts.engine import QueryParty, find_candidates
from lexcase.core import formcache
from lexcase.documents.services import documents_upload
from lexcase.matters.models import (
    ClosingOutcome,
    Matter,
    MatterClosing,
    MatterParty,
    PersonalDataRetention,
)
from lexcase.matters.retention import (
    legal_hold_release,
    legal_hold_set,
    personal_data_anonymise_run,
)
from lexcase.matters.templatetags import matter_tags
from lexcase.matters.tests.test_retention import _archive
from lexcase.notifications.kinds import NotificationKind, RobotEvent
from lexcase.notifications.models import Notification, RobotChannel, RobotDelivery
from lexcase.notifications.services import RobotItem, notification_send, robot_broadcast
from lexcase.parties.models import Party
from lexcase.parties.services import party_update
from lexcase.reviews.models import Review, ReviewKind
from lexcase.search import tokens
from lexcase.testing import client_for
from lexcase.todos.services import task_create

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
EMAIL = "wangwei.private@example.com"
ADDRESS = "北京市海淀区中关村大街99号"
OLD = ["王伟", "王小伟", "Wang Wei", ID_NUMBER, PHONE, EMAIL, ADDRESS]
# Accepted residue (docs/security.md, T20): audit events and frozen conflict reports.
ACCEPTED_TABLES = {"audit_auditevent", "conflicts_conflictcheck"}


def _dump() -> dict[str, list[str]]:
    """Every table's rows as text; the database cache's values unpickled."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in ACCEPTED_TABLES:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = repr(row)
                if table == "lexcase_cache":
                    try:
                        text += repr(pickle.loads(base64.b64decode(row[1])))
                    except Exception:
                        pass
                for old in OLD:
                    if old in text:
                        found.setdefault(table, []).append(old)
    return found


@pytest.fixture
def person(firm):
    f = firm
    PersonalDataRetention.objects.update_or_create(matter_type="civil", defaults={"years": 5})
    MatterParty.objects.create(matter=f.confidential, party=f.client_party, role="client")
    party = Party.objects.get(pk=f.opposing_party.pk)
    party_update(
        actor=f.lead,
        party=party,
        version=party.version,
        aliases=["王小伟", "Wang Wei"],
        id_number=ID_NUMBER,
        phone=PHONE,
        email=EMAIL,
        address=ADDRESS,
        notes="王伟的电话 " + PHONE,
    )
    communication_create(
        actor=f.lead,
        matter=f.matter,
        channel="phone",
        direction="outbound",
        summary=f"与王伟（{PHONE}）通话，王小伟同意调解",
        participants=["王伟"],
        follow_up="给王伟寄送材料",
    )
    task_create(
        actor=f.lead, matter=f.matter, title="联系王伟", notes=f"电话 {PHONE}", assignee=f.assistant
    )
    documents_upload(
        actor=f.lead,
        matter=f.matter,
        uploads=[SimpleUploadedFile("王伟身份证.pdf", b"%PDF-1.4\n%%EOF\n")],
        title="王伟身份证复印件",
        notes=f"王伟 {ID_NUMBER}",
    )
    deadline_create(
        actor=f.lead,
        matter=f.matter,
        title="王伟举证期限",
        due_date=date(2019, 6, 1),
        notes=f"王小伟 {PHONE}",
    )
    hearing_create(
        actor=f.lead,
        matter=f.matter,
        court="北京市朝阳区人民法院",
        starts_at=datetime(2019, 7, 1, 9, tzinfo=SHANGHAI),
        title="华泰科技诉王伟开庭",
        notes=f"王伟本人出庭，住{ADDRESS}",
    )
    # A notice about the matter (its title names the person), a client's notice without a
    # matter, and a group-chat message to the team.
    notification_send(
        user=f.partner,
        kind=NotificationKind.SLA_BREACH,
        text=f"SLA breached on {f.matter.number} {f.matter.title}",
        key="probe:matter",
        matter=f.matter,
    )
    notification_send(
        user=f.assistant,
        kind=NotificationKind.DOCUMENT_SHARED,
        text=f"A document was shared with you on matter {f.matter.number}: 王伟身份证复印件",
        key="probe:client",
    )
    team = Team.objects.create(name="诉讼一部")
    User.objects.filter(pk__in=[f.lead.pk, f.partner.pk]).update(team=team)
    RobotChannel.objects.create(
        team=team,
        platform="wecom",
        name="群",
        url="https://example.invalid/hook",
        events=list(RobotEvent.values),
    )
    robot_broadcast(
        event=RobotEvent.SLA_ESCALATION,
        team_ids=[team.pk],
        heading="SLA",
        items=[RobotItem(matter_id=f.matter.pk, number=f.matter.number, title=f.matter.title)],
        key="probe:robot",
    )
    lead = client_for(f.lead)
    for url in ("/search/?q=王伟", "/matters/?q=王伟", "/parties/?q=王伟", "/matters/", "/"):
        lead.get(url)
    lead.get(f"/matters/{f.matter.pk}/")
    lead.get(f"/parties/{party.pk}/")
    Matter.objects.filter(pk=f.matter.pk).update(outcome="判决王伟支付货款")
    MatterClosing.objects.create(
        matter=f.matter,
        closed_on=date(2019, 12, 1),
        outcome_kind=ClosingOutcome.choices[0][0],
        outcome_text="王伟已履行",
        note=f"王小伟来电 {PHONE}",
        archive_deadline=date(2020, 3, 1),
    )
    hold = legal_hold_set(actor=f.partner, matter=f.matter, reason="王伟另案诉讼")
    legal_hold_release(actor=f.partner, matter=f.matter, reason="王伟另案已结")
    del hold
    Review.objects.create(
        matter=f.matter,
        kind=ReviewKind.choices[0][0],
        due_on=date(2019, 12, 1),
        findings=f"已核实王伟身份证 {ID_NUMBER}",
    )
    _archive(f.matter)
    return f


def _kept_in_process() -> list[str]:
    """The old strings in this process's kept form HTML (core.formcache: keys and HTML)."""
    text = repr(list(formcache._HTML.items()))
    return [old for old in OLD if old in text]


def _held(cached: Any, key: str) -> bool:
    """Whether the lru_cache `cached` holds `key` (asked: a hit; a miss adds it)."""
    hits = cached.cache_info().hits
    cached(key)
    return cached.cache_info().hits > hits


def _caches_holding_the_name(title: str) -> dict[str, bool]:
    """Which of the other in-process caches hold the name (core.formcache's registered
    ones): the matter list's filter fields (keyed on q=), the search tokenizer's words per
    run of indexed text (the matter's title), the conflict report's folded characters (one
    per key: 伟)."""
    return {
        "filter_fields": "王伟" in repr(list(matter_tags._FILTER_HTML.items())),
        "search_words": _held(tokens._words_cached, title),
        "conflict_fold": _held(highlight._fold, "伟"),
    }


def test_probe_no_personal_data_left_after_anonymisation(person):
    f = person
    party = f.opposing_party
    # The matter page, read by the fixture, kept its forms: the communication entry lists
    # the matter's documents by title (王伟身份证复印件).
    assert "王伟" in _kept_in_process()
    # The fixture's searches (q=王伟) went through the filter fields; what the task worker
    # and a conflict report do with the name goes through the other caches.
    title = f.matter.title
    assert "王伟" in title and tokens.runs(title) == [(True, title)]
    tokens.index_tokens(title)
    highlight.match_span(party.name, ["王伟"])
    assert _caches_holding_the_name(title) == {
        "filter_fields": True,
        "search_words": True,
        "conflict_fold": True,
    }
    with time_machine.travel(datetime(2025, 1, 10, 9, tzinfo=SHANGHAI), tick=False):
        assert personal_data_anonymise_run(day=date(2025, 1, 10)).parties == [party.pk]
    assert _caches_holding_the_name(title) == {
        "filter_fields": False,
        "search_words": False,
        "conflict_fold": False,
    }
    lead = client_for(f.lead)
    pages = {
        url: lead.get(url).content.decode()
        for url in (
            "/search/?q=王伟",
            "/matters/?q=王伟",
            "/parties/?q=王伟",
            f"/search/?q={PHONE}",
            "/parties/?q=王小伟",
            f"/matters/{f.matter.pk}/",
            f"/parties/{party.pk}/",
            "/",
        )
    }
    # A query page echoes the query in its search box: what must not come back is a hit.
    leaks = {url: [o for o in OLD if o in body] for url, body in pages.items() if "?q=" not in url}
    hits = {
        url: [
            link for link in (f"/matters/{f.matter.pk}/", f"/parties/{party.pk}/") if link in body
        ]
        for url, body in pages.items()
        if "?q=" in url
    }
    candidates = {
        q: [c.party_id for c in find_candidates(QueryParty(**q_kw))]
        for q, q_kw in {
            "name": {"name": "王伟", "kind": "person", "role": "opposing"},
            "alias": {"name": "王小伟", "kind": "person", "role": "opposing"},
            "id": {"name": "张三", "kind": "person", "role": "opposing", "id_number": ID_NUMBER},
        }.items()
    }
    assert (
        {u: v for u, v in leaks.items() if v},
        {u: v for u, v in hits.items() if v},
        candidates,
        _dump(),
        _kept_in_process(),
    ) == (
        {},
        {},
        {"name": [], "alias": [], "id": []},
        {},
        [],
    )
    # What is left reads as the placeholder where the person was named.
    placeholder = f"（已匿名化 {party.pk}）"
    row = Communication.objects.get(matter=f.matter)
    assert (row.summary, row.follow_up, row.contacts) == (
        f"与{placeholder}（{placeholder}）通话，{placeholder}同意调解",
        f"给{placeholder}寄送材料",
        [placeholder],
    )
    assert sorted(Notification.objects.values_list("text", flat=True)) == [
        f"A document was shared with you on matter {f.matter.number}: {placeholder}身份证复印件",
        f"SLA breached on {f.matter.number} 华泰科技诉{placeholder}买卖合同纠纷",
    ]
    assert RobotDelivery.objects.count() == 1
