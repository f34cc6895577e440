from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.files import documents_storage
from lexcase.documents.models import Document
from lexcase.matters.models import Matter
from lexcase.papers import services
from lexcase.papers.fields import date_cn, date_numeric, merge_context
from lexcase.papers.models import DocumentTemplate, Generation
from lexcase.papers.sandbox import template_check, template_render
from lexcase.papers.selectors import template_get, templates_available
from lexcase.papers.starter import STARTERS
from lexcase.papers.tests.helpers import CLIENT_ID, demo_matter, docx_text, docx_with
from lexcase.testing import client_for


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in the source language (the firm's default is zh-hans)."""
    with translation.override("en"):
        yield


def stored_bytes(document: Document) -> bytes:
    document.refresh_from_db()
    with documents_storage().open(document.current_version().file_name) as fh:
        return fh.read()


def test_dates_in_chinese():
    assert date_cn(date(2026, 12, 6)) == "二〇二六年十二月六日"
    assert date_cn(date(2026, 10, 31)) == "二〇二六年十月三十一日"
    assert date_cn(date(2030, 1, 20)) == "二〇三〇年一月二十日"
    assert date_numeric(date(2026, 12, 5)) == "2026年12月5日"


@pytest.mark.django_db
def test_engagement_contract_of_a_demo_matter(firm):
    matter = demo_matter(firm)
    response = client_for(firm.lead).post(
        f"/matters/{matter.pk}/papers/generate/", {"template": "engagement_contract"}
    )
    document = Document.objects.get(matter=matter)
    assert response.status_code == 302
    assert response["Location"] == f"/documents/{document.pk}/"
    assert (document.category, document.title) == ("contract", f"委托代理合同（{matter.number}）")
    text = docx_text(stored_bytes(document))
    for expected in (
        "委托人（甲方）：张三丰",
        f"身份证号码/统一社会信用代码：{CLIENT_ID}",
        "受托人（乙方）：北京律案律师事务所",
        "甲方因买卖合同纠纷一案",
        "案号：（2026）京0105民初12345号",
        "律师服务费为人民币12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）",
        "律师服务费金额：人民币12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）。",
        "负责合伙人为Partner。",
    ):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
    generation = Generation.objects.get(matter=matter)
    assert (generation.template_key, generation.document_id) == ("engagement_contract", document.pk)
    event = AuditEvent.objects.filter(action="paper.generate").get()
    assert event.matter_id == matter.pk
    assert event.data["template"] == "engagement_contract"


@pytest.mark.django_db
def test_regenerating_makes_a_new_version_of_the_same_document(firm):
    matter = demo_matter(firm)
    first = services.paper_generate(actor=firm.lead, matter=matter, key="power_of_attorney")
    second = services.paper_generate(actor=firm.lead, matter=matter, key="power_of_attorney")
    assert first.pk == second.pk
    assert list(first.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert Document.objects.filter(matter=matter).count() == 1


@pytest.mark.django_db
def test_party_names_are_written_literally(firm):
    name = "张{{ firm.name }}{% if 1 %}<b>&\"'"
    matter = demo_matter(firm, client_name=name)
    document = services.paper_generate(actor=firm.lead, matter=matter, key="engagement_contract")
    text = docx_text(stored_bytes(document))
    assert f"委托人（甲方）：{name}\n" in text
    assert "张北京律案律师事务所" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ matter.secret_field }}", "Unknown field: matter.secret_field"),
        (
            "{{ ''.__class__ }}",
            "Not allowed: attribute “__class__” of something that is not a field.",
        ),
        ("{{ client.name.__class__ }}", "Unknown field: client.name.__class__"),
        ("{{ secret }}", "Unknown field: secret"),
        ("{{ lipsum() }}", "Not allowed: calling a function or method."),
        ("{{ client.name.upper() }}", "Not allowed: calling a function or method."),
        ("{{ matter['number'] }}", "Not allowed: [ ] lookups; use the documented field names."),
        ("{% set x = 1 %}", "Not allowed in a template: Assign."),
        ("{% include 'x.docx' %}", "Not allowed in a template: Include."),
        ("{{ client.name|attr('x') }}", "Filter “attr” is not allowed."),
        (
            "{{ opposing_parties }}",
            "opposing_parties is a list: use it in {% for %} or with |join.",
        ),
        ("{% for x in matter.title %}{% endfor %}", None),
        ("{{ p.name }}", "Unknown field: p.name"),
    ],
)
def test_templates_with_unknown_fields_or_code_are_refused_at_upload(firm, source, message):
    with pytest.raises(ValidationError) as caught:
        services.template_upload(
            actor=firm.admin,
            key="letter",
            name="律师函",
            category="correspondence",
            upload=docx_with("致：{{ client.name }}", source),
        )
    errors = caught.value.message_dict["file"]
    if message is None:
        assert errors[0].startswith("{% for %} may only walk a list field")
    else:
        assert errors == [message]
    assert DocumentTemplate.objects.count() == 0


