"""The client hears (portal + e-mail) when the firm shares a document or when a date the
client sees is added or moves (issue 16 item 11)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from lexcase.calendar.events import client_date_changed
from lexcase.calendar.models import Deadline, Hearing
from lexcase.documents.services import document_update
from lexcase.matters.models import MatterParty
from lexcase.notifications.models import Notification, NotificationPreference
from lexcase.portal.models import ClientContactMatter
from lexcase.portal.services import client_visibility_set
from lexcase.portal.tests.factories import build_world, make_document
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "documents"},
        },
    }


@pytest.fixture
def world(firm):
    return build_world(firm)


def notices(contact):
    return list(
        Notification.objects.filter(user=contact.user)
        .order_by("pk")
        .values_list("kind", "text", "url")
    )


def test_sharing_a_document_tells_the_clients_contacts_once(world):
    firm, matter = world.firm, world.a_matter
    before_a, before_b, outbox = notices(world.a), notices(world.b), len(mail.outbox)
    document = make_document(matter, firm.lead, title="一审判决书", shared=False)
    assert notices(world.a) == before_a  # not shared yet
    document_update(
        actor=firm.lead,
        document=document,
        version=document.version,
        title=document.title,
        category=document.category,
        on_date=None,
        notes="",
        shared_with_client=True,
    )
    told = (
        "document_shared",
        f"案件 {matter.number} 有新共享文件：一审判决书",
        f"/portal/matters/{matter.pk}/",
    )
    assert notices(world.a)[len(before_a) :] == [told]
    assert notices(world.b) == before_b  # the other client's contact
    assert [(m.to, m.body) for m in mail.outbox[outbox:]] == [(["client-a@example.com"], told[1])]
    # Unshared and shared again: told once.
    document.refresh_from_db()
    for shared in (False, True):
        document = document_update(
            actor=firm.lead,
            document=document,
            version=document.version,
            title=document.title,
            category=document.category,
            on_date=None,
            notes="",
            shared_with_client=shared,
        )
    assert notices(world.a)[len(before_a) :] == [told]
    # The portal's home page shows it.
    page = client_for(world.a.user).get("/portal/").content.decode()
    assert f'<a href="/portal/matters/{matter.pk}/">{told[1]}</a>' in page


def test_a_date_shown_to_the_client_or_moved_is_told(world):
    firm, matter = world.firm, world.a_matter
    before = len(notices(world.a))
    hearing = Hearing.objects.create(
        matter=matter,
        title="第一次开庭",
        court="北京市朝阳区人民法院",
        starts_at=datetime(2026, 12, 9, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    client_visibility_set(actor=firm.lead, obj=hearing, visible=True)
    deadline = Deadline.objects.create(
        matter=matter, title="上诉期限", due_date=date(2026, 12, 20), client_visible=True
    )
    # What deadlines_recompute sends when a holiday update moves a client-visible deadline.
    client_date_changed.send(
        sender=Deadline, obj=deadline, matter=matter, old=date(2026, 12, 20), new=date(2026, 12, 22)
    )
    assert [t for _k, t, _u in notices(world.a)[before:]] == [
        f"案件 {matter.number} 新增日期：第一次开庭，2026-12-09 09:30",
        f"案件 {matter.number} 的日期有变：上诉期限 由 2026-12-20 改为 2026-12-22",
    ]


def _share(firm, matter, title):
    document = make_document(matter, firm.lead, title=title, shared=False)
    return document_update(
        actor=firm.lead,
        document=document,
        version=document.version,
        title=document.title,
        category=document.category,
        on_date=None,
        notes="",
        shared_with_client=True,
    )


def test_the_client_chooses_in_the_portal_how_notices_reach_them(world):
    """Issue 16 item 11, 'per the user's preferences': the client is a user too. The portal
    has the client's own settings page with the client's kinds only; the staff kinds are
    not theirs to set, and their choices decide what is recorded and e-mailed."""
    firm, matter = world.firm, world.a_matter
    web = client_for(world.a.user)
    page = web.get("/portal/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email_document_shared"' in html and 'name="app_client_date_changed"' in html
    assert 'name="email_bill_issued"' in html and 'name="app_bill_issued"' in html
    assert 'name="email_intake_review"' not in html  # a staff kind
    assert 'href="/portal/notifications/"' in web.get("/portal/").content.decode()

    # E-mail off for shared documents: told in the portal only.
    answer = web.post("/portal/notifications/", {"app_document_shared": "on"})
    assert answer.status_code == 302
    assert sorted(
        NotificationPreference.objects.filter(user=world.a.user).values_list(
            "kind", "in_app", "email"
        )
    ) == [
        ("bill_issued", False, False),
        ("client_date_changed", False, False),
        ("document_shared", True, False),
    ]
    before, outbox = len(notices(world.a)), len(mail.outbox)
    _share(firm, matter, "开庭传票")
    assert [k for k, _t, _u in notices(world.a)[before:]] == ["document_shared"]
    assert len(mail.outbox) == outbox
    # Both off: nothing recorded, nothing sent.
    web.post("/portal/notifications/", {})
    _share(firm, matter, "证据交换笔录")
    assert (len(notices(world.a)), len(mail.outbox)) == (before + 1, outbox)


def test_a_revoked_grant_hides_the_notices_about_that_matter(world):
    firm, matter = world.firm, world.a_matter
    _share(firm, matter, "和解协议草稿")
    told = f"案件 {matter.number} 有新共享文件：和解协议草稿"
    portal = client_for(world.a.user)
    assert told in portal.get("/portal/").content.decode()
    ClientContactMatter.objects.filter(contact=world.a, matter=matter).delete()
    page = portal.get("/portal/").content.decode()
    assert (matter.number in page, "和解协议草稿" in page) == (False, False)


def test_the_notices_about_a_matter_go_when_the_party_is_no_longer_its_client(world):
    firm, matter = world.firm, world.a_matter
    _share(firm, matter, "和解协议草稿")
    portal = client_for(world.a.user)
    assert "和解协议草稿" in portal.get("/portal/").content.decode()
    # The grant stays; the contact's party is now only a third party on the matter.
    MatterParty.objects.filter(matter=matter, party=world.a.party).update(role="third_party")
    page = portal.get("/portal/").content.decode()
    assert (matter.number in page, "和解协议草稿" in page) == (False, False)
    assert portal.get(f"/portal/matters/{matter.pk}/").status_code == 404
