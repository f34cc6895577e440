"""Closing with the checklist, archive numbers (档号), paper location, loans and the agenda."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation

from lexcase.accounts.models import Role, User
from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.calendar.selectors import agenda_items, agenda_overdue
from lexcase.core.exceptions import NotAllowed
from lexcase.documents import services as documents
from lexcase.matters import archive, services
from lexcase.matters.models import (
    ArchiveNumberCounter,
    ArchiveRecord,
    ClosingChecklistItem,
    Matter,
    MatterClosing,
    PaperLoan,
    RetentionClass,
    Status,
)
from lexcase.matters.tests.test_concurrency import needs_postgres, run_in_threads
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(480)
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
ALL = ["final_document", "fees_settled", "client_informed", "originals_returned"]


@pytest.fixture(autouse=True)
def checklist_only(monkeypatch):
    """These tests are about the closing checklist and the archive room; what other apps
    require before closing or archiving (reviews: the closing review, the archiving
    approval; billing: "fees settled" read from the bills) is tested in those apps."""
    monkeypatch.setattr(archive, "CLOSING_REQUIREMENTS", [])
    monkeypatch.setattr(archive, "ARCHIVING_REQUIREMENTS", [])
    monkeypatch.setattr(archive, "CHECKLIST_READERS", {})


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def opened(matter: Matter) -> Matter:
    Matter.objects.filter(pk=matter.pk).update(status=Status.OPEN, opened_on=date(2026, 1, 5))
    matter.refresh_from_db()
    return matter


def new_matter(firm, *, matter_type="civil", amount=None, confidential=False) -> Matter:
    matter = services.matter_create(
        actor=firm.lead,
        title=f"{matter_type} 案件",
        matter_type=matter_type,
        amount=amount,
        confidential=confidential,
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    return opened(matter)


def close(matter: Matter, actor, **kw) -> MatterClosing:
    kw.setdefault("outcome_kind", "settled")
    kw.setdefault("checklist", ALL)
    return archive.matter_close_checked(actor=actor, matter=matter, **kw)


def file(matter: Matter, actor, **kw) -> ArchiveRecord:
    kw.setdefault("room", "一号档案室")
    kw.setdefault("shelf", "A-3")
    kw.setdefault("box", "0012")
    return archive.matter_archive_file(actor=actor, matter=matter, **kw)


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


# --- closing ----------------------------------------------------------------------------------


def test_default_checklist_is_seeded():
    assert list(ClosingChecklistItem.objects.values_list("code", "required", "active")) == [
        (code, True, True) for code in ALL
    ]


def test_unticked_required_items_block_closing_and_change_nothing(firm, clock):
    matter = opened(firm.matter)
    version = matter.version
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        close(matter, firm.lead, checklist=["final_document", "fees_settled"])
    errors = exc.value.message_dict
    assert list(errors) == ["checklist"]
    assert "Client informed of the outcome" in errors["checklist"][0]
    assert "Original documents returned to the client" in errors["checklist"][0]
    matter.refresh_from_db()
    assert (matter.status, matter.closed_on, matter.version) == (Status.OPEN, None, version)
    assert MatterClosing.objects.count() == 0


def test_a_lawyer_cannot_override_the_checklist(firm, clock):
    matter = opened(firm.matter)
    with pytest.raises(ValidationError) as exc:
        close(matter, firm.lead, checklist=[], override_reason="客户失联")
    assert list(exc.value.message_dict) == ["override_reason"]
    assert Matter.objects.get(pk=matter.pk).status == Status.OPEN


def test_partner_override_closes_and_records_the_reason(firm, clock):
    matter = opened(firm.matter)
    closing = close(
        matter,
        firm.partner,
        outcome_kind="won",
        outcome_text="一审胜诉，判决已生效",
        checklist=["final_document"],
        override_reason="委托人失联，原件已留存本所",
    )
    matter.refresh_from_db()
    assert matter.status == Status.CLOSED
    assert matter.closed_on == date(2026, 11, 30)
    assert matter.outcome == "一审胜诉，判决已生效"
    assert closing.override_by == firm.partner
    assert closing.override_reason == "委托人失联，原件已留存本所"
    assert closing.checklist == {
        "final_document": True,
        "fees_settled": False,
        "client_informed": False,
        "originals_returned": False,
    }
    event = AuditEvent.objects.get(action="matter.close_checklist")
    assert event.data["missing"] == ["fees_settled", "client_informed", "originals_returned"]
    assert event.data["override_reason"] == "委托人失联，原件已留存本所"


def test_complete_checklist_records_no_override_even_with_a_reason(firm, clock):
    closing = close(opened(firm.matter), firm.partner, override_reason="不需要")
    assert (closing.override_by, closing.override_reason) == (None, "")


def test_outcome_must_be_a_choice_and_other_needs_details(firm, clock):
    matter = opened(firm.matter)
    with pytest.raises(ValidationError) as exc:
        close(matter, firm.lead, outcome_kind="victory")
    assert list(exc.value.message_dict) == ["outcome"]
    with pytest.raises(ValidationError) as exc:
        close(matter, firm.lead, outcome_kind="other", outcome_text="  ")
    assert list(exc.value.message_dict) == ["outcome_text"]
    with pytest.raises(ValidationError) as exc:
        close(matter, firm.lead, checklist=[*ALL, "made_up"])
    assert list(exc.value.message_dict) == ["checklist"]


def test_inactive_and_optional_items_do_not_block(firm, clock):
    ClosingChecklistItem.objects.filter(code="originals_returned").update(active=False)
    ClosingChecklistItem.objects.filter(code="fees_settled").update(required=False)
    closing = close(opened(firm.matter), firm.lead, checklist=["final_document", "client_informed"])
    assert closing.checklist == {
        "final_document": True,
        "fees_settled": False,
        "client_informed": True,
    }
    assert closing.override_reason == ""


def test_only_the_lead_partner_or_admin_may_close(firm, clock):
    matter = opened(firm.matter)
    with pytest.raises(NotAllowed):
        close(matter, firm.assistant)


def test_closing_sets_the_archive_deadline(firm, clock, settings):
    assert close(opened(firm.matter), firm.lead).archive_deadline == date(2027, 2, 28)
    settings.LEXCASE_ARCHIVE_DEADLINE_MONTHS = 1
    other = new_matter(firm)
    assert close(other, firm.lead).archive_deadline == date(2026, 12, 30)


def test_reopen_and_close_again_keeps_both_closings(firm, clock):
    matter = opened(firm.matter)
    first = close(matter, firm.lead)
    services.matter_reopen(actor=firm.lead, matter=matter)
    clock.move_to(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    second = close(matter, firm.lead, outcome_kind="withdrawn")
    assert list(matter.closings.values_list("pk", flat=True)) == [second.pk, first.pk]
    assert archive.matter_closing_latest(matter=matter) == second
    assert second.archive_deadline == date(2027, 4, 10)


def test_close_view_shows_field_errors_and_changes_nothing(firm, clock):
    matter = opened(firm.matter)
    with translation.override("en"):
        response = client_for(firm.lead).post(
            f"/matters/{matter.pk}/close/",
            {"outcome": "settled", "checklist": ["final_document"]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["checklist"]
    assert "override_reason" not in form.fields  # a lawyer is not offered the override
    assert Matter.objects.get(pk=matter.pk).status == Status.OPEN


def test_close_view_closes_and_partner_form_offers_override(firm, clock):
    matter = opened(firm.matter)
    page = client_for(firm.partner).get(f"/matters/{matter.pk}/close/")
    assert "override_reason" in page.context["form"].fields
    response = client_for(firm.partner).post(
        f"/matters/{matter.pk}/close/",
        {"outcome": "lost", "checklist": [], "override_reason": "客户拒绝签收"},
    )
    assert response.status_code == 302
    closing = MatterClosing.objects.get(matter=matter)
    assert (closing.outcome_kind, closing.override_reason) == ("lost", "客户拒绝签收")


# --- archiving --------------------------------------------------------------------------------


def test_archive_numbers_count_per_year_type_and_retention(firm, clock):
    civil = [new_matter(firm) for _ in range(3)]
    for m in civil:
        close(m, firm.lead)
    numbers = [file(civil[0], firm.lead).number, file(civil[1], firm.lead).number]
    assert numbers == ["2026-民-长期-0001", "2026-民-长期-0002"]
    assert file(civil[2], firm.lead, retention="permanent").number == "2026-民-永久-0001"
    criminal = new_matter(firm, matter_type="criminal")
    close(criminal, firm.lead)
    assert file(criminal, firm.lead).number == "2026-刑-长期-0001"
    clock.move_to(datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI))
    later = new_matter(firm)
    close(later, firm.lead)
    record = file(later, firm.lead)
    assert (record.number, record.year, record.type_code) == ("2027-民-长期-0001", 2027, "民")
    assert (
        ArchiveNumberCounter.objects.get(year=2026, type_code="民", retention_code="long").last == 2
    )


def test_archive_number_pattern_is_configurable(firm, clock, settings):
    settings.LEXCASE_ARCHIVE_NUMBER_PATTERN = "{year}{type}{retention}第{seq:05d}号"
    matter = opened(firm.matter)
    close(matter, firm.lead)
    assert file(matter, firm.lead).number == "2026民长期第00001号"


def test_retention_defaults_by_type_and_amount(firm, clock):
    assert archive.retention_suggest(new_matter(firm, matter_type="consultation")).code == "short"
    assert archive.retention_suggest(new_matter(firm, matter_type="criminal")).code == "long"
    big = new_matter(firm, amount=Decimal("500000"))
    assert archive.retention_suggest(big).code == "permanent"
    close(big, firm.lead)
    assert file(big, firm.lead).number == "2026-民-永久-0001"


def test_archiving_records_the_paper_location(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    record = file(matter, firm.partner, room="二号室", shelf="B-1", box="0007")
    matter.refresh_from_db()
    assert matter.status == Status.ARCHIVED
    assert (record.room, record.shelf, record.box) == ("二号室", "B-1", "0007")
    assert (record.archived_on, record.archived_by) == (date(2026, 11, 30), firm.partner)
    assert record.retention.code == "long"
    assert matter.timeline.filter(kind="archive_filed").get().data["number"] == record.number


def test_bad_archive_input_names_the_field_and_changes_nothing(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    with pytest.raises(ValidationError) as exc:
        file(matter, firm.lead, room=" ", box="x" * 61, retention="forever")
    assert sorted(exc.value.message_dict) == ["box", "retention", "room"]
    matter.refresh_from_db()
    assert matter.status == Status.CLOSED
    assert ArchiveRecord.objects.count() == 0
    assert ArchiveNumberCounter.objects.count() == 0


def test_only_a_closed_matter_can_be_archived(firm, clock):
    matter = opened(firm.matter)
    with pytest.raises(ValidationError) as exc:
        file(matter, firm.lead)
    assert list(exc.value.message_dict) == ["status"]
    assert ArchiveNumberCounter.objects.count() == 0


def test_an_archived_matter_is_read_only(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    file(matter, firm.lead)
    matter.refresh_from_db()
    for attempt in (
        lambda: services.matter_update(
            actor=firm.lead, matter=matter, version=matter.version, summary="改"
        ),
        lambda: services.matter_case_number_add(
            actor=firm.lead, matter=matter, number="（2026）京0105民初1号", stage="first_instance"
        ),
        lambda: services.matter_party_add(
            actor=firm.lead, matter=matter, party=firm.client_party, role="related"
        ),
        lambda: services.matter_reopen(actor=firm.lead, matter=matter),
        lambda: services.matter_change_stage(
            actor=firm.lead, matter=matter, stage="first_instance"
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert list(exc.value.message_dict) in (["status"], ["stage"])
    assert Matter.objects.get(pk=matter.pk).summary == ""
    page = client_for(firm.lead).get(f"/matters/{matter.pk}/")
    assert page.context["can_edit"] is False
    assert f"/matters/{matter.pk}/edit/".encode() not in page.content


def test_archive_view_files_the_matter(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    page = client_for(firm.lead).get(f"/matters/{matter.pk}/archive/")
    assert page.context["form"].initial == {"retention": "long"}
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/archive/",
        {"retention": "short", "room": "一号室", "shelf": "", "box": "3"},
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["shelf"]
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/archive/",
        {"retention": "short", "room": "一号室", "shelf": "A", "box": "3"},
    )
    assert response.status_code == 302
    assert ArchiveRecord.objects.get(matter=matter).number == "2026-民-短期-0001"


# --- loans ------------------------------------------------------------------------------------


@pytest.fixture
def filed(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    return file(matter, firm.lead)


def test_lend_and_return_with_at_most_one_open_loan(firm, filed, clock):
    matter = filed.matter
    loan = archive.paper_loan_lend(
        actor=firm.admin,
        matter=matter,
        borrower=firm.lead,
        due_on=date(2026, 12, 14),
        purpose="再审",
    )
    with pytest.raises(ValidationError) as exc:
        archive.paper_loan_lend(
            actor=firm.partner,
            matter=matter,
            borrower=firm.assistant,
            due_on=date(2026, 12, 20),
            purpose="复印",
        )
    assert list(exc.value.message_dict) == ["record"]
    returned = archive.paper_loan_return(actor=firm.partner, matter=matter, loan_id=loan.pk)
    assert returned.returned_to == firm.partner
    assert returned.returned_at == T0
    with pytest.raises(ValidationError) as exc:
        archive.paper_loan_return(actor=firm.partner, matter=matter, loan_id=loan.pk)
    assert list(exc.value.message_dict) == ["loan"]
    again = archive.paper_loan_lend(
        actor=firm.partner,
        matter=matter,
        borrower=firm.assistant,
        due_on=date(2026, 12, 20),
        purpose="复印",
    )
    assert [(x.borrower, x.returned_at is None) for x in archive.archive_loans(record=filed)] == [
        (firm.assistant, True),
        (firm.lead, False),
    ]
    assert again.lent_by == firm.partner
    kinds = list(matter.timeline.filter(kind__startswith="loan_").values_list("kind", flat=True))
    assert sorted(kinds) == ["loan_lent", "loan_lent", "loan_returned"]


def test_the_database_allows_one_open_loan_per_file(firm, filed):
    PaperLoan.objects.create(
        record=filed, borrower=firm.lead, due_on=date(2026, 12, 1), purpose="a"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperLoan.objects.create(
            record=filed, borrower=firm.assistant, due_on=date(2026, 12, 1), purpose="b"
        )


def test_loan_input_is_checked(firm, filed, clock):
    matter = filed.matter
    with pytest.raises(ValidationError) as exc:
        archive.paper_loan_lend(
            actor=firm.admin,
            matter=matter,
            borrower=firm.outsider,
            due_on=date(2026, 11, 1),
            purpose="",
        )
    # The outsider may not see the matter: the paper file must not reach them either.
    assert sorted(exc.value.message_dict) == ["borrower", "due_on", "purpose"]
    assert PaperLoan.objects.count() == 0
    with pytest.raises(NotAllowed):
        archive.paper_loan_lend(
            actor=firm.lead,
            matter=matter,
            borrower=firm.lead,
            due_on=date(2026, 12, 1),
            purpose="x",
        )
    unfiled = new_matter(firm)
    with pytest.raises(ValidationError) as exc:
        archive.paper_loan_lend(
            actor=firm.admin,
            matter=unfiled,
            borrower=firm.lead,
            due_on=date(2026, 12, 1),
            purpose="x",
        )
    assert list(exc.value.message_dict) == ["record"]


def test_loan_views_lend_and_return_from_the_archive_room(firm, filed, clock):
    keeper = client_for(firm.partner)
    response = keeper.post(
        f"/matters/{filed.matter_id}/archive/loans/",
        {"borrower": "assistant", "due_on": "2026-12-10", "purpose": "开庭备查", "back": "room"},
    )
    assert response["Location"] == "/matters/archive-room/"
    loan = PaperLoan.objects.get()
    assert (loan.borrower, loan.due_on, loan.purpose) == (
        firm.assistant,
        date(2026, 12, 10),
        "开庭备查",
    )
    response = keeper.post(f"/matters/{filed.matter_id}/archive/loans/{loan.pk}/return/")
    assert response["Location"] == f"/matters/{filed.matter_id}/#archive"
    loan.refresh_from_db()
    assert loan.returned_at == T0


# --- agenda -----------------------------------------------------------------------------------


def test_overdue_archiving_is_on_the_responsible_peoples_agenda(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)  # archive by 2027-02-28
    upcoming = agenda_items(user=firm.lead, start=date(2027, 2, 22), end=date(2027, 2, 28))
    assert [(i.kind, i.day, i.matter) for i in upcoming] == [
        ("archive_due", date(2027, 2, 28), matter)
    ]
    clock.move_to(datetime(2027, 3, 2, 9, 0, tzinfo=SHANGHAI))
    today = timezone.localdate()
    for person in (firm.lead, firm.partner):
        items = [i for i in agenda_overdue(user=person, today=today) if i.kind == "archive_due"]
        assert [(i.day, i.matter, i.url) for i in items] == [
            (date(2027, 2, 28), matter, f"/matters/{matter.pk}/archive/")
        ]
    for person in (firm.assistant, firm.outsider, firm.walled, firm.admin):
        assert [
            i for i in agenda_overdue(user=person, today=today) if i.kind == "archive_due"
        ] == []
    # Not mine, but visible: the admin's whole-firm view includes it; the walled partner's not.
    assert [
        i.matter
        for i in agenda_items(user=firm.admin, start=date(2027, 2, 1), end=today, mine_only=False)
        if i.kind == "archive_due"
    ] == [matter]
    assert [
        i
        for i in agenda_items(user=firm.walled, start=date(2027, 2, 1), end=today, mine_only=False)
        if i.kind == "archive_due"
    ] == []
    file(matter, firm.lead)
    assert [i for i in agenda_overdue(user=firm.lead, today=today) if i.kind == "archive_due"] == []


def test_overdue_loans_are_on_the_borrowers_and_lenders_agenda(firm, filed, clock):
    loan = archive.paper_loan_lend(
        actor=firm.admin,
        matter=filed.matter,
        borrower=firm.assistant,
        due_on=date(2026, 12, 7),
        purpose="调卷",
    )
    clock.move_to(datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI))
    today = timezone.localdate()
    for person in (firm.assistant, firm.admin):
        items = [i for i in agenda_overdue(user=person, today=today) if i.kind == "loan_due"]
        assert [(i.day, i.obj) for i in items] == [(date(2026, 12, 7), loan)]
    assert [i for i in agenda_overdue(user=firm.lead, today=today) if i.kind == "loan_due"] == []
    archive.paper_loan_return(actor=firm.admin, matter=filed.matter, loan_id=loan.pk)
    assert [
        i for i in agenda_overdue(user=firm.assistant, today=today) if i.kind == "loan_due"
    ] == []


def test_agenda_page_labels_the_new_kinds(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    clock.move_to(datetime(2027, 3, 2, 9, 0, tzinfo=SHANGHAI))
    client = client_for(firm.lead)
    client.cookies["django_language"] = "en"  # the firm default is Chinese
    page = client.get("/agenda/")
    assert page.status_code == 200
    assert "Archive the closed file" in page.content.decode()


# --- pages ------------------------------------------------------------------------------------


def test_archive_room_lists_visible_files_with_location_and_loan(firm, filed, clock):
    secret = new_matter(firm, confidential=True)
    close(secret, firm.lead)
    secret_record = file(secret, firm.lead)
    archive.paper_loan_lend(
        actor=firm.admin,
        matter=filed.matter,
        borrower=firm.lead,
        due_on=date(2026, 12, 1),
        purpose="x",
    )
    page = client_for(firm.partner_other).get("/matters/archive-room/")
    assert [r.number for r in page.context["page"]] == [filed.number]
    assert filed.box.encode() in page.content
    assert secret_record.number.encode() not in page.content
    admin_page = client_for(firm.admin).get("/matters/archive-room/?loan=out")
    assert [r.number for r in admin_page.context["page"]] == [filed.number]
    assert [r.open_loans[0].borrower for r in admin_page.context["page"]] == [firm.lead]
    plain = new_matter(firm)
    close(plain, firm.lead)
    plain_record = file(plain, firm.lead)
    admin_page = client_for(firm.admin).get("/matters/archive-room/?loan=in")
    # Confidential files stay members-only in the archive room too, even for an admin.
    assert [r.number for r in admin_page.context["page"]] == [plain_record.number]
    partner_page = client_for(firm.partner).get("/matters/archive-room/?loan=in")
    assert sorted(r.number for r in partner_page.context["page"]) == sorted(
        [plain_record.number, secret_record.number]
    )
    assert client_for(firm.lead).get("/matters/archive-room/").status_code == 403


def test_matter_page_shows_the_archive_record_and_loan_log(firm, filed, clock):
    archive.paper_loan_lend(
        actor=firm.admin,
        matter=filed.matter,
        borrower=firm.lead,
        due_on=date(2026, 12, 1),
        purpose="再审查阅",
    )
    page = client_for(firm.lead).get(f"/matters/{filed.matter_id}/")
    body = page.content.decode()
    assert filed.number in body
    assert "再审查阅" in body
    section = next(s for s in page.context["sections"] if s["template"].startswith("matters/"))
    assert section["record"] == filed
    assert section["can_manage"] is False


# --- API --------------------------------------------------------------------------------------


def post(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_api_close_and_archive(firm, clock):
    matter = opened(firm.matter)
    lead = api(firm.lead)
    bad = post(lead, f"/api/v1/matters/{matter.pk}/close", {"outcome": "won", "checklist": []})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["checklist"]
    bad = post(lead, f"/api/v1/matters/{matter.pk}/close", {"outcome": "great", "checklist": ALL})
    assert bad.status_code == 422
    assert "outcome" in [e["field"] for e in bad.json()["errors"]]
    assert Matter.objects.get(pk=matter.pk).status == Status.OPEN
    ok = post(
        lead,
        f"/api/v1/matters/{matter.pk}/close",
        {"outcome": "won", "checklist": ALL, "note": "全部胜诉"},
    )
    assert ok.status_code == 200
    assert ok.json()["archive_deadline"] == "2027-02-28"
    bad = post(lead, f"/api/v1/matters/{matter.pk}/archive", {"room": "A", "shelf": "1"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["box"]
    bad = post(
        lead,
        f"/api/v1/matters/{matter.pk}/archive",
        {"retention": "eternal", "room": "A", "shelf": "1", "box": "2"},
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["retention"]
    ok = post(
        lead,
        f"/api/v1/matters/{matter.pk}/archive",
        {"retention": "permanent", "room": "A", "shelf": "1", "box": "2"},
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "id": matter.pk,
        "status": "archived",
        "archive_number": "2026-民-永久-0001",
        "retention": "permanent",
        "room": "A",
        "shelf": "1",
        "box": "2",
        "archived_on": "2026-11-30",
    }
    patch = lead.patch(
        f"/api/v1/matters/{matter.pk}",
        json.dumps({"version": Matter.objects.get(pk=matter.pk).version, "summary": "x"}),
        content_type="application/json",
    )
    assert patch.status_code == 422
    assert [e["field"] for e in patch.json()["errors"]] == ["status"]


# --- concurrency (real threads, PostgreSQL) ---------------------------------------------------


def _seed_for_threads():
    # A transactional test may run after another one flushed the seeded rows.
    RetentionClass.objects.get_or_create(
        code="long", defaults={"name": "长期", "matter_types": ["civil"]}
    )
    return User.objects.create(username="keeper", role=Role.ADMIN)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_archive_numbers_are_unique_under_parallel_filing():
    keeper = _seed_for_threads()
    n = 10
    ids = [
        Matter.objects.create(
            number=f"2026-民-9{i:03d}", title=f"并发{i}", matter_type="civil", status="closed"
        ).pk
        for i in range(n)
    ]

    def work(i: int) -> str:
        matter = Matter.objects.get(pk=ids[i])
        return archive.matter_archive_file(
            actor=keeper, matter=matter, room="A", shelf="1", box=str(i), retention="long"
        ).number

    results = run_in_threads(n, work)
    assert [r for r in results if isinstance(r, Exception)] == []
    year = timezone.localdate().year
    assert sorted(results) == [f"{year}-民-长期-{seq:04d}" for seq in range(1, n + 1)]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_lending_of_one_file_has_exactly_one_winner():
    keeper = _seed_for_threads()
    matter = Matter.objects.create(
        number="2026-民-9999", title="借阅", matter_type="civil", status="archived"
    )
    ArchiveRecord.objects.create(
        matter=matter,
        number="X-1",
        year=2026,
        type_code="民",
        retention=RetentionClass.objects.get(code="long"),
        room="A",
        shelf="1",
        box="1",
        archived_on=date(2026, 1, 1),
    )
    n = 8
    due = timezone.localdate()

    def work(i: int) -> int:
        return archive.paper_loan_lend(
            actor=keeper, matter=matter, borrower=keeper, due_on=due, purpose=f"借阅{i}"
        ).pk

    results = run_in_threads(n, work)
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, n - 1)
    assert PaperLoan.objects.filter(returned_at__isnull=True).count() == 1


def test_done_when_a_closed_matter_is_archived_and_its_documents_are_read_only(
    firm, clock, settings, tmp_path
):
    """Issue #6: archived with its 档号 and paper location, then documents are read-only."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    matter = opened(firm.matter)
    (document,) = documents.documents_upload(
        actor=firm.lead, matter=matter, uploads=[SimpleUploadedFile("判决书.txt", "判决".encode())]
    )
    lead = api(firm.lead)
    closed = post(lead, f"/api/v1/matters/{matter.pk}/close", {"outcome": "won", "checklist": ALL})
    assert closed.status_code == 200
    filed = post(
        lead, f"/api/v1/matters/{matter.pk}/archive", {"room": "一号室", "shelf": "A", "box": "7"}
    )
    assert filed.status_code == 200
    assert filed.json()["archive_number"] == "2026-民-长期-0001"
    matter.refresh_from_db()
    assert matter.archive.box == "7"
    with pytest.raises(ValidationError, match="archived"), translation.override("en"):
        documents.documents_upload(
            actor=firm.lead, matter=matter, uploads=[SimpleUploadedFile("b.txt", b"y")]
        )
    with pytest.raises(ValidationError, match="archived"), translation.override("en"):
        documents.document_version_add(
            actor=firm.lead, document=document, upload=SimpleUploadedFile("c.txt", b"z")
        )


