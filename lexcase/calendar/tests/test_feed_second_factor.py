"""The calendar feed's secret URL stands in for a sign-in, never for the second factor: while
the feed's owner must enrol one (their role requires it and they have none — never
enrolled, or reset by an administrator after a lost phone, where the feed is subscribed),
the feed serves nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.test import Client
from django.utils import timezone

from lexcase.calendar.models import CalendarFeed, Deadline

pytestmark = pytest.mark.django_db

RAW = "feed-secret-of-the-partner-0123456789abcdef"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


def test_the_feed_serves_nothing_while_the_second_factor_is_pending(firm):
    CalendarFeed.objects.create(
        user=firm.partner, token_hash=hashlib.sha256(RAW.encode()).hexdigest()
    )
    Deadline.objects.create(
        matter=firm.matter,
        title="上诉期届满",
        due_date=timezone.localdate() + timedelta(days=3),
        status=Deadline.Status.OPEN,
        responsible=firm.partner,
    )
    pending = Client().get(f"/calendar/feed/{RAW}.ics")
    assert pending.status_code == 404
    assert "上诉期届满" not in pending.content.decode()
    Authenticator.objects.create(
        user=firm.partner,
        type=Authenticator.Type.TOTP,
        data={"secret": encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")},
    )
    enrolled = Client().get(f"/calendar/feed/{RAW}.ics")
    assert enrolled.status_code == 200
    assert "上诉期届满" in enrolled.content.decode()
