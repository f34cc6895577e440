"""The matter page reads each section's rows once (issue 15 item 3): its number of queries is
the same with a few rows in every section as with many, and it is pinned here, so a section
that starts reading per row, or reading what another section already read
(`matters.extensions.matter_page_read`), shows up as a changed count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lexcase.accounts.models import User
from lexcase.calendar.models import Deadline, Hearing
from lexcase.comms.models import Communication
from lexcase.core import formcache
from lexcase.documents.models import Document, DocumentVersion
from lexcase.matters.models import CourtCaseNumber, MatterParty, TimelineEntry
from lexcase.parties.models import Party, PartyKind
from lexcase.reviews.models import Approval, Review
from lexcase.testing import Firm, client_for
from lexcase.todos.models import Task

pytestmark = pytest.mark.django_db

# Queries of GET /matters/<pk>/ (the session, the user, the gate, the audit row, every
# section, the layout's profile and badge), per persona. 42 / 39 (45 / 42 before): the
# holiday calendar (two queries to check its version) is read only for a matter that watches
# a limitation period, and the update cadence form (the matter's policy row) is rendered on
# demand.
QUERIES = {"lead": 42, "admin": 39}


def grow(f: Firm, n: int, start: int) -> None:
    """`n` more rows in every section of `f.matter` (numbered from `start`)."""
    matter, now, today = f.matter, timezone.now(), timezone.localdate()
    for i in range(start, start + n):
        party = Party.objects.create(kind=PartyKind.PERSON, name=f"证人{i}")
        MatterParty.objects.create(matter=matter, party=party, role="third_party")
        CourtCaseNumber.objects.create(
            matter=matter,
            stage="first_instance",
            number=f"(2026)京0105民初{1000 + i}号",
            year=2026,
            court_code="京0105",
            type_code="民初",
        )
        Deadline.objects.create(
            matter=matter, title=f"期限{i}", due_date=today + timedelta(days=i), status="open"
        )
        Deadline.objects.create(
            matter=matter, title=f"旧期限{i}", due_date=today - timedelta(days=i), status="done"
        )
        hearing = Hearing.objects.create(
            matter=matter, court="北京市朝阳区人民法院", starts_at=now + timedelta(days=i)
        )
        hearing.attendees.add(f.lead, f.partner)
        document = Document.objects.create(matter=matter, category="contract", title=f"合同{i}")
        version = DocumentVersion.objects.create(
            document=document,
            number=1,
            file_name=f"doc{i}.txt",
            original_name=f"合同{i}.txt",
            size=1,
            sha256="0" * 64,
            content_type="text/plain",
            uploaded_by=f.lead,
        )
        Document.objects.filter(pk=document.pk).update(current=version)
        communication = Communication.objects.create(
            matter=matter,
            occurred_at=now - timedelta(days=i),
            channel="phone",
            direction="outbound",
            summary=f"进展{i}",
            document_ids=[document.pk],
            created_by=f.lead,
        )
        communication.team.add(f.lead, f.assistant)
        Task.objects.create(matter=matter, title=f"任务{i}", priority="P2", assignee=f.assistant)
        Review.objects.create(matter=matter, kind="quality", status="due", due_on=date(2026, 12, 1))
        Approval.objects.create(
            kind="seal",
            matter=matter,
            document=document,
            requester=f.lead,
            approver=f.partner,
            status="pending",
        )
        TimelineEntry.objects.create(matter=matter, actor=f.lead, kind="note", data={"i": i})


def page_queries(user: User, pk: int) -> int:
    client = client_for(user)
    # Warm: the first page of a process also loads the holiday calendar it keeps; the second
    # makes the process's check of the shared cache (core.formcache), due once it keeps a
    # form, so that the measured page never makes it (FORGET_CHECK_S pinned by the test).
    client.get(f"/matters/{pk}/")
    client.get(f"/matters/{pk}/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/matters/{pk}/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_matter_page_reads_each_section_once_whatever_its_rows(
    firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process asks the shared cache whether kept forms must be forgotten at most every
    # FORGET_CHECK_S (core.formcache): a read of the clock, not of the page. Pinned far
    # out (and made while warming), so that a slow run (PostgreSQL under load took over
    # 10 s) does not count it on whichever page happens to come after the interval.
    monkeypatch.setattr(formcache, "FORGET_CHECK_S", 3600.0)
    readers = {"lead": firm.lead, "admin": firm.admin}
    grow(firm, 2, 0)
    few = {name: page_queries(user, firm.matter.pk) for name, user in readers.items()}
    grow(firm, 8, 2)
    many = {name: page_queries(user, firm.matter.pk) for name, user in readers.items()}
    assert (few, many) == (QUERIES, QUERIES)
