from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from lexcase.accounts.models import PracticeArea
from lexcase.accounts.services import api_token_create
from lexcase.calendar.models import Deadline, Hearing
from lexcase.calendar.selectors import agenda_items, agenda_overdue
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import EthicalWall, Matter, MatterType, TimelineEntry
from lexcase.matters.services import matter_change_stage, matter_open, matter_update
from lexcase.notifications.models import Notification
from lexcase.testing import approve_intake, client_for, make_user
from lexcase.todos import selectors, services
from lexcase.todos.models import ChecklistItem, Task
from lexcase.todos.workload import lead_suggestions, workload

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=SH)


def open_matter(firm, priority: str = "P2"):
    matter = firm.matter
    if priority != matter.priority:
        matter = matter_update(
            actor=firm.lead, matter=matter, version=matter.version, priority=priority
        )
    approve_intake(matter, firm.partner_other)
    return matter_open(actor=firm.admin, matter=matter)


@pytest.mark.django_db
def test_opening_a_p1_matter_creates_a_24h_task_for_the_lead(firm):
    with time_machine.travel(T0, tick=False):
        matter = open_matter(firm, "P1")
    sla = Task.objects.get(matter=matter, kind=Task.Kind.SLA)
    assert (sla.assignee, sla.priority, sla.status) == (firm.lead, "P1", "todo")
    assert sla.due_at == T0 + timedelta(hours=24)


@pytest.mark.django_db
def test_lapsed_p1_escalates_to_the_responsible_partner_exactly_once(firm):
    with time_machine.travel(T0, tick=False):
        matter = open_matter(firm, "P1")
    with time_machine.travel(T0 + timedelta(hours=23), tick=False):
        assert services.sla_breaches_run() == 0
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        assert services.sla_breaches_run() == 1
        assert services.sla_breaches_run() == 0  # the next run finds it escalated
    notes = Notification.objects.filter(kind="sla_breach")
    assert [(n.user, n.matter) for n in notes] == [(firm.partner, matter)]
    assert TimelineEntry.objects.filter(matter=matter, kind="sla_breach").count() == 1
    assert Task.objects.get(matter=matter, kind="sla").escalated_at is not None


@pytest.mark.django_db
def test_done_sla_task_is_not_escalated(firm):
    with time_machine.travel(T0, tick=False):
        matter = open_matter(firm, "P1")
    sla = Task.objects.get(matter=matter, kind="sla")
    services.task_move(actor=firm.lead, task=sla, status="done")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert services.sla_breaches_run() == 0
    assert Notification.objects.filter(kind="sla_breach").count() == 0


@pytest.mark.django_db
def test_priority_change_recomputes_the_open_sla_task(firm):
    with time_machine.travel(T0, tick=False):
        matter = open_matter(firm, "P2")
    sla = Task.objects.get(matter=matter, kind="sla")
    assert sla.due_at == T0 + timedelta(days=7)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        matter_update(actor=firm.lead, matter=matter, version=matter.version, priority="P1")
    sla.refresh_from_db()
    assert (sla.priority, sla.due_at) == ("P1", T0 + timedelta(hours=24))
    matter.refresh_from_db()
    matter_update(actor=firm.lead, matter=matter, version=matter.version, priority="P3")
    # P3 has no SLA: the untouched task goes away.
    assert not Task.objects.filter(matter=matter, kind="sla").exists()


@pytest.mark.django_db
def test_opening_and_stage_change_instantiate_checklists_relative_to_the_event(firm):
    with time_machine.travel(T0, tick=False):
        matter = open_matter(firm)
    opening = Task.objects.filter(matter=matter, kind="checklist").order_by("id")
    assert [t.title for t in opening] == [
        "签订委托合同并收取律师费",
        "收集当事人身份证明及授权委托书",
        "梳理案情并制作证据清单",
        "核实诉讼时效",
    ]
    # "assistant" items go to the matter's assistant, the rest to the lead.
    assert [t.assignee for t in opening] == [firm.lead, firm.assistant, firm.lead, firm.lead]
    later = T0 + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        matter_change_stage(actor=firm.lead, matter=matter, stage="filing")
    filing = Task.objects.filter(matter=matter, checklist_item__template__stage="filing")
    assert sorted((t.title, t.due_at) for t in filing) == sorted(
        [
            ("起草起诉状", later + timedelta(days=5)),
            ("准备证据目录及副本", later + timedelta(days=7)),
            ("网上立案或现场立案", later + timedelta(days=10)),
            ("缴纳诉讼费", later + timedelta(days=7)),
        ]
    )
    entry = TimelineEntry.objects.filter(matter=matter, kind="checklist").order_by("id").last()
    assert entry.data == {"name": "民事立案", "count": 4}
    # Running it again for the same stage adds nothing while those tasks are open.
    assert services.checklist_instantiate(actor=None, matter=matter, stage="filing") == []


