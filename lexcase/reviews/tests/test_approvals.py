from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lexcase.audit.models import AuditEvent
from lexcase.calendar.selectors import agenda_items
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.documents.services import documents_upload
from lexcase.documents.tests.files import text_pdf, upload
from lexcase.matters import archive
from lexcase.matters.models import Matter, Status
from lexcase.notifications.models import Notification
from lexcase.reviews import approvals
from lexcase.reviews.models import Approval
from lexcase.testing import client_for


@pytest.fixture(autouse=True)
def doc_store(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "store", "base_url": None},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def opened(matter: Matter) -> Matter:
    Matter.objects.filter(pk=matter.pk).update(status=Status.OPEN)
    matter.refresh_from_db()
    return matter


@pytest.mark.django_db
def test_seal_request_is_decided_by_the_partner_and_the_sealed_version_filed_back(firm):
    matter = opened(firm.matter)
    [doc] = documents_upload(
        actor=firm.lead,
        matter=matter,
        uploads=[upload("起诉状.pdf", text_pdf("起诉状"), "application/pdf")],
        category="pleading",
    )
    with pytest.raises(ValidationError) as exc:
        approvals.seal_request_create(actor=firm.lead, matter=matter, document=doc, purpose=" ")
    assert list(exc.value.message_dict) == ["purpose"]
    approval = approvals.seal_request_create(
        actor=firm.lead, matter=matter, document=doc, purpose="起诉状加盖律所公章"
    )
    assert (approval.requester, approval.approver, approval.status) == (
        firm.lead,
        firm.partner,
        "pending",
    )
    assert [n.user for n in Notification.objects.filter(kind="approval_requested")] == [
        firm.partner
    ]
    inbox = approvals.inbox(user=firm.partner)
    assert inbox.approvals == [approval]
    today = timezone.localdate()
    assert [
        i.obj
        for i in agenda_items(user=firm.partner, start=today, end=today)
        if i.kind == "approval"
    ] == [approval]
    with pytest.raises(NotAllowed):  # the requester does not approve their own request
        approvals.approval_decide(actor=firm.lead, approval=approval, approve=True)
    with pytest.raises(NotAllowed):  # nor an administrator
        approvals.approval_decide(actor=firm.admin, approval=approval, approve=True)
    approvals.approval_decide(actor=firm.partner, approval=approval, approve=True, note="同意")
    with pytest.raises(StaleEdit):  # decided once
        approvals.approval_decide(actor=firm.partner, approval=approval, approve=False, note="x")
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by, approval.note) == (
        "approved",
        firm.partner,
        "同意",
    )
    event = AuditEvent.objects.get(action="approval.decide")
    assert (event.actor_id, event.data["decision"], event.data["note"]) == (
        firm.partner.pk,
        "approved",
        "同意",
    )
    approvals.seal_file_back(
        actor=firm.lead,
        approval=approval,
        upload=upload("起诉状（盖章）.pdf", text_pdf("起诉状 盖章"), "application/pdf"),
    )
    approval.refresh_from_db()
    doc.refresh_from_db()
    assert (approval.sealed_version.number, doc.current_id) == (2, approval.sealed_version_id)


@pytest.mark.django_db
def test_a_refusal_needs_a_reason(firm):
    matter = opened(firm.matter)
    [doc] = documents_upload(
        actor=firm.lead,
        matter=matter,
        uploads=[upload("合同.pdf", text_pdf("合同"), "application/pdf")],
        category="contract",
    )
    approval = approvals.seal_request_create(
        actor=firm.assistant, matter=matter, document=doc, purpose="合同盖章"
    )
    with pytest.raises(ValidationError) as exc:
        approvals.approval_decide(actor=firm.partner, approval=approval, approve=False)
    assert list(exc.value.message_dict) == ["note"]
    web = client_for(firm.partner)
    response = web.post(
        f"/approvals/{approval.pk}/decide/", {"decision": "refuse", "note": "合同条款未定稿"}
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert (approval.status, approval.note) == ("refused", "合同条款未定稿")


@pytest.mark.django_db
def test_archiving_needs_the_responsible_partners_approval(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(
        status=Status.CLOSED, closed_on=date(2026, 11, 30)
    )
    matter = Matter.objects.get(pk=firm.matter.pk)
    location = {"room": "A", "shelf": "3", "box": "12"}
    with pytest.raises(ValidationError) as exc:
        archive.matter_archive_file(actor=firm.lead, matter=matter, **location)
    assert "归档审批" in exc.value.message_dict["__all__"][0]
    approval = approvals.archive_approval_request(actor=firm.lead, matter=matter)
    assert approvals.archive_approval_request(actor=firm.lead, matter=matter) == approval
    with pytest.raises(NotAllowed):
        approvals.archive_approval_request(actor=firm.assistant, matter=matter)
    approvals.approval_decide(actor=firm.partner, approval=approval, approve=True)
    record = archive.matter_archive_file(actor=firm.lead, matter=matter, **location)
    assert Matter.objects.get(pk=matter.pk).status == Status.ARCHIVED
    assert record.number


@pytest.mark.django_db
def test_the_inbox_gathers_conflict_reviews_and_stays_behind_the_gate(firm):
    # The firm's intakes were checked by their lead and wait for a partner's review.
    assert set(approvals.inbox(user=firm.partner).conflict_reviews) == {
        firm.matter,
        firm.confidential,
    }
    assert approvals.inbox(user=firm.walled).conflict_reviews == []
    page = client_for(firm.partner).get("/approvals/")
    assert page.status_code == 200
    assert firm.matter.number in page.content.decode()
    Approval.objects.create(
        kind="archive", matter=firm.matter, requester=firm.lead, approver=firm.walled
    )
    # Walled off the matter: the request is not theirs to see, even named as approver.
    assert approvals.inbox(user=firm.walled).approvals == []


@pytest.mark.django_db
def test_a_refused_decision_or_file_back_keeps_what_was_typed(firm):
    """A refusal without its reason, or a file-back without a file, was flashed and the page
    came back empty: the partner's note was lost. The page comes back with the form as typed
    and the error beside its field (422); nothing is decided or filed."""
    matter = opened(firm.matter)
    [doc] = documents_upload(
        actor=firm.lead,
        matter=matter,
        uploads=[upload("合同.pdf", text_pdf("合同"), "application/pdf")],
        category="contract",
    )
    approval = approvals.seal_request_create(
        actor=firm.assistant, matter=matter, document=doc, purpose="合同盖章"
    )
    web = client_for(firm.partner)
    long_note = "合同第五条违约金条款与客户确认的版本不一致，" * 100  # past 2,000 characters
    response = web.post(
        f"/approvals/{approval.pk}/decide/", {"decision": "refuse", "note": long_note}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f">\n{long_note}</textarea>" in html or f">{long_note}</textarea>" in html
    assert "确保该变量包含不超过 2000 字符 (目前字符数 2200)。" in html
    response = web.post(f"/approvals/{approval.pk}/decide/", {"decision": "refuse", "note": ""})
    assert response.status_code == 422
    assert approvals.approval_get(user=firm.partner, pk=approval.pk).status == "pending"
    approval.refresh_from_db()
    assert (approval.status, approval.note) == ("pending", "")
    approvals.approval_decide(actor=firm.partner, approval=approval, approve=True)
    response = client_for(firm.lead).post(f"/approvals/{approval.pk}/sealed/", {})
    html = response.content.decode()
    assert response.status_code == 422
    assert "此项为必填项。" in html
    assert f'action="/approvals/{approval.pk}/sealed/"' in html
    approval.refresh_from_db()
    assert approval.sealed_version_id is None
