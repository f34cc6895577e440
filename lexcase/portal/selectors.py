"""The portal's gate: what a client contact may read.

A client contact sees a matter only when it was granted to them (`ClientContactMatter`, by
staff who could see and work on it) *and* their party is still a *client* on it (an
opposing or third-party role admits nothing), and never a matter still in intake (not yet
accepted). Being the client on other matters of the firm admits nothing.
Within such a matter they see only what the firm chose to show: the parties, status and
stage, deadlines and hearings marked client-visible, documents shared with the client and
the portal message thread. Staff selectors (`lexcase.matters.selectors`) admit no client
user at all, so nothing here can widen what staff pages show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lexcase.accounts.models import AnyUser, User
from lexcase.accounts.rules import is_firm_admin, is_portal_user
from lexcase.billing.models import Bill
from lexcase.billing.selectors.client import client_bill_get, client_bills
from lexcase.calendar.models import Deadline, Hearing
from lexcase.comms.models import Channel, Communication, ProgressReport
from lexcase.core.fixedsql import fixed_rows
from lexcase.documents.models import Document
from lexcase.matters.models import Matter, MatterParty, PartyRole, Status
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matters_visible_to, visible_through
from lexcase.parties.models import Party
from lexcase.portal.models import ClientContact, ClientContactMatter

PORTAL_STATUSES = (Status.OPEN, Status.CLOSED, Status.ARCHIVED)
# Roles a client may read on their own matter: their own side, the other side and third
# parties are all named in the pleadings; counsel and "related" rows are the firm's notes.
VISIBLE_PARTY_ROLES = (PartyRole.CLIENT, PartyRole.OPPOSING, PartyRole.THIRD_PARTY)


def contact_for(user: AnyUser) -> ClientContact | None:
    """The contact behind a signed-in portal user, or None for anyone else (cached on the
    user object for the request)."""
    if not is_portal_user(user) or not isinstance(user, User):
        return None
    cache = vars(user)  # the user object lives for one request
    if "_portal_contact" in cache:
        return cast("ClientContact | None", cache["_portal_contact"])
    contact = (
        ClientContact.objects.select_related("party", "user")
        .filter(user=user, accepted_at__isnull=False)
        .first()
    )
    cache["_portal_contact"] = contact
    return contact


def portal_matters(*, contact: ClientContact) -> QuerySet[Matter]:
    granted = Exists(
        ClientContactMatter.objects.filter(contact_id=contact.pk, matter=OuterRef("pk"))
    )
    is_client = Exists(
        MatterParty.objects.filter(
            matter=OuterRef("pk"), party_id=contact.party_id, role=PartyRole.CLIENT
        )
    )
    return Matter.objects.filter(granted, is_client, status__in=PORTAL_STATUSES).order_by(
        "-updated_at", "-id"
    )


def portal_matter_get(*, contact: ClientContact, pk: Any) -> Matter:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    matter = portal_matters(contact=contact).filter(pk=pk).first()
    if matter is None:
        raise Http404
    return matter


def portal_bill_matters(*, contact: ClientContact) -> QuerySet[Matter]:
    """The contact's matters (`portal_matters`) whose grant has the bills switched on."""
    shows_bills = Exists(
        ClientContactMatter.objects.filter(
            contact_id=contact.pk, matter=OuterRef("pk"), bills_visible=True
        )
    )
    return portal_matters(contact=contact).filter(shows_bills)


def portal_bills(*, contact: ClientContact, matter: Matter | None = None) -> QuerySet[Bill]:
    """The bills issued to the contact's party on those matters (billing's client read: no
    draft, no void bill, nobody else's), newest first; of one matter when `matter`."""
    matters = portal_bill_matters(contact=contact)
    if matter is not None:
        matters = matters.filter(pk=matter.pk)
    return client_bills(client_id=contact.party_id, matters=matters)


def portal_bill_get(*, contact: ClientContact, pk: Any) -> Bill:
    """One of `portal_bills`; 404 for any other id."""
    return client_bill_get(
        client_id=contact.party_id, matters=portal_bill_matters(contact=contact), pk=pk
    )


