"""Access-table rows for the portal (see lexcase/core/tests/access.py), for the eight staff
personas. The portal is not for staff: its client pages answer 403 to every staff user,
the portal API (session of a portal user only) 401. The invitation link works for whoever
holds it. The contacts page is staff-only. A contact is granted explicit matters: seeing or
managing it needs every one of them visible (else 404); granting a matter needs the matter
visible and worked on (else the form refuses it, 422).

The `#` rows replay issue 18: every staff persona works on *another* matter of the client
(the walled partner leads it), which before the fix was enough to invite a contact for
the client, or manage its contacts, and so read a walled-off or confidential matter.

The client personas (client A, client B, anonymous) have their own table in
`test_portal_access.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lexcase.calendar.models import Hearing
from lexcase.core.tests.access import ALL_STAFF_200, LOGIN, MATTER_WRITE, E, Route
from lexcase.matters.models import EthicalWall, MatterMember, MatterType
from lexcase.matters.services import PartyLink, matter_create
from lexcase.portal.tests.factories import invite_token, make_contact
from lexcase.testing import Firm

STAFF_403 = E(LOGIN, LOGIN, *[403] * 6, 404)
API_401 = E(*[401] * 9)
# A contact granted `firm.matter`: its team and the administrator (finance, the outsider and
# the walled partner cannot see the matter).
CONTACT_VIEW = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 200, 404)
CONTACT_ACTION = E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302, 404)
# A contact granted the confidential matter: its members only (the lead; not the admin).
SECRET_CONTACT_VIEW = E(LOGIN, LOGIN, 404, 404, 404, 200, 404, 404, 404)
SECRET_CONTACT_ACTION = E(LOGIN, LOGIN, 404, 404, 404, 302, 404, 404, 404)
# A new one-time link is shown on the answer page (200), once, to whoever may issue it.
REINVITE = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 200, 404)
SECRET_REINVITE = E(LOGIN, LOGIN, 404, 404, 404, 200, 404, 404, 404)
# Granting `firm.matter` / the confidential matter to a contact one may manage.
GRANT_MATTER = E(LOGIN, LOGIN, 422, 422, 302, 302, 422, 302, 404)
GRANT_SECRET = E(LOGIN, LOGIN, 422, 422, 422, 302, 422, 422, 404)


def _token(f: Firm) -> str:
    return invite_token(f)


def _contact(f: Firm, matters: list | None = None, party: object = None) -> int:
    return make_contact(
        party or f.client_party, "contact-row", matters=[f.matter] if matters is None else matters
    ).pk


def _secret_party(f: Firm) -> object:
    return f.confidential.matter_parties.get(role="client").party


def _works_for(f: Firm, party: object) -> object:
    """Another matter of `party` (in intake) on which every staff persona works, led by the
    walled partner; the walled partner is also walled off the confidential matter."""
    matter = matter_create(
        actor=f.lead,
        title="同一客户的另案",
        matter_type=MatterType.CIVIL,
        parties=[PartyLink(party=party, role="client", standing="原告")],
        lead_lawyer=f.walled,
        responsible_partner=f.partner,
    )
    for user in (f.finance, f.outsider, f.assistant, f.lead, f.admin, f.inactive):
        MatterMember.objects.get_or_create(matter=matter, user=user, defaults={"role": "member"})
    EthicalWall.objects.get_or_create(
        matter=f.confidential, user=f.walled, defaults={"reason": "former counsel"}
    )
    return matter


def _invite(party: object, matter: object) -> dict:
    return {"party": party.pk, "name": "张联系", "email": "row@example.com", "matters": [matter.pk]}


def _attack_invite_path(f: Firm, party: object) -> str:
    _works_for(f, party)
    return "/portal/contacts/"


def _attack_contact(f: Firm, secret: bool) -> int:
    """A contact granted the walled-off (or the confidential) matter and another matter of
    the same client, on which every persona works."""
    party = _secret_party(f) if secret else f.client_party
    matters = [f.confidential if secret else f.matter, _works_for(f, party)]
    return _contact(f, matters=matters, party=party)


def _grantee(f: Firm, secret: bool) -> int:
    """A contact granted only the other matter: every persona may manage it."""
    party = _secret_party(f) if secret else f.client_party
    return _contact(f, matters=[_works_for(f, party)], party=party)


def _deadline(f: Firm) -> int:
    # A cycle: test_access_table imports this module while it builds its table.
    from lexcase.core.tests.test_access_table import make_deadline

    return make_deadline(f, "open")


def _hearing(f: Firm) -> int:
    return Hearing.objects.create(
        matter=f.matter, court="朝阳法院", starts_at=datetime(2026, 12, 20, 1, 0, tzinfo=UTC)
    ).pk


TABLE: dict[str, Route] = {
    "portal:home": Route("GET", lambda f: "/portal/", STAFF_403),
    "portal:matter": Route("GET", lambda f: f"/portal/matters/{f.matter.pk}/", STAFF_403),
    "portal:message_send": Route(
        "POST",
        lambda f: f"/portal/matters/{f.matter.pk}/messages/",
        STAFF_403,
        body=lambda f: {"text": "你好"},
    ),
    "portal:upload": Route("POST", lambda f: f"/portal/matters/{f.matter.pk}/upload/", STAFF_403),
    "portal:document_download": Route("GET", lambda f: "/portal/documents/1/download/", STAFF_403),
    "portal:report": Route("GET", lambda f: "/portal/reports/1/", STAFF_403),
    "portal:bills": Route("GET", lambda f: "/portal/bills/", STAFF_403),
    "portal:bill": Route("GET", lambda f: "/portal/bills/1/", STAFF_403),
    "portal:preferences": Route("GET", lambda f: "/portal/notifications/", STAFF_403),
    "portal:preferences#save": Route(
        "POST", lambda f: "/portal/notifications/", STAFF_403, body=lambda f: {}
    ),
    "portal:accept": Route("GET", lambda f: f"/portal/invite/{_token(f)}/", E(*[200] * 8, 404)),
    "portal:contacts": Route("GET", lambda f: "/portal/contacts/", ALL_STAFF_200),
    "portal:contacts#invite into the walled-off matter": Route(
        "POST",
        lambda f: _attack_invite_path(f, f.client_party),
        E(LOGIN, LOGIN, 422, 422, 200, 200, 422, 200, 404),
        body=lambda f: _invite(f.client_party, f.matter),
    ),
    "portal:contacts#invite into the confidential matter": Route(
        "POST",
        lambda f: _attack_invite_path(f, _secret_party(f)),
        E(LOGIN, LOGIN, 422, 422, 422, 200, 422, 422, 404),
        body=lambda f: _invite(_secret_party(f), f.confidential),
    ),
    "portal:contact": Route("GET", lambda f: f"/portal/contacts/{_contact(f)}/", CONTACT_VIEW),
    "portal:contact#granted the walled-off matter": Route(
        "GET", lambda f: f"/portal/contacts/{_attack_contact(f, False)}/", CONTACT_VIEW
    ),
    "portal:contact#granted the confidential matter": Route(
        "GET", lambda f: f"/portal/contacts/{_attack_contact(f, True)}/", SECRET_CONTACT_VIEW
    ),
    "portal:contact_reinvite": Route(
        "POST", lambda f: f"/portal/contacts/{_contact(f)}/reinvite/", REINVITE
    ),
    "portal:contact_reinvite#granted the walled-off matter": Route(
        "POST", lambda f: f"/portal/contacts/{_attack_contact(f, False)}/reinvite/", REINVITE
    ),
    "portal:contact_reinvite#granted the confidential matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_attack_contact(f, True)}/reinvite/",
        SECRET_REINVITE,
    ),
    "portal:contact_toggle": Route(
        "POST", lambda f: f"/portal/contacts/{_contact(f)}/toggle-active/", CONTACT_ACTION
    ),
    "portal:contact_toggle#granted the walled-off matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_attack_contact(f, False)}/toggle-active/",
        CONTACT_ACTION,
    ),
    "portal:contact_toggle#granted the confidential matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_attack_contact(f, True)}/toggle-active/",
        SECRET_CONTACT_ACTION,
    ),
    # A contact granted nothing yet: whoever sees a matter of its client may grant one.
    "portal:contact_grant": Route(
        "POST",
        lambda f: f"/portal/contacts/{_contact(f, matters=[])}/matters/",
        CONTACT_ACTION,
        body=lambda f: {"matter": f.matter.pk},
    ),
    "portal:contact_grant#the walled-off matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_grantee(f, False)}/matters/",
        GRANT_MATTER,
        body=lambda f: {"matter": f.matter.pk},
    ),
    "portal:contact_grant#the confidential matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_grantee(f, True)}/matters/",
        GRANT_SECRET,
        body=lambda f: {"matter": f.confidential.pk},
    ),
    "portal:contact_revoke": Route(
        "POST",
        lambda f: f"/portal/contacts/{_contact(f)}/matters/{f.matter.pk}/revoke/",
        CONTACT_ACTION,
    ),
    "portal:contact_revoke#the walled-off matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_attack_contact(f, False)}/matters/{f.matter.pk}/revoke/",
        CONTACT_ACTION,
    ),
    "portal:contact_revoke#the confidential matter": Route(
        "POST",
        lambda f: (
            f"/portal/contacts/{_attack_contact(f, True)}/matters/{f.confidential.pk}/revoke/"
        ),
        SECRET_CONTACT_ACTION,
    ),
    # Showing a granted matter's bills to the contact (or not): who may revoke the grant.
    "portal:contact_bills": Route(
        "POST",
        lambda f: f"/portal/contacts/{_contact(f)}/matters/{f.matter.pk}/bills/",
        CONTACT_ACTION,
        body=lambda f: {"visible": "1"},
    ),
    "portal:contact_bills#the walled-off matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_attack_contact(f, False)}/matters/{f.matter.pk}/bills/",
        CONTACT_ACTION,
        body=lambda f: {"visible": "1"},
    ),
    "portal:contact_bills#the confidential matter": Route(
        "POST",
        lambda f: f"/portal/contacts/{_attack_contact(f, True)}/matters/{f.confidential.pk}/bills/",
        SECRET_CONTACT_ACTION,
        body=lambda f: {"visible": "1"},
    ),
    # The team answers in the portal thread / decides what the client sees of the dates.
    "portal:reply": Route(
        "POST",
        lambda f: f"/portal/matters/{f.matter.pk}/reply/",
        MATTER_WRITE,
        body=lambda f: {"portal-text": "请补充材料"},
    ),
    "portal:deadline_visibility": Route(
        "POST",
        lambda f: f"/portal/deadlines/{_deadline(f)}/client-visible/",
        MATTER_WRITE,
        body=lambda f: {"visible": "1"},
    ),
    "portal:hearing_visibility": Route(
        "POST",
        lambda f: f"/portal/hearings/{_hearing(f)}/client-visible/",
        MATTER_WRITE,
        body=lambda f: {"visible": "1"},
    ),
    # The portal API: a staff token or session is not a portal session.
    "api:portal_matters": Route("GET", lambda f: "/api/v1/portal/matters", API_401),
    "api:portal_matter": Route("GET", lambda f: f"/api/v1/portal/matters/{f.matter.pk}", API_401),
    "api:portal_messages": Route(
        "GET", lambda f: f"/api/v1/portal/matters/{f.matter.pk}/messages", API_401
    ),
    "api:portal_bills": Route("GET", lambda f: "/api/v1/portal/bills", API_401),
    "api:portal_bill": Route("GET", lambda f: "/api/v1/portal/bills/1", API_401),
    "api:portal_message_send": Route(
        "POST",
        lambda f: f"/api/v1/portal/matters/{f.matter.pk}/messages",
        API_401,
        body=lambda f: {"text": "你好"},
        json=True,
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/portal/matters"): "api:portal_matters",
    ("get", "/api/v1/portal/matters/{matter_id}"): "api:portal_matter",
    ("get", "/api/v1/portal/matters/{matter_id}/messages"): "api:portal_messages",
    ("post", "/api/v1/portal/matters/{matter_id}/messages"): "api:portal_message_send",
    ("get", "/api/v1/portal/bills"): "api:portal_bills",
    ("get", "/api/v1/portal/bills/{bill_id}"): "api:portal_bill",
}
