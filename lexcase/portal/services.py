"""Writes for the client portal: invitations and matter grants, accepting them, messages
and uploads."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lexcase.accounts.models import Role, User
from lexcase.accounts.selectors import firm_profile
from lexcase.accounts.services import user_anonymise, user_set_active
from lexcase.audit.services import audit_record
from lexcase.billing.money import yuan
from lexcase.comms.services import communication_create
from lexcase.core.exceptions import NotAllowed
from lexcase.documents.services import documents_upload
from lexcase.matters.models import Matter, MatterMember, TimelineEntry, TimelineKind
from lexcase.notifications.kinds import NotificationKind
from lexcase.notifications.services import notification_send
from lexcase.parties.models import Party
from lexcase.portal.models import ClientContact, ClientContactMatter, PortalInvitation
from lexcase.portal.selectors import (
    bill_contacts,
    contacts_visible_to,
    grantable_matters,
    invitable_parties,
    matter_contacts,
)

log = logging.getLogger(__name__)

INVITATION_TTL = timedelta(days=7)
MESSAGE_MAX = 5000


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _invitation_issue(*, actor: User, contact: ClientContact) -> str:
    """A fresh one-time secret for `contact`; earlier unused links stop working."""
    now = timezone.now()
    PortalInvitation.objects.filter(contact=contact, used_at__isnull=True).update(used_at=now)
    raw = secrets.token_urlsafe(32)
    PortalInvitation.objects.create(
        contact=contact,
        token_hash=hash_token(raw),
        created_by=actor,
        expires_at=now + INVITATION_TTL,
    )
    return raw


@dataclass(frozen=True)
class InvitationIssued:
    """A new one-time link: shown once to the inviting lawyer (a firm without working mail
    passes it on by hand) and e-mailed when mail works."""

    contact: ClientContact
    link: str
    mailed: bool
    # The address was already a contact of this client that the inviter sees: no new login,
    # the matters were granted to it (and no link was made).
    existing: bool = False


def _invitation_mail(*, contact: ClientContact, link: str) -> bool:
    firm = firm_profile().display_name
    body = _(
        "Hello %(name)s,\n\n"
        "%(firm)s has opened a client portal account for you (%(party)s).\n"
        "Open this link within 7 days to choose your password; it works once:\n\n"
        "%(link)s\n\n"
        "Your user name is: %(username)s\n"
    ) % {
        "name": contact.user.display_name,
        "firm": firm,
        "party": contact.party.name,
        "link": link,
        "username": contact.user.username,
    }
    try:
        send_mail(
            _("Your %(firm)s client portal invitation") % {"firm": firm},
            body,
            None,
            [contact.user.email],
        )
    except OSError:
        # The invitation stands; staff can send it again once mail works.
        log.exception("portal invitation e-mail to contact %s failed", contact.pk)
        return False
    return True


def _grantable(*, actor: User, party: Party | int, matters: list[Matter]) -> bool:
    """Every one of `matters` is visible to and worked on by `actor`, with `party` as the
    client. Anything else (a hidden matter included) is the same refusal: no existence leak."""
    allowed = set(
        grantable_matters(user=actor, party=party)
        .filter(pk__in=[m.pk for m in matters])
        .values_list("pk", flat=True)
    )
    return all(m.pk in allowed and actor.has_perm("portal.grant_matter", m) for m in matters)


def _grant_refused() -> str:
    return _("Choose matters of this client that you work on.")


def _bills_shown(*, actor: User, contact: ClientContact, matter: Matter) -> None:
    """The grant's bills switched on, recorded as the contact page's switch is."""
    audit_record(
        actor=actor,
        action="portal.contact_bills",
        obj=contact,
        matter_id=matter.pk,
        data={"party": contact.party_id, "visible": True},
    )


def _grant(
    *, actor: User, contact: ClientContact, matter: Matter, bills_visible: bool = False
) -> bool:
    """Grant one matter (checked by the caller); audited and on the matter's timeline. With
    `bills_visible` the grant shows the matter's bills (`portal.contact_bills` recorded); a
    grant that exists already is switched on, never off (an unticked box changes nothing)."""
    _grant_row, created = ClientContactMatter.objects.get_or_create(
        contact=contact,
        matter=matter,
        defaults={"granted_by": actor, "bills_visible": bills_visible},
    )
    if not created:
        if bills_visible and (
            ClientContactMatter.objects.filter(
                contact=contact, matter=matter, bills_visible=False
            ).update(bills_visible=True)
        ):
            _bills_shown(actor=actor, contact=contact, matter=matter)
        return False
    audit_record(
        actor=actor,
        action="portal.contact_grant",
        obj=contact,
        matter_id=matter.pk,
        data={"party": contact.party_id},
    )
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.PORTAL_GRANT,
        data={"contact": contact.user.display_name, "party": contact.party.name},
    )
    if bills_visible:
        _bills_shown(actor=actor, contact=contact, matter=matter)
    return True


@transaction.atomic
def client_contact_invite(
    *,
    actor: User,
    party: Party,
    name: str,
    email: str,
    matters: list[Matter],
    link_for: Any,
    bills_visible: bool = False,
) -> InvitationIssued:
    """Create a portal login for a person at a client party, granted `matters` (each one
    the actor can see and works on, with `party` as its client), and e-mail them a one-time
    link. `link_for(raw_token)` builds the absolute link (the service knows no host name).
    `bills_visible`: the grants also show the matters' bills issued to `party`."""
    if not invitable_parties(user=actor).filter(pk=party.pk).exists():
        raise NotAllowed
    name = name.strip()
    email = email.strip().lower()
    matters = list(dict.fromkeys(matters))
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if not matters:
        errors["matters"] = [_("Choose at least one matter the contact may see.")]
    elif not _grantable(actor=actor, party=party, matters=matters):
        errors["matters"] = [_grant_refused()]
    if errors:
        raise ValidationError(errors)
    # Whether the address already has a login is never told (no account enumeration): a
    # contact of this client that the inviter sees (in their list already) is granted the
    # matters; any other address gets a new login and the same answer.
    known = (
        contacts_visible_to(user=actor)
        .filter(party=party, user__username__iexact=email)
        .select_related("user", "party")
        .first()
    )
    if known is not None:
        for matter in matters:
            _grant(actor=actor, contact=known, matter=matter, bills_visible=bills_visible)
        return InvitationIssued(known, "", False, existing=True)
    user = User(
        username=_free_username(email), email=email, name=name, role=Role.CLIENT, is_active=True
    )
    # No password until the contact accepts the invitation and chooses one.
    user.set_unusable_password()
    user.save()
    contact = ClientContact.objects.create(user=user, party=party, invited_by=actor)
    raw = _invitation_issue(actor=actor, contact=contact)
    audit_record(
        actor=actor,
        action="portal.contact_invite",
        obj=contact,
        data={"party": party.pk, "matters": [m.pk for m in matters]},
    )
    for matter in matters:
        _grant(actor=actor, contact=contact, matter=matter, bills_visible=bills_visible)
    link = link_for(raw)
    return InvitationIssued(contact, link, _invitation_mail(contact=contact, link=link))


