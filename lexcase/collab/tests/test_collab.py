"""Outside helpers (issue 14, item 9): the narrow path beside the gate, its end date, who may
invite, and the audit of every access."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from lexcase.accounts.selectors import active_collaborators, active_staff, matter_workers
from lexcase.accounts.services import api_token_create
from lexcase.api.api import api  # noqa: F401  (the API's auth is what refuses tokens)
from lexcase.audit.models import AuditEvent
from lexcase.collab.models import Collaboration, TaskDocument
from lexcase.collab.selectors import collaborator_tasks
from lexcase.collab.services import collaboration_invite, collaboration_revoke
from lexcase.collab.tests.world import helper_task, matter_document, open_matter, shared_document
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Document
from lexcase.documents.selectors import documents_visible_to
from lexcase.matters.models import EthicalWall, Status
from lexcase.matters.selectors import matters_visible_to, parties_visible_to, visible_through
from lexcase.testing import client_for, make_user
from lexcase.todos.models import Task
from lexcase.todos.selectors import tasks_visible_to

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_the_gate_shows_an_invited_collaborator_nothing(firm):
    task = helper_task(firm)
    shared_document(firm, task)
    helper = firm.collaborator
    assert list(matters_visible_to(helper)) == []
    assert list(Task.objects.filter(visible_through(helper))) == []
    assert list(tasks_visible_to(helper)) == []
    assert list(documents_visible_to(helper)) == []
    assert list(parties_visible_to(helper)) == []
    # ... and the narrow path shows exactly the invited task.
    assert list(collaborator_tasks(helper)) == [task]


def test_collaborator_sees_only_invited_tasks_and_their_documents(firm):
    task = helper_task(firm)
    Task.objects.create(matter=firm.matter, title="起草代理词", priority="P2")
    shared = shared_document(firm, task)
    hidden = matter_document(firm, title="代理意见")
    c = client_for(firm.collaborator)
    home = c.get("/collab/")
    assert home.status_code == 200
    body = home.content.decode()
    assert "整理证据材料" in body and "起草代理词" not in body
    page = c.get(f"/collab/tasks/{task.pk}/").content.decode()
    assert shared.title in page and hidden.title not in page
    # Nothing of the matter beyond the task: no title, no party.
    assert firm.matter.title not in page and "王伟" not in page and "华泰" not in page
    assert c.get(f"/collab/tasks/{task.pk}/documents/{shared.pk}/download/").status_code == 200
    assert c.get(f"/collab/tasks/{task.pk}/documents/{hidden.pk}/download/").status_code == 404
    assert c.get(f"/matters/{firm.matter.pk}/").status_code == 404
    assert c.get(f"/documents/{shared.pk}/").status_code == 404
    assert c.get("/").status_code == 302 and c.get("/")["Location"] == "/collab/"


def test_access_ends_after_the_end_date_at_read_time(firm):
    today = date(2026, 12, 10)
    with time_machine.travel(_at(today), tick=False):
        task = helper_task(firm, days=1)  # ends on 12-11, inclusive
        document = shared_document(firm, task)
    url = f"/collab/tasks/{task.pk}/"
    download = f"{url}documents/{document.pk}/download/"
    # Signed in afresh each time (the idle session timeout would end a session days old).
    with time_machine.travel(_at(date(2026, 12, 11), hour=23), tick=False):
        c = client_for(firm.collaborator)
        assert (c.get(url).status_code, c.get(download).status_code) == (200, 200)
    with time_machine.travel(_at(date(2026, 12, 12), hour=0), tick=False):
        c = client_for(firm.collaborator)
        assert (c.get(url).status_code, c.get(download).status_code) == (404, 404)
        assert list(collaborator_tasks(firm.collaborator)) == []
        assert "整理证据材料" not in c.get("/collab/").content.decode()
        upload = SimpleUploadedFile("a.txt", b"late", "text/plain")
        assert c.post(f"{url}upload/", {"file": upload}).status_code == 404
    # No job ran: the invitation row is unchanged, only the clock moved.
    assert Collaboration.objects.get().revoked_at is None


@pytest.mark.parametrize(
    "end",
    ["revoked", "closed", "archived", "walled", "deactivated"],
)
def test_revoking_closing_walls_and_deactivation_end_access(firm, end):
    task = helper_task(firm)
    if end == "revoked":
        collaboration_revoke(actor=firm.lead, collaboration=Collaboration.objects.get())
    elif end == "closed":
        type(firm.matter).objects.filter(pk=firm.matter.pk).update(status=Status.CLOSED)
    elif end == "archived":
        type(firm.matter).objects.filter(pk=firm.matter.pk).update(status=Status.ARCHIVED)
    elif end == "walled":
        EthicalWall.objects.create(matter=firm.matter, user=firm.collaborator, reason="冲突")
    else:
        firm.collaborator.is_active = False
        firm.collaborator.save()
    assert list(collaborator_tasks(firm.collaborator)) == []
    if end != "deactivated":
        assert client_for(firm.collaborator).get(f"/collab/tasks/{task.pk}/").status_code == 404


def test_who_may_invite(firm):
    helper_task(firm)
    allowed = {
        name
        for name in (
            "admin",
            "partner",
            "partner_other",
            "lead",
            "assistant",
            "outsider",
            "walled",
            "inactive",
            "finance",
            "collaborator",
        )
        if getattr(firm, name).has_perm("collab.invite", firm.matter)
    }
    # Lawyers on the matter's team: the lead lawyer and the responsible partner.
    assert allowed == {"lead", "partner"}
    type(firm.matter).objects.filter(pk=firm.matter.pk).update(status=Status.ARCHIVED)
    firm.matter.refresh_from_db()
    assert firm.lead.has_perm("collab.invite", firm.matter) is False


def test_invitation_rules(firm):
    open_matter(firm)
    task = Task.objects.create(matter=firm.matter, title="整理证据材料", priority="P2")
    other = Task.objects.create(matter=firm.confidential, title="尽调", priority="P2")
    today = date(2026, 12, 10)
    with time_machine.travel(_at(today), tick=False):
        with pytest.raises(NotAllowed):
            collaboration_invite(
                actor=firm.assistant,
                collaborator=firm.collaborator,
                tasks=[task],
                ends_on=today,
            )
        with pytest.raises(ValidationError) as staff:
            collaboration_invite(
                actor=firm.lead, collaborator=firm.outsider, tasks=[task], ends_on=today
            )
        assert list(staff.value.message_dict) == ["collaborator"]
        with pytest.raises(ValidationError) as mixed:
            collaboration_invite(
                actor=firm.lead,
                collaborator=firm.collaborator,
                tasks=[task, other],
                ends_on=today,
            )
        assert list(mixed.value.message_dict) == ["tasks"]
        for bad in (today - timedelta(days=1), today + timedelta(days=367)):
            with pytest.raises(ValidationError) as dated:
                collaboration_invite(
                    actor=firm.lead, collaborator=firm.collaborator, tasks=[task], ends_on=bad
                )
            assert list(dated.value.message_dict) == ["ends_on"]
        collaboration = collaboration_invite(
            actor=firm.lead, collaborator=firm.collaborator, tasks=[task], ends_on=today
        )
        assert list(collaborator_tasks(firm.collaborator)) == [task]
        event = AuditEvent.objects.get(action="collab.invite")
        assert (event.actor_id, event.matter_id, event.data) == (
            firm.lead.pk,
            firm.matter.pk,
            {"collaborator": "collaborator", "tasks": [task.pk], "ends_on": "2026-12-10"},
        )
        # Revoked, then invited again: access is back, one row.
        collaboration_revoke(actor=firm.lead, collaboration=collaboration)
        assert list(collaborator_tasks(firm.collaborator)) == []
        collaboration_invite(
            actor=firm.partner, collaborator=firm.collaborator, tasks=[task], ends_on=today
        )
        assert list(collaborator_tasks(firm.collaborator)) == [task]
        assert Collaboration.objects.count() == 1


def test_invite_from_the_task_page(firm):
    open_matter(firm)
    task = Task.objects.create(matter=firm.matter, title="整理证据材料", priority="P2")
    c = client_for(firm.lead)
    assert "/helpers/" in c.get(f"/tasks/{task.pk}/").content.decode()
    ends_on = date.today() + timedelta(days=7)
    response = c.post(
        f"/tasks/{task.pk}/helpers/",
        {"collaborator": firm.collaborator.pk, "tasks": [task.pk], "ends_on": ends_on},
    )
    assert response.status_code == 302
    assert list(collaborator_tasks(firm.collaborator)) == [task]
    document = matter_document(firm)
    assert c.post(f"/tasks/{task.pk}/helpers/share/", {"document": document.pk}).status_code == 302
    assert TaskDocument.objects.filter(task=task, document=document).exists()


def test_the_task_page_offers_outside_helpers_only_to_who_may_invite(firm):
    """The button leads to a page the reader may open: not to the team's assistant, nor to
    the lead once the matter is closed (both were shown it and got 403)."""
    open_matter(firm)
    task = Task.objects.create(matter=firm.matter, title="整理证据材料", priority="P2")
    page = client_for(firm.assistant).get(f"/tasks/{task.pk}/")
    assert page.status_code == 200 and "/helpers/" not in page.content.decode()
    assert client_for(firm.assistant).get(f"/tasks/{task.pk}/helpers/").status_code == 403
    type(firm.matter).objects.filter(pk=firm.matter.pk).update(status=Status.CLOSED)
    page = client_for(firm.lead).get(f"/tasks/{task.pk}/")
    assert page.status_code == 200 and "/helpers/" not in page.content.decode()


def test_deliverable_lands_on_the_matter_and_the_task(firm):
    task = helper_task(firm)
    c = client_for(firm.collaborator)
    upload = SimpleUploadedFile("整理结果.txt", "证据清单".encode(), "text/plain")
    response = c.post(f"/collab/tasks/{task.pk}/upload/", {"file": upload, "title": "整理结果"})
    assert response.status_code == 302
    link = TaskDocument.objects.get(task=task)
    assert (link.deliverable, link.added_by, link.document.matter) == (
        True,
        firm.collaborator,
        firm.matter,
    )
    # The team sees it with the matter's documents.
    assert list(documents_visible_to(firm.lead).filter(pk=link.document_id)) == [link.document]


def test_every_access_is_audited(firm):
    task = helper_task(firm)
    document = shared_document(firm, task)
    c = client_for(firm.collaborator)
    c.get("/collab/")
    c.get(f"/collab/tasks/{task.pk}/")
    c.get(f"/collab/tasks/{task.pk}/documents/{document.pk}/download/")
    c.get(f"/matters/{firm.matter.pk}/")
    events = list(
        AuditEvent.objects.filter(actor_id=firm.collaborator.pk)
        .exclude(action="login.success")
        .order_by("id")
        .values_list("action", "object_id", "data")
    )
    assert [(a, o) for a, o, _d in events] == [
        ("collab.tasks_list", ""),
        ("collab.task_view", str(task.pk)),
        ("document.download", str(document.pk)),
        ("collab.refused", ""),
    ]
    assert events[2][2]["via"] == "collab"
    assert events[3][2] == {"method": "GET", "path": f"/matters/{firm.matter.pk}/"}


def test_collaborator_tokens_never_reach_the_api(firm):
    helper_task(firm)
    _token, raw = api_token_create(user=firm.collaborator, name="x")

    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.get("/api/v1/matters").status_code == 401


def test_collaborators_are_nobody_to_staff_pickers(firm):
    make_user("helper2", "collaborator")
    assert firm.collaborator not in active_staff()
    assert firm.collaborator not in matter_workers()
    assert [u.username for u in active_collaborators()] == ["collaborator", "helper2"]


def test_no_invitation_while_the_matter_is_in_intake(firm):
    """A matter under conflict review is opened to no outsider: the invitation is refused on
    the tasks field, in the user's language, and nothing is recorded."""
    task = Task.objects.create(matter=firm.matter, title="整理证据材料", priority="P2")
    assert firm.matter.status == Status.INTAKE
    ends_on = date.today() + timedelta(days=7)
    with pytest.raises(ValidationError) as refused:
        collaboration_invite(
            actor=firm.lead, collaborator=firm.collaborator, tasks=[task], ends_on=ends_on
        )
    zh = "案件仍在收案（利益冲突审查）阶段：案件开办后才能邀请外部协作人员。"
    assert refused.value.message_dict == {"tasks": [zh]}
    with translation.override("en"), pytest.raises(ValidationError) as in_english:
        collaboration_invite(
            actor=firm.lead, collaborator=firm.collaborator, tasks=[task], ends_on=ends_on
        )
    assert in_english.value.message_dict == {
        "tasks": [
            "The matter is still in intake (conflict review): outside helpers may be invited "
            "once it is open."
        ]
    }
    response = client_for(firm.lead).post(
        f"/tasks/{task.pk}/helpers/",
        {"collaborator": firm.collaborator.pk, "tasks": [task.pk], "ends_on": ends_on},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"tasks": [zh]}
    assert response.content.decode().count(zh) == 2  # the notice and the field's error
    assert (
        Collaboration.objects.count(),
        AuditEvent.objects.filter(action="collab.invite").count(),
    ) == (0, 0)
    # Once the matter is open, the same invitation goes through.
    open_matter(firm)
    collaboration_invite(
        actor=firm.lead, collaborator=firm.collaborator, tasks=[task], ends_on=ends_on
    )
    assert list(collaborator_tasks(firm.collaborator)) == [task]


