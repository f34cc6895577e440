"""Fee agreements: the kinds, the 风险代理 rules with field errors, approval and versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from lexcase.audit.models import AuditEvent
from lexcase.billing.models import ContingencyBan, FeeAgreement
from lexcase.billing.services.agreements import (
    InstalmentIn,
    RateIn,
    ShareIn,
    agreement_approve,
    agreement_create,
    agreement_submit,
)
from lexcase.billing.services.bills import bill_number_next
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import CaseCause, Matter, MatterType
from lexcase.matters.services import PartyLink, matter_create

pytestmark = pytest.mark.django_db
D = Decimal

CONTINGENCY = {
    "kind": "contingency",
    "contingency_basis": "recovered",
    "contingency_basis_amount": D("3000000"),
    "risk_contract_signed_on": date(2026, 3, 1),
    "guidance_price_disclosed_on": date(2026, 2, 28),
}


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def matter_of(firm, matter_type: str, cause_name: str | None = None) -> Matter:
    cause = CaseCause.objects.get(version="2020", name=cause_name) if cause_name else None
    return matter_create(
        actor=firm.lead,
        title=f"{matter_type} {cause_name}",
        matter_type=matter_type,
        cause=cause,
        parties=[PartyLink(party=firm.client_party, role="client")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )


def test_a_fixed_fee_with_instalments_is_a_draft_first_version(firm):
    before = AuditEvent.objects.count()
    a = agreement_create(
        actor=firm.lead,
        matter=firm.matter,
        kind="fixed",
        fixed_amount=D("60000"),
        instalments=[
            InstalmentIn(due_on=date(2026, 3, 1), amount=D("30000"), description="签约后"),
            InstalmentIn(due_on=date(2026, 9, 1), amount=D("30000"), description="一审判决后"),
        ],
        shares=[
            ShareIn(lawyer=firm.partner, role="originator", percent=D("30")),
            ShareIn(lawyer=firm.lead, role="handler", percent=D("70")),
        ],
    )
    assert (a.version_no, a.status, a.supersedes, a.approval_required) == (1, "draft", None, False)
    assert [(i.seq, i.amount) for i in a.instalments.order_by("seq")] == [
        (1, D("30000.00")),
        (2, D("30000.00")),
    ]
    assert sorted(s.percent for s in a.shares.all()) == [D("30.00"), D("70.00")]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.matter_id) == ("billing.agreement_create", firm.matter.pk)


def test_approval_threshold_from_settings(firm, settings):
    a = agreement_create(
        actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("100000")
    )
    assert a.approval_required is False  # at the threshold, not above it
    FeeAgreement.objects.all().delete()
    settings.LEXCASE_BILLING = {**settings.LEXCASE_BILLING, "approval_threshold": "99999.99"}
    a = agreement_create(
        actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("100000")
    )
    assert a.approval_required is True


def test_hourly_needs_a_rate_and_without_a_cap_needs_a_partner(firm):
    assert "hourly_rate" in errors_of(
        lambda: agreement_create(actor=firm.lead, matter=firm.matter, kind="hourly")
    )
    a = agreement_create(
        actor=firm.lead,
        matter=firm.matter,
        kind="hourly",
        rates=[RateIn(lawyer=firm.lead, hourly_rate=D("1500")), RateIn(firm.partner, D("3000"))],
    )
    assert a.approval_required is True  # open-ended
    assert a.rates.get(lawyer=firm.partner).hourly_rate == D("3000.00")


def test_capped_hourly_below_the_threshold(firm):
    a = agreement_create(
        actor=firm.lead,
        matter=firm.matter,
        kind="hourly",
        hourly_rate=D("1200"),
        fee_cap=D("80000"),
    )
    assert a.approval_required is False


def test_fields_a_kind_does_not_use_are_refused(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="legal_aid",
            fixed_amount=D("1000"),
            risk_contract_signed_on=date(2026, 1, 1),
        )
    )
    assert set(errors) == {"fixed_amount", "risk_contract_signed_on"}
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="fixed",
            fixed_amount=D("1000"),
            contingency_rate=D("10"),
        )
    )
    assert set(errors) == {"contingency_rate"}
    assert FeeAgreement.objects.count() == 0


def test_bad_amounts(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("-5")
        )
    )
    assert errors["fixed_amount"] == ["金额必须大于零。"]
    assert "fixed_amount" in errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("1.001")
        )
    )


def test_retainer_needs_period_and_schedule(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, kind="retainer", fixed_amount=D("120000")
        )
    )
    assert set(errors) == {"retainer_start", "retainer_end", "invoicing_schedule"}
    a = agreement_create(
        actor=firm.lead,
        matter=firm.matter,
        kind="retainer",
        fixed_amount=D("120000"),
        retainer_start=date(2026, 1, 1),
        retainer_end=date(2026, 12, 31),
        invoicing_schedule="quarterly",
    )
    assert a.approval_required is True


def test_instalments_must_add_up_and_shares_to_100(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="fixed",
            fixed_amount=D("60000"),
            instalments=[InstalmentIn(due_on=date(2026, 3, 1), amount=D("30000"))],
            shares=[ShareIn(lawyer=firm.lead, role="handler", percent=D("90"))],
        )
    )
    assert set(errors) == {"instalments", "shares"}


def test_a_contingency_agreement_within_the_cap(firm):
    a = agreement_create(
        actor=firm.lead, matter=firm.matter, contingency_rate=D("16"), **CONTINGENCY
    )
    assert a.contingency_cap == D("480000.00")  # 16% of 3M is exactly the cap
    assert a.approval_required is True


def test_above_the_cap_names_the_contingent_field(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, contingency_rate=D("16.01"), **CONTINGENCY
        )
    )
    assert list(errors) == ["contingency_rate"]
    assert "¥480,300.00" in errors["contingency_rate"][0]
    assert "¥480,000.00" in errors["contingency_rate"][0]
    assert "¥1,000,000.00 × 18%" in errors["contingency_rate"][0]
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, contingency_amount=D("480000.01"), **CONTINGENCY
        )
    )
    assert list(errors) == ["contingency_amount"]


def test_the_fixed_part_counts_toward_the_cap(firm):
    # 100,000 + 13% × 3,000,000 = 490,000 > 480,000.
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            fixed_amount=D("100000"),
            contingency_rate=D("13"),
            **{**CONTINGENCY, "kind": "mixed"},
        )
    )
    assert list(errors) == ["contingency_rate"]
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            contingency_rate=D("10"),
            **{**CONTINGENCY, "kind": "mixed"},
        )
    )
    assert list(errors) == ["fixed_amount"]  # a mixed agreement has a fixed part


def test_contingency_records_the_risk_contract_and_the_disclosure(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            kind="contingency",
            contingency_basis="dispute",
            contingency_basis_amount=D("100000"),
            contingency_rate=D("10"),
        )
    )
    assert set(errors) == {"risk_contract_signed_on", "guidance_price_disclosed_on"}


def test_restrictive_terms_are_refused(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            contingency_rate=D("10"),
            terms="委托人撤诉的，视为胜诉，仍应按约定支付风险代理费。",
            **CONTINGENCY,
        )
    )
    assert list(errors) == ["terms"]
    assert "撤诉的，视为胜诉" in errors["terms"][0]


@pytest.mark.parametrize(
    ("matter_type", "cause", "label"),
    [
        (MatterType.CRIMINAL, None, "刑事诉讼案件"),
        (MatterType.ADMINISTRATIVE, None, "行政诉讼案件"),
        (MatterType.LABOR_ARBITRATION, "追索劳动报酬纠纷", "请求支付劳动报酬"),
        (MatterType.CIVIL, "离婚纠纷", "婚姻、继承案件"),
        (MatterType.CIVIL, "工伤保险待遇纠纷", "请求给付工伤赔偿"),
    ],
)
def test_banned_matters_are_refused_on_kind_with_the_citation(firm, matter_type, cause, label):
    matter = matter_of(firm, matter_type, cause)
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=matter, contingency_rate=D("10"), **CONTINGENCY
        )
    )
    assert list(errors) == ["kind"]
    assert errors["kind"][0].startswith(f"{label}不得实行风险代理收费。")
    assert "611号" in errors["kind"][0]


def test_group_litigation_is_refused(firm):
    errors = errors_of(
        lambda: agreement_create(
            actor=firm.lead,
            matter=firm.matter,
            contingency_rate=D("10"),
            group_litigation=True,
            **CONTINGENCY,
        )
    )
    assert list(errors) == ["kind"]


def test_the_firm_edits_its_ban_list(firm):
    matter = matter_of(firm, MatterType.LABOR_ARBITRATION, "追索劳动报酬纠纷")
    ContingencyBan.objects.filter(key="P06.01.01.03").update(active=False)
    a = agreement_create(actor=firm.lead, matter=matter, contingency_rate=D("10"), **CONTINGENCY)
    assert a.kind == "contingency"


def test_who_may_propose(firm):
    for user in (firm.assistant, firm.finance, firm.outsider):
        with pytest.raises(NotAllowed):
            agreement_create(actor=user, matter=firm.matter, kind="fixed", fixed_amount=D("1000"))


def test_archived_matters_are_refused(firm):
    Matter.objects.filter(pk=firm.matter.pk).update(status="archived")
    assert "matter" in errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("1000")
        )
    )


def test_one_open_proposal_at_a_time(firm):
    agreement_create(actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("1000"))
    assert "__all__" in errors_of(
        lambda: agreement_create(
            actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("2000")
        )
    )


def test_submit_approve_and_supersede(firm):
    v1 = agreement_create(
        actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("50000")
    )
    v1 = agreement_submit(actor=firm.lead, agreement=v1, version=v1.version)
    assert v1.status == "pending"
    v1 = agreement_approve(actor=firm.lead, agreement=v1, version=v1.version)
    assert (v1.status, v1.approved_by) == ("approved", firm.lead)

    v2 = agreement_create(
        actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("150000")
    )
    assert (v2.version_no, v2.supersedes, v2.approval_required) == (2, v1, True)
    v2 = agreement_submit(actor=firm.lead, agreement=v2, version=v2.version)
    with pytest.raises(NotAllowed):  # above the threshold: a partner, not the lead
        agreement_approve(actor=firm.lead, agreement=v2, version=v2.version)
    v2 = agreement_approve(actor=firm.partner, agreement=v2, version=v2.version)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "approved")
    assert v1.superseded_at is not None
    actions = list(
        AuditEvent.objects.filter(action__startswith="billing.").values_list("action", flat=True)
    )
    assert actions.count("billing.agreement_approve") == 2


def test_the_proposer_does_not_approve_above_the_threshold(firm):
    a = agreement_create(
        actor=firm.partner, matter=firm.matter, kind="fixed", fixed_amount=D("150000")
    )
    a = agreement_submit(actor=firm.partner, agreement=a, version=a.version)
    with pytest.raises(NotAllowed):
        agreement_approve(actor=firm.partner, agreement=a, version=a.version)
    a = agreement_approve(actor=firm.partner_other, agreement=a, version=a.version)
    assert a.approved_by == firm.partner_other


def test_stale_and_out_of_order_transitions(firm):
    a = agreement_create(actor=firm.lead, matter=firm.matter, kind="fixed", fixed_amount=D("1"))
    with pytest.raises(ValidationError):  # a draft is not pending
        agreement_approve(actor=firm.lead, agreement=a, version=a.version)
    stale = a.version
    agreement_submit(actor=firm.lead, agreement=a, version=a.version)
    with pytest.raises(StaleEdit):
        agreement_submit(actor=firm.lead, agreement=a, version=stale)


def test_bill_numbers_have_no_gaps_per_year(firm):
    assert bill_number_next(year=2026) == (1, "2026-00001")
    assert bill_number_next(year=2026) == (2, "2026-00002")
    with pytest.raises(RuntimeError), transaction.atomic():
        bill_number_next(year=2026)
        raise RuntimeError("the issue failed")
    assert bill_number_next(year=2026) == (3, "2026-00003")  # the rolled-back one came back
    assert bill_number_next(year=2027) == (1, "2027-00001")
