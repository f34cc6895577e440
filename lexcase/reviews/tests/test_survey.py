from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lexcase.matters.models import Matter, Status, TimelineEntry
from lexcase.notifications.models import Notification
from lexcase.portal.tests.factories import make_contact
from lexcase.reviews import services
from lexcase.reviews.models import SatisfactionSurvey
from lexcase.testing import client_for


def closed(matter: Matter) -> Matter:
    Matter.objects.filter(pk=matter.pk).update(status=Status.CLOSED)
    matter.refresh_from_db()
    return matter


@pytest.mark.django_db
def test_client_answers_at_closing_and_a_low_score_notifies_the_responsible_partner(firm):
    matter = closed(firm.matter)
    contact = make_contact(firm.client_party, "client_a", matters=[matter])
    web = client_for(contact.user)
    page = web.get(f"/portal/matters/{matter.pk}/survey/")
    assert page.status_code == 200
    bad = web.post(f"/portal/matters/{matter.pk}/survey/", {"overall": "6", "clarity": "3"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"overall", "responsiveness"}
    assert SatisfactionSurvey.objects.count() == 0
    done = web.post(
        f"/portal/matters/{matter.pk}/survey/",
        {"overall": "2", "responsiveness": "1", "clarity": "3", "comment": "回复太慢"},
    )
    assert done.status_code == 302
    survey = SatisfactionSurvey.objects.get()
    assert (survey.occasion, survey.overall, survey.responsiveness, survey.clarity) == (
        "closing",
        2,
        1,
        3,
    )
    notes = Notification.objects.filter(kind="survey_low_score")
    assert [(n.user, n.matter) for n in notes] == [(firm.partner, matter)]
    assert TimelineEntry.objects.filter(matter=matter, kind="survey").count() == 1
    again = web.post(
        f"/portal/matters/{matter.pk}/survey/",
        {"overall": "5", "responsiveness": "5", "clarity": "5"},
    )
    assert again.status_code == 200 and SatisfactionSurvey.objects.count() == 1
    # The result is on the matter's page for the team.
    staff = client_for(firm.lead).get(f"/matters/{matter.pk}/reviews/")
    assert "回复太慢" in staff.content.decode()


@pytest.mark.django_db
def test_a_good_score_notifies_nobody_and_mid_matter_is_its_own_occasion(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status=Status.OPEN)
    matter = Matter.objects.get(pk=firm.matter.pk)
    contact = make_contact(firm.client_party, "client_a", matters=[matter])
    services.survey_submit(
        respondent=contact.user, matter=matter, overall=3, responsiveness=4, clarity=4
    )
    with pytest.raises(ValidationError):
        services.survey_submit(
            respondent=contact.user, matter=matter, overall=4, responsiveness=4, clarity=4
        )
    services.survey_submit(
        respondent=contact.user, matter=closed(matter), overall=4, responsiveness=4, clarity=4
    )
    assert sorted(SatisfactionSurvey.objects.values_list("occasion", flat=True)) == [
        "closing",
        "mid",
    ]
    assert Notification.objects.filter(kind="survey_low_score").count() == 0


@pytest.mark.django_db
def test_a_contact_not_granted_the_matter_gets_404(firm):
    matter = closed(firm.matter)
    contact = make_contact(firm.client_party, "client_b", matters=[])
    web = client_for(contact.user)
    assert web.get(f"/portal/matters/{matter.pk}/survey/").status_code == 404
    post = web.post(
        f"/portal/matters/{matter.pk}/survey/",
        {"overall": "1", "responsiveness": "1", "clarity": "1"},
    )
    assert post.status_code == 404
    assert SatisfactionSurvey.objects.count() == 0
