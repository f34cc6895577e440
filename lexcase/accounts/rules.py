"""Who may act on user accounts (autodiscovered by django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.models import Role


@rules.predicate
def may_end_sessions(actor: Any, user: Any = None) -> bool:
    """Ending someone's sessions (a lost laptop, a departure) is an administrator's act."""
    return bool(actor and actor.is_authenticated and actor.is_active and actor.role == Role.ADMIN)


rules.add_perm("accounts.end_sessions", may_end_sessions)


@rules.predicate
def may_edit_firm_profile(actor: Any) -> bool:
    """The firm's name, particulars and firm-wide exceptions are an administrator's."""
    return bool(actor and actor.is_authenticated and actor.is_active and actor.role == Role.ADMIN)


rules.add_perm("accounts.change_firmprofile", may_edit_firm_profile)
