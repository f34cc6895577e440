"""Refusals that flashed a message and redirected (302), or answered 200: each is a 422 now,
on the page of what was refused, why shown on it, nothing written. Each failed before."""

from __future__ import annotations

import pytest

from lexcase.accounts.models import User
from lexcase.documents import services as document_services
from lexcase.documents.models import Document
from lexcase.documents.tests.files import upload
from lexcase.matters.models import Matter, Status
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_deleting_a_document_of_an_archived_matter_shows_why_on_its_page(firm):
    (document,) = document_services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    Matter.objects.filter(pk=firm.matter.pk).update(status=Status.ARCHIVED)
    response = client_for(firm.lead).post(f"/documents/{document.pk}/delete/")
    assert response.status_code == 422
    assert (
        '<div class="errors" role="alert" id="document-refused"><p>本案已归档：其文件为只读。</p>'
        in response.content.decode()
    )
    assert Document.objects.filter(pk=document.pk).exists()


def test_deactivating_oneself_is_a_422_on_the_users_page(firm):
    response = client_for(firm.admin).post(f"/team/users/{firm.admin.pk}/toggle-active/")
    assert response.status_code == 422
    assert "<p>不能停用您自己的账号。</p>" in response.content.decode()
    assert User.objects.get(pk=firm.admin.pk).is_active


def test_a_refused_new_user_is_a_422_with_the_form_as_typed(firm):
    response = client_for(firm.admin).post(
        "/team/users/",
        {"username": "zhangsan", "name": "张三", "email": "不是邮箱", "role": "lawyer"},
    )
    assert response.status_code == 422
    assert sorted(response.context["form"].errors) == ["email", "password"]
    assert "张三" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_refused_intake_is_a_422_with_what_was_typed(firm):
    matters = Matter.objects.count()
    response = client_for(firm.lead).post(
        "/matters/new/",
        {
            "title": "",
            "summary": "客户称对方拖欠货款三十万元",
            "parties-TOTAL_FORMS": "0",
            "parties-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    assert "title" in response.context["form"].errors
    assert "客户称对方拖欠货款三十万元" in response.content.decode()
    assert Matter.objects.count() == matters


def test_a_refused_matter_edit_is_a_422_with_what_was_typed(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/edit/",
        {"title": "", "summary": "新的案情概述", "version": firm.matter.version},
    )
    assert response.status_code == 422
    assert "title" in response.context["form"].errors
    assert "新的案情概述" in response.content.decode()
    assert Matter.objects.get(pk=firm.matter.pk).summary == firm.matter.summary
