"""The firm's money (收费与财务; 律师法 Arts. 25, 40): fee agreements, time, expenses, the
client-funds ledger, bills, invoices, payments, allocations and refunds.

Three kinds of money are kept apart (司发通〔2021〕87号 (八); 律师服务收费管理办法 Art. 16):

* 律师服务费 — the firm's fee and revenue: agreements, time entries, fee bill lines, invoices;
* 代委托人支付的费用 — pass-through costs paid on the client's behalf (`Expense` of a
  disbursement kind; client money for them is held in `ClientFundsEntry`, never in `Payment`);
* 异地办案差旅费 — travel for out-of-town work (`Expense` of kind `travel`).

`MoneyKind` names the three; a bill line carries one. Every amount is
`DecimalField(max_digits=16, decimal_places=2)` in 元; figures are rounded half-up to the fen
once, where they are shown or billed (`billing/money.py`). Reads go through
`billing/selectors.py` (the money gate), writes through `billing/services.py`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """Every money field: Decimal 元 to the fen."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kwargs)


class MoneyKind(models.TextChoices):
    SERVICE_FEE = "service_fee", _("Legal service fee")  # 律师服务费
    DISBURSEMENT = "disbursement", _("Costs paid on the client's behalf")  # 代委托人支付的费用
    TRAVEL = "travel", _("Out-of-town travel")  # 异地办案差旅费


# -- fee agreements (收费约定) -----------------------------------------------------------------


class AgreementKind(models.TextChoices):
    HOURLY = "hourly", _("Hourly")  # 计时
    FIXED = "fixed", _("Fixed or per piece")  # 固定/按件
    CONTINGENCY = "contingency", _("Contingency")  # 风险代理
    MIXED = "mixed", _("Fixed plus contingency")  # 混合
    RETAINER = "retainer", _("Annual retainer")  # 常年顾问
    LEGAL_AID = "legal_aid", _("Legal aid or free")  # 法律援助/免费


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class ContingencyBasis(models.TextChoices):
    DISPUTE = "dispute", _("Amount in dispute")  # 标的额
    RECOVERED = "recovered", _("Amount recovered or relieved")  # 实际回收/减免金额


class InvoicingSchedule(models.TextChoices):
    UPFRONT = "upfront", _("Once, in advance")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Every six months")
    ANNUAL = "annual", _("Annually")


