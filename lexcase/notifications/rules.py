"""Who may configure the teams' group-robot channels (their webhook URLs and secrets)."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import is_active_staff, is_firm_admin

rules.add_perm("notifications.manage_robots", is_active_staff & is_firm_admin)
