"""The last forms that flashed their errors and went back (losing what was typed) keep it:
nothing is written, and the same page comes back with the form bound, each error beside
its field (422): a party's relation, a task's comment, pasted court messages, the 卷宗's
choice and order of documents, a fee agreement's submit and approve (why on its card), and
a document edit refused as stale (409, the edit kept). Each failed before."""

from __future__ import annotations

import pytest

from lexcase.audit.models import AuditEvent
from lexcase.billing.models import FeeAgreement
from lexcase.billing.tests.access_rows_work import make_agreement
from lexcase.documents import services as document_services
from lexcase.documents.models import Document
from lexcase.documents.tests.files import upload
from lexcase.papers import intake
from lexcase.papers.models import CourtMessage
from lexcase.parties.models import Party, PartyRelation
from lexcase.testing import client_for
from lexcase.todos.models import Task, TaskComment
from lexcase.web.tests.test_form_again import values

pytestmark = pytest.mark.django_db


def test_a_refused_relation_keeps_what_was_typed_beside_its_fields(firm):
    """An ID number with a wrong check digit was flashed above the party's page and the
    name, number and note were gone."""
    path = f"/parties/{firm.client_party.pk}/relations/"
    before = (Party.objects.count(), PartyRelation.objects.count())
    response = client_for(firm.lead).post(
        path,
        {
            "kind": "legal_rep",
            "other_name": "张建华",
            "other_kind": "person",
            "other_identifier": "110105198001011230",  # check digit 8, not 0
            "note": "2024 年起任法定代表人",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "other_name") == ["张建华"]
    assert values(html, "other_identifier") == ["110105198001011230"]
    assert values(html, "note") == ["2024 年起任法定代表人"]
    errors = response.context["relation_form"].errors
    assert list(errors) == ["other_identifier"]
    assert "<details open>" in html
    assert (Party.objects.count(), PartyRelation.objects.count()) == before
    # Corrected, it is recorded.
    response = client_for(firm.lead).post(
        path,
        {
            "kind": "legal_rep",
            "other_name": "张建华",
            "other_kind": "person",
            "other_identifier": "110105198001011238",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert PartyRelation.objects.count() == before[1] + 1


def test_a_relation_without_a_name_is_a_field_error_not_a_flash(firm):
    response = client_for(firm.lead).post(
        f"/parties/{firm.client_party.pk}/relations/",
        {"kind": "shareholder", "other_name": " ", "other_kind": "organization", "note": "51%"},
    )
    assert response.status_code == 422
    assert list(response.context["relation_form"].errors) == ["other_name"]
    assert values(response.content.decode(), "note") == ["51%"]


def test_a_refused_comment_comes_back_as_typed(firm):
    task = Task.objects.create(matter=firm.matter, title="整理证据", created_by=firm.lead)
    long_comment = "已与当事人核对证据原件，" * 1000  # 12,000 characters
    response = client_for(firm.lead).post(f"/tasks/{task.pk}/comments/", {"body": long_comment})
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "body") == [long_comment]
    assert "确保该变量包含不超过 10000 字符 (目前字符数 12000)。" in html
    assert TaskComment.objects.count() == 0
    response = client_for(firm.lead).post(f"/tasks/{task.pk}/comments/", {"body": "   "})
    assert response.status_code == 422
    assert response.context["comment_form"].errors == {"body": ["此项为必填项。"]}
    assert client_for(firm.lead).post(
        f"/tasks/{task.pk}/comments/", {"body": "已核对"}
    ).status_code == (302)
    assert TaskComment.objects.get().body == "已核对"


def test_pasted_court_messages_refused_keep_the_text_with_why_beside_it(firm, settings):
    text = "【北京市朝阳区人民法院】（2026）京0105民初1号举证通知书。" + "说明" * 3000
    response = client_for(firm.lead).post("/papers/court-messages/", {"text": text})
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "text") == [text]
    assert list(response.context["form"].errors) == ["text"]
    assert CourtMessage.objects.count() == 0
    response = client_for(firm.lead).post("/papers/court-messages/", {"text": "  "})
    assert (response.status_code, list(response.context["form"].errors)) == (422, ["text"])


def test_a_refused_dossier_keeps_the_ticks_and_the_order(firm):
    first, second = document_services.documents_upload(
        actor=firm.lead,
        matter=firm.matter,
        uploads=[upload("a.txt", b"first"), upload("b.txt", b"second")],
    )
    gone = first.pk + second.pk + 1000  # a document that is not the matter's
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/papers/dossier/assemble/",
        {
            "document": [str(second.pk), str(gone)],
            f"position-{first.pk}": "7",
            f"position-{second.pk}": "3",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, f"position-{first.pk}") == ["7"]
    assert values(html, f"position-{second.pk}") == ["3"]
    assert f'value="{second.pk}" id="dossier-doc-{second.pk}" checked' in html
    assert f'value="{first.pk}" id="dossier-doc-{first.pk}">' in html
    assert "请选择本案要收入卷宗的文件。" in html
    assert Document.objects.count() == 2


@pytest.mark.parametrize("step", ["submit", "approve"])
def test_a_refused_agreement_step_says_why_on_its_card(firm, step):
    pk = make_agreement(firm, "draft" if step == "submit" else "pending")
    FeeAgreement.objects.filter(pk=pk).update(version=2)  # changed meanwhile
    response = client_for(firm.lead).post(f"/fees/agreements/{pk}/{step}/", {"version": 1})
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="agreement-{pk}-errors"' in html
    assert response.context["rows"][0]["errors"]
    assert FeeAgreement.objects.get(pk=pk).status == ("draft" if step == "submit" else "pending")
    response = client_for(firm.lead).post(f"/fees/agreements/{pk}/{step}/", {"version": "x"})
    assert response.status_code == 422


def test_a_stale_document_edit_keeps_what_was_typed(firm):
    (document,) = document_services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    stale = document.version
    client_for(firm.assistant).post(
        f"/documents/{document.pk}/edit/",
        {"title": "他人的标题", "category": "evidence", "version": stale},
    )
    response = client_for(firm.lead).post(
        f"/documents/{document.pk}/edit/",
        {"title": "我的标题", "category": "evidence", "notes": "长长的备注", "version": stale},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert values(html, "title") == ["我的标题"]
    assert values(html, "notes") == ["长长的备注"]
    assert "他人已同时修改了此文件；请重新加载后再修改。" in html
    assert Document.objects.get(pk=document.pk).title == "他人的标题"
    assert AuditEvent.objects.filter(action="document.update_conflict").count() == 1


def test_a_court_message_filed_on_an_unknown_number_keeps_the_number(firm):
    (message,) = intake.court_messages_intake(
        actor=firm.lead, text="【北京市朝阳区人民法院】（2026）京0105民初77号举证通知书。"
    )
    path = f"/papers/court-messages/{message.pk}/match/"
    response = client_for(firm.lead).post(path, {"number": "2026-民-0999"})
    html = response.content.decode()
    assert response.status_code == 422
    assert values(html, "number") == ["2026-民-0999"]
    assert "请选择您可查看的案件。" in html
    message.refresh_from_db()
    assert message.matter_id is None