@pytest.mark.django_db
def test_admin_edited_template_is_used_for_the_next_matter(firm):
    item = services.checklist_item_add(
        actor=firm.admin, matter_type="civil", stage="", title="核对利冲审批单", due_days=1
    )
    with time_machine.travel(T0, tick=False):
        matter = open_matter(firm)
    task = Task.objects.get(matter=matter, checklist_item=item)
    assert task.due_at == T0 + timedelta(days=1)
    with pytest.raises(NotAllowed):
        services.checklist_item_add(
            actor=firm.partner, matter_type="civil", stage="", title="x", due_days=1
        )
    with pytest.raises(ValidationError) as exc:
        services.checklist_item_add(
            actor=firm.admin, matter_type="tax", stage="appeal", title=" ", due_days=-1
        )
    assert sorted(exc.value.message_dict) == ["due_days", "matter_type", "stage", "title"]
    assert ChecklistItem.objects.filter(title="核对利冲审批单").count() == 1


@pytest.mark.django_db
def test_inherited_priority_follows_the_matter_and_explicit_stays(firm):
    inherited = services.task_create(actor=firm.lead, matter=firm.matter, title="A")
    explicit = services.task_create(actor=firm.lead, matter=firm.matter, title="B", priority="P3")
    matter_update(actor=firm.lead, matter=firm.matter, version=firm.matter.version, priority="P1")
    inherited.refresh_from_db()
    explicit.refresh_from_db()
    assert (inherited.priority, explicit.priority) == ("P1", "P3")


@pytest.mark.django_db
def test_tasks_follow_the_gate(firm):
    on_matter = services.task_create(actor=firm.lead, matter=firm.matter, title="收集证据")
    personal = services.task_create(actor=firm.lead, title="续执业证")
    assert set(selectors.tasks_visible_to(firm.lead)) == {on_matter, personal}
    assert set(selectors.tasks_visible_to(firm.admin)) == {on_matter}
    assert set(selectors.tasks_visible_to(firm.assistant)) == {on_matter}
    for user in (firm.outsider, firm.walled, firm.finance, firm.inactive):
        assert list(selectors.tasks_visible_to(user)) == []
    with pytest.raises(NotAllowed):
        services.task_create(actor=firm.outsider, matter=firm.matter, title="x")


@pytest.mark.django_db
def test_work_on_a_matter_cannot_be_given_to_someone_walled_off(firm):
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=firm.lead, matter=firm.matter, title="x", assignee=firm.walled)
    assert list(exc.value.message_dict) == ["assignee"]
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_stale_edit_is_refused(firm):
    task = services.task_create(actor=firm.lead, matter=firm.matter, title="起草")
    services.task_update(actor=firm.lead, task=task, version=1, title="起草起诉状")
    with pytest.raises(StaleEdit):
        services.task_update(actor=firm.assistant, task=task, version=1, title="别的")
    task.refresh_from_db()
    assert (task.title, task.version) == ("起草起诉状", 2)


@pytest.mark.django_db
def test_my_day_orders_tasks_by_priority_then_time(firm):
    with time_machine.travel(T0, tick=False):
        today = T0.date()
        p3 = services.task_create(
            actor=firm.lead, title="P3 早", priority="P3", due_at=T0 + timedelta(hours=1)
        )
        p1 = services.task_create(
            actor=firm.lead, title="P1 晚", priority="P1", due_at=T0 + timedelta(hours=8)
        )
        late = services.task_create(
            actor=firm.lead, title="昨天", priority="P2", due_at=T0 - timedelta(days=1)
        )
        older = services.task_create(
            actor=firm.lead, title="上周", priority="P3", due_at=T0 - timedelta(days=7)
        )
        items = [i.obj for i in agenda_items(user=firm.lead, start=today, end=today)]
        assert items == [p1, p3]
        # Overdue: the more urgent first, however late the other is.
        assert [i.obj for i in agenda_overdue(user=firm.lead, today=today)] == [late, older]
        assert agenda_items(user=firm.outsider, start=today, end=today) == []


@pytest.mark.django_db
def test_board_move_by_post_and_by_htmx(firm):
    task = services.task_create(actor=firm.lead, matter=firm.matter, title="收集证据")
    client = client_for(firm.lead)
    response = client.post(
        f"/tasks/{task.pk}/move/", {"status": "doing", "version": 1, "next": "/tasks/?due="}
    )
    assert (response.status_code, response["Location"]) == (302, "/tasks/?due=")
    task.refresh_from_db()
    assert task.status == "doing"
    board = client.get("/tasks/", headers={"HX-Request": "true"})
    html = board.content.decode()
    assert html.lstrip().startswith('<div class="board" id="board">')
    assert "收集证据" in html
    # An open redirect is not possible through `next`.
    response = client.post(f"/tasks/{task.pk}/move/", {"status": "done", "next": "//evil.example/"})
    assert response["Location"] == "/tasks/"


