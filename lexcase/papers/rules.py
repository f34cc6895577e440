"""Who may manage document templates and generate papers."""

from __future__ import annotations

import rules

from lexcase.accounts.rules import is_assistant, is_lawyer, is_partner
from lexcase.matters.rules import is_active_staff, is_firm_admin, is_member

# The firm's templates: administrators upload them; all staff may read and download them.
rules.add_perm("papers.manage_templates", is_active_staff & is_firm_admin)
rules.add_perm("papers.view_templates", is_active_staff)
# Generating papers from a matter (and previewing its merged values): members of the matter
# only (issue 17: ID numbers and fee terms go into the paper).
rules.add_perm("papers.generate", is_active_staff & is_member)
# Assembling the 卷宗 from the matter's documents: members of the matter (the documents
# service refuses archived matters: assemble before archiving).
rules.add_perm("papers.assemble_dossier", is_active_staff & is_member)
# Court SMS / 电子送达 intake: the people who work on matters (not finance).
rules.add_perm(
    "papers.intake_court_message",
    is_active_staff & (is_lawyer | is_partner | is_assistant | is_firm_admin),
)
# Filing a message on a matter by hand: members of that matter, administrators.
rules.add_perm("papers.file_court_message", is_active_staff & (is_member | is_firm_admin))
