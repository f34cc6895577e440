"""Who may add and change parties (finance reads the money of matters, never the party
directory's records)."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import (
    is_active_staff,
    is_assistant,
    is_finance,
    is_firm_admin,
    is_lawyer,
    is_partner,
)

rules.add_perm("parties.add_party", is_active_staff & ~is_finance)
rules.add_perm("parties.change_party", is_active_staff & ~is_finance)
# A person's request for a copy of their data (PIPL Art. 45) is answered by a partner or an
# administrator (lexcase/web/personal_data.py), through the gate and audited.
rules.add_perm("parties.export_personal_data", is_active_staff & (is_firm_admin | is_partner))
# ID and passport numbers are shown masked; those who prepare filings and contracts (lawyers,
# assistants, partners, administrators) may show one in full, and each time is audited
# (parties.services.party_identifiers_show). The party itself is read through the gate.
may_show_identifiers = is_active_staff & (is_firm_admin | is_partner | is_lawyer | is_assistant)
rules.add_perm("parties.show_identifiers", may_show_identifiers)