@pytest.mark.django_db
def test_every_refusal_is_named(firm):
    with pytest.raises(ValidationError) as caught:
        services.template_upload(
            actor=firm.admin,
            key="letter",
            name="律师函",
            category="correspondence",
            upload=docx_with("{{ matter.secret_field }} {{ ''.__class__ }}", "{{ foo }}"),
        )
    assert caught.value.message_dict["file"] == [
        "Unknown field: matter.secret_field",
        "Not allowed: attribute “__class__” of something that is not a field.",
        "Unknown field: foo",
    ]


@pytest.mark.django_db
def test_broken_merge_syntax_and_non_word_files_are_refused(firm):
    with pytest.raises(ValidationError) as caught:
        services.template_upload(
            actor=firm.admin,
            key="x1",
            name="x",
            category="other",
            upload=docx_with("{{ client.name "),
        )
    assert caught.value.message_dict["file"][0].startswith(
        "The merge fields in the body are broken"
    )

    with pytest.raises(ValidationError) as caught:
        services.template_upload(
            actor=firm.admin,
            key="x2",
            name="x",
            category="other",
            upload=SimpleUploadedFile("a.txt", "纯文本".encode(), content_type="text/plain"),
        )
    assert caught.value.message_dict["file"] == ["A template must be a Word (.docx) file."]


@pytest.mark.django_db
def test_an_uploaded_template_is_versioned_and_replaces_a_starter(firm):
    upload = docx_with(
        "授权委托书（本所版）",
        "委托人：{{ client.name }}",
        "{% for p in opposing_parties %}{{ loop.index }}. {{ p.name }}（{{ p.standing }}）"
        "{% endfor %}",
        "{{ lawyers|length }}名律师：{{ lawyer_names|default('—') }}",
    )
    first = services.template_upload(
        actor=firm.admin,
        key="power_of_attorney",
        name="授权委托书",
        category="engagement",
        upload=upload,
    )
    assert first.fields == [
        "client.name",
        "lawyer_names",
        "lawyers",
        "opposing_parties",
        "opposing_parties[].name",
        "opposing_parties[].standing",
    ]
    upload.seek(0)
    second = services.template_upload(
        actor=firm.admin,
        key="power_of_attorney",
        name="授权委托书",
        category="engagement",
        upload=upload,
    )
    assert (first.number, second.number) == (1, 2)
    choice = template_get(key="power_of_attorney")
    assert (choice.builtin, choice.version_no) == (False, 2)
    keys = {c.key: c.builtin for c in templates_available()}
    assert keys == {
        "power_of_attorney": False,
        "engagement_contract": True,
        "firm_letter": True,
        "risk_notice": True,
        "evidence_list": True,
        "power_of_attorney_special": True,
        "contingency_contract": True,
        "lawyer_letter": True,
        "complaint": True,
    }
    matter = demo_matter(firm)
    document = services.paper_generate(actor=firm.lead, matter=matter, key="power_of_attorney")
    text = docx_text(stored_bytes(document))
    assert "委托人：张三丰" in text
    assert "1. 上海某某贸易有限公司（被告）" in text
    assert "1名律师：Lead" in text
    assert Generation.objects.get().template_version_id == second.pk


@pytest.mark.django_db
def test_only_administrators_upload_templates(firm):
    for user in (firm.partner, firm.lead, firm.assistant, firm.finance):
        with pytest.raises(NotAllowed):
            services.template_upload(
                actor=user, key="x", name="x", category="other", upload=docx_with("x")
            )


@pytest.mark.django_db
def test_generation_needs_membership_and_an_unarchived_matter(firm):
    matter = demo_matter(firm)
    with pytest.raises(NotAllowed):
        services.paper_generate(actor=firm.admin, matter=matter, key="firm_letter")
    Matter.objects.filter(pk=matter.pk).update(status="archived")
    matter.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.paper_generate(actor=firm.lead, matter=matter, key="firm_letter")
    assert caught.value.messages == ["This matter is archived: no papers are generated for it."]
    assert Document.objects.filter(matter=matter).count() == 0


