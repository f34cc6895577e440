from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.calendar.selectors import agenda_items
from lexcase.core.exceptions import NotAllowed
from lexcase.matters import archive
from lexcase.matters.models import Matter, Status, TimelineEntry
from lexcase.matters.services import matter_change_stage, matter_open, matter_update
from lexcase.notifications.models import Notification
from lexcase.reviews import services
from lexcase.reviews.models import Review, ReviewFollowUp, ReviewStatus
from lexcase.testing import approve_intake, client_for
from lexcase.todos.models import Task

SH = ZoneInfo("Asia/Shanghai")
DAY0 = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
CLOSE_ALL = ["final_document", "fees_settled", "client_informed", "originals_returned"]


def open_matter(firm, priority: str = "P2") -> Matter:
    matter = firm.matter
    if priority != matter.priority:
        matter = matter_update(
            actor=firm.lead, matter=matter, version=matter.version, priority=priority
        )
    approve_intake(matter, firm.partner_other)
    return matter_open(actor=firm.admin, matter=matter)


@pytest.mark.django_db
def test_p1_matter_opened_on_day_0_gets_its_first_review_due_on_day_14(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm, "P1")
        assert services.reviews_schedule() == 1
        assert services.reviews_schedule() == 0  # idempotent
    review = Review.objects.get(matter=matter)
    assert (review.kind, review.status, review.due_on, review.reviewer) == (
        "periodic",
        "due",
        date(2026, 12, 15),
        firm.partner,
    )


@pytest.mark.django_db
def test_cadence_is_configurable_data(firm, settings):
    settings.LEXCASE_REVIEWS = {"cadence_days": {"P2": 45}}
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm, "P2")
        services.reviews_schedule()
    assert Review.objects.get(matter=matter).due_on == date(2027, 1, 15)


@pytest.mark.django_db
def test_the_overdue_review_escalates_once_to_the_responsible_partner(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm, "P1")
        services.reviews_schedule()
    with time_machine.travel(DAY0 + timedelta(days=14), tick=False):  # due today: not late
        assert services.reviews_run() == (0, 0)
    with time_machine.travel(DAY0 + timedelta(days=15), tick=False):
        assert services.reviews_run() == (0, 1)
        assert services.reviews_run() == (0, 0)
    with time_machine.travel(DAY0 + timedelta(days=40), tick=False):
        assert services.reviews_escalate() == 0
    notes = Notification.objects.filter(kind="review_overdue")
    assert [(n.user, n.matter) for n in notes] == [(firm.partner, matter)]
    assert TimelineEntry.objects.filter(matter=matter, kind="review_overdue").count() == 1
    assert AuditEvent.objects.filter(action="review.escalate").count() == 1
    assert Review.objects.get(matter=matter).escalated_at == DAY0 + timedelta(days=15)


@pytest.mark.django_db
def test_completing_a_review_prefills_records_follow_up_tasks_and_schedules_the_next(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm, "P1")
        services.reviews_schedule()
    review = Review.objects.get(matter=matter)
    with time_machine.travel(DAY0 + timedelta(days=10), tick=False):
        rows = {row["code"]: row for row in services.review_prefill(matter=matter)}
        # No deadline, no document, no fee agreement, and a P1 client is told every 3 days
        # (comms' cadence), so on day 10 the update is late: the system says so.
        assert {code: rows[code]["auto"] for code in rows} == {
            "deadlines": False,
            "client_update": False,
            "documents": False,
            "evidence": False,
            "fee_agreement": False,
            "strategy": None,
            "work_product": None,
        }
        services.review_complete(
            actor=firm.partner,
            review=review,
            score=3,
            findings="证据目录未归档",
            checked=["client_update", "strategy"],
            follow_ups=["补充证据目录", "  ", "登记举证期限"],
        )
    review.refresh_from_db()
    assert (review.status, review.score, review.completed_by) == ("done", 3, firm.partner)
    assert review.checklist["strategy"] == {
        "label": "办案方案与风险已与团队复核",
        "auto": None,
        "ok": True,
    }
    assert review.checklist["deadlines"]["ok"] is False
    tasks = Task.objects.filter(matter=matter, kind="manual").order_by("id")
    assert [(t.title, t.assignee, t.due_at) for t in tasks] == [
        ("补充证据目录", firm.lead, DAY0 + timedelta(days=17)),
        ("登记举证期限", firm.lead, DAY0 + timedelta(days=17)),
    ]
    assert list(ReviewFollowUp.objects.values_list("task_id", flat=True)) == [t.pk for t in tasks]
    nxt = Review.objects.get(matter=matter, status="due")
    assert (nxt.kind, nxt.due_on) == ("periodic", date(2026, 12, 25))