def bill_contacts(*, bill: Bill) -> list[ClientContact]:
    """The contacts who may see `bill` in the portal now: of the bill's client, granted its
    matter with the bills shown, accepted and active, and the bill among their
    `portal_bills` (the portal's gate and billing's client read: issued, theirs)."""
    candidates = (
        ClientContact.objects.filter(
            party_id=bill.client_id,
            accepted_at__isnull=False,
            user__is_active=True,
            grants__matter_id=bill.matter_id,
            grants__bills_visible=True,
        )
        .select_related("user", "party")
        .order_by("pk")
        .distinct()
    )
    return [
        contact
        for contact in candidates
        if portal_bills(contact=contact).filter(pk=bill.pk).exists()
    ]


def portal_bill_matter_get(*, contact: ClientContact, pk: Any) -> Matter:
    """A matter of `portal_bill_matters` (the bills list of one matter); 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    matter = portal_bill_matters(contact=contact).filter(pk=pk).first()
    if matter is None:
        raise Http404
    return matter


def portal_matter_parties(*, matter: Matter) -> QuerySet[MatterParty]:
    return (
        matter.matter_parties.filter(role__in=VISIBLE_PARTY_ROLES)
        .select_related("party")
        .order_by("role", "id")
    )


def portal_deadlines(*, matter: Matter) -> QuerySet[Any]:
    return Deadline.objects.filter(
        matter=matter,
        client_visible=True,
        status=Deadline.Status.OPEN,
        due_date__gte=timezone.localdate(),
    ).order_by("due_date", "due_time", "id")


def portal_hearings(*, matter: Matter) -> QuerySet[Any]:
    return Hearing.objects.filter(
        matter=matter, client_visible=True, starts_at__gte=timezone.now()
    ).order_by("starts_at", "id")


@dataclass(frozen=True)
class MatterSummary:
    matter: Matter
    next_hearing: Any
    next_deadline: Any


def portal_matter_summaries(*, contact: ClientContact) -> list[MatterSummary]:
    rows = []
    for matter in portal_matters(contact=contact):
        rows.append(
            MatterSummary(
                matter=matter,
                next_hearing=portal_hearings(matter=matter).first(),
                next_deadline=portal_deadlines(matter=matter).first(),
            )
        )
    return rows


def portal_documents(*, matter: Matter) -> QuerySet[Any] | list[Any]:
    """Documents the firm shared with the client, plus what the client uploaded."""
    return (
        Document.objects.filter(matter=matter, shared_with_client=True)
        .select_related("current")
        .order_by("-id")
    )


def portal_uploads(*, contact: ClientContact, matter: Matter) -> QuerySet[Any] | list[Any]:
    """What this contact uploaded to the matter (their own files, listed back to them)."""
    return (
        Document.objects.filter(matter=matter, from_client=True, created_by=contact.user)
        .select_related("current")
        .order_by("-id")
    )


def portal_document_get(*, contact: ClientContact, pk: Any) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    mine = Q(from_client=True, created_by=contact.user)
    document = (
        Document.objects.filter(
            Q(shared_with_client=True) | mine, pk=pk, matter__in=portal_matters(contact=contact)
        )
        .select_related("matter", "current")
        .first()
    )
    if document is None or document.current_id is None:
        raise Http404
    return document


def portal_messages(*, matter: Matter) -> QuerySet[Any]:
    """The matter's portal thread: the client's messages and the firm's portal replies."""
    return (
        Communication.objects.filter(matter=matter, channel=Channel.PORTAL)
        .select_related("created_by")
        .order_by("occurred_at", "id")
    )


