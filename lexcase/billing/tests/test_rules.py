"""Who may do what with the money, per persona (visibility is the money gate's, tested in
test_money_gate)."""

from __future__ import annotations

import pytest

from lexcase.billing.models import FeeAgreement

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "partner", "partner_other", "lead", "assistant", "outsider", "walled")
PERSONAS += ("inactive", "finance")


def allowed(firm, perm: str, obj=None) -> set[str]:
    return {p for p in PERSONAS if getattr(firm, p).has_perm(perm, obj)}


def test_who_proposes_fee_agreements(firm):
    # Lawyers and partners on the team, and administrators; assistants and finance do not.
    assert allowed(firm, "billing.propose_agreement", firm.matter) == {"admin", "partner", "lead"}


def test_who_records_time(firm):
    assert allowed(firm, "billing.record_time", firm.matter) == {"partner", "lead", "assistant"}


def test_who_records_expenses(firm):
    expected = {"partner", "lead", "assistant", "finance"}
    assert allowed(firm, "billing.record_expense", firm.matter) == expected


@pytest.mark.parametrize(
    "perm",
    [
        "billing.record_payment",
        "billing.draw_bill",
        "billing.issue_bill",
        "billing.void_bill",
        "billing.record_invoice",
        "billing.record_client_funds",
    ],
)
def test_only_finance_handles_the_firms_money(firm, perm):
    assert allowed(firm, perm) == {"finance"}
    assert allowed(firm, perm, firm.matter) == {"finance"}


def test_approval_below_the_threshold_is_the_matters_leads(firm):
    small = FeeAgreement(matter=firm.matter, kind="fixed", approval_required=False)
    small.proposed_by = firm.lead
    assert allowed(firm, "billing.approve_agreement", small) == {"admin", "partner", "lead"}


def test_approval_above_the_threshold_is_a_partners_not_the_proposers(firm):
    big = FeeAgreement(matter=firm.matter, kind="fixed", approval_required=True)
    big.proposed_by = firm.lead
    # Visibility decides first: the walled partner never reaches the agreement (404).
    assert allowed(firm, "billing.approve_agreement", big) == {
        "admin",
        "partner",
        "partner_other",
        "walled",
    }
    big.proposed_by = firm.partner
    assert "partner" not in allowed(firm, "billing.approve_agreement", big)


def test_fee_shares_are_the_responsible_partners(firm):
    a = FeeAgreement(matter=firm.matter, kind="fixed")
    assert allowed(firm, "billing.edit_fee_shares", a) == {"admin", "partner"}


def test_fee_statement_own_or_finance(firm):
    assert allowed(firm, "billing.view_fee_statement", firm.lead) == {"admin", "lead", "finance"}


def test_calculators_for_all_active_staff(firm):
    assert allowed(firm, "billing.use_fee_calculators") == set(PERSONAS) - {"inactive"}


def test_contingency_ban_list_is_the_admins(firm):
    assert allowed(firm, "billing.manage_contingency_bans") == {"admin"}