@pytest.mark.django_db
def test_bad_input_changes_nothing(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm)
        services.reviews_schedule()
    review = Review.objects.get(matter=matter)
    with pytest.raises(ValidationError) as exc:
        services.review_complete(
            actor=firm.partner, review=review, score=7, checked=["nonsense"], follow_ups=["x" * 201]
        )
    assert set(exc.value.message_dict) == {"score", "checked", "follow_ups"}
    review.refresh_from_db()
    assert (review.status, Task.objects.filter(kind="manual").count()) == ("due", 0)


@pytest.mark.django_db
def test_only_reviewer_partner_or_admin_complete_and_delegation_moves_open_reviews(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm)
        services.reviews_schedule()
    review = Review.objects.get(matter=matter)
    with pytest.raises(NotAllowed):
        services.review_complete(actor=firm.lead, review=review, score=4)
    with pytest.raises(NotAllowed):
        services.review_delegate(actor=firm.lead, matter=matter, reviewer=firm.lead)
    with pytest.raises(ValidationError):  # an assistant cannot be handed reviews
        services.review_delegate(actor=firm.partner, matter=matter, reviewer=firm.assistant)
    services.review_delegate(actor=firm.partner, matter=matter, reviewer=firm.lead)
    review.refresh_from_db()
    assert review.reviewer == firm.lead
    services.review_complete(actor=firm.lead, review=review, score=4)
    assert Review.objects.get(matter=matter, status="due").reviewer == firm.lead


@pytest.mark.django_db
def test_stage_change_owes_a_stage_review_and_concluded_the_closing_review(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm)
        services.reviews_schedule()
    with time_machine.travel(DAY0 + timedelta(days=3), tick=False):
        matter = matter_change_stage(actor=firm.lead, matter=matter, stage="filing")
        assert services.reviews_schedule() == 1
        assert services.reviews_schedule() == 0
    stage = Review.objects.get(matter=matter, kind="stage")
    assert (stage.stage, stage.due_on, stage.reviewer) == (
        "filing",
        date(2026, 12, 11),
        firm.partner,
    )
    with time_machine.travel(DAY0 + timedelta(days=5), tick=False):
        matter = matter_change_stage(actor=firm.lead, matter=matter, stage="concluded")
        services.reviews_schedule()
    closing = Review.objects.get(matter=matter, kind="closing")
    assert (closing.status, closing.due_on) == ("due", date(2026, 12, 13))


@pytest.mark.django_db
def test_reviews_are_on_the_reviewers_agenda_through_the_gate(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm, "P1")
        services.reviews_schedule()
    day = date(2026, 12, 15)
    mine = [i for i in agenda_items(user=firm.partner, start=day, end=day) if i.kind == "review"]
    assert [(i.matter, i.url) for i in mine] == [(matter, f"/reviews/{Review.objects.get().pk}/")]
    assert [i for i in agenda_items(user=firm.lead, start=day, end=day) if i.kind == "review"] == []
    walled = agenda_items(user=firm.walled, start=day, end=day, mine_only=False)
    assert [i for i in walled if i.kind == "review"] == []


# --- closing requires the closing review ----------------------------------------------------


