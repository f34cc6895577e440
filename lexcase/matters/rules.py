"""Who may change what on a matter they can already see (visibility is the selectors' job)."""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.models import STAFF_ROLES, Role
from lexcase.matters.models import MatterMember, MemberRole


@rules.predicate
def is_active_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in STAFF_ROLES)


@rules.predicate
def is_firm_admin(user: Any) -> bool:
    return user.role == Role.ADMIN


@rules.predicate
def is_partner(user: Any) -> bool:
    return user.role == Role.PARTNER


@rules.predicate
def can_create(user: Any) -> bool:
    return user.role != Role.FINANCE


def _role_on(user: Any, matter: Any) -> str | None:
    cache = getattr(matter, "_member_roles", None)
    if cache is None:
        cache = dict(MatterMember.objects.filter(matter=matter).values_list("user_id", "role"))
        matter._member_roles = cache
    return cache.get(user.pk)


@rules.predicate
def is_member(user: Any, matter: Any) -> bool:
    return _role_on(user, matter) is not None


@rules.predicate
def leads_matter(user: Any, matter: Any) -> bool:
    return _role_on(user, matter) in (MemberRole.RESPONSIBLE_PARTNER, MemberRole.LEAD)


@rules.predicate
def is_responsible_partner(user: Any, matter: Any) -> bool:
    return _role_on(user, matter) == MemberRole.RESPONSIBLE_PARTNER


rules.add_perm("matters.add_matter", is_active_staff & can_create)
rules.add_perm("matters.change_matter", is_active_staff & (is_member | is_firm_admin))
rules.add_perm("matters.open_matter", is_active_staff & (is_partner | is_firm_admin))
rules.add_perm("matters.close_matter", is_active_staff & (leads_matter | is_firm_admin))
rules.add_perm("matters.manage_team", is_active_staff & (leads_matter | is_firm_admin))
rules.add_perm("matters.manage_walls", is_active_staff & (is_responsible_partner | is_firm_admin))
rules.add_perm("parties.add_party", is_active_staff & can_create)
rules.add_perm("parties.change_party", is_active_staff & can_create)
rules.add_perm("accounts.manage_users", is_active_staff & is_firm_admin)
