"""Who hears what (issue 16 item 11): per-user preferences in the app and by e-mail; the
partner when an intake awaits review; the registering lawyer on the decision and on opening;
the team before a hearing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from lexcase.calendar.models import Hearing
from lexcase.calendar.services import hearings_notify
from lexcase.conflicts.services import conflict_review_decide, latest_check
from lexcase.matters.services import PartyLink, matter_create, matter_open
from lexcase.notifications.kinds import NOTIFICATION_KINDS
from lexcase.notifications.models import Notification
from lexcase.notifications.selectors import notifications_for, unread_count
from lexcase.notifications.services import notification_send
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def notes(user, kind):
    return list(
        Notification.objects.filter(user=user, kind=kind)
        .order_by("pk")
        .values_list("text", "url", "in_app")
    )


def test_preferences_page_sets_in_app_and_email_per_kind(firm):
    firm.lead.email = "lead@example.com"
    firm.lead.save()
    client = client_for(firm.lead)
    page = client.get("/notifications/preferences/").content.decode()
    assert (page.count('name="app_'), page.count('name="email_')) == (len(NOTIFICATION_KINDS),) * 2
    assert 'id="app_hearing_soon" name="app_hearing_soon" checked' in page
    assert "<title>通知设置" in page
    # Digest: e-mail only; hearing notices: in the app only; everything else both.
    data = {f"app_{k}": "on" for k in NOTIFICATION_KINDS if k != "digest"}
    data |= {f"email_{k}": "on" for k in NOTIFICATION_KINDS if k != "hearing_soon"}
    assert client.post("/notifications/preferences/", data).status_code == 302
    page = client.get("/notifications/preferences/").content.decode()
    assert 'id="app_digest" name="app_digest">' in page
    assert 'id="email_hearing_soon" name="email_hearing_soon">' in page
    digest = notification_send(user=firm.lead, kind="digest", text="议程", key="d")
    hearing = notification_send(user=firm.lead, kind="hearing_soon", text="开庭", key="h")
    assert (digest.in_app, Notification.objects.get(pk=digest.pk).emailed) == (False, True)
    assert (hearing.in_app, Notification.objects.get(pk=hearing.pk).emailed) == (True, False)
    assert [n.text for n in notifications_for(user=firm.lead)] == ["开庭"]
    assert unread_count(user=firm.lead) == 1
    assert [m.body for m in mail.outbox] == ["议程"]
    # Both off: nothing is recorded at all.
    client.post("/notifications/preferences/", {})
    assert notification_send(user=firm.lead, kind="digest", text="x", key="d2") is None


def intake(firm, title="钱七诉孙八民间借贷纠纷"):
    party = party_create(actor=firm.lead, kind="person", name="钱七")
    return matter_create(
        actor=firm.lead,
        title=title,
        matter_type="civil",
        parties=[PartyLink(party=party, role="client", standing="原告")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )


def test_the_responsible_partner_hears_of_an_intake_awaiting_review_once(
    firm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matter = intake(firm)
    check = latest_check(matter)
    assert notes(firm.partner, "intake_review") == [
        (
            f"待您审查的收案利益冲突：{matter.number} 钱七诉孙八民间借贷纠纷",
            f"/matters/{matter.pk}/#conflicts",
            True,
        )
    ]
    # The link opens the matter's conflict report and its review form (the review URL
    # answered a GET with 405; it now sends a GET here, for the notices sent before).
    page = client_for(firm.partner).get(f"/matters/{matter.pk}/")
    assert page.status_code == 200
    assert f'action="/matters/{matter.pk}/conflict-review/"' in page.content.decode()
    assert 'id="conflicts"' in page.content.decode()
    assert Notification.objects.get(kind="intake_review").key == f"intake_review:{check.pk}"
    # The registering lawyer is not told to review their own intake.
    assert notes(firm.lead, "intake_review") == []


def test_a_review_notice_sent_before_ad28903_still_opens_the_conflict_report(
    firm, django_capture_on_commit_callbacks
):
    """Notices (and their e-mails) sent before ad28903 link to the review URL, which took
    only the form's POST: a GET answered 405. It now goes to the matter's conflict report,
    through the gate (404 off the matter), and still takes the form's POST."""
    with django_capture_on_commit_callbacks(execute=True):
        matter = intake(firm)
    old = f"/matters/{matter.pk}/conflict-review/"
    Notification.objects.filter(kind="intake_review").update(url=old)
    (notice,) = notifications_for(user=firm.partner)
    partner = client_for(firm.partner)
    response = partner.get(notice.url)
    assert (response.status_code, response["Location"]) == (302, f"/matters/{matter.pk}/#conflicts")
    page = partner.get(response["Location"]).content.decode()
    assert f'action="{old}"' in page and 'id="conflicts"' in page
    assert client_for(firm.outsider).get(old).status_code == 404
    assert Client().get(old).status_code == 302  # to the sign-in page
    assert Client().get(old)["Location"].startswith("/accounts/login/")
    assert partner.post(old, {"review-decision": "approve"}).status_code == 302
    assert latest_check(matter).review.decision == "approve"


