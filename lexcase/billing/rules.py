"""Who may do what with the firm's money: every check is a named permission, asked by name
(`user.has_perm("billing.record_payment")`, `{% if perms.billing.issue_bill %}`).

Whose money a user may *see* is the money gate's business
(`lexcase.matters.selectors.matters_money_visible_to`): an invisible matter is 404 before any
of these is asked; these decide 403 on a visible one.

- Lawyers on a matter propose its fee agreements and record time and expenses on it
  (assistants record time and expenses, they do not propose fees).
- An agreement whose expected total is above LEXCASE_BILLING["approval_threshold"] is
  approved by a partner (or an administrator) other than its proposer; below it, the
  matter's lead lawyer or responsible partner approves.
- Only finance records payments, client funds and invoices (and their reversals, 红冲)
  and draws, issues and voids bills (律师法 Art. 25: the firm collects every fee; Art. 40:
  never a lawyer privately).
"""

from __future__ import annotations

from typing import Any

import rules

from lexcase.accounts.rules import (
    is_active_staff,
    is_finance,
    is_firm_admin,
    is_lawyer,
    is_partner,
)
from lexcase.matters.rules import is_member, is_responsible_partner, leads_matter


def _matter(obj: Any) -> Any:
    """Agreement-level permissions are decided on the agreement's matter."""
    return getattr(obj, "matter", obj)


@rules.predicate
def is_member_of_matter(user: Any, obj: Any) -> bool:
    return bool(obj is not None and is_member(user, _matter(obj)))


@rules.predicate
def leads_the_matter(user: Any, obj: Any) -> bool:
    return bool(obj is not None and leads_matter(user, _matter(obj)))


@rules.predicate
def is_matter_responsible_partner(user: Any, obj: Any) -> bool:
    return bool(obj is not None and is_responsible_partner(user, _matter(obj)))


@rules.predicate
def needs_partner_approval(user: Any, agreement: Any) -> bool:
    return bool(getattr(agreement, "approval_required", False))


@rules.predicate
def proposed_it(user: Any, agreement: Any) -> bool:
    return bool(agreement is not None and agreement.proposed_by_id == user.pk)


@rules.predicate
def is_self(user: Any, other: Any) -> bool:
    return bool(other is not None and getattr(other, "pk", None) == user.pk)


# Fee earners: who does the legal work a fee agreement prices.
does_legal_work = is_lawyer | is_partner

may_propose_agreement = is_active_staff & ((is_member_of_matter & does_legal_work) | is_firm_admin)
may_approve_agreement = is_active_staff & (
    (~needs_partner_approval & (leads_the_matter | is_firm_admin))
    | (needs_partner_approval & (is_partner | is_firm_admin) & ~proposed_it)
)
may_edit_fee_shares = is_active_staff & (is_matter_responsible_partner | is_firm_admin)
may_record_time = is_active_staff & is_member_of_matter & ~is_finance
may_record_expense = is_active_staff & ((is_member_of_matter & ~is_finance) | is_finance)
may_record_payment = is_active_staff & is_finance
may_draw_bill = is_active_staff & is_finance
may_issue_bill = is_active_staff & is_finance
may_void_bill = is_active_staff & is_finance
may_record_invoice = is_active_staff & is_finance
# Recording an invoice's reversal (红冲) is the same finance work as recording the invoice.
may_reverse_invoice = may_record_invoice
may_record_client_funds = is_active_staff & is_finance
may_view_fee_statement = is_active_staff & (is_self | is_finance | is_firm_admin)
may_manage_contingency_bans = is_active_staff & is_firm_admin
may_use_fee_calculators = is_active_staff

rules.add_perm("billing.propose_agreement", may_propose_agreement)
rules.add_perm("billing.approve_agreement", may_approve_agreement)
rules.add_perm("billing.edit_fee_shares", may_edit_fee_shares)
rules.add_perm("billing.record_time", may_record_time)
rules.add_perm("billing.record_expense", may_record_expense)
rules.add_perm("billing.record_payment", may_record_payment)
rules.add_perm("billing.draw_bill", may_draw_bill)
rules.add_perm("billing.issue_bill", may_issue_bill)
rules.add_perm("billing.void_bill", may_void_bill)
rules.add_perm("billing.record_invoice", may_record_invoice)
rules.add_perm("billing.reverse_invoice", may_reverse_invoice)
rules.add_perm("billing.record_client_funds", may_record_client_funds)
rules.add_perm("billing.view_fee_statement", may_view_fee_statement)
rules.add_perm("billing.manage_contingency_bans", may_manage_contingency_bans)
rules.add_perm("billing.use_fee_calculators", may_use_fee_calculators)

# A lawyer's weekly timesheet: the lawyer, finance, administrators (as the fee statement).
may_view_timesheet = is_active_staff & (is_self | is_finance | is_firm_admin)
rules.add_perm("billing.view_timesheet", may_view_timesheet)
# Who keeps a timesheet of their own (the menu's 工时表): everyone who records time on the
# matters they work on; finance records none (they read lawyers' sheets from the fee
# statement and see the money pages instead).
may_keep_timesheet = is_active_staff & ~is_finance
rules.add_perm("billing.keep_timesheet", may_keep_timesheet)

# The firm-wide client-funds ledger (every client's money held): finance, administrators.
may_view_client_funds = is_active_staff & (is_finance | is_firm_admin)
rules.add_perm("billing.view_client_funds", may_view_client_funds)
