from __future__ import annotations

import pytest
from django.core.management import call_command

from lexcase.matters.models import Matter, Status
from lexcase.reviews.models import Approval, Review, SatisfactionSurvey


@pytest.mark.django_db
def test_the_demo_firm_has_reviews_surveys_and_approvals_to_show():
    call_command("demo", matters=60, seed=7, stdout=open("/dev/null", "w"))
    open_matters = Matter.objects.filter(status=Status.OPEN).count()
    # Every open matter has exactly one periodic review due; closed and archived ones their
    # closing review.
    assert Review.objects.filter(kind="periodic", status="due").count() == open_matters
    finished = Matter.objects.filter(status__in=(Status.CLOSED, Status.ARCHIVED))
    assert (
        Review.objects.filter(kind="closing", status="done").count()
        == finished.exclude(closed_on=None).count()
    )
    assert Review.objects.filter(status="done", score__isnull=True).count() == 0
    assert SatisfactionSurvey.objects.exists()
    assert Approval.objects.filter(kind="archive", status="pending").count() == min(
        5, Matter.objects.filter(status=Status.CLOSED).count()
    )