def _free_username(email: str) -> str:
    """The address itself when no login has it, else the address with a random suffix (the
    contact reads it in the invitation mail and on the page the link opens; staff pages show
    the address, never the user name, so they tell nobody which it was)."""
    username = email
    while User.objects.filter(username__iexact=username).exists():
        username = f"{email}-{secrets.token_hex(3)}"
    return username


@transaction.atomic
def client_contact_grant(
    *, actor: User, contact: ClientContact, matter: Matter, bills_visible: bool = False
) -> bool:
    """Let the contact see one more matter of its client (and its bills issued to the
    client with `bills_visible`). Returns whether it was new."""
    if not actor.has_perm("portal.manage_contact", contact):
        raise NotAllowed
    if not _grantable(actor=actor, party=contact.party_id, matters=[matter]):
        raise ValidationError({"matter": [_grant_refused()]})
    return _grant(actor=actor, contact=contact, matter=matter, bills_visible=bills_visible)


@transaction.atomic
def client_contact_revoke(*, actor: User, contact: ClientContact, matter: Matter) -> None:
    """Take a matter out of the contact's portal at once; audited and on its timeline."""
    if not (
        actor.has_perm("portal.manage_contact", contact)
        and actor.has_perm("portal.grant_matter", matter)
    ):
        raise NotAllowed
    deleted, _rows = ClientContactMatter.objects.filter(contact=contact, matter=matter).delete()
    if not deleted:
        return
    audit_record(
        actor=actor,
        action="portal.contact_revoke",
        obj=contact,
        matter_id=matter.pk,
        data={"party": contact.party_id},
    )
    TimelineEntry.objects.create(
        matter=matter,
        actor=actor,
        kind=TimelineKind.PORTAL_REVOKE,
        data={"contact": contact.user.display_name, "party": contact.party.name},
    )


