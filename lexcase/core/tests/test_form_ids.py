"""Forms that choose several rows by id refuse an id past 64 bits as an unknown choice:
SQLite's driver raised OverflowError on it (an HTTP 500 on the hearing form)."""

from __future__ import annotations

import pytest
from django.utils import translation

from lexcase.calendar.forms import HearingForm
from lexcase.calendar.models import Hearing
from lexcase.collab.forms import InviteForm as HelperInviteForm
from lexcase.portal.forms import InviteForm as ContactInviteForm
from lexcase.testing import client_for
from lexcase.todos.services import task_create

pytestmark = pytest.mark.django_db

HUGE = str(2**64)


def invalid(value: str) -> list[str]:
    return [f"Select a valid choice. {value} is not one of the available choices."]


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE])
def test_hearing_attendees_past_64_bits_are_an_unknown_choice(firm, value):
    with translation.override("en"):
        form = HearingForm({"court": "北京市朝阳区人民法院", "starts_at": "2026-03-02T09:00",
                            "attendees": [str(firm.lead.pk), value]})  # fmt: skip
        assert form.errors == {"attendees": invalid(value)}


def test_the_hearing_form_with_such_an_attendee_adds_nothing(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/hearings/",
        {
            "hearing-court": "北京市朝阳区人民法院",
            "hearing-starts_at": "2026-03-02T09:00",
            "hearing-attendees": [HUGE],
        },
    )
    # Refused as an unknown choice: the form again, as typed (matters.actions), nothing added.
    assert response.status_code == 422
    assert 'value="北京市朝阳区人民法院"' in response.content.decode()
    assert Hearing.objects.count() == 0


def test_helper_tasks_and_contact_matters_past_64_bits_are_unknown_choices(firm):
    task = task_create(actor=firm.lead, title="核对证据", matter=firm.matter)
    with translation.override("en"):
        helper = HelperInviteForm({"tasks": [HUGE]}, task=task)
        contact = ContactInviteForm({"matters": [HUGE]}, user=firm.lead)
        assert (helper.errors["tasks"], contact.errors["matters"]) == (invalid(HUGE), invalid(HUGE))
