"""Holiday calendar, served documents, deadlines and hearings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lexcase.calendar.rules_data import RULES


class HolidayYear(models.Model):
    """Per-year status: a year is `published` only once its State Council notice is entered."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        MISSING = "missing", _("Missing")

    year = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING)
    source = models.CharField(_("source notice"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} ({self.status})"


class HolidayDay(models.Model):
    """An exception to the weekday/weekend pattern: a rest weekday or an adjusted working
    weekend (调休上班). Days without a row follow Monday–Friday work, weekend rest."""

    class Kind(models.TextChoices):
        REST = "rest", _("Rest day")
        WORK = "work", _("Adjusted working day")

    date = models.DateField(unique=True)
    year = models.PositiveIntegerField(db_index=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


class ServedDocument(models.Model):
    """A judgment, ruling, complaint copy … served on the client: the trigger of deadlines."""

    class Kind(models.TextChoices):
        JUDGMENT = "judgment", _("Judgment")
        RULING = "ruling", _("Ruling")
        COMPLAINT_COPY = "complaint_copy", _("Copy of complaint")
        APPEAL_COPY = "appeal_copy", _("Copy of appeal")
        AWARD = "award", _("Arbitral award")
        DECISION = "decision", _("Decision")
        PAYMENT_ORDER = "payment_order", _("Payment order")
        RECONSIDERATION_DECISION = "reconsideration_decision", _("Reconsideration decision")
        ADMINISTRATIVE_ACT = "administrative_act", _("Administrative act")
        PRESERVATION_DEPOSIT = "preservation_deposit", _("Bank deposits frozen (preservation)")
        PRESERVATION_MOVABLE = "preservation_movable", _("Movable property sealed or seized")
        PRESERVATION_PROPERTY = (
            "preservation_property",
            _("Real property sealed or other property rights frozen"),
        )
        OTHER = "other", _("Other")

    class EffectiveBasis(models.TextChoices):
        FINAL_ON_SERVICE = "final_on_service", _("Final when served")
        NO_CHALLENGE = "no_challenge", _("No appeal or objection filed")

    class Method(models.TextChoices):
        DIRECT = "direct", _("Direct service")
        POST = "post", _("Postal service")
        ELECTRONIC = "electronic", _("Electronic service")
        NOTICE = "notice", _("Public notice")
        OTHER = "other", _("Other")

    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="served_documents"
    )
    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    service_date = models.DateField(_("service date"))
    method = models.CharField(_("service method"), max_length=20, choices=Method.choices)
    notes = models.TextField(_("notes"), blank=True)
    # A document that is final when served (second instance, 一审终审, an arbitral award)
    # takes effect on service; any other takes effect when its challenge period lapses
    # unused, which the lawyer records (``effective_basis`` = no_challenge).
    final = models.BooleanField(_("final when served"), default=False)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    effective_basis = models.CharField(max_length=20, choices=EffectiveBasis.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-service_date", "-id"]

    @property
    def awaits_effect(self) -> bool:
        """A judgment, ruling, award or payment order whose effective date is not yet known."""
        return self.effective_date is None and self.kind in (
            self.Kind.JUDGMENT,
            self.Kind.RULING,
            self.Kind.AWARD,
            self.Kind.PAYMENT_ORDER,
        )


class Deadline(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        OPEN = "open", pgettext_lazy("deadline status", "Open")
        DONE = "done", pgettext_lazy("deadline status", "Done")
        MISSED = "missed", _("Missed")
        DISMISSED = "dismissed", _("Dismissed")

    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="deadlines")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Where a computed date came from, so it can be explained and recomputed.
    rule_id = models.CharField(max_length=60, blank=True)
    trigger_date = models.DateField(null=True, blank=True)
    served_document = models.ForeignKey(
        ServedDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines"
    )
    ruleset_version = models.CharField(max_length=20, blank=True)
    calendar_version = models.CharField(max_length=40, blank=True)
    provisional = models.BooleanField(default=False)
    # A lawyer replaced the computed date: recomputation leaves it alone.
    date_overridden = models.BooleanField(default=False)
    explanation = models.JSONField(default=list, blank=True)
    citation = models.CharField(max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Shown to the client's contacts in the portal; off unless a lawyer turns it on.
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was marked done: "met" or "missed" is judged against the due date (insights).
    # Null on deadlines completed before this was recorded.
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "due_time", "id"]
        indexes = [
            models.Index(fields=["responsible", "status", "due_date"]),
            models.Index(fields=["matter", "status", "due_date"]),
            # Covering for the dashboard's deadlines met vs missed (status, due date, matter
            # for the gate, completion time): PostgreSQL answers it from the index alone
            # instead of scanning the table (insights.selectors.deadline_section).
            models.Index(
                fields=["status", "due_date", "matter", "completed_at"],
                name="deadline_status_due_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_date} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language: a rule's deadline keeps the rule's name in the
        language it was proposed in (民事判决上诉期), shown as the rule's name in the active
        language (Appeal against a civil judgment); so is a common title written without a
        rule (上诉期限届满: `COMMON_TITLES`); any other title the lawyer wrote is theirs."""
        return rule_title(self.title, self.rule_id)


class Hearing(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="hearings")
    title = models.CharField(_("title"), max_length=200, default="", blank=True)
    court = models.CharField(_("court"), max_length=200)
    city = models.CharField(_("city"), max_length=50, blank=True)
    courtroom = models.CharField(_("courtroom"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), related_name="hearings", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # Shown to the client's contacts in the portal; off unless a lawyer turns it on.
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["matter", "starts_at"]), models.Index(fields=["starts_at"])]


class CalendarFeed(models.Model):
    """The secret behind a user's ICS feed URL; only its hash is stored, it can be reset."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class LimitationPeriod(models.Model):
    """A 诉讼时效 being watched for a claim of this matter; its expiry is derived."""

    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="limitation_periods"
    )
    claim = models.CharField(_("claim"), max_length=200)
    rule_id = models.CharField(_("rule"), max_length=60)
    start_date = models.DateField(_("start date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class LimitationEvent(models.Model):
    class Kind(models.TextChoices):
        INTERRUPTION = "interruption", _("Interruption (demand, acknowledgement, suit …)")
        SUSPENSION_START = "suspension_start", _("Suspension: obstacle begins")
        SUSPENSION_END = "suspension_end", _("Suspension: obstacle ends")

    period = models.ForeignKey(LimitationPeriod, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]


# Deadlines every firm writes without a rule of the library (the demo firm's among them),
# (Chinese, English): shown in the reader's language as a rule's name is.
COMMON_TITLES = (
    ("举证期限届满", "Time limit for evidence ends"),
    ("上诉期限届满", "Time limit for appeal ends"),
    ("答辩期限届满", "Time limit for the defence ends"),
    ("缴纳诉讼费", "Pay the court fee"),
)
_COMMON_BY_TITLE = {title: pair for pair in COMMON_TITLES for title in pair}


def rule_title(title: str, rule_id: str) -> str:
    """`title` in the active language when it is a library rule's name (either language's)
    or one of the `COMMON_TITLES`, else `title` unchanged."""
    rule = RULES.get(rule_id) if rule_id else None
    if rule is not None and title in (rule.name_zh, rule.name_en):
        pair = (rule.name_zh, rule.name_en)
    elif title in _COMMON_BY_TITLE:
        pair = _COMMON_BY_TITLE[title]
    else:
        return title
    return pair[1] if (get_language() or "").startswith("en") else pair[0]