@transaction.atomic
def client_contact_bills_set(
    *, actor: User, contact: ClientContact, matter: Matter, visible: bool
) -> bool:
    """Show the contact the bills issued to its client on one granted matter, or stop
    showing them (`ClientContactMatter.bills_visible`); who may revoke the grant may switch
    it. Audited; returns whether anything changed."""
    if not (
        actor.has_perm("portal.manage_contact", contact)
        and actor.has_perm("portal.grant_matter", matter)
    ):
        raise NotAllowed
    changed = (
        ClientContactMatter.objects.filter(contact=contact, matter=matter)
        .exclude(bills_visible=visible)
        .update(bills_visible=visible)
    )
    if changed:
        audit_record(
            actor=actor,
            action="portal.contact_bills",
            obj=contact,
            matter_id=matter.pk,
            data={"party": contact.party_id, "visible": visible},
        )
    return bool(changed)


@transaction.atomic
def client_contact_reinvite(
    *, actor: User, contact: ClientContact, link_for: Any
) -> InvitationIssued:
    if not actor.has_perm("portal.manage_contact", contact):
        raise NotAllowed
    raw = _invitation_issue(actor=actor, contact=contact)
    audit_record(actor=actor, action="portal.contact_reinvite", obj=contact)
    link = link_for(raw)
    return InvitationIssued(contact, link, _invitation_mail(contact=contact, link=link))


def invitation_lookup(*, raw_token: str) -> PortalInvitation | None:
    """The invitation if the link is still good: known, unused, unexpired."""
    if not raw_token or len(raw_token) > 100:
        return None
    return (
        PortalInvitation.objects.select_related("contact__user", "contact__party")
        .filter(
            token_hash=hash_token(raw_token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            # A contact the firm has switched off cannot come back through an old link.
            contact__user__is_active=True,
        )
        .first()
    )


@transaction.atomic
def invitation_accept(*, raw_token: str, password: str, password2: str) -> User:
    invitation = invitation_lookup(raw_token=raw_token)
    if invitation is None:
        raise ValidationError({"__all__": [_("This invitation link is invalid or has expired.")]})
    user = invitation.contact.user
    if password != password2:
        raise ValidationError({"password2": [_("The two passwords do not match.")]})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from None
    now = timezone.now()
    # The guarded update makes the link single-use even when two tabs submit at once.
    claimed = PortalInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=now
    )
    if claimed != 1:
        raise ValidationError({"__all__": [_("This invitation link is invalid or has expired.")]})
    user.set_password(password)
    user.save(update_fields=["password"])
    # A later link (a forgotten password) keeps the date the contact first joined.
    ClientContact.objects.filter(pk=invitation.contact_id, accepted_at__isnull=True).update(
        accepted_at=now
    )
    audit_record(actor=user, action="portal.invitation_accept", obj=invitation.contact)
    return user


def _notify_team(*, matter: Matter, kind: str, text: str, key: str) -> None:

    members = MatterMember.objects.filter(matter=matter, user__is_active=True).select_related(
        "user"
    )
    for member in members:
        notification_send(
            user=member.user,
            kind=kind,
            text=text,
            key=key,
            url=f"/matters/{matter.pk}/",
            matter=matter,
        )


