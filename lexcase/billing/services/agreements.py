"""Fee agreements: create (the kinds, the 风险代理 rules) → submit → approve, superseding
the previous approved version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.billing.contingency import (
    contingency_check,
    contingency_total,
    restrictive_clauses,
)
from lexcase.billing.models import (
    AgreementKind,
    AgreementRate,
    AgreementStatus,
    ContingencyBasis,
    FeeAgreement,
    FeeInstalment,
    FeeShare,
    InvoicingSchedule,
    ShareRole,
)
from lexcase.billing.money import yuan
from lexcase.billing.selectors.shared import contingency_bans
from lexcase.billing.services.shared import (
    Errors,
    add_error,
    billing_setting,
    check_civil_date,
    check_positive,
    ui_lang,
)
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import Matter, Status

# FeeInstalment.description's max_length: longer is refused, never cut.
INSTALMENT_DESCRIPTION_MAX = 200


@dataclass(frozen=True)
class InstalmentIn:
    due_on: date
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class RateIn:
    lawyer: User
    hourly_rate: Decimal


@dataclass(frozen=True)
class ShareIn:
    lawyer: User
    role: str
    percent: Decimal


CONTINGENT_KINDS = (AgreementKind.CONTINGENCY, AgreementKind.MIXED)
# Which amount fields each kind may carry (the rest must stay empty).
_KIND_FIELDS: dict[str, set[str]] = {
    AgreementKind.HOURLY: {"hourly_rate", "fee_cap"},
    AgreementKind.FIXED: {"fixed_amount"},
    AgreementKind.CONTINGENCY: {
        "fixed_amount",
        "contingency_basis",
        "contingency_basis_amount",
        "contingency_rate",
        "contingency_amount",
    },
    AgreementKind.RETAINER: {
        "fixed_amount",
        "retainer_start",
        "retainer_end",
        "invoicing_schedule",
    },
    AgreementKind.LEGAL_AID: set(),
}
_KIND_FIELDS[AgreementKind.MIXED] = _KIND_FIELDS[AgreementKind.CONTINGENCY]
_TERM_FIELDS = (
    "fixed_amount",
    "hourly_rate",
    "fee_cap",
    "contingency_basis",
    "contingency_basis_amount",
    "contingency_rate",
    "contingency_amount",
    "retainer_start",
    "retainer_end",
    "invoicing_schedule",
)


def agreement_expected_total(
    *,
    kind: str,
    fixed_amount: Decimal | None = None,
    fee_cap: Decimal | None = None,
    contingency_basis_amount: Decimal | None = None,
    contingency_rate: Decimal | None = None,
    contingency_amount: Decimal | None = None,
) -> Decimal | None:
    """What the agreement is expected to charge in total (None: open-ended, an hourly
    agreement without a cap) — compared with the approval threshold."""
    if kind == AgreementKind.LEGAL_AID:
        return Decimal("0.00")
    if kind == AgreementKind.HOURLY:
        return fee_cap
    if kind in CONTINGENT_KINDS:
        return contingency_total(
            basis=contingency_basis_amount,
            rate_percent=contingency_rate,
            success_fee=contingency_amount,
            fixed=fixed_amount,
        )
    return fixed_amount


def _matter_cause_code(matter: Matter) -> str | None:
    # The money gate loads only the fields billing shows; the cause is read on its own.
    return Matter.objects.filter(pk=matter.pk).values_list("cause__code", flat=True).first()


def _validate_contingency(
    errors: Errors,
    *,
    matter: Matter,
    group_litigation: bool,
    terms: str,
    values: dict[str, Any],
) -> Decimal | None:
    """Bans, the tiered cap, the separate risk contract, the 指导价 disclosure, the clauses;
    returns the cap when it could be computed."""
    if values["contingency_basis"] not in ContingencyBasis.values:
        add_error(errors, "contingency_basis", _("Choose what the contingency fee is based on."))
    basis = values["contingency_basis_amount"]
    if basis is None:
        add_error(errors, "contingency_basis_amount", _("Enter the amount the cap is checked at."))
    if values["contingency_rate"] is None and values["contingency_amount"] is None:
        add_error(errors, "contingency_rate", _("Enter a contingency rate or a success fee."))
    if values["contingency_rate"] is not None and not (0 < values["contingency_rate"] <= 100):
        add_error(errors, "contingency_rate", _("The rate is a percentage above 0 and up to 100."))
    if values["kind"] == AgreementKind.MIXED and values["fixed_amount"] is None:
        add_error(errors, "fixed_amount", _("A mixed agreement has a fixed part."))
    if values["risk_contract_signed_on"] is None:
        add_error(
            errors,
            "risk_contract_signed_on",
            _("Record when the separate written contingency contract was signed."),
        )
    if values["guidance_price_disclosed_on"] is None:
        add_error(
            errors,
            "guidance_price_disclosed_on",
            _(
                "Record when the client was told the government guidance price and still "
                "asked for a contingency fee."
            ),
        )
    for passage in restrictive_clauses(terms):
        add_error(
            errors,
            "terms",
            _(
                "A contingency agreement may not restrict or penalise the client's appeal, "
                "withdrawal, mediation or settlement: “%(passage)s”."
            )
            % {"passage": passage},
        )
    if basis is None or "contingency_basis_amount" in errors:
        return None
    check = contingency_check(
        basis,
        matter.matter_type,
        cause=_matter_cause_code(matter),
        group_litigation=group_litigation,
        bans=contingency_bans(),
        lang=ui_lang(),
    )
    if not check["allowed"]:
        add_error(errors, "kind", f"{check['reason']}（{check['citation']}）")
        return None
    cap: Decimal = check["cap"]
    if any(f in errors for f in ("contingency_rate", "contingency_amount", "fixed_amount")):
        return cap
    total = contingency_total(
        basis=basis,
        rate_percent=values["contingency_rate"],
        success_fee=values["contingency_amount"],
        fixed=values["fixed_amount"],
    )
    if total > cap:
        field = (
            "contingency_rate"
            if values["contingency_rate"] is not None
            else (
                "contingency_amount" if values["contingency_amount"] is not None else "fixed_amount"
            )
        )
        add_error(
            errors,
            field,
            _(
                "The total of all fixed and contingent parts, %(total)s, exceeds the cap of "
                "%(cap)s on %(basis)s: %(steps)s"
            )
            % {
                "total": yuan(total),
                "cap": yuan(cap),
                "basis": yuan(basis),
                "steps": "；".join(check["steps"]),
            },
        )
    return cap


@dataclass(frozen=True)
class _Checked:
    cap: Decimal | None
    expected: Decimal | None
    approval_required: bool


def _check_terms(
    errors: Errors,
    *,
    matter: Matter,
    values: dict[str, Any],
    terms: str,
    group_litigation: bool,
    instalments: Sequence[InstalmentIn],
    rates: Sequence[RateIn],
    shares: Sequence[ShareIn],
) -> _Checked:
    """Every rule on one set of proposed terms (a new version or an edited draft); errors
    are added to `errors`, which the caller raises."""
    kind = values["kind"]
    if Matter.objects.filter(pk=matter.pk, status=Status.ARCHIVED).exists():
        add_error(errors, "matter", _("This matter is archived and can no longer change."))
    if kind not in AgreementKind.values:
        add_error(errors, "kind", _("Choose a fee arrangement."))
        raise ValidationError(errors)
    for field in ("fixed_amount", "hourly_rate", "fee_cap", "contingency_basis_amount"):
        check_positive(errors, field, values[field])
    check_positive(errors, "contingency_amount", values["contingency_amount"])
    for field in (
        "risk_contract_signed_on",
        "guidance_price_disclosed_on",
        "retainer_start",
        "retainer_end",
    ):
        check_civil_date(errors, field, values[field])
    allowed = _KIND_FIELDS[kind]
    for field in _TERM_FIELDS:
        if field not in allowed and values[field] not in (None, ""):
            add_error(errors, field, _("This arrangement does not use this field."))
    if kind not in CONTINGENT_KINDS:
        for field in ("risk_contract_signed_on", "guidance_price_disclosed_on"):
            if values[field] is not None:
                add_error(errors, field, _("Only a contingency agreement records this."))

    cap: Decimal | None = None
    fixed_amount = values["fixed_amount"]
    if kind == AgreementKind.HOURLY and values["hourly_rate"] is None and not rates:
        add_error(errors, "hourly_rate", _("Enter an hourly rate or a rate for each lawyer."))
    if kind == AgreementKind.FIXED and fixed_amount is None:
        add_error(errors, "fixed_amount", _("Enter the fixed fee."))
    if kind == AgreementKind.RETAINER:
        retainer_start, retainer_end = values["retainer_start"], values["retainer_end"]
        if fixed_amount is None:
            add_error(errors, "fixed_amount", _("Enter the retainer fee."))
        if retainer_start is None:
            add_error(errors, "retainer_start", _("Enter the start of the retainer period."))
        if retainer_end is None:
            add_error(errors, "retainer_end", _("Enter the end of the retainer period."))
        elif (
            retainer_start is not None
            and "retainer_start" not in errors
            and "retainer_end" not in errors
            and retainer_end < retainer_start
        ):
            add_error(errors, "retainer_end", _("The period ends before it starts."))
        if values["invoicing_schedule"] not in InvoicingSchedule.values:
            add_error(errors, "invoicing_schedule", _("Choose an invoicing schedule."))
    if kind in CONTINGENT_KINDS:
        cap = _validate_contingency(
            errors, matter=matter, group_litigation=group_litigation, terms=terms, values=values
        )

    if instalments:
        if kind not in (AgreementKind.FIXED, AgreementKind.RETAINER, *CONTINGENT_KINDS):
            add_error(errors, "instalments", _("This arrangement has no instalments."))
        for instalment in instalments:
            check_positive(errors, "instalments", instalment.amount)
            check_civil_date(errors, "instalments", instalment.due_on)
            if len(instalment.description) > INSTALMENT_DESCRIPTION_MAX:
                add_error(
                    errors,
                    "instalments",
                    _("An instalment's description may be at most %(max)s characters.")
                    % {"max": INSTALMENT_DESCRIPTION_MAX},
                )
        if (
            "instalments" not in errors
            and fixed_amount is not None
            and kind != AgreementKind.RETAINER
            and sum(i.amount for i in instalments) != fixed_amount
        ):
            add_error(errors, "instalments", _("The instalments must add up to the fixed fee."))
    if rates:
        if kind != AgreementKind.HOURLY:
            add_error(errors, "rates", _("Only an hourly agreement has rates per lawyer."))
        if len({r.lawyer.pk for r in rates}) != len(rates):
            add_error(errors, "rates", _("Give each lawyer one rate."))
        for rate in rates:
            check_positive(errors, "rates", rate.hourly_rate)
    if shares:
        _check_shares(errors, shares)
    expected = agreement_expected_total(
        kind=kind,
        fixed_amount=fixed_amount,
        fee_cap=values["fee_cap"],
        contingency_basis_amount=values["contingency_basis_amount"],
        contingency_rate=values["contingency_rate"],
        contingency_amount=values["contingency_amount"],
    )
    threshold = Decimal(billing_setting("approval_threshold"))
    return _Checked(
        cap=cap, expected=expected, approval_required=expected is None or expected > threshold
    )


def _check_shares(errors: Errors, shares: Sequence[ShareIn]) -> None:
    for share in shares:
        if share.role not in ShareRole.values:
            add_error(errors, "shares", _("Choose the role of each share."))
        if not (0 < share.percent <= 100):
            add_error(errors, "shares", _("Each share is a percentage above 0 and up to 100."))
    if len({(s.lawyer.pk, s.role) for s in shares}) != len(shares):
        add_error(errors, "shares", _("Give each lawyer one share per role."))
    if sum(s.percent for s in shares) != 100:
        add_error(errors, "shares", _("The shares must add up to 100%."))


def _children_create(
    agreement: FeeAgreement,
    *,
    instalments: Sequence[InstalmentIn],
    rates: Sequence[RateIn],
    shares: Sequence[ShareIn],
) -> None:
    FeeInstalment.objects.bulk_create(
        FeeInstalment(
            agreement=agreement,
            seq=n,
            due_on=i.due_on,
            amount=i.amount,
            description=i.description,
        )
        for n, i in enumerate(instalments, start=1)
    )
    AgreementRate.objects.bulk_create(
        AgreementRate(agreement=agreement, lawyer=r.lawyer, hourly_rate=r.hourly_rate)
        for r in rates
    )
    FeeShare.objects.bulk_create(
        FeeShare(agreement=agreement, lawyer=s.lawyer, role=s.role, percent=s.percent)
        for s in shares
    )


def _term_values(
    *,
    kind: str,
    fixed_amount: Decimal | None,
    hourly_rate: Decimal | None,
    fee_cap: Decimal | None,
    contingency_basis: str,
    contingency_basis_amount: Decimal | None,
    contingency_rate: Decimal | None,
    contingency_amount: Decimal | None,
    risk_contract_signed_on: date | None,
    guidance_price_disclosed_on: date | None,
    retainer_start: date | None,
    retainer_end: date | None,
    invoicing_schedule: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "fixed_amount": fixed_amount,
        "hourly_rate": hourly_rate,
        "fee_cap": fee_cap,
        "contingency_basis": contingency_basis,
        "contingency_basis_amount": contingency_basis_amount,
        "contingency_rate": contingency_rate,
        "contingency_amount": contingency_amount,
        "risk_contract_signed_on": risk_contract_signed_on,
        "guidance_price_disclosed_on": guidance_price_disclosed_on,
        "retainer_start": retainer_start,
        "retainer_end": retainer_end,
        "invoicing_schedule": invoicing_schedule,
    }


def _row_fields(values: dict[str, Any], **documents: Any) -> dict[str, Any]:
    """The agreement's columns from checked values (the basis kept only when contingent)."""
    row = {k: v for k, v in values.items() if k != "kind"}
    row["kind"] = values["kind"]
    if values["kind"] not in CONTINGENT_KINDS:
        row["contingency_basis"] = ""
    row.update(documents)
    return row


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    matter: Matter,
    kind: str,
    fixed_amount: Decimal | None = None,
    hourly_rate: Decimal | None = None,
    fee_cap: Decimal | None = None,
    contingency_basis: str = "",
    contingency_basis_amount: Decimal | None = None,
    contingency_rate: Decimal | None = None,
    contingency_amount: Decimal | None = None,
    risk_contract_signed_on: date | None = None,
    risk_contract_document: Any = None,
    guidance_price_disclosed_on: date | None = None,
    guidance_price_document: Any = None,
    retainer_start: date | None = None,
    retainer_end: date | None = None,
    invoicing_schedule: str = "",
    terms: str = "",
    signed_on: date | None = None,
    contract_document: Any = None,
    group_litigation: bool = False,
    instalments: Sequence[InstalmentIn] = (),
    rates: Sequence[RateIn] = (),
    shares: Sequence[ShareIn] = (),
) -> FeeAgreement:
    """Propose fee terms for `matter` (which the caller read through the money gate) as a
    draft: the next version, superseding the approved one once approved itself. 403 unless
    `billing.propose_agreement`; field errors for anything the kind does not allow, a
    contingency fee on a banned matter (field `kind`), a total above the tiered cap (the
    contingent field), a missing risk contract or 指导价 disclosure, or restrictive terms."""
    if not actor.has_perm("billing.propose_agreement", matter):
        raise NotAllowed("billing.propose_agreement")
    values = _term_values(
        kind=kind,
        fixed_amount=fixed_amount,
        hourly_rate=hourly_rate,
        fee_cap=fee_cap,
        contingency_basis=contingency_basis,
        contingency_basis_amount=contingency_basis_amount,
        contingency_rate=contingency_rate,
        contingency_amount=contingency_amount,
        risk_contract_signed_on=risk_contract_signed_on,
        guidance_price_disclosed_on=guidance_price_disclosed_on,
        retainer_start=retainer_start,
        retainer_end=retainer_end,
        invoicing_schedule=invoicing_schedule,
    )
    errors: Errors = {}
    checked = _check_terms(
        errors,
        matter=matter,
        values=values,
        terms=terms,
        group_litigation=group_litigation,
        instalments=instalments,
        rates=rates,
        shares=shares,
    )
    check_civil_date(errors, "signed_on", signed_on)
    open_proposal = FeeAgreement.objects.filter(
        matter=matter, status__in=[AgreementStatus.DRAFT, AgreementStatus.PENDING]
    ).exists()
    if open_proposal:
        add_error(errors, "__all__", _("This matter already has fee terms awaiting approval."))
    if errors:
        raise ValidationError(errors)

    current = FeeAgreement.objects.filter(matter=matter, status=AgreementStatus.APPROVED).first()
    last = FeeAgreement.objects.filter(matter=matter).aggregate(n=Max("version_no"))["n"] or 0
    now = timezone.now()
    try:
        with transaction.atomic():
            agreement = FeeAgreement.objects.create(
                matter=matter,
                version_no=last + 1,
                supersedes=current,
                status=AgreementStatus.DRAFT,
                **_row_fields(
                    values,
                    risk_contract_document=risk_contract_document,
                    guidance_price_document=guidance_price_document,
                    contract_document=contract_document,
                ),
                contingency_cap=checked.cap,
                terms=terms,
                signed_on=signed_on,
                approval_required=checked.approval_required,
                proposed_by=actor,
                proposed_at=now,
                created_by=actor,
            )
    except IntegrityError:
        # Another proposal for this matter landed between the check and the insert.
        raise ValidationError(
            {"__all__": [_("This matter already has fee terms awaiting approval.")]}
        ) from None
    _children_create(agreement, instalments=instalments, rates=rates, shares=shares)
    audit_record(
        actor=actor,
        action="billing.agreement_create",
        obj=agreement,
        matter_id=matter.pk,
        data={
            "version_no": agreement.version_no,
            "kind": kind,
            "expected_total": None if checked.expected is None else str(checked.expected),
            "contingency_cap": None if checked.cap is None else str(checked.cap),
            "approval_required": agreement.approval_required,
        },
    )
    return agreement


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    agreement: FeeAgreement,
    version: int,
    kind: str,
    fixed_amount: Decimal | None = None,
    hourly_rate: Decimal | None = None,
    fee_cap: Decimal | None = None,
    contingency_basis: str = "",
    contingency_basis_amount: Decimal | None = None,
    contingency_rate: Decimal | None = None,
    contingency_amount: Decimal | None = None,
    risk_contract_signed_on: date | None = None,
    guidance_price_disclosed_on: date | None = None,
    retainer_start: date | None = None,
    retainer_end: date | None = None,
    invoicing_schedule: str = "",
    terms: str = "",
    signed_on: date | None = None,
    group_litigation: bool = False,
    instalments: Sequence[InstalmentIn] = (),
    rates: Sequence[RateIn] = (),
    shares: Sequence[ShareIn] = (),
) -> FeeAgreement:
    """Replace a draft's terms (all of them, instalments, rates and shares included) under
    the same rules as a proposal. Compare-and-swap on `version`: a stale edit raises
    `StaleEdit` and changes nothing; a draft already submitted is a field error."""
    matter = agreement.matter
    if not actor.has_perm("billing.propose_agreement", matter):
        raise NotAllowed("billing.propose_agreement")
    values = _term_values(
        kind=kind,
        fixed_amount=fixed_amount,
        hourly_rate=hourly_rate,
        fee_cap=fee_cap,
        contingency_basis=contingency_basis,
        contingency_basis_amount=contingency_basis_amount,
        contingency_rate=contingency_rate,
        contingency_amount=contingency_amount,
        risk_contract_signed_on=risk_contract_signed_on,
        guidance_price_disclosed_on=guidance_price_disclosed_on,
        retainer_start=retainer_start,
        retainer_end=retainer_end,
        invoicing_schedule=invoicing_schedule,
    )
    # The version is checked before the terms: a stale editor reloads rather than fixing
    # errors on terms someone else already changed.
    current = FeeAgreement.objects.filter(pk=agreement.pk).values_list("status", "version").get()
    if current[1] != version:
        raise StaleEdit
    if current[0] != AgreementStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft can be edited.")]})
    errors: Errors = {}
    checked = _check_terms(
        errors,
        matter=matter,
        values=values,
        terms=terms,
        group_litigation=group_litigation,
        instalments=instalments,
        rates=rates,
        shares=shares,
    )
    check_civil_date(errors, "signed_on", signed_on)
    if errors:
        raise ValidationError(errors)
    agreement = _transition(
        agreement=agreement,
        version=version,
        source=AgreementStatus.DRAFT,
        **_row_fields(values),
        contingency_cap=checked.cap,
        terms=terms,
        signed_on=signed_on,
        approval_required=checked.approval_required,
    )
    FeeInstalment.objects.filter(agreement=agreement).delete()
    AgreementRate.objects.filter(agreement=agreement).delete()
    FeeShare.objects.filter(agreement=agreement).delete()
    _children_create(agreement, instalments=instalments, rates=rates, shares=shares)
    audit_record(
        actor=actor,
        action="billing.agreement_update",
        obj=agreement,
        matter_id=matter.pk,
        data={
            "version": agreement.version,
            "kind": kind,
            "expected_total": None if checked.expected is None else str(checked.expected),
            "contingency_cap": None if checked.cap is None else str(checked.cap),
            "approval_required": agreement.approval_required,
        },
    )
    return agreement


