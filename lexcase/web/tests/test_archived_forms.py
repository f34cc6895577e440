"""An archived matter is read-only (结案归档): the forms on demand whose saves are refused on it
— a new task, a team member, the reviewer — are not offered on it (the link is not on its
page, the form is 403), and their services still refuse the save. An ethical wall stays
offered and saved: it only takes access away, and a new colleague must still be walled off
an archived file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from lexcase.accounts.services import api_token_create
from lexcase.calendar.models import Deadline, Hearing, LimitationPeriod, ServedDocument
from lexcase.calendar.services import (
    LIMITATION_RULES,
    deadline_create,
    hearing_create,
    limitation_period_create,
    served_document_record,
)
from lexcase.matters.models import EthicalWall, Matter, MatterMember
from lexcase.matters.services import matter_member_add, matter_wall_add
from lexcase.matters.tests.access_rows import archived, set_status
from lexcase.reviews.models import ReviewDelegation
from lexcase.reviews.services import review_delegate
from lexcase.testing import client_for
from lexcase.todos.models import Task
from lexcase.todos.services import task_create

pytestmark = pytest.mark.django_db

# form name -> who is offered it on the open matter
REFUSED_ON_ARCHIVED = {"task": "lead", "member": "lead", "reviewer": "admin"}


def offered(firm, persona: str) -> dict[str, tuple[int, bool]]:
    """Per form: the form's own status, and whether the matter page links to it."""
    client = client_for(getattr(firm, persona))
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    return {
        name: (
            client.get(f"/matters/{firm.matter.pk}/forms/{name}/").status_code,
            f"/matters/{firm.matter.pk}/forms/{name}/" in page,
        )
        for name in ["task", "member", "reviewer", "wall"]
    }


def test_forms_whose_save_is_refused_are_not_offered_on_an_archived_matter(firm):
    set_status(firm, "open")
    assert offered(firm, "lead") | {"reviewer": offered(firm, "admin")["reviewer"]} == {
        "task": (200, True),
        "member": (200, True),
        "reviewer": (200, True),
        "wall": (403, False),
    }
    archived(firm)
    assert offered(firm, "lead") | {"reviewer": offered(firm, "admin")["reviewer"]} == {
        "task": (403, False),
        "member": (403, False),
        "reviewer": (403, False),
        "wall": (403, False),
    }
    # The administrator keeps the wall on the archived file.
    assert offered(firm, "admin")["wall"] == (200, True)


def test_the_task_board_of_an_archived_matter_offers_no_new_task(firm):
    set_status(firm, "open")
    board = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/tasks/").content.decode()
    assert 'name="task-title"' in board
    archived(firm)
    board = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/tasks/").content.decode()
    assert 'name="task-title"' not in board


def test_the_services_still_refuse_the_save_on_an_archived_matter(firm):
    archived(firm)
    matter = Matter.objects.get(pk=firm.matter.pk)
    refused = {}
    saves = {
        "task": lambda: task_create(actor=firm.lead, matter=matter, title="补充证据"),
        "member": lambda: matter_member_add(
            actor=firm.lead, matter=matter, user=firm.outsider, role="member"
        ),
        "reviewer": lambda: review_delegate(actor=firm.admin, matter=matter, reviewer=firm.lead),
    }
    for name, save in saves.items():
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            save()
        refused[name] = caught.value.messages
    archived_message = ["This matter is archived and can no longer change."]
    assert refused == {name: archived_message for name in REFUSED_ON_ARCHIVED}
    assert Task.objects.filter(matter=matter, title="补充证据").count() == 0
    assert MatterMember.objects.filter(matter=matter, user=firm.outsider).count() == 0
    assert ReviewDelegation.objects.filter(matter=matter).count() == 0


def test_a_wall_is_still_raised_on_an_archived_matter(firm):
    archived(firm)
    matter = Matter.objects.get(pk=firm.matter.pk)
    matter_wall_add(actor=firm.admin, matter=matter, user=firm.outsider, reason="新同事曾代理对方")
    assert EthicalWall.objects.filter(matter=matter, user=firm.outsider).count() == 1