@transaction.atomic
def portal_message_send(*, contact: ClientContact, matter: Matter, text: str) -> Any:
    """A client's message to the team: it is a portal communication on the matter's log
    (inbound), and every member of the matter's team is notified once."""
    if not contact.user.has_perm("portal.use_matter", matter):
        raise NotAllowed
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write a message first.")]})
    if len(text) > MESSAGE_MAX:
        raise ValidationError(
            {"text": [_("Keep a message under %(n)d characters.") % {"n": MESSAGE_MAX}]}
        )
    communication = communication_create(
        actor=contact.user,
        matter=matter,
        channel="portal",
        direction="inbound",
        summary=text,
        participants=[contact.user.display_name],
    )
    audit_record(
        actor=contact.user, action="portal.message_send", obj=communication, matter_id=matter.pk
    )
    _notify_team(
        matter=matter,
        kind=NotificationKind.PORTAL_MESSAGE,
        text=_("%(name)s (%(party)s) wrote on %(matter)s: %(text)s")
        % {
            "name": contact.user.display_name,
            "party": contact.party.name,
            "matter": matter.number,
            "text": text[:200],
        },
        key=f"portal-message:{communication.pk}",
    )
    return communication


@transaction.atomic
def client_contact_set_active(*, actor: User, contact: ClientContact, active: bool) -> None:
    """Switch a contact's portal login off (or back on); their sessions end at once and for
    good (`user_set_active`: a new session stamp, so switching the login on again brings no
    old cookie back)."""
    if not actor.has_perm("portal.manage_contact", contact):
        raise NotAllowed
    user = contact.user
    if user.is_active == active:
        return
    user_set_active(user=user, active=active, actor=actor)
    if not active:
        PortalInvitation.objects.filter(contact=contact, used_at__isnull=True).update(
            used_at=timezone.now()
        )
    audit_record(
        actor=actor,
        action="portal.contact_activate" if active else "portal.contact_deactivate",
        obj=contact,
    )


# -- Documents: through the documents app's own services when it offers them -------------


def portal_upload(*, contact: ClientContact, matter: Matter, upload: Any, title: str = "") -> Any:
    """A client's file goes into the matter's "from client" folder, through the same upload
    service (type sniffing, size limit, hashing, extraction) as a lawyer's."""
    if not contact.user.has_perm("portal.use_matter", matter):
        raise NotAllowed
    # The documents service asks the same portal permission again for a from-client upload.
    (document,) = documents_upload(
        actor=contact.user,
        matter=matter,
        uploads=[upload],
        title=title.strip(),
        from_client=True,
        shared_with_client=False,
    )
    audit_record(actor=contact.user, action="portal.upload", obj=document, matter_id=matter.pk)
    _notify_team(
        matter=matter,
        kind=NotificationKind.PORTAL_MESSAGE,
        text=_("%(name)s (%(party)s) uploaded “%(title)s” to %(matter)s.")
        % {
            "name": contact.user.display_name,
            "party": contact.party.name,
            "title": document.title,
            "matter": matter.number,
        },
        key=f"portal-upload:{document.pk}",
    )
    return document


@transaction.atomic
def client_visibility_set(*, actor: User, obj: Any, visible: bool) -> None:
    """Show a deadline or hearing to the client in the portal, or hide it again. The caller
    has put the row's matter through the gate and checked `matters.change_matter`."""
    if not actor.has_perm("matters.change_matter", obj.matter):
        raise NotAllowed
    if obj.client_visible == visible:
        return
    type(obj).objects.filter(pk=obj.pk).update(client_visible=visible)
    obj.client_visible = visible
    audit_record(
        actor=actor,
        action="portal.share" if visible else "portal.unshare",
        obj=obj,
        matter_id=obj.matter_id,
    )
    if visible:
        day = getattr(obj, "due_date", None) or timezone.localtime(obj.starts_at)
        contacts_notify(
            matter=obj.matter,
            kind=NotificationKind.CLIENT_DATE_CHANGED,
            text=_("A date was added to matter %(number)s: %(what)s, %(date)s")
            % {
                "number": obj.matter.number,
                "what": obj.title or getattr(obj, "court", ""),
                "date": day.strftime("%Y-%m-%d %H:%M") if hasattr(day, "hour") else day,
            },
            key=f"client_date:{type(obj).__name__}:{obj.pk}:{day}",
        )


