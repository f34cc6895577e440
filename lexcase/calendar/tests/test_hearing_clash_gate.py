"""A hearing clash warning names the other hearing's court and matter only to a reader who
may see that matter (律师法 Art. 38): an attendee's other hearing may be on a matter hidden
from whoever schedules this one (confidential, or walled off)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from lexcase.calendar import services
from lexcase.matters.services import matter_open
from lexcase.testing import approve_intake, client_for

pytestmark = pytest.mark.django_db

SECRET_COURT = "深圳前海合作区人民法院"


@pytest.fixture
def opened(firm):
    approve_intake(firm.matter, firm.partner)
    matter_open(actor=firm.partner, matter=firm.matter)
    return firm


def _lead_in_court_on_the_confidential_matter(f) -> None:
    services.hearing_create(
        actor=f.lead,
        matter=f.confidential,
        court=SECRET_COURT,
        city="深圳",
        starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=timezone.get_current_timezone()),
        attendees=[f.lead],
    )


def _schedule_with_the_lead(client, f):
    response = client.post(
        f"/matters/{f.matter.pk}/hearings/",
        {
            "hearing-court": "北京市朝阳区人民法院",
            "hearing-city": "北京",
            "hearing-starts_at": "2026-12-01T09:30",
            "hearing-attendees": [f.lead.pk],
        },
    )
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_clash_on_a_hidden_matter_names_neither_its_court_nor_its_number(opened):
    f = opened
    _lead_in_court_on_the_confidential_matter(f)
    # The assistant works on f.matter, not on the confidential matter.
    notes = _schedule_with_the_lead(client_for(f.assistant), f)
    clash = [n for n in notes if "2026-12-01 09:00" in n]
    assert len(clash) == 1
    assert SECRET_COURT not in clash[0]
    assert f.confidential.number not in clash[0]
    assert f.lead.display_name in clash[0]


def test_a_clash_on_a_matter_the_reader_sees_names_its_court_and_number(opened):
    f = opened
    _lead_in_court_on_the_confidential_matter(f)
    # The lead is on both matters: the warning says where the other hearing is.
    notes = _schedule_with_the_lead(client_for(f.lead), f)
    clash = [n for n in notes if "2026-12-01 09:00" in n]
    assert len(clash) == 1
    assert SECRET_COURT in clash[0]
    assert f.confidential.number in clash[0]


def test_the_service_names_a_hidden_clash_only_as_a_time(opened):
    f = opened
    _lead_in_court_on_the_confidential_matter(f)
    tz = timezone.get_current_timezone()
    warnings = services.hearing_clashes(
        users=[f.lead],
        starts_at=datetime(2026, 12, 1, 9, 30, tzinfo=tz),
        city="北京",
        reader=f.assistant,
    )
    assert len(warnings) == 1
    assert SECRET_COURT not in warnings[0] and f.confidential.number not in warnings[0]
