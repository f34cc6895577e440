"""Who may change a matter's documents (seeing them is the selectors' job)."""

from __future__ import annotations

import rules

from lexcase.matters.rules import is_active_staff, is_firm_admin, is_member, leads_matter

# The matter object is the rule's target, so the check works before a document exists.
rules.add_perm("documents.upload", is_active_staff & (is_member | is_firm_admin))
rules.add_perm("documents.change", is_active_staff & (is_member | is_firm_admin))
rules.add_perm("documents.delete", is_active_staff & (leads_matter | is_firm_admin))