def contacts_notify(*, matter: Matter, kind: str, text: str, key: str) -> int:
    """Tell the matter's portal contacts (in the portal and by e-mail): those who accepted
    their invitation, are active and still see the matter. Returns how many were told."""
    sent = 0
    for contact in matter_contacts(matter=matter):
        user = contact.user
        if not (
            user.is_active and contact.accepted_at and user.has_perm("portal.use_matter", matter)
        ):
            continue
        # No `matter`: the staff gate does not admit clients; the portal's grant was checked.
        sent += bool(
            notification_send(
                user=user, kind=kind, text=text, key=key, url=f"/portal/matters/{matter.pk}/"
            )
        )
    return sent


def bill_issued_notify(*, bill: Any) -> int:
    """Tell each contact who may see the just-issued `bill` (`selectors.bill_contacts`: the
    bill's client's contacts whose grant of its matter shows bills) in the portal and by
    e-mail, once per bill. The text is written in the firm's language (a contact has no
    language of its own on record; its portal is Chinese unless it switches), never in the
    language of the finance user's page that issued the bill; the e-mail names the bill
    and the matter, not the amount, which is read behind the portal's sign-in. Returns how
    many were told."""
    contacts = bill_contacts(bill=bill)
    if not contacts:
        return 0
    matter = bill.matter
    sent = 0
    for contact in contacts:
        with translation.override(settings.LANGUAGE_CODE):
            facts = {
                "number": bill.number,
                "party": contact.party.name,
                "matter": matter.number,
                "amount": yuan(bill.total),
                "due": bill.due_on.isoformat() if bill.due_on else "—",
            }
            text = (
                _(
                    "Bill %(number)s was issued to %(party)s on matter %(matter)s: %(amount)s, "
                    "due %(due)s."
                )
                % facts
            )
            subject = _("A new bill on matter %(matter)s") % facts
            body = (
                _(
                    "Bill %(number)s was issued to %(party)s on matter %(matter)s.\n"
                    "Sign in to the client portal to read it.\n"
                )
                % facts
            )
        sent += bool(
            notification_send(
                user=contact.user,
                kind=NotificationKind.BILL_ISSUED,
                text=text,
                key=f"bill_issued:{bill.pk}",
                url=f"/portal/bills/{bill.pk}/",
                email_subject=subject,
                email_body=body,
            )
        )
    return sent


@transaction.atomic
def portal_reply_send(*, actor: User, matter: Matter, text: str, portal_url: str) -> Any:
    """The team's answer in the portal thread: an outbound portal communication on the log,
    and an e-mail to each active contact of the matter's clients saying that there is a
    message (never the message itself: it is read behind the portal's sign-in)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write a message first.")]})
    if len(text) > MESSAGE_MAX:
        raise ValidationError(
            {"text": [_("Keep a message under %(n)d characters.") % {"n": MESSAGE_MAX}]}
        )
    communication = communication_create(
        actor=actor, matter=matter, channel="portal", direction="outbound", summary=text
    )
    recipients = [
        c.user.email
        for c in matter_contacts(matter=matter)
        if c.user.is_active and c.accepted_at and c.user.email
    ]

    def mail_contacts() -> None:
        for address in recipients:
            try:
                send_mail(
                    _("New message from your legal team"),
                    _(
                        "Your legal team has written to you about matter %(number)s.\n"
                        "Sign in to the client portal to read it:\n\n%(url)s\n"
                    )
                    % {"number": matter.number, "url": portal_url},
                    None,
                    [address],
                )
            except OSError:
                log.exception("portal reply e-mail for matter %s failed", matter.pk)

    # Only once the message is really on the record.
    transaction.on_commit(mail_contacts)
    return communication


def contacts_anonymise(*, party: Party) -> int:
    """Retention anonymised `party` (lexcase/matters/retention.py): its portal contacts'
    accounts lose their names, e-mail and login and are closed, and their invitation links
    go, so none can open the account again. The grants stay (they record which matters the
    account could see, and name nobody). Runs inside the anonymisation's transaction."""
    contacts = list(ClientContact.objects.filter(party=party).select_related("user"))
    for contact in contacts:
        PortalInvitation.objects.filter(contact=contact).delete()
        user_anonymise(user=contact.user, reason="retention")
    return len(contacts)
