"""The forms that still flashed their errors and went back (losing what was typed) keep it
now: nothing is written, and the same form comes back bound with each error beside its field
(status 422), in place for htmx where the form is posted by htmx, else on a page of its own.
See test_form_again.py for the matter page's forms on demand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lexcase.conflicts.models import ConflictReview
from lexcase.matters.models import PaperLoan, PersonalDataConsent
from lexcase.matters.tests.access_rows import archived
from lexcase.testing import client_for
from lexcase.todos.models import Task
from lexcase.web.tests.test_form_again import LONG_NOTE, NOTHING_SAVED, values

pytestmark = pytest.mark.django_db


def test_conflict_review_refused_keeps_the_note_and_says_what_is_missing(firm):
    """A waiver without the consent's reference was flashed above the matter page, and the
    reviewer's note was gone."""
    response = client_for(firm.partner).post(
        f"/matters/{firm.matter.pk}/conflict-review/",
        {"review-decision": "waive", "review-consent_reference": "", "review-note": LONG_NOTE},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "review-note") == [LONG_NOTE]
    assert 'value="waive" selected' in html
    assert "请登记已签署的知情同意书。" in html
    assert NOTHING_SAVED in html
    assert "<h1>利益冲突审查决定</h1>" in html
    assert f'action="/matters/{firm.matter.pk}/conflict-review/"' in html
    assert ConflictReview.objects.count() == 0
    # Sent again complete, it is recorded once.
    response = client_for(firm.partner).post(
        f"/matters/{firm.matter.pk}/conflict-review/",
        {"review-decision": "waive", "review-consent_reference": "知-01", "review-note": "x"},
    )
    assert (response.status_code, ConflictReview.objects.count()) == (302, 1)


def test_conflict_review_form_errors_are_for_reviewers_only(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/conflict-review/", {"review-decision": "bogus"}
    )
    assert response.status_code == 403


def test_paper_loan_to_an_unknown_borrower_keeps_the_form_and_the_way_back(firm):
    pk = archived(firm)
    due = (date.today() + timedelta(days=30)).isoformat()
    response = client_for(firm.admin).post(
        f"/matters/{pk}/archive/loans/",
        {"borrower": "nobody", "due_on": due, "purpose": "再审申请调卷", "back": "room"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "borrower") == ["nobody"]
    assert values(html, "due_on") == [due]
    assert values(html, "purpose") == ["再审申请调卷"]
    assert values(html, "back") == ["room"]
    assert "不存在已启用的用户“nobody”。" in html
    assert PaperLoan.objects.count() == 0
    response = client_for(firm.admin).post(
        f"/matters/{pk}/archive/loans/",
        {"borrower": "lead", "due_on": due, "purpose": "再审申请调卷", "back": "room"},
    )
    assert (response.status_code, response["Location"], PaperLoan.objects.count()) == (
        302,
        "/matters/archive-room/",
        1,
    )


def test_consent_without_its_basis_keeps_the_field_chosen(firm):
    path = f"/parties/{firm.opposing_party.pk}/consents/"
    response = client_for(firm.lead).post(path, {"field": "id_number", "basis": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert '<option value="id_number" selected>' in html
    assert '<p class="field-error">此项为必填项。</p>' in html
    assert NOTHING_SAVED in html
    assert PersonalDataConsent.objects.count() == 0
    response = client_for(firm.lead).post(path, {"field": "id_number", "basis": "书面同意书"})
    assert (response.status_code, PersonalDataConsent.objects.count()) == (302, 1)
    # A withdrawal needs no basis.
    response = client_for(firm.lead).post(path, {"field": "id_number", "withdraw": "1"})
    assert response.status_code == 302
    assert PersonalDataConsent.objects.get().withdrawn_at is not None


def test_personal_task_with_a_bad_date_comes_back_on_my_board_as_typed(firm):
    response = client_for(firm.lead).post(
        "/tasks/new/",
        {"task-title": "整理案卷", "task-due_at": "2026-02-30T10:00", "task-notes": LONG_NOTE},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "task-title") == ["整理案卷"]
    assert values(html, "task-due_at") == ["2026-02-30T10:00"]
    assert values(html, "task-notes") == [LONG_NOTE]
    assert "输入一个有效的日期/时间。" in html
    assert NOTHING_SAVED in html
    assert 'id="board"' in html  # the board itself, as the page shows it
    assert Task.objects.filter(title="整理案卷").count() == 0