def test_a_grant_on_a_matter_in_intake_admits_nothing(firm):
    """A grant recorded while intake matters were invitable (before this rule) shows nothing
    until the matter opens."""
    task = helper_task(firm)
    type(firm.matter).objects.filter(pk=firm.matter.pk).update(status=Status.INTAKE)
    assert list(collaborator_tasks(firm.collaborator)) == []
    assert client_for(firm.collaborator).get(f"/collab/tasks/{task.pk}/").status_code == 404
    open_matter(firm)
    assert list(collaborator_tasks(firm.collaborator)) == [task]


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ARCHIVED])
def test_no_invitation_to_a_closed_or_archived_matter(firm, status):
    task = Task.objects.create(matter=firm.matter, title="整理证据材料", priority="P2")
    type(firm.matter).objects.filter(pk=firm.matter.pk).update(status=status)
    firm.matter.refresh_from_db()
    ends_on = date.today() + timedelta(days=7)
    with pytest.raises(NotAllowed):
        collaboration_invite(
            actor=firm.lead, collaborator=firm.collaborator, tasks=[task], ends_on=ends_on
        )
    c = client_for(firm.lead)
    assert c.get(f"/tasks/{task.pk}/helpers/").status_code == 403
    body = {"collaborator": firm.collaborator.pk, "tasks": [task.pk], "ends_on": ends_on}
    assert c.post(f"/tasks/{task.pk}/helpers/", body).status_code == 403
    assert (
        Collaboration.objects.count(),
        AuditEvent.objects.filter(action="collab.invite").count(),
    ) == (0, 0)


def test_a_refused_delivery_or_share_keeps_what_was_typed(firm):
    """A delivery without its file, or a share of a document that is not the matter's, was
    flashed and the page came back empty (the helper's title lost). The page comes back with
    the form as typed and the error beside its field (422); nothing delivered or shared."""
    task = helper_task(firm)
    path = f"/collab/tasks/{task.pk}/upload/"
    before = Document.objects.count()
    response = client_for(firm.collaborator).post(path, {"title": "证据整理结果（第二版）"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="证据整理结果（第二版）"' in html
    assert "此项为必填项。" in html
    assert Document.objects.count() == before
    response = client_for(firm.lead).post(f"/tasks/{task.pk}/helpers/share/", {"document": 0})
    html = response.content.decode()
    assert response.status_code == 422
    assert "选择一个有效的选项： 该选择不在可用的选项中。" in html
    assert f'action="/tasks/{task.pk}/helpers/share/"' in html
