"""A portal contact sees only the matters it was explicitly granted, and only staff who can
see every one of those matters may invite, view or manage it (issue 18, item 1).

The attack these tests replay: a lawyer walled off (or an administrator not admitted to) a
confidential matter M works on *another* matter of M's client. Before the fix they could
invite a contact for that client, accept the link themselves and read M through the
portal, or switch off / re-invite M's real client contact.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone

from lexcase.audit.models import AuditEvent
from lexcase.calendar.models import Hearing
from lexcase.comms.models import ProgressReport
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Document
from lexcase.matters.models import EthicalWall, Matter, MatterParty, MatterType, TimelineEntry
from lexcase.matters.services import PartyLink, matter_create
from lexcase.portal.models import ClientContact, PortalInvitation
from lexcase.portal.services import portal_message_send, portal_upload
from lexcase.portal.tests.factories import make_contact, make_document, open_matter, pdf_upload

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver(/portal/invite/[\w-]+/)")
PASSWORD = "Fluss-Anker-2026!"


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def other_matter(f: Any, party: Any, *, lead: Any, title: str, confidential: bool = False):
    """Another matter with `party` as the client (left in intake, as in the report)."""
    return matter_create(
        actor=f.lead,
        title=title,
        matter_type=MatterType.CIVIL,
        confidential=confidential,
        parties=[PartyLink(party=party, role="client", standing="原告")],
        lead_lawyer=lead,
        responsible_partner=f.partner,
    )


def make_confidential_with_secrets(f: Any) -> Matter:
    """`firm.matter` made confidential and open, with a shared document, a client-visible
    hearing and a sent report: everything the portal would show of it."""
    Matter.objects.filter(pk=f.matter.pk).update(confidential=True)
    matter = open_matter(f.matter)
    make_document(matter, f.lead, title="保密判决书", shared=True)
    Hearing.objects.create(
        matter=matter,
        court="保密法院",
        starts_at=timezone.now() + timedelta(days=3),
        client_visible=True,
    )
    ProgressReport.objects.create(
        matter=matter, title="保密报告", html="<p>保密</p>", sent_at=timezone.now()
    )
    return matter


def accept_last_invitation() -> Client:
    """Follow the last e-mailed link, choose a password: the new portal user's browser."""
    path = LINK.search(mail.outbox[-1].body).group(1)
    client = Client()
    response = client.post(path, {"password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    return client


def assert_portal_shows_nothing_of(client: Client, matter: Matter) -> None:
    home = client.get("/portal/").content.decode()
    assert (matter.title in home, matter.number in home) == (False, False)
    assert client.get(f"/portal/matters/{matter.pk}/").status_code == 404
    assert client.post(f"/portal/matters/{matter.pk}/messages/", {"text": "x"}).status_code == 404
    for document in Document.objects.filter(matter=matter):
        assert client.get(f"/portal/documents/{document.pk}/download/").status_code == 404
    for report in ProgressReport.objects.filter(matter=matter):
        assert client.get(f"/portal/reports/{report.pk}/").status_code == 404
    api = client.get("/api/v1/portal/matters")
    assert [m["id"] for m in api.json() if m["id"] == matter.pk] == []
    assert client.get(f"/api/v1/portal/matters/{matter.pk}").status_code == 404
    assert client.get(f"/api/v1/portal/matters/{matter.pk}/messages").status_code == 404


# -- The reproduction: a walled lawyer -------------------------------------------------------


def test_walled_lawyer_cannot_reach_a_walled_off_matter_through_an_invitation(firm):
    secret = make_confidential_with_secrets(firm)
    assert EthicalWall.objects.filter(matter=secret, user=firm.walled).exists()
    own = other_matter(firm, firm.client_party, lead=firm.walled, title="华泰科技另案（立案中）")
    walled = as_user(firm.walled)

    # The form offers the walled lawyer their own matter of this client, never the other.
    page = walled.get("/portal/contacts/", {"party": firm.client_party.pk})
    assert list(page.context["form"].fields["matters"].queryset) == [own]
    assert secret.title not in page.content.decode()

    # Naming the walled-off matter anyway is refused, field by field, nothing created.
    response = walled.post(
        "/portal/contacts/",
        {"party": firm.client_party.pk, "name": "假联系人", "email": "x@evil.example",
         "matters": [secret.pk]},
    )  # fmt: skip
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["matters"]
    assert (ClientContact.objects.count(), len(mail.outbox)) == (0, 0)

    # Inviting for their own matter works, and the contact sees exactly that matter.
    response = walled.post(
        "/portal/contacts/",
        {"party": firm.client_party.pk, "name": "假联系人", "email": "x@evil.example",
         "matters": [own.pk]},
    )  # fmt: skip
    assert response.status_code == 200  # the one-time link page
    contact = ClientContact.objects.get()
    assert list(contact.grants.values_list("matter_id", flat=True)) == [own.pk]
    fake_client = accept_last_invitation()
    assert_portal_shows_nothing_of(fake_client, secret)

    before = Document.objects.filter(matter=secret).count()

    upload = fake_client.post(f"/portal/matters/{secret.pk}/upload/", {"file": pdf_upload()})
    assert upload.status_code == 404
    assert Document.objects.filter(matter=secret).count() == before
    # Once their own matter is accepted (open), it shows; the walled-off one still not.
    open_matter(own)
    home = fake_client.get("/portal/")
    assert [s.matter for s in home.context["summaries"]] == [own]


def test_walled_lawyer_cannot_switch_off_or_reinvite_the_real_client_contact(firm):
    secret = make_confidential_with_secrets(firm)
    other_matter(firm, firm.client_party, lead=firm.walled, title="华泰科技另案（立案中）")
    real = make_contact(firm.client_party, "real-contact", "真联系人", matters=[secret])
    walled = as_user(firm.walled)

    listing = walled.get("/portal/contacts/")
    assert list(listing.context["contacts"]) == []
    assert "真联系人" not in listing.content.decode()
    assert walled.get(f"/portal/contacts/{real.pk}/").status_code == 404
    assert walled.post(f"/portal/contacts/{real.pk}/toggle-active/").status_code == 404
    assert walled.post(f"/portal/contacts/{real.pk}/reinvite/").status_code == 404
    assert walled.post(f"/portal/contacts/{real.pk}/matters/{secret.pk}/revoke/").status_code == 404
    real.user.refresh_from_db()
    assert real.user.is_active is True
    assert (PortalInvitation.objects.count(), len(mail.outbox)) == (0, 0)
    assert list(real.grants.values_list("matter_id", flat=True)) == [secret.pk]
    # The matter's own team still manages the contact.
    assert as_user(firm.lead).post(f"/portal/contacts/{real.pk}/reinvite/").status_code == 200
    assert len(mail.outbox) == 1


# -- The reproduction: an administrator and a confidential matter -----------------------------


def test_admin_cannot_reach_a_confidential_matter_through_an_invitation(firm):
    confidential = open_matter(firm.confidential)
    secret_client = confidential.matter_parties.get().party
    visible = other_matter(firm, secret_client, lead=firm.lead, title="李秘另案")
    admin = as_user(firm.admin)

    page = admin.get("/portal/contacts/", {"party": secret_client.pk})
    assert list(page.context["form"].fields["matters"].queryset) == [visible]
    assert confidential.pk not in [m.pk for m in page.context["form"].fields["matters"].queryset]
    response = admin.post(
        "/portal/contacts/",
        {"party": secret_client.pk, "name": "假联系人", "email": "y@evil.example",
         "matters": [confidential.pk]},
    )  # fmt: skip
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["matters"]
    assert ClientContact.objects.count() == 0

    response = admin.post(
        "/portal/contacts/",
        {"party": secret_client.pk, "name": "假联系人", "email": "y@evil.example",
         "matters": [visible.pk]},
    )  # fmt: skip
    assert response.status_code == 200  # the one-time link page
    fake_client = accept_last_invitation()
    assert_portal_shows_nothing_of(fake_client, confidential)

    # Nor may the administrator manage the confidential matter's real contact.
    real = make_contact(secret_client, "real-secret", "李秘本人", matters=[confidential])
    assert admin.get(f"/portal/contacts/{real.pk}/").status_code == 404
    assert admin.post(f"/portal/contacts/{real.pk}/toggle-active/").status_code == 404
    assert admin.post(f"/portal/contacts/{real.pk}/reinvite/").status_code == 404
    # Nor grant the confidential matter to a contact they do manage.
    own = ClientContact.objects.get(user__email="y@evil.example")
    response = admin.post(f"/portal/contacts/{own.pk}/matters/", {"matter": confidential.pk})
    assert response.status_code == 422
    assert list(own.grants.values_list("matter_id", flat=True)) == [visible.pk]


# -- Scoping to granted matters ----------------------------------------------------------------


def test_contact_granted_matter_a_does_not_see_matter_b_of_the_same_client(firm):
    a = open_matter(firm.matter)
    b = open_matter(other_matter(firm, firm.client_party, lead=firm.lead, title="华泰科技B案"))
    make_document(b, firm.lead, title="B案判决书", shared=True)
    contact = make_contact(firm.client_party, "only-a", "只看A", matters=[a])
    client = as_user(contact.user)

    assert [s.matter for s in client.get("/portal/").context["summaries"]] == [a]
    assert [m["id"] for m in client.get("/api/v1/portal/matters").json()] == [a.pk]
    assert client.get(f"/portal/matters/{a.pk}/").status_code == 200
    assert_portal_shows_nothing_of(client, b)
    response = client.post(
        f"/api/v1/portal/matters/{b.pk}/messages", '{"text": "x"}', content_type="application/json"
    )
    assert response.status_code == 404


def test_granting_and_revoking_a_matter_is_audited_and_on_the_timeline(firm):
    a = open_matter(firm.matter)
    b = open_matter(other_matter(firm, firm.client_party, lead=firm.lead, title="华泰科技B案"))
    contact = make_contact(firm.client_party, "grant-me", "授权联系人", matters=[a])
    lead = as_user(firm.lead)

    page = lead.get(f"/portal/contacts/{contact.pk}/")
    assert page.status_code == 200
    assert [g.matter for g in page.context["grants"]] == [a]
    assert list(page.context["grant_form"].fields["matter"].queryset) == [b]

    response = lead.post(f"/portal/contacts/{contact.pk}/matters/", {"matter": b.pk})
    assert (response.status_code, response["Location"]) == (302, f"/portal/contacts/{contact.pk}/")
    grant = contact.grants.get(matter=b)
    assert (grant.granted_by, grant.granted_at is not None) == (firm.lead, True)
    assert as_user(contact.user).get(f"/portal/matters/{b.pk}/").status_code == 200
    # Granting twice changes nothing.
    lead.post(f"/portal/contacts/{contact.pk}/matters/", {"matter": b.pk})
    assert contact.grants.count() == 2

    response = lead.post(f"/portal/contacts/{contact.pk}/matters/{b.pk}/revoke/")
    assert response.status_code == 302
    assert as_user(contact.user).get(f"/portal/matters/{b.pk}/").status_code == 404
    assert list(contact.grants.values_list("matter_id", flat=True)) == [a.pk]

    events = list(
        AuditEvent.objects.filter(action__startswith="portal.contact_")
        .order_by("id")
        .values_list("action", "matter_id")
    )
    assert events == [("portal.contact_grant", b.pk), ("portal.contact_revoke", b.pk)]
    timeline = list(
        TimelineEntry.objects.filter(matter=b, kind__startswith="portal_")
        .order_by("id")
        .values_list("kind", "data")
    )
    assert timeline == [
        ("portal_grant", {"contact": "授权联系人", "party": firm.client_party.name}),
        ("portal_revoke", {"contact": "授权联系人", "party": firm.client_party.name}),
    ]
    text = lead.get(f"/matters/{b.pk}/").content.decode()
    assert "授权联系人" in text


def test_a_matter_the_party_is_no_longer_client_on_drops_out_of_the_portal(firm):
    a = open_matter(firm.matter)
    contact = make_contact(firm.client_party, "was-client", matters=[a])
    client = as_user(contact.user)
    assert client.get(f"/portal/matters/{a.pk}/").status_code == 200
    MatterParty.objects.filter(matter=a, party=firm.client_party).update(role="third_party")
    assert client.get(f"/portal/matters/{a.pk}/").status_code == 404


def test_grant_only_matters_where_the_party_is_the_client(firm):
    a = open_matter(firm.matter)
    contact = make_contact(firm.client_party, "grant-wrong", matters=[a])
    # The opposing party's own matter, which the lead can see: not this contact's client's.
    wang = open_matter(other_matter(firm, firm.opposing_party, lead=firm.lead, title="王伟另案"))
    response = as_user(firm.lead).post(
        f"/portal/contacts/{contact.pk}/matters/", {"matter": wang.pk}
    )
    assert response.status_code == 422
    assert list(contact.grants.values_list("matter_id", flat=True)) == [a.pk]


def test_portal_services_refuse_a_matter_outside_the_contacts_grants(firm):
    a = open_matter(firm.matter)
    b = open_matter(other_matter(firm, firm.client_party, lead=firm.lead, title="华泰科技B案"))
    contact = make_contact(firm.client_party, "svc", matters=[a])
    with pytest.raises(NotAllowed):
        portal_message_send(contact=contact, matter=b, text="x")
    with pytest.raises(NotAllowed):
        portal_upload(contact=contact, matter=b, upload=pdf_upload())


def test_staff_matter_card_and_reply_mail_only_reach_contacts_granted_the_matter(
    firm, django_capture_on_commit_callbacks
):
    a = open_matter(firm.matter)
    b = open_matter(other_matter(firm, firm.client_party, lead=firm.lead, title="华泰科技B案"))
    on_a = make_contact(firm.client_party, "on-a", "甲联系人", matters=[a])
    make_contact(firm.client_party, "on-b", "乙联系人", matters=[b])
    page = as_user(firm.lead).get(f"/matters/{a.pk}/").content.decode()
    assert ("甲联系人" in page, "乙联系人" in page) == (True, False)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(firm.lead).post(f"/portal/matters/{a.pk}/reply/", {"portal-text": "请补充材料"})
    assert [m.to for m in mail.outbox] == [[on_a.user.email]]


def test_existing_contacts_keep_the_matters_their_party_is_client_on(firm):
    """The data migration grants every existing contact what it saw before the fix."""
    migration = importlib.import_module("lexcase.portal.migrations.0002_clientcontactmatter")
    a = firm.matter
    b = other_matter(firm, firm.client_party, lead=firm.lead, title="华泰科技B案")
    contact = make_contact(firm.client_party, "old", matters=[])
    opposing = make_contact(firm.opposing_party, "old-b", matters=[])
    migration.grant_current_client_matters(apps, None)
    assert sorted(contact.grants.values_list("matter_id", flat=True)) == sorted([a.pk, b.pk])
    assert list(opposing.grants.values_list("matter_id", flat=True)) == []
    assert set(contact.grants.values_list("granted_by", flat=True)) == {contact.invited_by_id}
