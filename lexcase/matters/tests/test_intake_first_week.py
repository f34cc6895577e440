"""Intake errors a new user met in the first week (issue 16 items 3, 4, 6, 7)."""

from __future__ import annotations

import pytest

from lexcase.api.tests.test_api import api
from lexcase.matters.models import Matter
from lexcase.matters.tests.test_views import new_matter_post
from lexcase.parties.models import Party
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int]:
    return Matter.objects.count(), Party.objects.count()


def test_an_id_number_never_replaces_the_typed_name(firm):
    before = _counts()
    response = client_for(firm.lead).post(
        "/matters/new/", new_matter_post(**{"parties-0-name": "钱七贸易有限公司"})
    )
    assert response.status_code == 422
    assert response.context["parties"].forms[0].errors == {
        "identifier": [
            "此号码在本所记录中属于“北京华泰科技有限公司”，而不是“钱七贸易有限公司”。"
            "请更正号码，或填写名称“北京华泰科技有限公司”以使用该当事人。"
        ]
    }
    assert _counts() == before


def test_typing_the_stored_name_uses_the_stored_party(firm):
    response = client_for(firm.lead).post(
        "/matters/new/", new_matter_post(**{"parties-0-name": " 北京华泰科技有限公司"})
    )
    assert response.status_code == 302
    matter = Matter.objects.latest("id")
    assert matter.matter_parties.get(role="client").party_id == firm.client_party.pk


def test_every_wrong_party_row_shows_its_error_at_once(firm):
    before = _counts()
    response = client_for(firm.lead).post(
        "/matters/new/",
        new_matter_post(
            **{
                "parties-0-identifier": "91350200776049653B",
                "parties-1-kind": "person",
                "parties-1-identifier": "11010119900307123",
            }
        ),
    )
    assert response.status_code == 422
    rows = response.context["parties"].forms
    assert rows[0].errors == {"identifier": ["统一社会信用代码校验位错误。"]}
    assert list(rows[1].errors) == ["identifier"]
    assert _counts() == before


def test_an_intake_without_its_client_is_refused(firm):
    before = _counts()
    no_client = new_matter_post(**{"parties-0-name": "", "parties-0-identifier": ""})
    response = client_for(firm.lead).post("/matters/new/", no_client)
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["请填写委托人：立案登记至少需要委托人。"]
    assert _counts() == before


def test_the_api_refuses_an_intake_without_its_client(firm):
    before = _counts()
    response = api(firm.lead).post(
        "/api/v1/matters",
        {
            "title": "没有当事人",
            "matter_type": "civil",
            "parties": [{"party_id": firm.opposing_party.pk, "role": "opposing"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "parties", "message": "请填写委托人：立案登记至少需要委托人。"}
    ]
    assert _counts() == before


def test_a_lowercase_x_in_an_id_number_is_accepted_as_x(firm):
    response = client_for(firm.lead).post(
        "/matters/new/",
        new_matter_post(
            **{
                "parties-2-name": "钱七",
                "parties-2-kind": "person",
                "parties-2-identifier": "11010519491231002x",
            }
        ),
    )
    assert response.status_code == 302, response.context["parties"].errors
    assert Party.objects.get(name="钱七").id_number == "11010519491231002X"
