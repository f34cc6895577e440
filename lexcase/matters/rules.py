"""Who may change what on a matter they can already see (visibility is the selectors' job)."""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.rules import (
    is_active_staff,
    is_finance,
    is_firm_admin,
    is_partner,
)
from lexcase.matters.models import MatterMember, MemberRole, Status

# Finance reads the money of matters; everyone else on staff may open intakes and parties.
can_create = ~is_finance

# The confidentiality gate: partners and administrators see every matter that is not
# confidential (members see theirs); finance and administrators see the money of every
# matter (lexcase.matters.selectors).
sees_every_open_file = is_partner | is_firm_admin
sees_all_money = is_finance | is_firm_admin


def _role_on(user: Any, matter: Any) -> str | None:
    cache = getattr(matter, "_member_roles", None)
    if cache is None:
        cache = dict(MatterMember.objects.filter(matter=matter).values_list("user_id", "role"))
        matter._member_roles = cache
    return cache.get(user.pk)


def member_roles_known(matter: Any, roles: dict[int, str]) -> None:
    """The team's roles, already read by the caller (the matter page reads the team)."""
    matter._member_roles = roles


@rules.predicate
def is_member(user: Any, matter: Any) -> bool:
    return _role_on(user, matter) is not None


@rules.predicate
def leads_matter(user: Any, matter: Any) -> bool:
    return _role_on(user, matter) in (MemberRole.RESPONSIBLE_PARTNER, MemberRole.LEAD)


@rules.predicate
def is_responsible_partner(user: Any, matter: Any) -> bool:
    return _role_on(user, matter) == MemberRole.RESPONSIBLE_PARTNER


# -- field-level rights on the matter write API and the edit form ----------------------------

# The role a user holds on a matter for the purpose of editing it. A firm administrator acts
# as "admin" whether or not on the team (the gate still decides whether they reach it); a
# finance user on the team acts as "finance" whatever the team role says.
MATTER_ROLE_ADMIN = "admin"
MATTER_ROLE_FINANCE = "finance"

_EDITORS = frozenset(
    {
        MATTER_ROLE_ADMIN,
        MemberRole.RESPONSIBLE_PARTNER,
        MemberRole.LEAD,
        MemberRole.MEMBER,
        MemberRole.ASSISTANT,
        MATTER_ROLE_FINANCE,
    }
)
_LEADS = frozenset({MATTER_ROLE_ADMIN, MemberRole.RESPONSIBLE_PARTNER, MemberRole.LEAD})
_TEAM = frozenset(_LEADS | {MemberRole.MEMBER, MemberRole.ASSISTANT})

# Field → the matter roles that may change it. Descriptive fields are the whole team's;
# what drives procedure, deadlines, SLAs and fees (type, priority, amount, outcome, practice
# area) is the leads'; finance keeps the amount. "confidential" here means raising it: anyone
# who may edit a matter may make it confidential. Lowering it is `may_lower_confidentiality`.
MATTER_FIELD_RIGHTS: dict[str, frozenset[str]] = {
    "title": _TEAM,
    "matter_type": _LEADS,
    "cause": _TEAM,
    "practice_area": _LEADS,
    "summary": _TEAM,
    "priority": _LEADS,
    "amount": _LEADS | {MATTER_ROLE_FINANCE},
    "court": _TEAM,
    "confidential": _EDITORS,
    "outcome": _LEADS,
}
CONFIDENTIALITY_LOWERERS = frozenset({MATTER_ROLE_ADMIN, MemberRole.RESPONSIBLE_PARTNER})


def matter_role(user: Any, matter: Any) -> str | None:
    """The user's role on the matter for the field table (None: not an editor)."""
    if not is_active_staff(user):
        return None
    if is_firm_admin(user):
        return MATTER_ROLE_ADMIN
    role = _role_on(user, matter)
    if role is None:
        return None
    return MATTER_ROLE_FINANCE if is_finance(user) else role


@rules.predicate
def may_lower_confidentiality(user: Any, matter: Any) -> bool:
    """Making a confidential matter visible to every partner is the responsible partner's or
    an administrator's act (and the service asks them for a reason)."""
    return matter_role(user, matter) in CONFIDENTIALITY_LOWERERS


def may_change_field(user: Any, matter: Any, field: str, value: Any = None) -> bool:
    """May `user` set `field` of `matter` to `value`? (For "confidential", False on a
    confidential matter is lowering it.)"""
    if field == "confidential" and matter.confidential and not value:
        return bool(may_lower_confidentiality(user, matter))
    return matter_role(user, matter) in MATTER_FIELD_RIGHTS.get(field, frozenset())


def matter_fields_editable(user: Any, matter: Any) -> list[str]:
    """The fields the user may change now, in table order; "confidential" when they may
    flip it from its current value. An archived matter is read-only."""
    if matter.status == Status.ARCHIVED:
        return []
    return [
        field
        for field in MATTER_FIELD_RIGHTS
        if may_change_field(
            user, matter, field, (not matter.confidential) if field == "confidential" else None
        )
    ]


rules.add_perm("matters.add_matter", is_active_staff & can_create)
rules.add_perm("matters.change_matter", is_active_staff & (is_member | is_firm_admin))
rules.add_perm("matters.open_matter", is_active_staff & (is_partner | is_firm_admin))
rules.add_perm("matters.close_matter", is_active_staff & (leads_matter | is_firm_admin))
rules.add_perm("matters.manage_team", is_active_staff & (leads_matter | is_firm_admin))
rules.add_perm("matters.lower_confidentiality", may_lower_confidentiality)
rules.add_perm("matters.manage_walls", is_active_staff & (is_responsible_partner | is_firm_admin))
rules.add_perm("matters.import_matters", is_active_staff & is_firm_admin)
# The archive room is kept by partners and administrators, who may also close a file over
# an unfinished closing checklist; the firm's checklist and retention classes are the
# administrators'.
rules.add_perm("matters.view_archive_room", is_active_staff & (is_partner | is_firm_admin))
rules.add_perm("matters.override_closing_checklist", is_active_staff & (is_partner | is_firm_admin))
rules.add_perm("matters.manage_archive_settings", is_active_staff & is_firm_admin)

# Personal data (lexcase/matters/retention.py): a legal hold stops anonymisation of a matter's
# parties; setting or releasing it is the responsible partner's or an administrator's act.
rules.add_perm("matters.set_legal_hold", is_active_staff & (is_responsible_partner | is_firm_admin))
# Consent to a sensitive field is recorded by those who collect it (not finance); the party
# object has passed the gate first.
rules.add_perm("matters.record_consent", is_active_staff & ~is_finance)


@rules.predicate
def sees_every_matter_of_party(user: Any, party: Any) -> bool:
    """The party is on no matter hidden from `user` (walled off, confidential and off the
    team, or simply not theirs). Its record is one for all its matters: a change (its name,
    aliases, identifiers, relations) reaches the search entries and conflict checks of
    every one of them, so only someone who sees them all may make it."""
    from lexcase.matters.selectors import party_on_hidden_matter  # selectors import rules

    return party is not None and not party_on_hidden_matter(user=user, party=party)


# Editing a party and adding its relations (the party page): staff but finance, who see every
# matter the party is on (docs/security.md, "A party on matters hidden from its editor").
rules.add_perm("matters.change_party", is_active_staff & ~is_finance & sees_every_matter_of_party)
