"""Who may enter the State Council's holiday calendar, from which every computed deadline is
recomputed (deadlines and hearings themselves follow `matters.change_matter`)."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import is_active_staff, is_firm_admin

rules.add_perm("calendar.manage_holidays", is_active_staff & is_firm_admin)