def portal_message_count(*, matter: Matter) -> int:
    """How many messages `portal_messages` holds (a fixed read: core.fixedsql)."""
    rows: list[Any] = fixed_rows(
        "portal.thread_count",
        lambda m: (
            Communication.objects.filter(matter=m, channel=Channel.PORTAL)
            .values("matter_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        matter,
    )
    return rows[0]["n"] if rows else 0


def portal_reports(*, matter: Matter) -> QuerySet[Any]:
    """Progress reports the firm has sent (a draft never reaches the client)."""
    return ProgressReport.objects.filter(matter=matter, sent_at__isnull=False).order_by(
        "-sent_at", "-id"
    )


# -- Staff side ---------------------------------------------------------------------------


def grantable_matters(
    *, user: User, party: Any = None, members_only: bool = False
) -> QuerySet[Matter]:
    """Matters `user` may grant a client contact: visible through the gate, worked on (a
    team member; an administrator on any matter they can see unless `members_only`), with
    a client (`party`, a Party or its id, when given)."""
    if not is_active_staff(user):
        return Matter.objects.none()
    visible = matters_visible_to(user)
    if members_only or not is_firm_admin(user):
        visible = visible.filter(members__user=user)
    clients = MatterParty.objects.filter(matter=OuterRef("pk"), role=PartyRole.CLIENT)
    if party is not None:
        clients = clients.filter(party_id=getattr(party, "pk", party))
    return visible.filter(Exists(clients)).order_by("-updated_at", "-id")


def invitable_parties(*, user: User) -> QuerySet[Party]:
    """Parties a staff user may invite contacts for: the client on a matter they may grant."""
    return Party.objects.filter(
        Exists(
            MatterParty.objects.filter(
                party=OuterRef("pk"),
                role=PartyRole.CLIENT,
                matter__in=grantable_matters(user=user).order_by(),
            )
        )
    ).order_by("name", "id")


def contacts_visible_to(*, user: AnyUser) -> QuerySet[ClientContact]:
    """Contacts all of whose granted matters `user` can see (a contact shows what its
    matters show, so one hidden matter hides the contact), provided the user sees some
    matter of the contact's client: a granted one, or one the party is the client on (a
    contact with no grant left can then be given one again)."""
    if not is_active_staff(user):
        return ClientContact.objects.none()
    grants = ClientContactMatter.objects.filter(contact=OuterRef("pk"))
    hidden_grant = Exists(grants.exclude(visible_through(user)))
    has_grant = Exists(grants)
    client_on_visible = Exists(
        MatterParty.objects.filter(party=OuterRef("party_id"), role=PartyRole.CLIENT).filter(
            visible_through(user)
        )
    )
    return (
        ClientContact.objects.filter(~Q(hidden_grant), Q(has_grant) | Q(client_on_visible))
        .select_related("user", "party", "invited_by")
        .prefetch_related(
            Prefetch("grants", queryset=ClientContactMatter.objects.select_related("matter"))
        )
        .order_by("party__name", "user__name", "id")
    )


def contact_get(*, user: AnyUser, pk: Any) -> ClientContact:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    contact = contacts_visible_to(user=user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def contact_grants(*, contact: ClientContact) -> QuerySet[ClientContactMatter]:
    """The contact's grants, for staff who passed `contact_get` (so every one is visible)."""
    return contact.grants.select_related("matter", "granted_by").order_by(
        "-matter__updated_at", "-matter_id"
    )


def contact_grant_get(*, contact: ClientContact, matter_pk: Any) -> ClientContactMatter:
    try:
        matter_pk = int(matter_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    grant = contact.grants.select_related("matter").filter(matter_id=matter_pk).first()
    if grant is None:
        raise Http404
    return grant


def matter_contacts(*, matter: Matter) -> QuerySet[ClientContact]:
    """Portal contacts who see this matter: granted it, of a party that is its client (for
    the staff matter page and the team's portal replies)."""
    is_client = Exists(
        MatterParty.objects.filter(matter=matter, party=OuterRef("party_id"), role=PartyRole.CLIENT)
    )
    return (
        ClientContact.objects.filter(is_client, grants__matter=matter)
        .select_related("user", "party")
        .order_by("party__name", "user__name", "id")
    )


def matter_contact_rows(*, matter: Matter) -> list[ClientContact]:
    """`matter_contacts` read (a fixed read: core.fixedsql)."""
    return fixed_rows("portal.matter_contacts", lambda m: matter_contacts(matter=m), matter)


def portal_report_get(*, contact: ClientContact, pk: Any) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    report = (
        ProgressReport.objects.filter(
            pk=pk, sent_at__isnull=False, matter__in=portal_matters(contact=contact)
        )
        .select_related("matter")
        .first()
    )
    if report is None:
        raise Http404
    return report


def hearing_get(*, user: AnyUser, pk: Any) -> Any:
    """A hearing on a matter the staff user can see; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    hearing = (
        Hearing.objects.filter(pk=pk, matter__in=matters_visible_to(user))
        .select_related("matter")
        .first()
    )
    if hearing is None:
        raise Http404
    return hearing
