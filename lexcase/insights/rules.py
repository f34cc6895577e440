"""Who may read the firm's figures (django-rules predicates; the figures themselves still
count only what the gate shows the reader)."""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.models import Role
from lexcase.matters.rules import is_active_staff


@rules.predicate
def manages_firm(user: Any) -> bool:
    return user.role in (Role.ADMIN, Role.PARTNER)


@rules.predicate
def works_on_matters(user: Any) -> bool:
    # Finance and office staff have no caseload of their own to measure.
    return user.role in (Role.ADMIN, Role.PARTNER, Role.LAWYER, Role.ASSISTANT)


rules.add_perm("insights.view_firm", is_active_staff & manages_firm)
rules.add_perm("insights.view_personal", is_active_staff & works_on_matters)
# Outcome statistics of a matter: anyone who sees the matter (checked by the gate first).
rules.add_perm("insights.view_outcomes", is_active_staff & works_on_matters)
