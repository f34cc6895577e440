"""A document edit carries the version its editor loaded (hidden). A number no version can
be is bad input, refused as such: before, the lookup found no row for it and the edit was
answered as someone else's (409, "reload it and apply your change"), which was not true."""

from __future__ import annotations

import pytest

from lexcase.audit.models import AuditEvent
from lexcase.documents import services as document_services
from lexcase.documents.tests.files import upload
from lexcase.testing import client_for
from lexcase.web.tests.test_form_again import values

pytestmark = pytest.mark.django_db

MESSAGE = "表单的版本号无效：请重新加载页面后再修改。"


@pytest.mark.parametrize("version", ["2147483648", str(2**63), str(2**64), "0", "-1"])
def test_a_version_no_document_can_have_is_a_422_saying_so(firm, version):
    (document,) = document_services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"x")]
    )
    response = client_for(firm.lead).post(
        f"/documents/{document.pk}/edit/",
        {"title": "我的标题", "category": "evidence", "notes": "长长的备注", "version": version},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert list(response.context["edit_form"].errors) == ["version"]
    assert MESSAGE in html
    assert (values(html, "title"), values(html, "notes")) == (["我的标题"], ["长长的备注"])
    document.refresh_from_db()
    assert (document.title, document.version) == ("a", 1)
    assert AuditEvent.objects.filter(action="document.update_conflict").count() == 0
