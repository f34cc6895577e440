"""Who may add and change parties (finance reads the money of matters, never the party
directory's records)."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import is_active_staff, is_finance

rules.add_perm("parties.add_party", is_active_staff & ~is_finance)
rules.add_perm("parties.change_party", is_active_staff & ~is_finance)
