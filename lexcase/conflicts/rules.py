"""Who may review an intake's conflict check, keep staff relatives, and run conflict checks
outside an intake (ad-hoc checks: the page and the API).

Every intake is checked whoever registers it; an ad-hoc check is a search of the whole firm's
history by name, so the firm chooses the roles that may run one
(`LEXCASE_CONFLICT_CHECK_ROLES`, default lawyers, partners and administrators)."""

from __future__ import annotations

from typing import Any

import rules
from django.conf import settings

from lexcase.accounts.rules import is_firm_admin, is_partner
from lexcase.accounts.selectors import firm_profile
from lexcase.matters.rules import can_create, is_active_staff

DEFAULT_ADHOC_ROLES = ("lawyer", "partner", "admin")


def adhoc_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "LEXCASE_CONFLICT_CHECK_ROLES", DEFAULT_ADHOC_ROLES))


@rules.predicate
def has_adhoc_check_role(user: Any) -> bool:
    return user.role in adhoc_roles()


@rules.predicate
def is_self(user: Any, other: Any) -> bool:
    return bool(other is not None and getattr(other, "pk", None) == user.pk)


rules.add_perm("conflicts.check_adhoc", is_active_staff & can_create & has_adhoc_check_role)


def self_review_allowed() -> bool:
    """A sole-partner firm (set by an administrator in the firm profile) lets a partner
    review an intake they registered, with a reason, since nobody else can."""
    return firm_profile().sole_partner_self_review


# A partner or an administrator decides on an intake's check (never the requester alone: the
# service checks that and what the reviewer can see).
rules.add_perm("conflicts.review", is_active_staff & (is_partner | is_firm_admin))
# Each person records their own family (Art. 52(1)); an administrator may correct anyone's.
rules.add_perm("conflicts.manage_relatives", is_active_staff & (is_self | is_firm_admin))
rules.add_perm("conflicts.manage_all_relatives", is_active_staff & is_firm_admin)
