"""Who may invite outside helpers, and what a helper may do (lexcase/collab)."""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.rules import has_lead_lawyer_role, is_active_collaborator, is_active_staff
from lexcase.collab.selectors import MANAGED_MATTER_STATUSES, has_live_task_on
from lexcase.matters.rules import is_member


@rules.predicate
def matter_not_ended(user: Any, matter: Any) -> bool:
    return bool(matter is not None and matter.status in MANAGED_MATTER_STATUSES)


@rules.predicate
def has_live_task_on_matter(user: Any, matter: Any) -> bool:
    return bool(matter is not None and has_live_task_on(user=user, matter=matter))


# A lawyer on the matter's team (a lawyer, partner or administrator by role, and a member of
# the team: the gate alone is not enough, so a partner who merely sees a non-confidential
# matter cannot bring outsiders into it), until the matter is closed or archived. The object
# is the matter. An intake (conflict review pending) is refused by `collaboration_invite`
# with a field error rather than here, so the team sees the page and why.
may_invite = is_active_staff & has_lead_lawyer_role & is_member & matter_not_ended
rules.add_perm("collab.invite", may_invite)
# Attaching a matter's document to a task shares it with the task's helpers: the same people.
rules.add_perm("collab.share_document", may_invite)
# An outside helper delivers into a matter only through a task of a live invitation.
rules.add_perm("collab.upload_deliverable", is_active_collaborator & has_live_task_on_matter)
