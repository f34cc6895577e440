"""The invitation and the grant forms carry the "bills visible" choice: off unless ticked,
recorded as the contact page's switch is (`portal.contact_bills`), a forged value a field
error in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from lexcase.audit.models import AuditEvent
from lexcase.portal.models import ClientContact, ClientContactMatter
from lexcase.portal.tests.factories import make_contact, open_matter
from lexcase.portal.tests.test_grants import other_matter

pytestmark = pytest.mark.django_db


def as_user(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def invite(firm: Any, client: Client, **extra: Any) -> Any:
    return client.post(
        "/portal/contacts/",
        {
            "party": firm.client_party.pk,
            "name": "赵经理",
            "email": "zhao@huatai.example",
            "matters": [firm.matter.pk],
            **extra,
        },
    )


def bills_events() -> list[tuple[int | None, dict]]:
    return list(
        AuditEvent.objects.filter(action="portal.contact_bills")
        .order_by("pk")
        .values_list("matter_id", "data")
    )


def test_the_invitation_offers_the_choice_unticked(firm):
    open_matter(firm.matter)
    page = as_user(firm.lead).get("/portal/contacts/", {"party": firm.client_party.pk})
    form = page.context["form"]
    assert form["bills_visible"].value() is False
    html = page.content.decode()
    assert '<input type="checkbox" name="bills_visible" id="id_bills_visible">' in html
    assert "同时向该联系人显示本所向该客户开具的上述案件账单" in html


def test_an_invitation_without_the_box_shows_no_bills(firm):
    open_matter(firm.matter)
    assert invite(firm, as_user(firm.lead)).status_code == 200
    grant = ClientContactMatter.objects.get()
    assert (grant.matter_id, grant.bills_visible) == (firm.matter.pk, False)
    assert bills_events() == []


def test_an_invitation_with_the_box_shows_the_bills_and_records_it(firm):
    open_matter(firm.matter)
    assert invite(firm, as_user(firm.lead), bills_visible="on").status_code == 200
    contact = ClientContact.objects.get()
    grant = ClientContactMatter.objects.get()
    assert (grant.matter_id, grant.bills_visible) == (firm.matter.pk, True)
    assert bills_events() == [(firm.matter.pk, {"party": firm.client_party.pk, "visible": True})]
    event = AuditEvent.objects.get(action="portal.contact_bills")
    assert (event.actor_id, event.object_id) == (firm.lead.pk, str(contact.pk))


def test_inviting_a_known_contact_again_with_the_box_switches_its_bills_on(firm):
    open_matter(firm.matter)
    contact = make_contact(firm.client_party, "zhao@huatai.example", "赵经理")
    assert ClientContactMatter.objects.get(contact=contact).bills_visible is False
    response = invite(firm, as_user(firm.lead), bills_visible="on")
    assert response.status_code == 302
    assert ClientContactMatter.objects.get(contact=contact).bills_visible is True
    assert bills_events() == [(firm.matter.pk, {"party": firm.client_party.pk, "visible": True})]
    # Unticked, an invitation never switches them off again.
    invite(firm, as_user(firm.lead))
    assert ClientContactMatter.objects.get(contact=contact).bills_visible is True
    assert len(bills_events()) == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "请勾选或留空。"), ("en", "Tick the box or leave it empty.")],
)
def test_a_forged_value_is_a_field_error_and_nothing_is_created(firm, language, message):
    open_matter(firm.matter)
    response = invite(firm, as_user(firm.lead, language), bills_visible="maybe")
    assert response.status_code == 422
    assert response.context["form"].errors == {"bills_visible": [message]}
    assert f'<p class="field-error">{message}</p>' in response.content.decode()
    assert (ClientContact.objects.count(), ClientContactMatter.objects.count()) == (0, 0)


def _contact_with_one_matter(firm: Any) -> tuple[Any, Any]:
    a = open_matter(firm.matter)
    b = open_matter(other_matter(firm, firm.client_party, lead=firm.lead, title="华泰科技B案"))
    contact = make_contact(firm.client_party, "grant-bills", "授权联系人", matters=[a])
    return contact, b


def test_the_grant_form_offers_the_choice_unticked(firm):
    contact, _b = _contact_with_one_matter(firm)
    page = as_user(firm.lead).get(f"/portal/contacts/{contact.pk}/")
    assert page.context["grant_form"]["bills_visible"].value() is False
    assert "同时向该联系人显示本所向该客户开具的该案件账单" in page.content.decode()


def test_a_grant_without_the_box_shows_no_bills(firm):
    contact, b = _contact_with_one_matter(firm)
    response = as_user(firm.lead).post(f"/portal/contacts/{contact.pk}/matters/", {"matter": b.pk})
    assert response.status_code == 302
    assert contact.grants.get(matter=b).bills_visible is False
    assert bills_events() == []


def test_a_grant_with_the_box_shows_the_bills_and_records_it(firm):
    contact, b = _contact_with_one_matter(firm)
    response = as_user(firm.lead).post(
        f"/portal/contacts/{contact.pk}/matters/", {"matter": b.pk, "bills_visible": "on"}
    )
    assert response.status_code == 302
    assert contact.grants.get(matter=b).bills_visible is True
    assert contact.user.has_perm("portal.view_bills", b) is True
    assert bills_events() == [(b.pk, {"party": firm.client_party.pk, "visible": True})]


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "请勾选或留空。"), ("en", "Tick the box or leave it empty.")],
)
def test_a_forged_grant_value_is_a_field_error(firm, language, message):
    contact, b = _contact_with_one_matter(firm)
    response = as_user(firm.lead, language).post(
        f"/portal/contacts/{contact.pk}/matters/", {"matter": b.pk, "bills_visible": "2"}
    )
    assert response.status_code == 422
    assert response.context["grant_form"].errors == {"bills_visible": [message]}
    assert f'<p class="field-error">{message}</p>' in response.content.decode()
    assert contact.grants.filter(matter=b).exists() is False