@pytest.mark.django_db
def test_api_task_contract(firm):
    _token, raw = api_token_create(user=firm.lead, name="t")
    client = client_for(None)
    headers = {"Authorization": f"Bearer {raw}"}

    def post(body):
        return client.post(
            "/api/v1/tasks", json.dumps(body), content_type="application/json", headers=headers
        )

    response = post(
        {
            "title": "提交证据目录",
            "matter_id": firm.matter.pk,
            "due_at": "2026-12-05T17:00:00+08:00",
            "assignee": "assistant",
        }
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("title", "matter_id", "assignee", "due_at", "priority")} == {
        "title": "提交证据目录",
        "matter_id": firm.matter.pk,
        "assignee": "assistant",
        "due_at": "2026-12-05T17:00:00+08:00",
        "priority": "P2",
    }
    for bad, field in (
        ({"title": "x", "due_at": "2026-12-05T17:00:00"}, "due_at"),
        ({"title": "x", "priority": "P9"}, "priority"),
        ({"title": "x", "assignee": "nobody"}, "assignee"),
        ({"title": ""}, "title"),
    ):
        response = post(bad)
        assert response.status_code == 422, bad
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert Task.objects.count() == 1
    task_id = body["id"]
    patch = client.patch(
        f"/api/v1/tasks/{task_id}",
        json.dumps({"version": 1, "status": "done"}),
        content_type="application/json",
        headers=headers,
    )
    assert (patch.status_code, patch.json()["status"]) == (200, "done")
    stale = client.patch(
        f"/api/v1/tasks/{task_id}",
        json.dumps({"version": 1, "title": "改"}),
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409


@pytest.mark.django_db
def test_checklist_defaults_cover_every_matter_type():
    on_open = set(
        ChecklistItem.objects.filter(template__stage="").values_list(
            "template__matter_type", flat=True
        )
    )
    assert on_open == set(MatterType.values)


@pytest.mark.django_db
def test_workload_figures_match_a_hand_computed_fixture(firm):
    with time_machine.travel(T0, tick=False):
        Matter.objects.filter(pk=firm.matter.pk).update(
            status="open", priority="P1", stage="first_instance"
        )
        Matter.objects.filter(pk=firm.confidential.pk).update(
            status="open", priority="P2", stage="preparation"
        )
        today = T0.date()
        for days, status in ((5, "open"), (20, "open"), (3, "done")):
            Deadline.objects.create(
                matter=firm.matter,
                title="期限",
                due_date=today + timedelta(days=days),
                status=status,
                responsible=firm.lead,
            )
        for delta in (timedelta(days=3), timedelta(days=-1)):
            hearing = Hearing.objects.create(
                matter=firm.matter, court="朝阳法院", starts_at=T0 + delta
            )
            hearing.attendees.add(firm.lead)
        for due, status in ((T0 + timedelta(days=1), "todo"), (T0 - timedelta(hours=1), "doing")):
            Task.objects.create(
                title="t", priority="P2", assignee=firm.lead, due_at=due, status=status
            )
        Task.objects.create(title="t", priority="P2", assignee=firm.lead, status="done")
        rows = {row.user.username: row for row in workload()}
    lead = rows["lead"]
    # P1 × first instance × lead = 3 × 1 × 1; P2 × preparation × lead = 2 × 0.5 × 1.
    assert (lead.matters, lead.weighted, lead.free, lead.by_priority) == (
        2,
        4.0,
        26.0,
        {"P1": 1, "P2": 1, "P3": 0},
    )
    assert (lead.hearings, lead.deadlines, lead.open_tasks, lead.overdue_tasks) == (1, 1, 2, 1)
    # Partners are listed; responsible-partner seats are supervision, not load.
    assert (rows["partner"].matters, rows["partner"].weighted) == (0, 0.0)
    # Assistants, finance and deactivated users are not lawyers.
    assert set(rows) == {"partner", "partner2", "lead", "outsider", "walled"}


@pytest.mark.django_db
def test_lead_suggestions_rank_area_then_capacity_and_skip_walled_users(firm):
    area = PracticeArea.objects.create(code="test-area", name="测试业务领域")
    Matter.objects.filter(pk=firm.matter.pk).update(status="open", practice_area=area)
    firm.lead.practice_areas.add(area)  # busy (one open matter) but in the area
    spare = make_user("spare", "lawyer")  # free, not in the area
    ranked = [s.user for s in lead_suggestions(practice_area_id=area.pk, matter_id=firm.matter.pk)]
    assert ranked == [firm.lead, firm.outsider, spare]
    EthicalWall.objects.create(matter=firm.matter, user=firm.outsider, reason="对方曾委托")
    ranked = [s.user for s in lead_suggestions(practice_area_id=area.pk, matter_id=firm.matter.pk)]
    assert ranked == [firm.lead, spare]
    # The web view shows the same list to whoever may staff the matter.
    html = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/lead-suggestions/").content
    assert b"outsider" not in html
    assert b"spare" in html


@pytest.mark.django_db
def test_archived_matter_tasks_are_read_only(firm):
    task = services.task_create(actor=firm.lead, matter=firm.matter, title="归档前")
    Matter.objects.filter(pk=firm.matter.pk).update(status="archived")
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=firm.lead, matter=firm.matter, title="归档后")
    assert list(exc.value.message_dict) == ["matter"]
    with pytest.raises(ValidationError):
        services.task_move(actor=firm.lead, task=task, status="done")
    task.refresh_from_db()
    assert (task.status, Task.objects.count()) == ("todo", 1)


