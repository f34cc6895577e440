"""Who may do what with reviews and surveys (django-rules; visibility is the gate's job)."""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.models import Role
from lexcase.accounts.rules import is_partner
from lexcase.matters.models import MemberRole
from lexcase.matters.rules import (
    is_active_staff,
    is_firm_admin,
    is_member,
    is_responsible_partner,
    leads_matter,
)
from lexcase.matters.selectors import member_role


@rules.predicate
def is_reviewer(user: Any, review: Any) -> bool:
    return review is not None and review.reviewer_id == user.pk


@rules.predicate
def is_responsible_partner_of_review(user: Any, review: Any) -> bool:
    return review is not None and bool(is_responsible_partner(user, review.matter))


@rules.predicate
def is_firm_admin_on_review(user: Any, review: Any) -> bool:
    return bool(is_firm_admin(user))


@rules.predicate
def may_review_on_team(user: Any, matter: Any) -> bool:
    """A delegated reviewer must be on the team (so follow-up tasks can be created) and not
    an assistant or finance."""
    on_team = member_role(matter=matter, user=user) in (
        MemberRole.RESPONSIBLE_PARTNER,
        MemberRole.LEAD,
        MemberRole.MEMBER,
    )
    return on_team and user.role in (Role.LAWYER, Role.PARTNER, Role.ADMIN)


# Completing a review: its reviewer, the responsible partner, or an administrator.
rules.add_perm(
    "reviews.complete_review",
    is_active_staff & (is_reviewer | is_responsible_partner_of_review | is_firm_admin_on_review),
)
# Recording an unscheduled review: the responsible partner or an administrator.
rules.add_perm("reviews.record_review", is_active_staff & (is_responsible_partner | is_firm_admin))
# Asking for the closing review: the leads (who close the matter) and administrators.
rules.add_perm("reviews.request_closing", is_active_staff & (leads_matter | is_firm_admin))
# Handing the matter's reviews to someone else: the responsible partner, an administrator.
rules.add_perm("reviews.delegate", is_active_staff & (is_responsible_partner | is_firm_admin))
# Who can be handed them (checked on the delegate, with the matter).
rules.add_perm("reviews.be_reviewer", is_active_staff & may_review_on_team)


@rules.predicate
def is_approver(user: Any, approval: Any) -> bool:
    return approval is not None and approval.approver_id == user.pk


@rules.predicate
def is_responsible_partner_of_approval(user: Any, approval: Any) -> bool:
    return approval is not None and bool(is_responsible_partner(user, approval.matter))


# The approval inbox is the partners' (and administrators') page.
rules.add_perm("reviews.view_approvals", is_active_staff & (is_partner | is_firm_admin))
# Seal requests: anyone on the team (or an administrator) asks; archiving: the leads.
rules.add_perm("reviews.request_seal", is_active_staff & (is_member | is_firm_admin))
rules.add_perm("reviews.request_archiving", is_active_staff & (leads_matter | is_firm_admin))
# Deciding: the partner asked (the responsible partner when the request was made) or the
# matter's responsible partner now.
rules.add_perm(
    "reviews.decide_approval",
    is_active_staff & (is_approver | is_responsible_partner_of_approval),
)
