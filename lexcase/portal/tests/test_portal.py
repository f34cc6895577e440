"""Invitations, the client's pages, messages into the communication log, uploads."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lexcase.accounts.models import Role, User
from lexcase.audit.models import AuditEvent
from lexcase.calendar.models import Deadline, Hearing
from lexcase.comms.models import Communication
from lexcase.comms.services import communication_create
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.models import Document
from lexcase.notifications.models import Notification
from lexcase.portal.models import ClientContact, PortalInvitation
from lexcase.portal.services import client_contact_invite, hash_token, invitation_accept
from lexcase.portal.tests.factories import invite_token, pdf_upload

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Fluss-Anker-2026!"
LINK = re.compile(r"http://testserver/portal/invite/([\w-]+)/")


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- Invitations -----------------------------------------------------------------------------


def test_staff_invites_contact_by_email_with_a_one_time_link(firm):
    lead = as_user(firm.lead)
    # Step one: the client; step two offers that client's matters the lead works on.
    step = lead.get("/portal/contacts/", {"party": firm.client_party.pk})
    assert list(step.context["form"].fields["matters"].queryset) == [firm.matter]
    response = lead.post(
        "/portal/contacts/",
        {
            "party": firm.client_party.pk,
            "name": "赵经理",
            "email": "Zhao@Huatai.example",
            "matters": [firm.matter.pk],
        },
    )
    # The link is shown once to the inviter too (a firm without working mail hands it over).
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")
    contact = ClientContact.objects.get()
    assert [(g.matter, g.granted_by) for g in contact.grants.all()] == [(firm.matter, firm.lead)]
    user = contact.user
    assert (user.username, user.email, user.role, user.has_usable_password()) == (
        "zhao@huatai.example",
        "zhao@huatai.example",
        Role.CLIENT,
        False,
    )
    assert (contact.party, contact.invited_by, contact.accepted_at) == (
        firm.client_party,
        firm.lead,
        None,
    )
    assert [m.to for m in mail.outbox] == [["zhao@huatai.example"]]
    raw = LINK.search(mail.outbox[0].body).group(1)
    assert LINK.findall(response.content.decode()) == [raw]
    # Only the hash is stored.
    invitation = PortalInvitation.objects.get()
    assert (invitation.token_hash, raw in invitation.token_hash) == (hash_token(raw), False)
    assert AuditEvent.objects.filter(action="portal.contact_invite").count() == 1

    anonymous = Client()
    assert anonymous.get(f"/portal/invite/{raw}/").status_code == 200
    response = anonymous.post(
        f"/portal/invite/{raw}/", {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, "/portal/")
    assert anonymous.get("/portal/").status_code == 200  # signed in
    user.refresh_from_db()
    contact.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) is True
    assert contact.accepted_at is not None
    # Used once: the same link is dead now.
    assert Client().get(f"/portal/invite/{raw}/").status_code == 404
    # And the chosen password works on the ordinary sign-in page.
    login = Client().post(
        "/accounts/login/", {"login": "zhao@huatai.example", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_invitation_expires_after_seven_days(firm):
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        raw = invite_token(firm)
    with time_machine.travel(datetime(2026, 11, 8, 8, 59, tzinfo=ZoneInfo("Asia/Shanghai"))):
        assert Client().get(f"/portal/invite/{raw}/").status_code == 200
    with time_machine.travel(datetime(2026, 11, 8, 9, 1, tzinfo=ZoneInfo("Asia/Shanghai"))):
        assert Client().get(f"/portal/invite/{raw}/").status_code == 404
        with pytest.raises(ValidationError):
            invitation_accept(raw_token=raw, password=NEW_PASSWORD, password2=NEW_PASSWORD)


def test_a_new_invitation_retires_the_old_link(firm):
    raw = invite_token(firm)
    contact = ClientContact.objects.get()
    as_user(firm.lead).post(f"/portal/contacts/{contact.pk}/reinvite/")
    assert Client().get(f"/portal/invite/{raw}/").status_code == 404
    fresh = LINK.search(mail.outbox[-1].body).group(1)
    assert Client().get(f"/portal/invite/{fresh}/").status_code == 200


def test_accept_refuses_mismatched_or_weak_passwords_and_keeps_the_link(firm):
    raw = invite_token(firm)
    response = Client().post(
        f"/portal/invite/{raw}/", {"password": NEW_PASSWORD, "password2": "other"}
    )
    assert response.status_code == 422
    # In the firm's language: Chinese unless the user switched.
    assert response.context["form"].errors == {"password2": ["两次输入的密码不一致。"]}
    response = Client().post(f"/portal/invite/{raw}/", {"password": "123", "password2": "123"})
    assert response.status_code == 422
    assert "password" in response.context["form"].errors
    assert PortalInvitation.objects.get().used_at is None
    assert ClientContact.objects.get().user.has_usable_password() is False


def test_switched_off_contact_cannot_use_the_link(firm):
    raw = invite_token(firm)
    contact = ClientContact.objects.get()
    as_user(firm.lead).post(f"/portal/contacts/{contact.pk}/toggle-active/")
    contact.user.refresh_from_db()
    assert contact.user.is_active is False
    assert Client().get(f"/portal/invite/{raw}/").status_code == 404


def test_invite_only_for_a_client_on_a_matter_of_ones_own(firm):
    # The opposing party is no client of ours.
    with pytest.raises(NotAllowed):
        client_contact_invite(
            actor=firm.lead,
            party=firm.opposing_party,
            name="王伟",
            email="ww@example.com",
            matters=[firm.matter],
            link_for=str,
        )
    # A lawyer off the matter cannot invite for its client, nor see it in the form.
    with pytest.raises(NotAllowed):
        client_contact_invite(
            actor=firm.outsider,
            party=firm.client_party,
            name="x",
            email="x@example.com",
            matters=[firm.matter],
            link_for=str,
        )
    page = as_user(firm.outsider).get("/portal/contacts/")
    assert list(page.context["client_form"].fields["party"].queryset) == []
    lead_page = as_user(firm.lead).get("/portal/contacts/")
    secret_client = firm.confidential.matter_parties.get().party  # lead's other client
    assert list(lead_page.context["client_form"].fields["party"].queryset) == [
        firm.client_party,
        secret_client,
    ]
    # A matter of another client is refused, by field, whoever's it is.
    with pytest.raises(ValidationError) as refused:
        client_contact_invite(
            actor=firm.lead,
            party=firm.client_party,
            name="x",
            email="x@example.com",
            matters=[firm.confidential],
            link_for=str,
        )
    assert refused.value.message_dict == {
        "matters": ["请只选择您参与办理的、该客户为委托人的案件。"]
    }
    assert ClientContact.objects.count() == 0


def _invite_page(firm, email: str):
    response = as_user(firm.lead).post(
        "/portal/contacts/",
        {"party": firm.client_party.pk, "name": "赵", "email": email, "matters": [firm.matter.pk]},
    )
    contact = ClientContact.objects.get(user__email=email, user__role=Role.CLIENT)
    page = response.content.decode()
    page = re.sub(r"/portal/invite/[\w-]+/", "/portal/invite/LINK/", page)
    page = page.replace(f"/portal/contacts/{contact.pk}/", "/portal/contacts/PK/")
    # What differs on every page (the script nonce, the CSRF token), not by the address.
    page = re.sub(r'(nonce="|value="|"X-CSRFToken": ")[\w-]{16,}', r"\1X", page)
    return response.status_code, page.replace(email, "EMAIL"), contact


def test_an_address_with_a_login_gets_the_same_answer_as_a_new_one(firm):
    """No account enumeration: inviting an address that already has a login (a colleague's,
    another client's contact) answers exactly as a new address does, and still invites the
    person; the existing login is untouched and its user name never shown to staff."""
    colleague = User.objects.create(username="taken@example.com", role=Role.LAWYER)
    taken = _invite_page(firm, "taken@example.com")
    fresh = _invite_page(firm, "fresh@example.com")
    assert taken[:2] == fresh[:2]
    assert taken[0] == 200
    colleague.refresh_from_db()
    assert (
        colleague.role,
        colleague.email,
        ClientContact.objects.filter(user=colleague).exists(),
    ) == (
        Role.LAWYER,
        "",
        False,
    )
    contact = taken[2]
    assert contact.user.username.startswith("taken@example.com-")
    assert contact.user.username not in taken[1]
    # The person invited takes the link in the mail and reads their user name there.
    (message,) = [m for m in mail.outbox if m.to == ["taken@example.com"]]
    raw = re.search(r"/portal/invite/([\w-]+)/", message.body).group(1)
    assert contact.user.username in message.body
    accept = Client().get(f"/portal/invite/{raw}/")
    assert (accept.status_code, contact.user.username in accept.content.decode()) == (200, True)


def test_inviting_a_contact_of_the_client_again_grants_the_matters(firm):
    """An address that is already a contact of this client, in the inviter's list: no second
    login; the chosen matters are granted to it and the inviter is taken to it."""
    client_contact_invite(
        actor=firm.lead,
        party=firm.client_party,
        name="赵",
        email="zhao@example.com",
        matters=[firm.matter],
        link_for=str,
    )
    contact = ClientContact.objects.get()
    contact.grants.all().delete()
    users = User.objects.count()
    response = as_user(firm.lead).post(
        "/portal/contacts/",
        {
            "party": firm.client_party.pk,
            "name": "赵",
            "email": "ZHAO@example.com",
            "matters": [firm.matter.pk],
        },
    )
    assert (response.status_code, response["Location"]) == (302, f"/portal/contacts/{contact.pk}/")
    assert list(contact.grants.values_list("matter_id", flat=True)) == [firm.matter.pk]
    assert (User.objects.count(), ClientContact.objects.count()) == (users, 1)


def test_invite_form_errors_name_the_field_and_change_nothing(firm):
    response = as_user(firm.lead).post(
        "/portal/contacts/",
        {"party": firm.client_party.pk, "name": "赵", "email": "zhao@example.com"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"matters": ["此项为必填项。"]}
    assert (ClientContact.objects.count(), len(mail.outbox)) == (0, 0)


# -- The client's pages ------------------------------------------------------------------------


def test_only_client_visible_future_dates_are_shown(world):
    today = timezone.localdate()
    Deadline.objects.create(
        matter=world.a_matter,
        title="举证期限",
        due_date=today + timedelta(days=5),
        client_visible=True,
    )
    Deadline.objects.create(
        matter=world.a_matter, title="内部复核", due_date=today + timedelta(days=3)
    )
    Deadline.objects.create(
        matter=world.a_matter,
        title="已过期限",
        due_date=today - timedelta(days=1),
        client_visible=True,
    )
    Hearing.objects.create(
        matter=world.a_matter,
        court="朝阳法院",
        starts_at=timezone.now() + timedelta(days=9),
        client_visible=True,
    )
    Hearing.objects.create(
        matter=world.a_matter, court="内部模拟庭", starts_at=timezone.now() + timedelta(days=2)
    )
    response = as_user(world.a.user).get(f"/portal/matters/{world.a_matter.pk}/")
    assert [d.title for d in response.context["deadlines"]] == ["举证期限"]
    assert [h.court for h in response.context["hearings"]] == ["朝阳法院"]
    text = response.content.decode()
    assert ("内部复核" in text, "内部模拟庭" in text) == (False, False)
    home = as_user(world.a.user).get("/portal/")
    summary = home.context["summaries"][0]
    assert (summary.next_deadline.title, summary.next_hearing.court) == ("举证期限", "朝阳法院")


def test_every_portal_page_view_is_audited(world):
    client = as_user(world.a.user)
    client.get("/portal/")
    client.get(f"/portal/matters/{world.a_matter.pk}/")
    client.get(f"/portal/documents/{world.a_shared.pk}/download/")
    events = list(
        AuditEvent.objects.filter(actor=world.a.user)
        .exclude(action="login.success")
        .values_list("action", "matter_id")
    )
    assert events == [
        ("portal.matters", None),
        ("portal.matter_view", world.a_matter.pk),
        ("document.download", world.a_matter.pk),
    ]


def test_download_has_the_staff_download_headers(world):
    response = as_user(world.a.user).get(f"/portal/documents/{world.a_shared.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (response["X-Content-Type-Options"], response["Cache-Control"]) == (
        "nosniff",
        "private, no-store",
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4\n")


# -- Messages land in the communication log and notify the team ------------------------------


def test_message_is_an_inbound_portal_communication_and_notifies_the_team(world):
    response = as_user(world.a.user).post(
        f"/portal/matters/{world.a_matter.pk}/messages/", {"text": "  请问下次开庭是哪天？ "}
    )
    assert response.status_code == 302
    comm = Communication.objects.filter(matter=world.a_matter).get()
    assert (comm.channel, comm.direction, comm.summary, comm.created_by) == (
        "portal",
        "inbound",
        "请问下次开庭是哪天？",
        world.a.user,
    )
    notified = set(
        Notification.objects.filter(kind="portal_message", matter=world.a_matter).values_list(
            "user__username", flat=True
        )
    )
    # The whole team that can see the matter; the deactivated member and outsiders not.
    assert notified == {"lead", "partner", "assistant"}
    assert (
        AuditEvent.objects.filter(action="portal.message_send", matter_id=world.a_matter.pk).count()
        == 1
    )
    # The lawyer sees it in the matter's communication log.
    from lexcase.comms.selectors import matter_communications

    assert [c.summary for c in matter_communications(matter=world.a_matter)] == [
        "请问下次开庭是哪天？"
    ]


def test_empty_message_is_refused_and_nothing_is_logged(world):
    as_user(world.a.user).post(f"/portal/matters/{world.a_matter.pk}/messages/", {"text": "  "})
    response = as_user(world.a.user).post(
        f"/api/v1/portal/matters/{world.a_matter.pk}/messages",
        '{"text": "   "}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"
    assert Communication.objects.filter(matter=world.a_matter).count() == 0
    assert Notification.objects.filter(kind="portal_message").count() == 0


def test_staff_portal_reply_shows_in_the_thread(world):
    communication_create(
        actor=world.firm.lead,
        matter=world.a_matter,
        channel="portal",
        direction="outbound",
        summary="下周二开庭。",
    )
    communication_create(
        actor=world.firm.lead,
        matter=world.a_matter,
        channel="phone",
        direction="outbound",
        summary="电话记录：内部",
    )
    thread = as_user(world.a.user).get(f"/api/v1/portal/matters/{world.a_matter.pk}/messages")
    assert [(m["direction"], m["text"]) for m in thread.json()] == [("outbound", "下周二开庭。")]


# -- Uploads into the "from client" folder ---------------------------------------------------


def test_upload_goes_to_from_client_folder_unshared_and_notifies(world):
    response = as_user(world.a.user).post(
        f"/portal/matters/{world.a_matter.pk}/upload/",
        {"file": pdf_upload("补充证据.pdf"), "title": "补充证据"},
    )
    assert response.status_code == 302
    document = Document.objects.get(title="补充证据")
    assert (
        document.matter,
        document.from_client,
        document.shared_with_client,
        document.created_by,
    ) == (world.a_matter, True, False, world.a.user)
    assert Notification.objects.filter(key=f"portal-upload:{document.pk}").count() == 3
    # Listed back to its uploader, downloadable by them, invisible to client B.
    page = as_user(world.a.user).get(f"/portal/matters/{world.a_matter.pk}/")
    assert [d.title for d in page.context["uploads"]] == ["补充证据"]
    download = f"/portal/documents/{document.pk}/download/"
    assert as_user(world.a.user).get(download).status_code == 200
    assert as_user(world.b.user).get(download).status_code == 404


def test_an_archived_matter_offers_no_upload_form(world):
    """An archived file is read-only: the page says so instead of offering a form whose
    upload is then refused."""
    upload = f"/portal/matters/{world.a_matter.pk}/upload/"
    page = as_user(world.a.user).get(f"/portal/matters/{world.a_matter.pk}/").content.decode()
    assert f'action="{upload}"' in page
    type(world.a_matter).objects.filter(pk=world.a_matter.pk).update(status="archived")
    page = as_user(world.a.user).get(f"/portal/matters/{world.a_matter.pk}/").content.decode()
    assert f'action="{upload}"' not in page
    assert "本案已归档：其文件为只读。" in page


def test_disguised_upload_is_refused(world):
    before = Document.objects.count()
    response = as_user(world.a.user).post(
        f"/portal/matters/{world.a_matter.pk}/upload/",
        {"file": SimpleUploadedFile("合同.pdf", b"MZ\x90\x00" + b"\x00" * 60)},
    )
    assert response.status_code == 422  # the page again, the error beside the file field
    assert Document.objects.count() == before


# -- The gate middleware -------------------------------------------------------------------


def test_portal_user_reaches_static_files_and_logout(world):
    client = as_user(world.a.user)
    assert client.get("/static/lexcase/portal.css").status_code == 200
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")


def test_sign_in_lands_a_client_in_the_portal(world):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "client-a", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1] == ("/portal/", 302)
    assert response.status_code == 200


def test_staff_user_gets_403_on_client_pages(world):
    assert as_user(world.firm.lead).get("/portal/").status_code == 403
    assert as_user(world.firm.lead).get("/api/v1/portal/matters").status_code == 401


def test_lawyer_shows_a_deadline_to_the_client_from_the_matter_page(world):
    f = world.firm
    deadline = Deadline.objects.create(
        matter=world.a_matter, title="举证期限", due_date=timezone.localdate() + timedelta(days=5)
    )
    client = as_user(world.a.user)
    url = f"/portal/matters/{world.a_matter.pk}/"
    assert list(client.get(url).context["deadlines"]) == []
    lead = as_user(f.lead)
    page = lead.get(url.replace("/portal", ""))
    assert f"/portal/deadlines/{deadline.pk}/client-visible/" in page.content.decode()
    response = lead.post(f"/portal/deadlines/{deadline.pk}/client-visible/", {"visible": "1"})
    assert (response.status_code, response["Location"]) == (302, f"/matters/{world.a_matter.pk}/")
    assert [d.title for d in client.get(url).context["deadlines"]] == ["举证期限"]
    assert (
        AuditEvent.objects.filter(action="portal.share", matter_id=world.a_matter.pk).count() == 1
    )
    # Off the matter: the deadline does not exist for them.
    outsider = as_user(f.outsider)
    assert outsider.post(f"/portal/deadlines/{deadline.pk}/client-visible/").status_code == 404
    lead.post(f"/portal/deadlines/{deadline.pk}/client-visible/", {"visible": "0"})
    assert list(client.get(url).context["deadlines"]) == []


def test_portal_api_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.user)
    url = f"/api/v1/portal/matters/{world.a_matter.pk}/messages"
    response = client.post(url, '{"text": "你好"}', content_type="application/json")
    assert response.status_code == 403
    assert Communication.objects.filter(matter=world.a_matter).count() == 0


def test_team_reply_lands_in_the_thread_and_mails_only_this_clients_contacts(
    world, django_capture_on_commit_callbacks
):
    f = world.firm
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(f.lead).post(
            f"/portal/matters/{world.a_matter.pk}/reply/",
            {"portal-text": "请于周五前提交合同原件。"},
        )
    assert (response.status_code, response["Location"]) == (302, f"/matters/{world.a_matter.pk}/")
    comm = Communication.objects.get(matter=world.a_matter)
    assert (comm.channel, comm.direction, comm.created_by) == ("portal", "outbound", f.lead)
    # Client A's contact is told a message waits, without its text; B (the other side) not.
    assert [m.to for m in mail.outbox] == [[world.a.user.email]]
    assert "请于周五前提交合同原件" not in mail.outbox[0].body
    assert f"/portal/matters/{world.a_matter.pk}/" in mail.outbox[0].body
    thread = as_user(world.a.user).get(f"/api/v1/portal/matters/{world.a_matter.pk}/messages")
    assert [(m["direction"], m["text"]) for m in thread.json()] == [
        ("outbound", "请于周五前提交合同原件。")
    ]


def test_empty_team_reply_changes_nothing(world):
    as_user(world.firm.lead).post(
        f"/portal/matters/{world.a_matter.pk}/reply/", {"portal-text": ""}
    )
    assert (Communication.objects.filter(matter=world.a_matter).count(), len(mail.outbox)) == (0, 0)


def test_new_sign_in_link_resets_a_forgotten_password(world):
    joined = world.a.accepted_at
    as_user(world.firm.lead).post(f"/portal/contacts/{world.a.pk}/reinvite/")
    raw = LINK.search(mail.outbox[-1].body).group(1)
    invitation_accept(raw_token=raw, password=NEW_PASSWORD, password2=NEW_PASSWORD)
    world.a.refresh_from_db()
    world.a.user.refresh_from_db()
    assert world.a.user.check_password(NEW_PASSWORD) is True
    assert world.a.user.check_password("correct-horse-battery") is False
    assert world.a.accepted_at == joined


# -- A refused form keeps what was typed; a message is sent once ---------------------------

ALREADY = "此表单已提交并已处理，未重复处理。"


def _once_key(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    key = re.search(r'<input type="hidden" name="once" value="([0-9a-f-]{36})">', form.group(1))
    assert key is not None
    return key.group(1)


def test_a_refused_message_or_upload_comes_back_as_typed(world):
    """A message over the limit, or an upload without its file, was flashed and the client
    sent back to an empty form: a long message was lost. The page comes back with the form
    as typed and the error beside its field (422); nothing is logged or uploaded."""
    client = as_user(world.a.user)
    long_text = "关于补充证据的问题，" * 501  # 5,010 characters, past MESSAGE_MAX
    response = client.post(f"/portal/matters/{world.a_matter.pk}/messages/", {"text": long_text})
    html = response.content.decode()
    assert response.status_code == 422
    assert f">\n{long_text}</textarea>" in html
    assert "确保该变量包含不超过 5000 字符 (目前字符数 5010)。" in html
    response = client.post(
        f"/portal/matters/{world.a_matter.pk}/upload/", {"title": "补充证据（银行流水）"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="补充证据（银行流水）"' in html
    assert "此项为必填项。" in html
    assert Communication.objects.filter(matter=world.a_matter).count() == 0
    assert Document.objects.filter(from_client=True).count() == 0


def test_a_client_message_sent_twice_is_logged_once(world):
    client = as_user(world.a.user)
    page = f"/portal/matters/{world.a_matter.pk}/"
    action = f"/portal/matters/{world.a_matter.pk}/messages/"
    body = {
        "text": "请问下次开庭是哪天？",
        "once": _once_key(client.get(page).content.decode(), action),
    }
    assert client.post(action, body).status_code == 302
    second = client.post(action, body, follow=True)
    assert second.redirect_chain == [(page + "#messages", 302)]
    assert ALREADY in [str(m) for m in second.context["messages"]]
    assert Communication.objects.filter(matter=world.a_matter).count() == 1
    assert Notification.objects.filter(kind="portal_message").count() == 3
    # The next page's form is another message.
    body["once"] = _once_key(client.get(page).content.decode(), action)
    assert client.post(action, body).status_code == 302
    assert Communication.objects.filter(matter=world.a_matter).count() == 2


def test_the_portal_api_sends_a_message_once_per_idempotency_key(world):
    client = as_user(world.a.user)
    url = f"/api/v1/portal/matters/{world.a_matter.pk}/messages"

    def send(key: str):
        headers = {"Idempotency-Key": key} if key else {}
        return client.post(
            url, '{"text": "你好"}', content_type="application/json", headers=headers
        )

    assert [send("m-1").status_code, send("m-1").status_code] == [201, 409]
    assert [send("m-2").status_code, send("").status_code] == [201, 201]
    assert Communication.objects.filter(matter=world.a_matter).count() == 3


def test_a_team_reply_sent_twice_reaches_the_client_once(world):
    client = as_user(world.firm.lead)
    page = f"/matters/{world.a_matter.pk}/"
    action = f"/portal/matters/{world.a_matter.pk}/reply/"
    body = {
        "portal-text": "已收到，下周二开庭。",
        "once": _once_key(client.get(page).content.decode(), action),
    }
    assert client.post(action, body).status_code == 302
    second = client.post(action, body, follow=True)
    assert ALREADY in [str(m) for m in second.context["messages"]]
    assert Communication.objects.filter(matter=world.a_matter, channel="portal").count() == 1


def test_a_client_upload_sent_twice_is_stored_once(world):
    """A double click or a reload of the answer stored the same file twice: the form carries
    a one-time key (core.once), and the second submit stores nothing and says so."""
    client = as_user(world.a.user)
    page = f"/portal/matters/{world.a_matter.pk}/"
    action = f"/portal/matters/{world.a_matter.pk}/upload/"
    key = _once_key(client.get(page).content.decode(), action)
    first = client.post(
        action, {"file": pdf_upload("补充证据.pdf"), "title": "补充证据", "once": key}
    )
    assert first.status_code == 302
    second = client.post(
        action, {"file": pdf_upload("补充证据.pdf"), "title": "补充证据", "once": key}, follow=True
    )
    assert second.redirect_chain == [(page + "#documents", 302)]
    assert "此文件已收到，未重复保存。" in [str(m) for m in second.context["messages"]]
    assert Document.objects.filter(from_client=True).count() == 1
    assert Notification.objects.filter(key__startswith="portal-upload:").count() == 3
    # A refused upload frees its key: the same key with the file goes through.
    refused = as_user(world.a.user)
    other = _once_key(refused.get(page).content.decode(), action)
    assert refused.post(action, {"title": "银行流水", "once": other}).status_code == 422
    again = refused.post(
        action, {"file": pdf_upload("流水.pdf"), "title": "银行流水", "once": other}
    )
    assert again.status_code == 302
    assert Document.objects.filter(from_client=True).count() == 2
