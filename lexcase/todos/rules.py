"""Who may see the firm's workload and keep its checklist templates (tasks themselves follow
their matter's permissions, `matters.change_matter`)."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import is_active_staff, is_firm_admin, is_partner

rules.add_perm("todos.view_workload", is_active_staff & (is_partner | is_firm_admin))
rules.add_perm("todos.manage_checklists", is_active_staff & is_firm_admin)