# --- settings page ----------------------------------------------------------------------------


def formset_post(formset) -> dict:
    """The data a browser would send back for an unchanged formset (extra rows empty)."""
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for form in formset:
        for name in form.fields:
            value = form.instance.pk if name == "id" else form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list):
                data[key] = value
            else:
                data[key] = str(value)
    return data


def test_admin_configures_checklist_and_retention(firm, clock):
    admin = client_for(firm.admin)
    page = admin.get("/matters/archive-room/settings/")
    assert page.status_code == 200
    checklist, retention = page.context["checklist"], page.context["retention"]
    data = {**formset_post(checklist), **formset_post(retention)}
    # Add an item, drop one from the list, and make consultations short-term no longer.
    data["checklist-4-code"] = "work_log"
    data["checklist-4-label"] = "办案记录已归卷"
    data["checklist-4-required"] = "on"
    data["checklist-4-active"] = "on"
    data["checklist-4-position"] = "5"
    data.pop("checklist-3-active")
    data["retention-2-matter_types"] = ["counsel"]
    response = admin.post("/matters/archive-room/settings/", data)
    assert response.status_code == 302, response.context and (
        response.context["checklist"].errors,
        response.context["retention"].errors,
    )
    assert [i.code for i in archive.checklist_items()] == [
        "final_document",
        "fees_settled",
        "client_informed",
        "work_log",
    ]
    matter = opened(firm.matter)
    with pytest.raises(ValidationError) as exc:
        close(matter, firm.lead, checklist=["final_document", "fees_settled", "client_informed"])
    assert list(exc.value.message_dict) == ["checklist"]
    assert AuditEvent.objects.filter(action="archive.settings").count() == 1
    assert archive.retention_suggest(new_matter(firm, matter_type="consultation")).code == "long"


