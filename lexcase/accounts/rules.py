"""The firm's roles as named predicates (django-rules): the one place that compares a user's
role. Every other app asks these predicates, or permissions built from them in its own
rules.py, and never reads `user.role` itself.

"Active staff" is defined here once: signed in, active, and working at the firm (every role
but the portal's client contacts)."""

from __future__ import annotations

from typing import Any

import rules
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings

from lexcase.accounts.models import STAFF_ROLES, Role

# Who may lead a matter (its lead lawyer) and who may answer for it (its responsible
# partner); fee earners are the people whose legal work a fee prices and whose load the
# workload page weighs.
LEAD_LAWYER_ROLES = frozenset({Role.LAWYER, Role.PARTNER, Role.ADMIN})
RESPONSIBLE_PARTNER_ROLES = frozenset({Role.PARTNER, Role.ADMIN})
FEE_EARNER_ROLES = frozenset({Role.LAWYER, Role.PARTNER})
# Everyone at the firm but finance works on matters (finance sees their money only).
MATTER_WORKER_ROLES = frozenset(STAFF_ROLES - {Role.FINANCE})


def _role(user: Any) -> str | None:
    return getattr(user, "role", None)


@rules.predicate
def is_active_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and _role(user) in STAFF_ROLES)


@rules.predicate
def is_firm_admin(user: Any) -> bool:
    return _role(user) == Role.ADMIN


@rules.predicate
def is_partner(user: Any) -> bool:
    return _role(user) == Role.PARTNER


@rules.predicate
def is_lawyer(user: Any) -> bool:
    return _role(user) == Role.LAWYER


@rules.predicate
def is_assistant(user: Any) -> bool:
    return _role(user) == Role.ASSISTANT


@rules.predicate
def is_finance(user: Any) -> bool:
    return _role(user) == Role.FINANCE


@rules.predicate
def is_client_contact(user: Any) -> bool:
    """A client's contact person: signs in to the portal only (whether active or not)."""
    return _role(user) == Role.CLIENT


@rules.predicate
def is_portal_user(user: Any) -> bool:
    """A signed-in, active client contact."""
    return bool(user and user.is_authenticated and user.is_active and is_client_contact(user))


@rules.predicate
def is_collaborator(user: Any) -> bool:
    """An outside helper (外包/临时人员), whether active or not."""
    return _role(user) == Role.COLLABORATOR


@rules.predicate
def is_active_collaborator(user: Any) -> bool:
    """A signed-in, active outside helper: reaches only lexcase/collab's own pages."""
    return bool(user and user.is_authenticated and user.is_active and is_collaborator(user))


@rules.predicate
def has_lead_lawyer_role(user: Any) -> bool:
    return _role(user) in LEAD_LAWYER_ROLES


@rules.predicate
def has_responsible_partner_role(user: Any) -> bool:
    return _role(user) in RESPONSIBLE_PARTNER_ROLES


@rules.predicate
def is_fee_earner(user: Any) -> bool:
    return _role(user) in FEE_EARNER_ROLES


@rules.predicate
def may_end_sessions(actor: Any, user: Any = None) -> bool:
    """Ending someone's sessions (a lost laptop, a departure) is an administrator's act."""
    return bool(actor and actor.is_authenticated and actor.is_active and is_firm_admin(actor))


rules.add_perm("accounts.end_sessions", may_end_sessions)
rules.add_perm("accounts.manage_users", is_active_staff & is_firm_admin)
# The firm's teams (who is in each) and practice areas: the managing partner's (主任, the
# administrator role) settings, beside users.
rules.add_perm("accounts.manage_organisation", is_active_staff & is_firm_admin)


@rules.predicate
def may_edit_firm_profile(actor: Any) -> bool:
    """The firm's name, particulars and firm-wide exceptions are an administrator's."""
    return bool(actor and actor.is_authenticated and actor.is_active and is_firm_admin(actor))


rules.add_perm("accounts.change_firmprofile", may_edit_firm_profile)


@rules.predicate
def is_token_owner(actor: Any, token: Any = None) -> bool:
    return bool(token is not None and actor and actor.pk == token.user_id)


@rules.predicate
def is_active_admin(actor: Any, obj: Any = None) -> bool:
    return bool(actor and actor.is_authenticated and actor.is_active and actor.role == Role.ADMIN)


# Owners revoke their own tokens; administrators any (a departure, a leak).
rules.add_perm("accounts.revoke_token", is_token_owner | is_active_admin)
rules.add_perm("accounts.list_all_tokens", is_active_admin)


@rules.predicate
def mfa_required_for(user: Any) -> bool:
    """The firm requires a second factor of this user's role (LEXCASE_MFA_REQUIRED_ROLES)."""
    required = settings.LEXCASE_MFA_REQUIRED_ROLES
    if not (user and user.is_authenticated):
        return False
    return "all" in required or user.role in required


# What counts as the required second factor: an authenticator app or a security key
# (recovery codes only back them up).
SECOND_FACTORS = ["totp", "webauthn"]


@rules.predicate
def second_factor_pending(user: Any) -> bool:
    """The user's role must have a second factor (LEXCASE_MFA_REQUIRED_ROLES) and they have
    none yet — never enrolled, or reset by an administrator after a lost phone. Until they
    enrol they may do nothing but enrol: every page sends them there
    (`MfaEnrolmentMiddleware`), and neither an API token nor the calendar feed's secret URL
    stands in for the second factor (`lexcase.api.api.BearerToken`,
    `lexcase.calendar.views.feed_ics`)."""
    return bool(
        user is not None and mfa_required_for(user) and not is_mfa_enabled(user, SECOND_FACTORS)
    )


# Unlocking a throttled sign-in is an administrator's act (audited).
rules.add_perm("accounts.unlock_login", is_active_admin)


@rules.predicate
def may_reset_second_factor(actor: Any, user: Any = None) -> bool:
    """Removing someone's second factor (a lost or replaced phone) is an administrator's act,
    and never on their own account: an administrator who lost theirs asks another one, so
    one stolen password never suffices to strip the factor that protects it."""
    return bool(
        actor
        and actor.is_authenticated
        and actor.is_active
        and is_firm_admin(actor)
        and (user is None or user.pk != actor.pk)
    )


rules.add_perm("accounts.reset_second_factor", may_reset_second_factor)
