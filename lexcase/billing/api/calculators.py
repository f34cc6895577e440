"""The two pure calculators: 风险代理 cap and ban check, 诉讼费."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from lexcase.accounts.http import AuthedRequest
from lexcase.billing.contingency import STATE_COMPENSATION, contingency_check
from lexcase.billing.court_fee import PROCEDURES, court_fee
from lexcase.billing.money import to_api
from lexcase.billing.selectors.shared import contingency_bans
from lexcase.billing.services.shared import ui_lang
from lexcase.core.exceptions import NotAllowed
from lexcase.core.validators import MAX_AMOUNT
from lexcase.matters.models import MatterType

router = Router(tags=["fees"])

MATTER_TYPES = (*MatterType.values, STATE_COMPENSATION)


class ContingencyCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")
    # Bounded: a far larger figure overflowed the fen's precision (an HTTP 500).
    amount: Decimal = Field(le=MAX_AMOUNT)
    matter_type: str
    cause: str | None = None  # a 案由 name (or code) of the project's list
    group_litigation: bool = False


class ContingencyCheckOut(Schema):
    allowed: bool
    cap: str | None
    reason: str
    citation: str
    steps: list[str]


class CourtFeeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(le=MAX_AMOUNT)
    procedure: str = "ordinary"  # ordinary | simplified | mediation | withdrawal


class CourtFeeOut(Schema):
    fee: str
    citation: str
    steps: list[str]


def _amount_errors(amount: Decimal) -> list[str]:
    if not amount.is_finite():
        return [_("Enter an amount.")]
    if amount <= 0:
        return [_("The amount must be greater than zero.")]
    if amount != amount.quantize(Decimal("0.01")):
        return [_("Amounts have at most two decimal places (fen).")]
    return []


def _require_calculators(request: AuthedRequest) -> None:
    if not request.user.has_perm("billing.use_fee_calculators"):
        raise NotAllowed("billing.use_fee_calculators")


@router.post(
    "/fees/contingency-check",
    response=ContingencyCheckOut,
    operation_id="fees_contingency_check",
)
def fees_contingency_check(request: AuthedRequest, payload: ContingencyCheckIn) -> dict:
    """May this matter have a 风险代理 fee, and what is the tiered cap on the amount (with
    the computation step by step)? The firm's ban list applies (national list by default)."""
    _require_calculators(request)
    errors: dict[str, list[str]] = {}
    if messages := _amount_errors(payload.amount):
        errors["amount"] = messages
    if payload.matter_type not in MATTER_TYPES:
        errors["matter_type"] = [_("Choose a matter type.")]
    if errors:
        raise ValidationError(errors)
    try:
        result = contingency_check(
            payload.amount,
            payload.matter_type,
            cause=payload.cause or None,
            group_litigation=payload.group_litigation,
            bans=contingency_bans(),
            lang=ui_lang(),
        )
    except ValueError:
        raise ValidationError({"cause": [_("Not a cause of action in the list.")]}) from None
    return {**result, "cap": None if result["cap"] is None else to_api(result["cap"])}


@router.post("/fees/court-fee", response=CourtFeeOut, operation_id="fees_court_fee")
def fees_court_fee(request: AuthedRequest, payload: CourtFeeIn) -> dict:
    """The 诉讼费 of a property claim (诉讼费用交纳办法 Art. 13), halved for the simplified
    procedure, mediation or withdrawal (Arts. 15–16), with the steps."""
    _require_calculators(request)
    errors: dict[str, list[str]] = {}
    if messages := _amount_errors(payload.amount):
        errors["amount"] = messages
    if payload.procedure not in PROCEDURES:
        errors["procedure"] = [_("Choose a procedure.")]
    if errors:
        raise ValidationError(errors)
    result = court_fee(payload.amount, procedure=payload.procedure, lang=ui_lang())
    return {"fee": to_api(result.fee), "citation": result.citation, "steps": result.steps}