def close(matter, actor, **kw):
    return archive.matter_close_checked(
        actor=actor, matter=matter, outcome_kind="settled", checklist=CLOSE_ALL, **kw
    )


@pytest.mark.django_db
def test_closing_needs_the_closing_review_or_a_partners_reason(firm):
    matter = open_matter(firm)
    with pytest.raises(ValidationError) as exc:
        close(matter, firm.lead)
    assert "卷宗质量检查" in exc.value.message_dict["checklist"][0]
    with pytest.raises(ValidationError) as exc:  # a lawyer cannot override
        close(matter, firm.lead, override_reason="客户急需结案")
    assert list(exc.value.message_dict) == ["override_reason"]
    assert Matter.objects.get(pk=matter.pk).status == Status.OPEN
    closing = close(matter, firm.partner, override_reason="客户急需结案，复核后补")
    assert (closing.override_by, closing.override_reason) == (
        firm.partner,
        "客户急需结案，复核后补",
    )
    event = AuditEvent.objects.get(action="matter.close_checklist")
    assert event.data["missing"] == ["closing_review"]
    assert event.data["override_reason"] == "客户急需结案，复核后补"


@pytest.mark.django_db
def test_closing_after_the_closing_review_needs_no_override(firm):
    matter = open_matter(firm)
    review = services.closing_review_request(actor=firm.lead, matter=matter)
    assert services.closing_review_request(actor=firm.lead, matter=matter) == review
    services.review_complete(actor=firm.partner, review=review, score=5)
    closing = close(matter, firm.lead)
    assert closing.override_by is None
    # Reopened, it needs a new closing review before closing again.
    from lexcase.matters.services import matter_reopen

    matter = matter_reopen(actor=firm.lead, matter=Matter.objects.get(pk=matter.pk))
    with pytest.raises(ValidationError):
        close(matter, firm.lead)


# --- pages and API --------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_page_prefills_and_posting_completes(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm)
        services.reviews_schedule()
    review = Review.objects.get(matter=matter)
    web = client_for(firm.partner)
    with time_machine.travel(DAY0 + timedelta(days=1), tick=False):
        page = web.get(f"/reviews/{review.pk}/")
    assert page.status_code == 200
    # Only what the data confirms is ticked: the client was told within the cadence.
    assert page.context["form"].initial["checked"] == ["client_update"]
    bad = web.post(f"/reviews/{review.pk}/", {"score": "9", "version": review.version})
    assert bad.status_code == 200 and "score" in bad.context["form"].errors
    done = web.post(
        f"/reviews/{review.pk}/",
        {"score": "4", "findings": "良好", "checked": ["strategy"], "version": review.version},
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.score) == (ReviewStatus.DONE, 4)
    matter_page = web.get(f"/matters/{matter.pk}/")
    assert b'id="reviews"' in matter_page.content


def api(user):
    _token, raw = api_token_create(user=user, name="t")

    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_api_lists_and_records_reviews(firm):
    with time_machine.travel(DAY0, tick=False):
        matter = open_matter(firm)
        services.reviews_schedule()
    partner = api(firm.partner)
    listed = partner.get(f"/api/v1/matters/{matter.pk}/reviews").json()
    assert [(r["kind"], r["status"], r["due_on"], r["reviewer"]) for r in listed] == [
        ("periodic", "due", "2026-12-31", "partner")
    ]
    bad = partner.post(
        f"/api/v1/matters/{matter.pk}/reviews",
        json.dumps({"score": 0, "status": "done"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"score", "status"}
    made = partner.post(
        f"/api/v1/matters/{matter.pk}/reviews",
        json.dumps({"score": 4, "checked": ["strategy"], "follow_ups": ["补充证据目录"]}),
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["status"], body["score"], len(body["follow_up_task_ids"])) == ("done", 4, 1)
    assert {i["code"]: i["ok"] for i in body["checklist"]}["strategy"] is True
    assert api(firm.walled).get(f"/api/v1/matters/{matter.pk}/reviews").status_code == 404