@pytest.mark.django_db
def test_preview_shows_the_merged_values(firm):
    matter = demo_matter(firm)
    page = client_for(firm.lead).get(f"/matters/{matter.pk}/papers/?template=engagement_contract")
    html = page.content.decode()
    assert page.status_code == 200
    # The ID number masked, as on every page (its full form only in the generated paper,
    # whose generation is audited, or shown on the party page, audited).
    assert "<td>110***********002X</td>" in html
    assert CLIENT_ID not in html
    assert "<td>壹万贰仟叁佰肆拾伍元陆角柒分</td>" in html
    assert "<td>买卖合同纠纷</td>" in html
    detail = client_for(firm.lead).get(f"/matters/{matter.pk}/").content.decode()
    assert f'action="/matters/{matter.pk}/papers/"' in detail


@pytest.mark.django_db
def test_merge_context_fee_terms_and_people(firm):
    matter = demo_matter(firm)
    context = merge_context(matter=matter, today=date(2026, 12, 5))
    assert context["fee"]["amount_capital"] == "壹万贰仟叁佰肆拾伍元陆角柒分"
    assert context["fee"]["text"] == (
        "律师服务费为人民币12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）。"
    )
    assert context["matter"]["amount_capital"] == "壹佰贰拾叁万肆仟伍佰陆拾柒元整"
    assert context["today"] == {"cn": "二〇二六年十二月五日", "date": "2026年12月5日"}
    assert context["opposing_names"] == "上海某某贸易有限公司"
    assert context["partner"] == {"name": "Partner"}
    assert context["lawyer_names"] == "Lead"


def test_the_renderer_escapes_and_never_evaluates_values():
    content = docx_with("{{ client.name }}").read()
    out = template_render(content, {"client": {"name": "{{ 7*7 }}<w:br/>&amp;"}})
    assert docx_text(out) == "{{ 7*7 }}<w:br/>&amp;"
    assert template_check(content) == ["client.name"]


@pytest.mark.django_db
def test_the_api_lists_templates_and_generates(firm):
    matter = demo_matter(firm)
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    listed = api.get("/api/v1/document-templates").json()
    assert sorted(t["key"] for t in listed) == [
        "complaint",
        "contingency_contract",
        "engagement_contract",
        "evidence_list",
        "firm_letter",
        "lawyer_letter",
        "power_of_attorney",
        "power_of_attorney_special",
        "risk_notice",
    ]
    assert all(t["builtin"] and t["version"] is None for t in listed)
    response = api.post(
        f"/api/v1/matters/{matter.pk}/documents/generate",
        {"template": "engagement_contract"},
        content_type="application/json",
    )
    document = Document.objects.get(matter=matter)
    assert response.status_code == 201
    assert response.json()["id"] == document.pk
    assert response.json()["version"] == 1
    unknown = api.post(
        f"/api/v1/matters/{matter.pk}/documents/generate",
        {"template": "no_such_template"},
        content_type="application/json",
    )
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_every_starter_renders_for_a_demo_matter(firm):
    matter = demo_matter(firm)
    texts = {}
    for key in STARTERS:
        document = services.paper_generate(actor=firm.lead, matter=matter, key=key)
        texts[key] = docx_text(stored_bytes(document))
        assert "{{" not in texts[key] and "{%" not in texts[key], key
    assert (
        f"原告：张三丰，自然人，身份证号码/统一社会信用代码：{CLIENT_ID}，"
        "住所：北京市海淀区中关村大街27号。"
    ) in texts["complaint"]
    assert "被告：上海某某贸易有限公司，单位，" in texts["complaint"]
    assert texts["contingency_contract"].startswith("风险代理合同\n风险提示：风险代理是指")
    assert "代理权限为特别授权" in texts["power_of_attorney_special"]
    assert "致：上海某某贸易有限公司" in texts["lawyer_letter"]


@pytest.mark.django_db
def test_generating_without_a_template_answers_422_on_the_papers_page(firm):
    """Before: a message and a redirect (302) for a refusal."""
    matter = demo_matter(firm)
    for body in ({}, {"template": ""}, {"template": "不是模板"}):
        response = client_for(firm.lead).post(f"/matters/{matter.pk}/papers/generate/", body)
        html = response.content.decode()
        assert (response.status_code, response.context["chosen"]) == (422, None)
        assert (
            '<div class="errors" role="alert" id="papers-errors"><p>请选择模板。</p></div>' in html
        )
    assert Document.objects.filter(matter=matter).count() == 0