@pytest.mark.django_db
def test_board_columns_are_capped_and_counts_say_more(firm, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_COLUMN_CAP", 1)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for i in range(4):
        services.task_create(actor=firm.lead, matter=firm.matter, title=f"t{i}")
    todo, doing, _done = selectors.board(
        user=firm.lead, flt=selectors.BoardFilter(assignee_id=firm.lead.pk)
    )
    assert (len(todo.cards), todo.total, todo.more) == (1, 2, True)
    assert (len(doing.cards), doing.total, doing.more) == (0, 0, False)


@pytest.mark.parametrize("area", [str(2**64), str(-(2**64)), "0", "x"])
def test_new_matter_suggestions_ignore_a_practice_area_id_no_row_can_have(firm, area):
    # An id past 64 bits raised OverflowError on SQLite (HTTP 500); like an unreadable one
    # it names no area, so the ranking is the one without an area.
    page = client_for(firm.partner).get(f"/workload/suggestions/?practice_area={area}")
    plain = client_for(firm.partner).get("/workload/suggestions/")
    assert page.status_code == 200
    assert [s.user for s in page.context["suggestions"]] == [
        s.user for s in plain.context["suggestions"]
    ]


@pytest.mark.django_db
def test_a_move_to_an_unknown_status_keeps_the_board_and_says_why(firm):
    """A forged move (no such column) answered 422 with a bare text, which htmx swapped in
    for the board (hx-select="#board" found none): the board vanished from the screen; then
    a message and a redirect (302) for a refusal. The task stays where it was and the board
    comes back whole with the error on it, 422."""
    task = services.task_create(actor=firm.lead, matter=firm.matter, title="收集证据")
    client = client_for(firm.lead)
    message = "任务未移动：请选择看板上的一栏。"
    response = client.post(
        f"/tasks/{task.pk}/move/",
        {"status": "bogus", "version": 1, "next": "/tasks/"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<div class="board" id="board">')
    assert html.count('class="task-card') == 1 and "收集证据" in html
    assert f'<li class="msg-error">{message}</li>' in html
    task.refresh_from_db()
    assert (task.status, task.version) == ("todo", 1)
    # Without JavaScript: the page, the message on the board, the task where it was.
    response = client.post(f"/tasks/{task.pk}/move/", {"status": "bogus", "version": 1})
    html = response.content.decode()
    assert response.status_code == 422
    assert html.count(message) == 1 and "收集证据" in html and "<html" in html


def test_a_move_of_another_matters_task_on_a_matter_board_is_refused(firm):
    """A forged move: a task of another matter, sent from this matter's board. Nothing
    moves; this board comes back with why (422), filtered as it was."""
    mine = services.task_create(actor=firm.lead, matter=firm.matter, title="收集证据")
    other = services.task_create(actor=firm.lead, matter=firm.confidential, title="起草答辩状")
    board = f"/matters/{firm.matter.pk}/tasks/"
    response = client_for(firm.lead).post(
        f"/tasks/{other.pk}/move/",
        {"status": "done", "version": 1, "next": board + "?priority=P2"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert '<li class="msg-error">任务未移动：该任务不在本案件的看板上。</li>' in html
    assert "收集证据" in html and "起草答辩状" not in html
    assert response.context["filter_form"].data["priority"] == "P2"
    other.refresh_from_db()
    mine.refresh_from_db()
    assert [(other.status, other.version), (mine.status, mine.version)] == [("todo", 1)] * 2
    # The same task from its own matter's board, or from "my tasks", moves.
    ok = client_for(firm.lead).post(
        f"/tasks/{other.pk}/move/",
        {"status": "done", "version": 1, "next": f"/matters/{firm.confidential.pk}/tasks/"},
    )
    assert ok.status_code == 302
    other.refresh_from_db()
    assert other.status == "done"