@pytest.mark.parametrize(
    ("decision", "extra", "text"),
    [
        ("approve", {}, "利益冲突检索已由 Partner 批准：{number} {title}。"),
        (
            "waive",
            {"consent_reference": "知情同意书 2026-01"},
            "利益冲突检索已由 Partner 豁免后批准：{number} {title}。",
        ),
        (
            "reject",
            {"note": "与在办案件直接冲突"},
            "利益冲突检索已被 Partner 驳回：{number} {title}。",
        ),
    ],
)
def test_the_registering_lawyer_hears_the_decision(firm, decision, extra, text):
    matter = intake(firm)
    conflict_review_decide(actor=firm.partner, matter=matter, decision=decision, **extra)
    assert notes(firm.lead, "intake_decided") == [
        (text.format(number=matter.number, title=matter.title), f"/matters/{matter.pk}/", True)
    ]


def test_the_registering_lawyer_hears_the_matter_opened(firm):
    matter = intake(firm)
    conflict_review_decide(actor=firm.partner, matter=matter, decision="approve")
    matter_open(actor=firm.partner, matter=matter)
    assert [t for t, _u, _a in notes(firm.lead, "intake_decided")][1:] == [
        f"案件已立案：{matter.number} {matter.title}（Partner 操作）。"
    ]
    # Opening one's own intake tells nobody.
    assert notes(firm.partner, "intake_decided") == []


def test_the_team_hears_of_a_hearing_within_the_lead_time_once(firm, settings):
    settings.LEXCASE_HEARING_NOTICE_DAYS = 2
    today = date(2026, 12, 1)
    near = Hearing.objects.create(
        matter=firm.matter,
        court="北京市朝阳区人民法院",
        starts_at=datetime(2026, 12, 3, 9, 30, tzinfo=SH),
    )
    Hearing.objects.create(
        matter=firm.matter,
        court="北京市朝阳区人民法院",
        starts_at=datetime(2026, 12, 4, 9, tzinfo=SH),
    )
    near.attendees.add(firm.outsider)
    # The lead, the partner and the assistant; an attendee who cannot see the matter is not
    # told about it (the gate), nor the walled partner or the deactivated member.
    assert hearings_notify(today=today) == 3
    text = (
        f"开庭 2026-12-03 09:30（北京市朝阳区人民法院）：{firm.matter.number} {firm.matter.title}"
    )
    for user in (firm.lead, firm.partner, firm.assistant):
        assert notes(user, "hearing_soon") == [(text, f"/matters/{firm.matter.pk}/#hearings", True)]
    assert notes(firm.outsider, "hearing_soon") == []
    assert hearings_notify(today=today) == 0
    # A day later the second hearing is within the lead time.
    assert hearings_notify(today=today + timedelta(days=1)) == 3