def test_the_calendar_refuses_new_dates_on_an_archived_matter(firm):
    # The matter page offers no deadline, hearing, served document or limitation form on an
    # archived file (`_can_edit`); a direct save must not add one either (its reminders
    # would go to the team of a closed file).
    archived(firm)
    matter = Matter.objects.get(pk=firm.matter.pk)
    day = timezone.localdate() + timedelta(days=30)
    saves = {
        "deadline": lambda: deadline_create(
            actor=firm.lead, matter=matter, title="举证期限", due_date=day
        ),
        "hearing": lambda: hearing_create(
            actor=firm.lead,
            matter=matter,
            court="北京市朝阳区人民法院",
            starts_at=timezone.now() + timedelta(days=30),
        ),
        "served": lambda: served_document_record(
            actor=firm.lead,
            matter=matter,
            kind=ServedDocument.Kind.JUDGMENT,
            service_date=timezone.localdate(),
            method=ServedDocument.Method.DIRECT,
        ),
        "limitation": lambda: limitation_period_create(
            actor=firm.lead,
            matter=matter,
            claim="货款",
            rule_id=next(iter(LIMITATION_RULES)),
            start_date=timezone.localdate(),
        ),
    }
    refused = {}
    for name, save in saves.items():
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            save()
        refused[name] = caught.value.messages
    assert refused == {
        name: ["This matter is archived and can no longer change."] for name in saves
    }
    assert (
        Deadline.objects.filter(matter=matter).count(),
        Hearing.objects.filter(matter=matter).count(),
        ServedDocument.objects.filter(matter=matter).count(),
        LimitationPeriod.objects.filter(matter=matter).count(),
    ) == (0, 0, 0, 0)
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "zh-hans"})
    answer = api.post(
        f"/api/v1/matters/{matter.pk}/deadlines",
        json.dumps({"title": "举证期限", "due_date": day.isoformat()}),
        content_type="application/json",
    )
    assert (answer.status_code, answer.json()["errors"][0]["message"]) == (
        422,
        "本案已归档，不能再修改。",
    )


def test_an_archived_matter_takes_no_deadline_from_an_old_proposal_or_served_document(firm):
    """The same rule for what was already on the file: confirming a proposed deadline makes
    it live (its reminders go to the team), and recording that a served judgment took effect
    proposes the periods that run from it; neither form is offered on the archived file, but
    a direct POST or the API saved both."""
    set_status(firm, "open")
    matter = firm.matter
    today = timezone.localdate()
    doc = ServedDocument.objects.create(
        matter=matter,
        kind=ServedDocument.Kind.JUDGMENT,
        service_date=today - timedelta(days=40),
        method=ServedDocument.Method.DIRECT,
    )
    proposed = Deadline.objects.create(
        matter=matter,
        title="上诉期限",
        due_date=today + timedelta(days=10),
        status=Deadline.Status.PROPOSED,
    )
    archived(firm)
    client = client_for(firm.lead)
    client.post(f"/deadlines/{proposed.pk}/confirm/", {})
    client.post(f"/served/{doc.pk}/effective/", {"effective_date": today.isoformat()})
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "zh-hans"})
    answers = [
        api.post(f"/api/v1/deadlines/{proposed.pk}/confirm", "{}", content_type="application/json"),
        api.post(
            f"/api/v1/served-documents/{doc.pk}/effective",
            json.dumps({"effective_date": today.isoformat()}),
            content_type="application/json",
        ),
    ]
    assert [(a.status_code, a.json()["errors"][0]["message"]) for a in answers] == [
        (422, "本案已归档，不能再修改。")
    ] * 2
    doc.refresh_from_db()
    assert doc.effective_date is None
    assert list(Deadline.objects.filter(matter=matter).values_list("pk", "status")) == [
        (proposed.pk, Deadline.Status.PROPOSED)
    ]
