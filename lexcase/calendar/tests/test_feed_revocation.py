"""The calendar feed's secret URL is a bearer credential like an API token: whatever ends a
user's tokens ends it too — a new password (a leaked one may have minted it), an
administrator's reset of the second factor (a lost phone, where the feed is subscribed) and
deactivation (so a later reactivation does not bring it back to life)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lexcase.accounts.services import (
    user_password_set,
    user_second_factor_reset,
    user_sessions_end,
    user_set_active,
)
from lexcase.audit.models import AuditEvent
from lexcase.calendar.models import CalendarFeed, Deadline
from lexcase.matters.services import matter_member_remove, matter_wall_add

pytestmark = pytest.mark.django_db

RAW = "feed-secret-of-the-lead-0123456789abcdefgh"


def _subscribed(f) -> str:
    CalendarFeed.objects.create(user=f.lead, token_hash=hashlib.sha256(RAW.encode()).hexdigest())
    Deadline.objects.create(
        matter=f.matter,
        title="上诉期届满",
        due_date=timezone.localdate() + timedelta(days=3),
        status=Deadline.Status.OPEN,
        responsible=f.lead,
    )
    url = f"/calendar/feed/{RAW}.ics"
    assert "上诉期届满" in Client().get(url).content.decode()
    return url


def test_a_new_password_ends_the_feed(firm):
    url = _subscribed(firm)
    user_password_set(user=firm.lead, password="a-new-long-passphrase-42", actor=firm.lead)
    assert Client().get(url).status_code == 404
    assert CalendarFeed.objects.filter(user=firm.lead).count() == 0
    revoked = AuditEvent.objects.filter(action="calendar.feed_revoke")
    assert list(revoked.values_list("object_id", "data")) == [
        (str(firm.lead.pk), {"why": "password"})
    ]


def test_a_second_factor_reset_ends_the_feed(firm):
    url = _subscribed(firm)
    user_second_factor_reset(user=firm.lead, actor=firm.admin, reason="手机丢失")
    assert Client().get(url).status_code == 404
    assert CalendarFeed.objects.filter(user=firm.lead).count() == 0


def test_deactivation_ends_the_feed_for_good(firm):
    url = _subscribed(firm)
    user_set_active(user=firm.lead, active=False, actor=firm.admin)
    user_set_active(user=firm.lead, active=True, actor=firm.admin)
    assert Client().get(url).status_code == 404
    assert CalendarFeed.objects.filter(user=firm.lead).count() == 0


def test_ending_sessions_keeps_the_feed(firm):
    # Signing out everywhere is not a credential reset: the subscription stays.
    url = _subscribed(firm)
    user_sessions_end(user=firm.lead, actor=firm.admin)
    assert Client().get(url).status_code == 200


def _assistants_feed(f) -> str:
    """The assistant's feed, showing a deadline of the matter they are on."""
    raw = "feed-secret-of-the-assistant-0123456789abcd"
    CalendarFeed.objects.create(
        user=f.assistant, token_hash=hashlib.sha256(raw.encode()).hexdigest()
    )
    Deadline.objects.create(
        matter=f.matter,
        title="举证期限届满",
        due_date=timezone.localdate() + timedelta(days=3),
        status=Deadline.Status.OPEN,
        responsible=f.assistant,
    )
    url = f"/calendar/feed/{raw}.ics"
    assert "举证期限届满" in Client().get(url).content.decode()
    return url


def test_taken_off_the_team_the_feed_no_longer_shows_the_matter(firm):
    """The feed keeps working (it is the owner's), but shows only what its owner sees at
    each fetch: a deadline they are still responsible for on a matter whose team they left
    is not in it."""
    url = _assistants_feed(firm)
    matter_member_remove(actor=firm.lead, matter=firm.matter, user=firm.assistant)
    response = Client().get(url)
    assert response.status_code == 200
    assert "举证期限届满" not in response.content.decode()


def test_walled_off_the_feed_no_longer_shows_the_matter(firm):
    url = _assistants_feed(firm)
    matter_wall_add(actor=firm.partner, matter=firm.matter, user=firm.assistant, reason="亲属")
    assert "举证期限届满" not in Client().get(url).content.decode()
