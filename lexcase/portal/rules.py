"""Who may give a client's contact a matter, and who may see or manage a contact.

A contact is a window onto every matter it was granted, so it is treated like those
matters: whoever cannot see one of them through the gate (`lexcase.matters.selectors`)
cannot see the contact either (404), let alone switch it off, re-invite it or change its
grants. Being on the team of *another* matter of the same client admits nothing.
"""

from __future__ import annotations

from typing import Any

import rules

from lexcase.matters.rules import is_active_staff, is_firm_admin, is_member
from lexcase.matters.selectors import matters_visible_to
from lexcase.portal.selectors import (
    contact_for,
    contacts_visible_to,
    grantable_matters,
    portal_bill_matters,
    portal_matters,
)


@rules.predicate
def sees_matter(user: Any, matter: Any) -> bool:
    return matter is not None and matters_visible_to(user).filter(pk=matter.pk).exists()


@rules.predicate
def sees_contact(user: Any, contact: Any) -> bool:
    """Every matter granted to the contact is visible to the user (and the user sees a
    matter of the contact's client at all)."""
    return contacts_visible_to(user=user).filter(pk=contact.pk).exists()


@rules.predicate
def works_for_client(user: Any, contact: Any) -> bool:
    """On the team of a visible matter on which the contact's party is the client."""
    return grantable_matters(user=user, party=contact.party_id, members_only=True).exists()


@rules.predicate
def is_granted_matter(user: Any, matter: Any) -> bool:
    """For a portal user: `matter` is in the portal's gate for their contact."""
    contact = contact_for(user)
    return contact is not None and portal_matters(contact=contact).filter(pk=matter.pk).exists()


@rules.predicate
def sees_bills_of(user: Any, matter: Any) -> bool:
    """For a portal user: `matter` is in the portal's gate for their contact and the grant
    shows its bills (`ClientContactMatter.bills_visible`)."""
    contact = contact_for(user)
    return (
        contact is not None
        and matter is not None
        and portal_bill_matters(contact=contact).filter(pk=matter.pk).exists()
    )


# A matter may be granted to a contact (at invitation or later, and revoked again) by whoever
# sees it and works on it; the service also requires the contact's party to be its client.
rules.add_perm("portal.grant_matter", is_active_staff & sees_matter & (is_member | is_firm_admin))
rules.add_perm("portal.view_contact", is_active_staff & sees_contact)
rules.add_perm(
    "portal.manage_contact", is_active_staff & sees_contact & (is_firm_admin | works_for_client)
)
# A portal user writing into a matter (message, upload): only one the portal shows them.
rules.add_perm("portal.use_matter", is_granted_matter)
# A portal user reading a matter's bills (issued to their party; billing.selectors.client):
# only on a matter the portal shows them whose grant has the bills switched on.
rules.add_perm("portal.view_bills", sees_bills_of)