def test_a_matter_type_defaults_to_one_retention_class_only(firm):
    admin = client_for(firm.admin)
    page = admin.get("/matters/archive-room/settings/")
    data = {**formset_post(page.context["checklist"]), **formset_post(page.context["retention"])}
    data["retention-0-matter_types"] = ["civil"]  # civil is already the default of 长期
    response = admin.post("/matters/archive-room/settings/", data)
    assert response.status_code == 200
    assert [bool(f.errors) for f in response.context["retention"]] == [False, True, False, False]
    assert AuditEvent.objects.filter(action="archive.settings").count() == 0


def test_closing_a_matter_that_is_not_open_answers_422_with_what_was_typed(firm, clock):
    """Refused for the matter's status: the close page again, the outcome as typed and why
    above it (422); before, a message and a redirect to the matter lost what was typed."""
    matter = opened(firm.matter)
    close(matter, firm.lead)
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/close/",
        {"outcome": "settled", "outcome_text": "调解结案，对方已付款", "checklist": ALL},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "只有在办案件才能结案。" in html and "调解结案，对方已付款" in html
    assert MatterClosing.objects.filter(matter=matter).count() == 1
    page = client_for(firm.lead).get(f"/matters/{matter.pk}/close/")
    assert (page.status_code, "只有在办案件才能结案。" in page.content.decode()) == (422, True)


def test_archiving_a_matter_that_is_not_closed_answers_422_with_what_was_typed(firm, clock):
    matter = opened(firm.matter)
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/archive/",
        {"retention": "long", "room": "三号档案室", "shelf": "C-9", "box": "0042"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "只有已结案案件才能归档。" in html and "三号档案室" in html
    assert (Matter.objects.get(pk=matter.pk).status, ArchiveRecord.objects.count()) == (
        Status.OPEN,
        0,
    )


def test_archive_view_field_errors_answer_422_and_change_nothing(firm, clock):
    matter = opened(firm.matter)
    close(matter, firm.lead)
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/archive/",
        {"retention": "long", "room": "三号档案室", "shelf": "C-9", "box": "x" * 61},
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["box"]
    assert "三号档案室" in response.content.decode()
    assert Matter.objects.get(pk=matter.pk).status == Status.CLOSED
