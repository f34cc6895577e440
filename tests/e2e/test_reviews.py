"""Reviews in a browser: the responsible partner completes a due review (desktop); the
client answers the satisfaction survey on a phone after closing, and a low score reaches the
responsible partner."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

pytestmark = pytest.mark.e2e

CLIENT_PASSWORD = "Fluss-Anker-2026!"


@pytest.fixture
def reviewed_matter(users: dict[str, Any]) -> Any:
    from lexcase.matters.models import Matter, MatterType
    from lexcase.matters.services import PartyLink, matter_create
    from lexcase.parties.services import party_create
    from lexcase.reviews.models import Review

    # Browser tests run on a database flushed after each test: put back the seeded checklist
    # the review form offers (the data migration ran only once, before the first test).
    importlib.import_module("lexcase.reviews.migrations.0002_default_checklist").seed(apps, None)
    lawyer, partner = users["lawyer"], users["partner"]
    client = party_create(actor=lawyer, kind="organization", name="北京华泰科技有限公司")
    opposing = party_create(actor=lawyer, kind="organization", name="北京远大贸易有限公司")
    matter = matter_create(
        actor=lawyer,
        title="华泰科技诉远大贸易买卖合同纠纷",
        matter_type=MatterType.CIVIL,
        priority="P1",
        parties=[
            PartyLink(party=client, role="client", standing="原告"),
            PartyLink(party=opposing, role="opposing", standing="被告"),
        ],
        lead_lawyer=lawyer,
        responsible_partner=partner,
    )
    Matter.objects.filter(pk=matter.pk).update(
        status="open", stage="first_instance", opened_on=timezone.localdate()
    )
    review = Review.objects.create(
        matter=matter, kind="periodic", due_on=timezone.localdate(), reviewer=partner
    )
    return matter, review, client


def test_partner_completes_a_review(
    page: Any, live_server: Any, login: Any, screenshot: Any, reviewed_matter: Any
) -> None:
    from lexcase.reviews.models import Review
    from lexcase.todos.models import Task

    matter, review, _client = reviewed_matter
    login(page, "partner")
    page.goto(f"{live_server.url}/matters/{matter.pk}/")
    assert page.locator("#reviews").is_visible()
    page.click(f"#reviews a[href='/reviews/{review.pk}/']")
    screenshot(page, "reviews-01-form.png")
    page.check("input[name=checked][value=strategy]")
    page.check("input[name=score][value='3']")
    page.fill("textarea[name=findings]", "证据目录未归档")
    page.fill("textarea[name=follow_ups]", "补充证据目录\n登记举证期限")
    page.click("form.form button.primary")
    page.wait_for_url(f"{live_server.url}/reviews/{review.pk}/")
    screenshot(page, "reviews-02-done.png")
    assert "3/5" in page.content()
    review.refresh_from_db()
    assert (review.status, review.score) == ("done", 3)
    assert sorted(Task.objects.filter(matter=matter).values_list("title", flat=True)) == [
        "登记举证期限",
        "补充证据目录",
    ]
    page.goto(f"{live_server.url}/matters/{matter.pk}/")
    screenshot(page, "reviews-03-matter.png")
    assert Review.objects.filter(matter=matter, status="due").count() == 1
    page.csp.assert_clean()


def test_client_answers_the_survey_on_a_phone(
    phone_page: Any, live_server: Any, screenshot: Any, users: dict[str, Any], reviewed_matter: Any
) -> None:
    from lexcase.accounts.models import Role, User
    from lexcase.matters.models import Matter
    from lexcase.notifications.models import Notification
    from lexcase.portal.models import ClientContact, ClientContactMatter
    from lexcase.reviews.models import SatisfactionSurvey

    matter, _review, client = reviewed_matter
    Matter.objects.filter(pk=matter.pk).update(status="closed", closed_on=timezone.localdate())
    user = User.objects.create(username="zhao", role=Role.CLIENT, name="赵女士")
    user.set_password(CLIENT_PASSWORD)
    user.save()
    contact = ClientContact.objects.create(user=user, party=client, accepted_at=timezone.now())
    ClientContactMatter.objects.create(contact=contact, matter=matter)

    page = phone_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "zhao")
    page.fill("input[name=password]", CLIENT_PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(live_server.url + "/portal/")
    page.goto(f"{live_server.url}/portal/matters/{matter.pk}/")
    page.click("#survey-link a")
    page.wait_for_url(f"{live_server.url}/portal/matters/{matter.pk}/survey/")
    screenshot(page, "reviews-04-survey-phone.png")
    # Nothing wider than the phone: the radio rows wrap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.check("input[name=overall][value='2']")
    page.check("input[name=responsiveness][value='1']")
    page.check("input[name=clarity][value='3']")
    page.fill("textarea[name=comment]", "回复太慢")
    page.click("form.survey button.primary")
    page.wait_for_url(f"{live_server.url}/portal/matters/{matter.pk}/survey/")
    screenshot(page, "reviews-05-survey-thanks.png")
    survey = SatisfactionSurvey.objects.get()
    assert (survey.overall, survey.responsiveness, survey.clarity, survey.comment) == (
        2,
        1,
        3,
        "回复太慢",
    )
    notes = Notification.objects.filter(kind="survey_low_score")
    assert [n.user.username for n in notes] == ["partner"]
    page.csp.assert_clean()