class FeeAgreement(models.Model):
    """One version of a matter's fee terms. A change of terms is a new version that
    `supersedes` the approved one; approving it marks the old one superseded, so a matter has
    at most one approved and at most one draft/pending agreement at a time.

    Which fields a kind uses (the service validates it): hourly — `hourly_rate` and/or
    `AgreementRate` rows, optional `fee_cap`; fixed — `fixed_amount`, optional instalments;
    contingency — `contingency_basis`, `contingency_basis_amount`, `contingency_rate` and/or
    `contingency_amount`, optional `fixed_amount` (a base fee counts toward the cap), the
    separate risk contract and the 政府指导价 disclosure; mixed — fixed plus contingency;
    retainer — `fixed_amount` per period, `retainer_start`/`retainer_end`,
    `invoicing_schedule`; legal aid — no amounts."""

    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.PROTECT, related_name="fee_agreements"
    )
    version_no = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    kind = models.CharField(_("fee arrangement"), max_length=20, choices=AgreementKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    # Fixed fee, the base part of a contingency/mixed agreement, or the retainer per period.
    fixed_amount = money_field(_("fixed amount"), null=True, blank=True)
    hourly_rate = money_field(_("hourly rate"), null=True, blank=True)  # default for every lawyer
    fee_cap = money_field(_("fee cap"), null=True, blank=True)  # an hourly agreement's ceiling
    contingency_basis = models.CharField(
        _("contingency basis"), max_length=20, choices=ContingencyBasis.choices, blank=True
    )
    # The amount the cap was checked at (the claim, or the expected recovery).
    contingency_basis_amount = money_field(_("basis amount"), null=True, blank=True)
    contingency_rate = models.DecimalField(
        _("contingency rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    contingency_amount = money_field(_("success fee"), null=True, blank=True)  # a fixed success fee
    # Snapshot of the tiered cap at `contingency_basis_amount` when proposed.
    contingency_cap = money_field(_("contingency cap"), null=True, blank=True)
    # The separate written 风险代理合同 with its prominent risk notice (司发通〔2021〕87号).
    risk_contract_signed_on = models.DateField(_("risk contract signed on"), null=True, blank=True)
    risk_contract_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("risk contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 611号 Art. 11: the client was told the 政府指导价 and still asked for contingency.
    guidance_price_disclosed_on = models.DateField(
        _("government guidance price disclosed on"), null=True, blank=True
    )
    guidance_price_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("disclosure record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    retainer_start = models.DateField(_("retainer from"), null=True, blank=True)
    retainer_end = models.DateField(_("retainer until"), null=True, blank=True)
    invoicing_schedule = models.CharField(
        _("invoicing schedule"), max_length=20, choices=InvoicingSchedule.choices, blank=True
    )
    # Special terms as written in the contract; scanned for restrictive clauses.
    terms = models.TextField(_("special terms"), blank=True)
    signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    contract_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("fee contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whether a partner must approve (the expected total above LEXCASE_BILLING's threshold).
    approval_required = models.BooleanField(_("needs partner approval"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("fee agreement")
        verbose_name_plural = _("fee agreements")
        ordering = ["matter_id", "-version_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "version_no"], name="billing_agreement_version_unique"
            ),
            models.UniqueConstraint(
                fields=["matter"],
                condition=Q(status="approved"),
                name="billing_agreement_one_approved",
            ),
            models.UniqueConstraint(
                fields=["matter"],
                condition=Q(status__in=["draft", "pending"]),
                name="billing_agreement_one_open_proposal",
            ),
            models.CheckConstraint(
                condition=Q(fixed_amount__isnull=True) | Q(fixed_amount__gt=0),
                name="billing_agreement_fixed_positive",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=True) | Q(hourly_rate__gt=0),
                name="billing_agreement_rate_positive",
            ),
            models.CheckConstraint(
                condition=Q(fee_cap__isnull=True) | Q(fee_cap__gt=0),
                name="billing_agreement_cap_positive",
            ),
            models.CheckConstraint(
                condition=Q(contingency_basis_amount__isnull=True)
                | Q(contingency_basis_amount__gt=0),
                name="billing_agreement_basis_positive",
            ),
            models.CheckConstraint(
                condition=Q(contingency_rate__isnull=True)
                | Q(contingency_rate__gt=0, contingency_rate__lte=100),
                name="billing_agreement_contingency_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(contingency_amount__isnull=True) | Q(contingency_amount__gt=0),
                name="billing_agreement_success_fee_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="billing_agreement_approved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(retainer_end__isnull=True)
                | Q(retainer_start__isnull=True)
                | Q(retainer_end__gte=F("retainer_start")),
                name="billing_agreement_retainer_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} v{self.version_no} {self.kind}"


class FeeInstalment(models.Model):
    """A fixed fee (or retainer) due in parts. `bill_line` is the live bill line it was billed
    on (cleared when that bill is voided, so it can be billed again)."""

    agreement = models.ForeignKey(
        FeeAgreement, on_delete=models.PROTECT, related_name="instalments"
    )
    seq = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = money_field(_("amount"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    bill_line = models.ForeignKey(
        "BillLine", null=True, blank=True, on_delete=models.PROTECT, related_name="instalments"
    )

    class Meta:
        ordering = ["agreement_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "seq"], name="billing_instalment_seq_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_instalment_positive"),
        ]
        indexes = [models.Index(fields=["due_on"], name="billing_instalment_due")]


class AgreementRate(models.Model):
    """A lawyer's hourly rate under an hourly agreement (overrides `hourly_rate`)."""

    agreement = models.ForeignKey(FeeAgreement, on_delete=models.PROTECT, related_name="rates")
    lawyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    hourly_rate = money_field(_("hourly rate"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "lawyer"], name="billing_rate_lawyer_unique"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gt=0), name="billing_rate_positive"),
        ]


class ShareRole(models.TextChoices):
    ORIGINATOR = "originator", _("Originator")  # 案源
    HANDLER = "handler", _("Handling lawyer")  # 承办
    OTHER = "other", _("Other")


class FeeShare(models.Model):
    """Who gets what share of the fees collected under an agreement (提成/分配). The shares of
    one agreement sum to 100 (the service checks the set; the database each row)."""

    agreement = models.ForeignKey(FeeAgreement, on_delete=models.PROTECT, related_name="shares")
    lawyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=ShareRole.choices)
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "lawyer", "role"], name="billing_share_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100), name="billing_share_range"
            ),
        ]


# -- time (工时) ----------------------------------------------------------------------------------


class TimeEntry(models.Model):
    """Work on a matter. A running timer has `timer_started_at` and no `timer_stopped_at`
    (minutes 0 until stopped; one running timer per lawyer). `rate` is a snapshot of the
    agreement's rate for this lawyer when recorded; the amount (minutes / 60 × rate) is
    computed and rounded once when billed. `bill_line`: the live line it was billed on."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+")
    lawyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        FeeAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    work_date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    description = models.TextField(_("description"))
    billable = models.BooleanField(_("billable"), default=True)
    rate = money_field(_("hourly rate"), null=True, blank=True)
    timer_started_at = models.DateTimeField(null=True, blank=True)
    timer_stopped_at = models.DateTimeField(null=True, blank=True)
    bill_line = models.ForeignKey(
        "BillLine", null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0)
                | Q(timer_started_at__isnull=False, timer_stopped_at__isnull=True),
                name="billing_time_minutes_positive",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(rate__gt=0), name="billing_time_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(timer_stopped_at__isnull=True)
                | Q(timer_started_at__isnull=False, timer_stopped_at__gte=F("timer_started_at")),
                name="billing_time_timer_order",
            ),
            models.UniqueConstraint(
                fields=["lawyer"],
                condition=Q(timer_started_at__isnull=False, timer_stopped_at__isnull=True),
                name="billing_time_one_running_timer",
            ),
            models.CheckConstraint(
                condition=Q(billable=True) | Q(bill_line__isnull=True),
                name="billing_time_only_billable_billed",
            ),
        ]
        indexes = [
            models.Index(fields=["lawyer", "work_date"], name="billing_time_lawyer_date"),
            models.Index(fields=["matter", "work_date"], name="billing_time_matter_date"),
        ]


# -- expenses and the client-funds ledger -------------------------------------------------------


class ExpenseKind(models.TextChoices):
    # 代委托人支付的费用 (pass-through)
    COURT_FEE = "court_fee", _("Court fee")  # 诉讼费
    PRESERVATION_FEE = "preservation_fee", _("Preservation fee")  # 保全费
    APPRAISAL_FEE = "appraisal_fee", _("Appraisal fee")  # 鉴定费
    NOTARY_FEE = "notary_fee", _("Notary fee")  # 公证费
    RECORDS_FEE = "records_fee", _("Records search fee")  # 查档费
    OTHER_DISBURSEMENT = "other_disbursement", _("Other cost paid for the client")
    # 异地办案差旅费
    TRAVEL = "travel", _("Out-of-town travel")


# Which of the three kinds of money each expense is.
EXPENSE_MONEY_KIND: dict[str, str] = {
    **{kind: MoneyKind.DISBURSEMENT for kind in ExpenseKind.values if kind != ExpenseKind.TRAVEL},
    ExpenseKind.TRAVEL: MoneyKind.TRAVEL,
}


class PaidBy(models.TextChoices):
    FIRM = "firm", _("Advanced by the firm (to recover)")
    CLIENT = "client", _("Paid by the client directly")
    CLIENT_FUNDS = "client_funds", _("Paid from client funds held")  # 代收代付 ledger


class Expense(models.Model):
    """A cost on a matter: pass-through (代委托人支付的费用) or out-of-town travel — never the
    firm's fee. Only what the firm advanced is billed back (`bill_line`). Paid from client
    funds, it is a disbursement in the client-funds ledger and needs the client's signed
    note of the amount (律师事务所收费程序规则 Art. 9)."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=ExpenseKind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = money_field(_("amount"))
    incurred_on = models.DateField(_("date"))
    paid_by = models.CharField(_("paid by"), max_length=20, choices=PaidBy.choices)
    receipt_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    client_note_signed_on = models.DateField(_("client note signed on"), null=True, blank=True)
    client_note_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("client-signed note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bill_line = models.ForeignKey(
        "BillLine", null=True, blank=True, on_delete=models.PROTECT, related_name="expenses"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_expense_positive"),
            # Only what the firm advanced is recovered on a bill.
            models.CheckConstraint(
                condition=Q(paid_by="firm") | Q(bill_line__isnull=True),
                name="billing_expense_only_advanced_billed",
            ),
        ]
        indexes = [models.Index(fields=["matter", "incurred_on"], name="billing_expense_matter")]

    @property
    def money_kind(self) -> str:
        return EXPENSE_MONEY_KIND[self.kind]


class ClientFundsKind(models.TextChoices):
    RECEIPT = "receipt", _("Received from the client")
    DISBURSEMENT = "disbursement", _("Paid out for the client")
    REFUND = "refund", _("Returned to the client")


class ClientFundsEntry(models.Model):
    """The 代收代付 ledger: client money held for pass-through costs, per client and matter,
    never mixed with fees (no `Payment` ever lands here, no fee is paid from here). The
    balance (receipts − disbursements − refunds) of a client and matter never goes below
    zero: the service checks it under a lock on the matter's rows."""

    client = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ClientFundsKind.choices)
    amount = money_field(_("amount"))  # positive; `kind` gives the direction
    entry_date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    method = models.CharField(_("method"), max_length=20, blank=True)  # PaymentMethod values
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    expense = models.OneToOneField(
        Expense, null=True, blank=True, on_delete=models.PROTECT, related_name="client_funds"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client funds entry")
        verbose_name_plural = _("client funds ledger")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_funds_positive"),
            models.CheckConstraint(
                condition=Q(expense__isnull=True) | Q(kind="disbursement"),
                name="billing_funds_expense_is_disbursement",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "matter", "entry_date"], name="billing_funds_client")
        ]


# -- bills (账单/请款单) -------------------------------------------------------------------------


class BillNumberCounter(models.Model):
    """One row per year; incremented under its row lock when a bill is issued, so the series
    has no gaps (drafts have no number; a voided bill keeps its number)."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class BillStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


# Bills that have been issued and count as receivable while open.
ISSUED_STATUSES = (BillStatus.ISSUED, BillStatus.PARTLY_PAID, BillStatus.PAID)


class Bill(models.Model):
    """A request for payment to a client on one matter; never deleted (void with a reason).
    `total` is the sum of its lines (kept by the services while a draft; fixed once issued);
    `paid` the sum of its allocations, kept under the bill's row lock with a guarded update,
    and the database refuses `paid` above `total`."""

    number = models.CharField(_("bill number"), max_length=40, unique=True, null=True, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        FeeAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="bills"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BillStatus.choices, default=BillStatus.DRAFT
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    total = money_field(_("total"), default=0)
    paid = money_field(_("paid"), default=0)
    note = models.TextField(_("note"), blank=True)
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="billing_bill_year_seq_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="billing_bill_total_nonneg"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="billing_bill_paid_nonneg"),
            models.CheckConstraint(
                condition=Q(paid__lte=F("total")), name="billing_bill_not_overpaid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "partly_paid", "paid"])
                | Q(number__isnull=False, issued_on__isnull=False),
                name="billing_bill_issued_numbered",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid=F("total")),
                name="billing_bill_paid_in_full",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""),
                name="billing_bill_void_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["draft", "void"]) | Q(paid=0),
                name="billing_bill_unissued_unpaid",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status"], name="billing_bill_client_status"),
            models.Index(fields=["matter", "status"], name="billing_bill_matter_status"),
            models.Index(fields=["status", "issued_on"], name="billing_bill_status_issued"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def open_amount(self) -> Decimal:
        return self.total - self.paid


class BillLine(models.Model):
    """One line of a bill, of one kind of money. Its sources point at it (`instalments`,
    `time_entries`, `expenses`) while the bill is live."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=MoneyKind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = money_field(_("amount"))

    class Meta:
        ordering = ["bill_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_line_positive"),
        ]


# -- invoices (发票), payments (收款), allocations, refunds ---------------------------------------


class InvoiceKind(models.TextChoices):
    VAT_GENERAL = "vat_general", _("VAT general invoice")  # 增值税普通发票
    VAT_SPECIAL = "vat_special", _("VAT special invoice")  # 增值税专用发票


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVERSED = "reversed", _("Reversed (red-letter)")  # 红冲


class Invoice(models.Model):
    """A 发票 the firm issued elsewhere (the tax system), recorded against bills; only the
    legal service fee is invoiced as revenue (pass-through costs carry the payee's own
    receipts). `tax_rate` defaults to LEXCASE_BILLING["vat_rate"]."""

    kind = models.CharField(_("invoice type"), max_length=20, choices=InvoiceKind.choices)
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    issued_on = models.DateField(_("invoice date"))
    amount = money_field(_("amount incl. tax"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    tax_amount = money_field(_("tax"), null=True, blank=True)
    client = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_tax_id = models.CharField(_("buyer tax number"), max_length=30, blank=True)
    bills = models.ManyToManyField(Bill, related_name="invoices", blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    reversal_reason = models.TextField(_("reason for reversal"), blank=True)
    # Who recorded the reversal (红冲) and when (invoice_reverse); null before it, and on
    # invoices reversed before these fields existed (the audit log has them).
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reversed by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_invoice_positive"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lt=1), name="billing_invoice_tax_rate"
            ),
            models.CheckConstraint(
                condition=Q(tax_amount__isnull=True)
                | Q(tax_amount__gte=0, tax_amount__lte=F("amount")),
                name="billing_invoice_tax_amount",
            ),
            # A special invoice names the buyer's tax number.
            models.CheckConstraint(
                condition=~Q(kind="vat_special") | ~Q(buyer_tax_id=""),
                name="billing_invoice_special_tax_id",
            ),
            models.CheckConstraint(
                condition=~Q(status="reversed") | ~Q(reversal_reason=""),
                name="billing_invoice_reversal_reason",
            ),
        ]
        indexes = [models.Index(fields=["client", "issued_on"], name="billing_invoice_client")]


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")  # 微信
    ALIPAY = "alipay", _("Alipay")  # 支付宝
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    VOID = "void", _("Void")


class Payment(models.Model):
    """Fee money received from a client (律师服务费 and recovered advances; client money for
    pass-through costs goes to the client-funds ledger instead). `allocated` and `refunded`
    are kept with guarded updates; what is left (amount − allocated − refunded) is 预收款
    held for the client, applied to later bills. The database refuses over-allocation."""

    client = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    # The matter the money was sent for, when the payer said (预收款 for one matter).
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    amount = money_field(_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    payer = models.CharField(_("payer"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    allocated = money_field(_("allocated"), default=0)
    refunded = money_field(_("refunded"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.RECORDED
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_positive"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, refunded__gte=0),
                name="billing_payment_parts_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=F("allocated") + F("refunded")),
                name="billing_payment_not_overallocated",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | Q(allocated=0, refunded=0),
                name="billing_payment_void_unallocated",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""),
                name="billing_payment_void_reason",
            ),
        ]
        indexes = [models.Index(fields=["client", "received_on"], name="billing_payment_client")]

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated - self.refunded


class PaymentAllocation(models.Model):
    """Part of a payment applied to a bill of the same client (the service refuses other
    clients' bills and anything above the payment's or the bill's open amount), dated the
    day it was applied. Applying more of the same payment to the same bill later adds a row:
    the first keeps its date."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(_("amount"))
    allocated_on = models.DateField(_("date"))
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # No (payment, bill) uniqueness: each application of money is its own dated row.
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_allocation_positive"),
        ]


class Refund(models.Model):
    """Fee money returned to a client out of a payment's unallocated part."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    client = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    amount = money_field(_("amount"))
    refunded_on = models.DateField(_("refunded on"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_refund_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="billing_refund_reason"),
        ]


# -- the firm's contingency ban list --------------------------------------------------------------


class ContingencyBanKind(models.TextChoices):
    MATTER_TYPE = "matter_type", _("Matter type")
    CAUSE = "cause", _("Cause of action")
    GROUP_LITIGATION = "group_litigation", _("Group litigation")


class ContingencyBan(models.Model):
    """Where 风险代理 is refused: firm-editable data, seeded with the national list
    (`billing.contingency.NATIONAL_BANS`) with each entry's citation."""

    kind = models.CharField(_("kind"), max_length=20, choices=ContingencyBanKind.choices)
    key = models.CharField(_("key"), max_length=40, blank=True)  # matter type or 案由 code
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    citation = models.CharField(_("citation"), max_length=300)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="billing_ban_unique"),
        ]

    def __str__(self) -> str:
        return self.label