@transaction.atomic
def agreement_shares_set(
    *, actor: User, agreement: FeeAgreement, version: int, shares: Sequence[ShareIn]
) -> FeeAgreement:
    """Who gets which share of the fees collected under `agreement` (提成/分配): the whole
    set replaced, summing to 100 (or empty: nobody allocated yet). The responsible partner
    or an administrator; compare-and-swap on the agreement's `version`."""
    if not actor.has_perm("billing.edit_fee_shares", agreement):
        raise NotAllowed("billing.edit_fee_shares")
    errors: Errors = {}
    if shares:
        _check_shares(errors, shares)
    if agreement.status == AgreementStatus.SUPERSEDED:
        add_error(errors, "status", _("A superseded agreement no longer changes."))
    if errors:
        raise ValidationError(errors)
    updated = FeeAgreement.objects.filter(pk=agreement.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEdit
    FeeShare.objects.filter(agreement=agreement).delete()
    _children_create(agreement, instalments=(), rates=(), shares=shares)
    agreement.refresh_from_db()
    audit_record(
        actor=actor,
        action="billing.agreement_shares_set",
        obj=agreement,
        matter_id=agreement.matter_id,
        data={
            "shares": [
                {"lawyer": s.lawyer.pk, "role": s.role, "percent": str(s.percent)} for s in shares
            ]
        },
    )
    return agreement


def _transition(
    *, agreement: FeeAgreement, version: int, source: str, **changes: Any
) -> FeeAgreement:
    """Compare-and-swap on `version` and the status: a stale or repeated action is refused."""
    updated = FeeAgreement.objects.filter(pk=agreement.pk, version=version, status=source).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        current = FeeAgreement.objects.filter(pk=agreement.pk).values_list("status", "version")
        _status, now_version = current.get()
        if now_version != version:
            raise StaleEdit
        raise ValidationError({"status": [_("The agreement is no longer in this status.")]})
    agreement.refresh_from_db()
    return agreement


@transaction.atomic
def agreement_submit(*, actor: User, agreement: FeeAgreement, version: int) -> FeeAgreement:
    """Send a draft for approval (its proposer or anyone who may propose on the matter)."""
    if not actor.has_perm("billing.propose_agreement", agreement.matter):
        raise NotAllowed("billing.propose_agreement")
    agreement = _transition(
        agreement=agreement,
        version=version,
        source=AgreementStatus.DRAFT,
        status=AgreementStatus.PENDING,
    )
    audit_record(
        actor=actor,
        action="billing.agreement_submit",
        obj=agreement,
        matter_id=agreement.matter_id,
    )
    return agreement


@transaction.atomic
def agreement_approve(*, actor: User, agreement: FeeAgreement, version: int) -> FeeAgreement:
    """Approve pending terms: above the threshold a partner (or an administrator) other than
    the proposer, below it the matter's lead or responsible partner. The version it
    supersedes becomes `superseded` in the same transaction."""
    if not actor.has_perm("billing.approve_agreement", agreement):
        raise NotAllowed("billing.approve_agreement")
    now = timezone.now()
    if agreement.supersedes_id is not None:
        # Free the "one approved per matter" slot first; rolled back if the approval fails.
        FeeAgreement.objects.filter(
            pk=agreement.supersedes_id, status=AgreementStatus.APPROVED
        ).update(
            status=AgreementStatus.SUPERSEDED,
            superseded_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
    agreement = _transition(
        agreement=agreement,
        version=version,
        source=AgreementStatus.PENDING,
        status=AgreementStatus.APPROVED,
        approved_by=actor,
        approved_at=now,
    )
    audit_record(
        actor=actor,
        action="billing.agreement_approve",
        obj=agreement,
        matter_id=agreement.matter_id,
        data={"supersedes": agreement.supersedes_id},
    )
    return agreement
