"""Who may set the firm's client-update intervals and the progress-report template (a
matter's own communications follow `matters.change_matter`)."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import is_active_staff, is_firm_admin

rules.add_perm("comms.manage_settings", is_active_staff & is_firm_admin)
