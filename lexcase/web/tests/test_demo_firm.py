"""The demo firm a new user meets after `make run` (issue 16): what it creates must show up
where a lawyer looks for it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from lexcase.accounts.models import FirmProfile, PracticeArea, User
from lexcase.accounts.selectors import firm_profile
from lexcase.calendar.calculator import is_rest_day
from lexcase.calendar.selectors import agenda_overdue, calendar_data
from lexcase.comms.models import Communication
from lexcase.matters.archive import ArchiveFilters, archive_room_files
from lexcase.matters.models import (
    ArchiveRecord,
    Matter,
    MatterClosing,
    MatterParty,
    MatterType,
    PartyRole,
    Status,
)
from lexcase.matters.selectors import matters_visible_to
from lexcase.reviews.demo import demo_reviews
from lexcase.search.selectors import search
from lexcase.testing import client_for
from lexcase.todos.models import Task
from lexcase.web.demo import (
    COMM_SUMMARIES,
    DEMO_AGENCIES,
    DEMO_FIRM,
    demo_firm_profile,
    demo_generate,
    demo_users,
)

pytestmark = pytest.mark.django_db


def test_search_finds_the_demo_matters_by_number_title_and_client():
    demo_generate(matters=30, seed=11)
    admin = User.objects.get(username="admin")
    matter = Matter.objects.filter(confidential=False).order_by("pk").first()
    hits = [(h.kind, h.id) for h in search(user=admin, q=matter.number)]
    assert ("matter", matter.pk) in hits
    client = MatterParty.objects.filter(matter=matter, role=PartyRole.CLIENT).get().party
    hits = [(h.kind, h.id) for h in search(user=admin, q=client.name)]
    assert ("matter", matter.pk) in hits
    # The closed history the dashboards use is searchable too.
    assert len(search(user=admin, q="民间借贷")) > 0


def test_the_archive_room_shows_every_archived_demo_matter():
    """Issue 16 item 10: the matter list showed archived matters, the archive room none."""
    demo_generate(matters=60, seed=11)
    archived = Matter.objects.filter(status=Status.ARCHIVED)
    assert archived.exists()
    assert ArchiveRecord.objects.count() == archived.count()
    partner = User.objects.get(username="partner")
    visible = matters_visible_to(partner).filter(status=Status.ARCHIVED).count()
    assert archive_room_files(user=partner, filters=ArchiveFilters()).count() == visible > 0
    # Each file has a 档号 in the firm's pattern, a place on a shelf, and is filed after
    # its matter closed.
    for record in ArchiveRecord.objects.select_related("matter"):
        assert record.number.startswith(f"{record.year}-{record.type_code}-")
        assert record.room and record.shelf and record.box
        assert record.archived_on >= record.matter.closed_on


def test_demo_matters_read_as_a_lawyer_would_write_them():
    """Issue 16 item 21: administrative matters against agencies, arbitrable causes only for
    arbitration, channels matching their summaries, summaries that read as summaries."""
    demo_generate(matters=120, seed=5)
    generated = Matter.objects.all()
    admin = Matter.objects.filter(matter_type=MatterType.ADMINISTRATIVE)
    assert admin.exists()
    for matter in admin:
        opposing = MatterParty.objects.get(matter=matter, role=PartyRole.OPPOSING).party
        assert opposing.name in DEMO_AGENCIES
        assert matter.cause is not None and matter.cause.kind == "administrative"
    for matter in Matter.objects.filter(matter_type=MatterType.COMMERCIAL_ARBITRATION):
        assert matter.cause is not None
        assert matter.cause.code.startswith(("P04.01", "P08")), matter.cause.name
    for matter in Matter.objects.filter(matter_type=MatterType.CRIMINAL):
        assert matter.cause is not None and matter.cause.kind == "criminal"
        assert matter.cause.name in matter.title
    # Summaries name the client and are Chinese sentences, not Faker's word salad.
    for matter in generated.exclude(matter_type=MatterType.CIVIL)[:200]:
        client = MatterParty.objects.filter(matter=matter, role=PartyRole.CLIENT).first()
        assert client is not None and client.party.name in matter.summary, matter.summary
        assert matter.summary.endswith("。")
    word = {"phone": "电话", "wechat": "微信", "email": "邮件", "meeting": "面谈"}
    pairs = set(COMM_SUMMARIES)
    comms = Communication.objects.all()
    assert comms.exists()
    for comm in comms:
        assert (comm.channel, comm.summary) in pairs
        assert word[comm.channel] in comm.summary


def test_the_demo_firms_first_morning_is_late_only_where_staged():
    """Issue 16: the demo users met ~15 overdue items each (archiving of the demo's own
    closed matters, tasks, client updates, reviews and bills past due). Only what the demo
    stages on purpose is late: one client update on `lawyer`'s matter, one overdue bill,
    one late periodic review and one paper file due back from loan."""
    demo_generate(matters=60, seed=7)
    demo_reviews(seed=7)
    today = timezone.localdate()
    late = {
        user.username: [item.kind for item in agenda_overdue(user=user, today=today)]
        for user in User.objects.order_by("username")
    }
    kinds = Counter(kind for items in late.values() for kind in items)
    assert kinds == {"client_update": 1, "bill_overdue": 1, "review": 1, "loan_due": 1}
    assert "client_update" in late["lawyer"]
    assert all(len(items) <= 2 for items in late.values())
    # No closed matter of the demo waits past its archive deadline.
    assert (
        MatterClosing.objects.filter(
            matter__status=Status.CLOSED, archive_deadline__lt=today
        ).count()
        == 0
    )


def test_the_demo_firm_has_a_name_and_fresh_intakes():
    """Walk of issue 16: after `make run` every page title said 'LexCase' (item 13: the
    firm's name on titles, reports, the portal) and intakes registered years ago were still
    waiting for their conflict review on the dashboard."""
    demo_generate(matters=40, seed=11)
    assert firm_profile().display_name == DEMO_FIRM["name"] == "北京明德律师事务所"
    page = client_for(User.objects.get(username="lawyer")).get("/").content.decode()
    assert f"<title>工作台 · {DEMO_FIRM['name']}</title>" in page
    intakes = Matter.objects.filter(status=Status.INTAKE)
    assert intakes.exists()
    oldest = timezone.now() - timedelta(days=21)
    assert intakes.filter(created_at__lt=oldest).count() == 0
    # Tasks still to do fall due at the end of a coming working day.
    from lexcase.todos.models import Task

    todo = Task.objects.filter(kind=Task.Kind.CHECKLIST).exclude(status="done")
    assert todo.exists()
    assert {timezone.localtime(t.due_at).strftime("%H:%M") for t in todo} == {"18:00"}
    assert todo.filter(due_at__lt=timezone.now()).count() == 0


def test_the_demo_keeps_a_firm_name_already_set():
    FirmProfile.objects.create(pk=1, name="自己的律所")
    demo_firm_profile()
    assert FirmProfile.objects.get(pk=1).name == "自己的律所"


def test_no_demo_matter_has_its_client_on_the_other_side():
    """Walk of issue 16: the dashboard showed 鸿睿思博科技有限公司申请执行鸿睿思博科技有限公司
    (Faker repeats names; the client and the other side were drawn independently)."""
    demo_generate(matters=200, seed=42)
    same = MatterParty.objects.filter(
        role=PartyRole.CLIENT,
        matter__matter_parties__role=PartyRole.OPPOSING,
        matter__matter_parties__party__name=F("party__name"),
    )
    assert same.count() == 0


def test_a_civil_demo_matters_title_and_summary_name_its_cause():
    """Walk of issue 16: 董红霞诉四通科技有限公司买卖合同纠纷 was summarised as a 机动车交通
    事故责任纠纷 (the dashboards' statistics gave open civil matters a common cause and
    rewrote the title only)."""
    demo_generate(matters=80, seed=42)
    civil = Matter.objects.filter(matter_type=MatterType.CIVIL, cause__isnull=False)
    assert civil.count() > 20
    wrong = [
        (m.number, m.cause.name, m.summary)
        for m in civil.select_related("cause")
        if m.cause.name not in m.title or m.cause.name not in m.summary
    ]
    assert wrong == []


def test_the_demo_tasks_fall_due_on_working_days():
    """The walk-through met demo tasks due on a Saturday or on a public holiday: every demo
    task a lawyer dated (the board's) falls due on a working day of the holiday calendar.
    SLA tasks are due by their priority's rule (24 hours, 7 days from opening), whatever day."""
    demo_generate(matters=60, seed=7)
    cal = calendar_data()
    dues = [
        timezone.localtime(due).date()
        for due in Task.objects.exclude(due_at=None)
        .exclude(kind=Task.Kind.SLA)
        .values_list("due_at", flat=True)
    ]
    assert len(dues) > 50
    assert [d for d in dues if is_rest_day(cal, d)] == []


def test_every_demo_practice_area_has_its_people():
    """The teams and practice areas page said 暂无 for every practice area: nobody was in one,
    so lead-lawyer suggestions by practice area had nothing to rank."""
    demo_users()
    areas = PracticeArea.objects.prefetch_related("user_set")
    assert areas.exists()
    for area in areas:
        people = list(area.user_set.all())
        assert any(u.role == "partner" for u in people), area.name
        assert sum(u.role == "lawyer" for u in people) >= 1, area.name
    admin = User.objects.get(username="admin")
    page = client_for(admin).get("/team/organisation/").content.decode()
    assert "暂无人员" not in page
