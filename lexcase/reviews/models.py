"""Periodic quality reviews of matters (案件质量检查), their checklists, and the clients'
satisfaction surveys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lexcase.matters.models import MatterType


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic review")
    STAGE = "stage", _("Stage review")
    CLOSING = "closing", _("Closing review")


class ReviewStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("review status", "Due")
    DONE = "done", pgettext_lazy("review status", "Done")
    # The matter closed or was closed over it (a partner's override): nothing left to review.
    CANCELLED = "cancelled", _("Cancelled")


class AutoCheck(models.TextChoices):
    """Checklist items the system can check from the matter's data."""

    DEADLINES_CONFIRMED = "deadlines_confirmed", _("Deadlines recorded and confirmed")
    CLIENT_UPDATED = "client_updated", _("Client updated within the cadence")
    DOCUMENTS_FILED = "documents_filed", _("Documents filed in confirmed categories")
    EVIDENCE_FILED = "evidence_filed", _("Evidence catalogue filed")
    FEE_AGREEMENT_SIGNED = "fee_agreement_signed", _("Fee agreement signed")


class ReviewChecklistItem(models.Model):
    """One question of the review form; firm-editable data. A blank `matter_type` asks it
    on every matter. `auto` names the check that pre-fills it from the data."""

    matter_type = models.CharField(
        _("matter type"), max_length=30, choices=MatterType.choices, blank=True
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    auto = models.CharField(
        _("checked by the system"), max_length=30, choices=AutoCheck.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["matter_type", "code"], name="review_item_per_type")
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        lang = get_language() or ""
        return self.label_en if self.label_en and lang.startswith("en") else self.label


class Review(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=10, choices=ReviewKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE
    )
    due_on = models.DateField(_("due on"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews_to_do",
        verbose_name=_("reviewer"),
    )
    # What made it due besides the cadence: the stage entered (a stage review) and the
    # timeline entry of that change, so the scheduler creates one review per change.
    stage = models.CharField(max_length=30, blank=True)
    trigger_entry_id = models.PositiveBigIntegerField(null=True, blank=True)
    # {code: {"label", "auto": true|false|null (what the system found), "ok": bool}} as
    # answered, so later edits of the checklist do not rewrite a finished review.
    checklist = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-due_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["reviewer", "status", "due_on"]),
            models.Index(fields=["matter", "kind", "status"]),
            # The dashboard's latest findings: newest finished first, read backwards.
            models.Index(fields=["status", "completed_at", "id"], name="review_done_latest_idx"),
        ]
        constraints = [
            # The scheduler may run twice at once: one open periodic and one open closing
            # review per matter, one stage review per stage change.
            models.UniqueConstraint(
                fields=["matter"],
                condition=Q(kind="periodic", status="due"),
                name="review_one_open_periodic",
            ),
            models.UniqueConstraint(
                fields=["matter"],
                condition=Q(kind="closing", status="due"),
                name="review_one_open_closing",
            ),
            models.UniqueConstraint(
                fields=["matter", "trigger_entry_id"],
                condition=Q(trigger_entry_id__isnull=False),
                name="review_one_per_trigger",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="review_score_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(score__isnull=False, completed_at__isnull=False),
                name="review_done_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class ReviewFollowUp(models.Model):
    """A follow-up action of a review; it lives on as a task of the matter (todos)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="follow_ups")
    task = models.ForeignKey("todos.Task", null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["id"]


class ReviewDelegation(models.Model):
    """The responsible partner hands a matter's reviews to another lawyer on the team."""

    matter = models.OneToOneField(
        "matters.Matter", on_delete=models.CASCADE, related_name="review_delegation"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class SurveyOccasion(models.TextChoices):
    CLOSING = "closing", _("At closing")
    MID = "mid", _("During the matter")


class SatisfactionSurvey(models.Model):
    """A client contact's answer to the satisfaction survey in the portal."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="surveys")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    occasion = models.CharField(max_length=10, choices=SurveyOccasion.choices)
    overall = models.PositiveSmallIntegerField(_("overall"))
    responsiveness = models.PositiveSmallIntegerField(_("responsiveness"))
    clarity = models.PositiveSmallIntegerField(_("clarity of updates"))
    comment = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "respondent", "occasion"], name="survey_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5)
                & Q(responsiveness__gte=1, responsiveness__lte=5)
                & Q(clarity__gte=1, clarity__lte=5),
                name="survey_scores_1_5",
            ),
        ]


class ApprovalKind(models.TextChoices):
    SEAL = "seal", _("Seal request (用章申请)")
    ARCHIVE = "archive", _("Archiving approval (归档审批)")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Approval(models.Model):
    """A request a partner decides: the firm's seal on a named document, or archiving a
    closed matter. Requester, approver, decision, time and reason are kept (and audited)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ApprovalKind.choices)
    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="approvals")
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who must decide (the responsible partner when it was asked).
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="approvals_to_decide",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The sealed document, filed back as a new version of the document.
    sealed_version = models.ForeignKey(
        "documents.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["approver", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="seal") | Q(document__isnull=False), name="approval_seal_document"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="approval_decided_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(note=""), name="approval_refusal_reason"
            ),
            models.UniqueConstraint(
                fields=["matter"],
                condition=Q(kind="archive", status="pending"),
                name="approval_one_pending_archive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.matter_id}"
