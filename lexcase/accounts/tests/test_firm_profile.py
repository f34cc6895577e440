"""The firm profile (issue 16 item 13) and the sole-partner self-review (item 12)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lexcase.accounts.models import FirmProfile
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.models import AuditEvent
from lexcase.conflicts.models import ConflictReview
from lexcase.conflicts.selectors import intakes_awaiting_review
from lexcase.conflicts.services import conflict_review_decide
from lexcase.matters.models import MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _save(client, **fields):
    data = {"name": "思远律师事务所", "version": firm_profile().version, **fields}
    return client.post("/team/firm/", data)


def test_a_fresh_install_shows_the_product_name(firm):
    page = client_for(firm.lead).get("/matters/").content.decode()
    assert "<title>案件 · LexCase</title>" in page


def test_the_admin_names_the_firm_and_every_page_title_shows_it(firm):
    response = _save(
        client_for(firm.admin),
        address="北京市朝阳区建国路 88 号",
        licence_number="31110000E00012345K",
        logo=SimpleUploadedFile("logo.png", PNG, "image/png"),
    )
    assert response.status_code == 302
    profile = FirmProfile.objects.get()
    assert (profile.name, profile.licence_number, profile.version) == (
        "思远律师事务所",
        "31110000E00012345K",
        2,
    )
    assert bytes(profile.logo) == PNG
    page = client_for(firm.lead).get("/matters/").content.decode()
    assert "<title>案件 · 思远律师事务所</title>" in page
    assert 'src="/team/firm/logo/"' in page
    logo = client_for(None).get("/team/firm/logo/")
    assert (logo.status_code, logo["Content-Type"], logo.content) == (200, "image/png", PNG)
    assert AuditEvent.objects.filter(action="firm.profile_update").count() == 1


def test_a_logo_that_is_not_an_image_is_refused_and_nothing_changes(firm):
    svg = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png")
    response = _save(client_for(firm.admin), logo=svg)
    assert response.status_code == 422
    assert response.context["form"].errors == {"logo": ["标志必须是 PNG 或 JPEG 图片。"]}
    assert FirmProfile.objects.count() == 0


def test_two_admins_editing_at_once_never_overwrite_silently(firm):
    admin = client_for(firm.admin)
    stale = firm_profile().version
    assert _save(admin, name="甲律所").status_code == 302
    response = admin.post("/team/firm/", {"name": "乙律所", "version": stale})
    assert response.status_code == 409
    assert FirmProfile.objects.get().name == "甲律所"


def test_only_an_admin_edits_the_profile(firm):
    assert _save(client_for(firm.partner)).status_code == 403
    assert FirmProfile.objects.count() == 0


def test_the_users_page_leads_to_the_firm_profile(firm):
    """The profile page had no link anywhere: an administrator setting up the firm could not
    find where to name it (walk, day one)."""
    link = '<a class="button" href="/team/firm/">'
    assert client_for(firm.admin).get("/team/users/").content.decode().count(link) == 1
    assert client_for(firm.admin).get("/team/firm/").status_code == 200


def _own_intake(firm):
    client = party_create(actor=firm.partner, kind="person", name="孙一")
    return matter_create(
        actor=firm.partner,
        title="孙一离婚纠纷",
        matter_type=MatterType.CIVIL,
        parties=[PartyLink(party=client, role="client")],
        responsible_partner=firm.partner,
    )


def test_a_partner_never_reviews_their_own_intake_by_default(firm):
    matter = _own_intake(firm)
    assert matter not in intakes_awaiting_review(user=firm.partner)
    with pytest.raises(Exception) as refused:
        conflict_review_decide(actor=firm.partner, matter=matter, decision="approve", note="x")
    assert refused.value.message_dict == {"decision": ["利益冲突审查的申请人不得同时担任审查人。"]}


def test_a_sole_partner_firm_records_a_self_review_with_its_reason(firm):
    FirmProfile.objects.create(pk=1, sole_partner_self_review=True)
    matter = _own_intake(firm)
    assert matter in intakes_awaiting_review(user=firm.partner)
    with pytest.raises(Exception) as refused:
        conflict_review_decide(actor=firm.partner, matter=matter, decision="approve")
    assert refused.value.message_dict == {"note": ["审查自己登记的收案，须在备注中写明理由。"]}
    review = conflict_review_decide(
        actor=firm.partner, matter=matter, decision="approve", note="本所仅一名合伙人"
    )
    assert (review.reviewer, review.note) == (firm.partner, "本所仅一名合伙人")
    event = AuditEvent.objects.get(action="conflict.approve")
    assert event.data["self_review"] is True
    assert ConflictReview.objects.count() == 1
