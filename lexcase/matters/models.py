"""Matters (案件), their parties, team, court case numbers and timeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MatterType(models.TextChoices):
    CIVIL = "civil", _("Civil litigation")
    COMMERCIAL_ARBITRATION = "commercial_arbitration", _("Commercial arbitration")
    LABOR_ARBITRATION = "labor_arbitration", _("Labour arbitration")
    CRIMINAL = "criminal", _("Criminal")
    ADMINISTRATIVE = "administrative", _("Administrative")
    ENFORCEMENT = "enforcement", _("Enforcement")
    NON_LITIGATION = "non_litigation", _("Non-litigation")
    COUNSEL = "counsel", _("Retained counsel")
    CONSULTATION = "consultation", _("Consultation")


# Short codes used in firm matter numbers (e.g. 2026-民-0001).
MATTER_TYPE_CODES = {
    MatterType.CIVIL: "民",
    MatterType.COMMERCIAL_ARBITRATION: "仲",
    MatterType.LABOR_ARBITRATION: "劳",
    MatterType.CRIMINAL: "刑",
    MatterType.ADMINISTRATIVE: "行",
    MatterType.ENFORCEMENT: "执",
    MatterType.NON_LITIGATION: "非",
    MatterType.COUNSEL: "顾",
    MatterType.CONSULTATION: "咨",
}


class Priority(models.TextChoices):
    P1 = "P1", _("P1 Urgent")
    P2 = "P2", _("P2 Important")
    P3 = "P3", _("P3 Normal")


class Status(models.TextChoices):
    INTAKE = "intake", _("Intake")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class Stage(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    FILING = "filing", _("Filing")
    ARBITRATION = "arbitration", _("Arbitration")
    FIRST_INSTANCE = "first_instance", _("First instance")
    SECOND_INSTANCE = "second_instance", _("Second instance")
    RETRIAL = "retrial", _("Retrial")
    ENFORCEMENT = "enforcement", _("Enforcement")
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION_REVIEW = "prosecution_review", _("Prosecution review")
    ONGOING = "ongoing", _("Ongoing service")
    CONCLUDED = "concluded", _("Concluded")


class PrioritySLA(models.Model):
    """The service level of each priority tier; editable by the firm (product.md §2)."""

    priority = models.CharField(max_length=2, choices=Priority.choices, unique=True)
    first_action_hours = models.PositiveIntegerField(null=True, blank=True)
    description = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.priority}: {self.description}"


class CauseKind(models.TextChoices):
    """Which matters a 案由 is for: civil causes (民事案件案由规定), 罪名 for criminal matters,
    行政案件案由 for administrative ones."""

    CIVIL = "civil", _("Civil cause of action")
    CRIMINAL = "criminal", _("Criminal charge")
    ADMINISTRATIVE = "administrative", _("Administrative cause")


def cause_kind_for(matter_type: str) -> str:
    if matter_type == "criminal":
        return CauseKind.CRIMINAL
    if matter_type == "administrative":
        return CauseKind.ADMINISTRATIVE
    return CauseKind.CIVIL


class CaseCause(models.Model):
    """案由: versioned reference data (docs/domain.md §4.3): civil causes, 罪名 and
    administrative causes (`kind`), each version with its source (`causes_data.py`,
    `causes_other_data.py`)."""

    version = models.CharField(max_length=10)
    kind = models.CharField(max_length=20, choices=CauseKind.choices, default=CauseKind.CIVIL)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="case_cause_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MatterNumberCounter(models.Model):
    """One row per (year, type code); incremented under the row lock to hand out numbers."""

    year = models.PositiveIntegerField()
    type_code = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "type_code"], name="matter_counter_unique")
        ]


class Matter(models.Model):
    number = models.CharField(_("matter number"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    matter_type = models.CharField(_("matter type"), max_length=30, choices=MatterType.choices)
    cause = models.ForeignKey(
        CaseCause,
        verbose_name=_("cause of action"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    practice_area = models.ForeignKey(
        "accounts.PracticeArea",
        verbose_name=_("practice area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    summary = models.TextField(_("summary"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P2
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INTAKE
    )
    stage = models.CharField(
        _("stage"), max_length=30, choices=Stage.choices, default=Stage.PREPARATION
    )
    amount = models.DecimalField(
        _("amount in dispute"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    court = models.CharField(_("court or arbitration body"), max_length=200, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    outcome = models.TextField(_("outcome"), blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Last activity: bumped by every service that changes the matter; the list sorts on it.
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # When the client last heard from us: the newest outbound contact on the communication
    # log, kept by database triggers on that log (lexcase/comms/last_contact.py) whoever
    # writes it, so the dashboards judge the update cadence of every open matter from this
    # row instead of probing the log once per matter. Derived: never written by `save()`,
    # not in the history.
    last_outbound_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["last_outbound_at"])

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [
            models.Index(fields=["status", "-updated_at", "-id"]),
            models.Index(fields=["status", "confidential"]),
            models.Index(fields=["-updated_at", "-id"]),
            models.Index(fields=["matter_type", "-updated_at"]),
            models.Index(fields=["priority", "-updated_at"]),
            # The confidential matters (a few percent): the complement of a partner's gate
            # (`selectors.matters_in_bulk`) is read from it, not from a scan of every matter.
            models.Index(
                fields=["id"], condition=models.Q(confidential=True), name="matter_confidential_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, **kwargs: Any) -> None:
        # An update writes every column but `last_outbound_at`: the triggers own it, and an
        # instance loaded before a contact was logged would otherwise put back a stale value.
        if not self._state.adding and kwargs.get("update_fields") is None:
            if not kwargs.get("force_insert"):
                kwargs["update_fields"] = [
                    f.name
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.name != "last_outbound_at"
                ]
        super().save(**kwargs)

    # The list shows four labels per row: Django's generated get_FOO_display rebuilds a
    # dict of every choice on each call (a fifth of the list's rendering at 50 rows);
    # these look the one value up in its enum.
    def get_matter_type_display(self) -> str:  # type: ignore[no-redef]  # stubs declare it
        return _choice_label(MatterType, self.matter_type)

    def get_priority_display(self) -> str:  # type: ignore[no-redef]
        return _choice_label(Priority, self.priority)

    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return _choice_label(Status, self.status)

    def get_stage_display(self) -> str:  # type: ignore[no-redef]
        return _choice_label(Stage, self.stage)


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The translated label of `value`, or `value` itself when it is not a choice (as
    Django's get_FOO_display)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class MemberRole(models.TextChoices):
    RESPONSIBLE_PARTNER = "responsible_partner", _("Responsible partner")
    LEAD = "lead", _("Lead lawyer")
    MEMBER = "member", _("Member")
    ASSISTANT = "assistant", _("Assistant")


class MatterMember(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=MemberRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matter", "user"], name="matter_member_unique"),
            # One responsible partner and one lead per matter.
            models.UniqueConstraint(
                fields=["matter", "role"],
                condition=models.Q(role__in=["responsible_partner", "lead"]),
                name="matter_single_partner_and_lead",
            ),
        ]
        indexes = [models.Index(fields=["user", "matter"])]


class EthicalWall(models.Model):
    """Walls a user off a matter, whatever else would admit them."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="walls")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matter", "user"], name="ethical_wall_unique")
        ]
        indexes = [models.Index(fields=["user", "matter"])]


class PartyRole(models.TextChoices):
    CLIENT = "client", _("Client")
    OPPOSING = "opposing", _("Opposing party")
    THIRD_PARTY = "third_party", _("Third party")
    OPPOSING_COUNSEL = "opposing_counsel", _("Opposing counsel")
    RELATED = "related", _("Related party")


class MatterParty(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="matter_parties")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="matter_links"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    # 诉讼地位: 原告, 被告, 第三人, 申请人, 被申请人, 上诉人, 被上诉人 …
    standing = models.CharField(_("procedural standing"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matter", "party", "role"], name="matter_party_unique")
        ]
        indexes = [models.Index(fields=["party", "matter"])]


class PartyReach(models.Model):
    """Who shares a matter with a party: one row per (member of staff, party) for every party
    on a matter the user is a member of, with the party's name and kind copied so that a
    reader's own parties are an index range in directory order (user, name, party). `links`
    counts the (membership, link) pairs behind the row. Written only by database triggers
    (lexcase/matters/party_links.py), whoever writes memberships, links or party names.

    Only a narrowing: the directory proves every row it shows with the gate
    (`selectors.party_visible`: walls, active user), so a stale row can never show a party of
    a hidden matter; a missing one would hide a party from its own lawyer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    # Not a PositiveIntegerField: a CHECK failing inside a trigger would refuse the write
    # that fired it; a row at or below zero is removed by the trigger instead.
    links = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "user"], name="party_reach_unique")]
        indexes = [
            models.Index(fields=["user", "name", "party"], name="party_reach_name_idx"),
            models.Index(fields=["user", "kind", "name", "party"], name="party_reach_kind_idx"),
        ]


class CourtCaseNumber(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="case_numbers")
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices)
    number = models.CharField(_("court case number"), max_length=60)
    year = models.PositiveIntegerField()
    court_code = models.CharField(max_length=10)
    type_code = models.CharField(max_length=6)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="court_case_number_unique")
        ]
        indexes = [models.Index(fields=["number"])]


class TimelineKind(models.TextChoices):
    """Every kind of timeline entry, whichever app writes it: one vocabulary, owned here with
    the entry. Each writing app registers its kinds' texts (`matters/timeline.py`)."""

    CREATED = "created"
    UPDATED = "updated"
    STATUS = "status"
    STAGE = "stage"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    WALL_ADDED = "wall_added"
    CONFIDENTIALITY_LOWERED = "confidentiality_lowered"
    CONFIDENTIALITY_RAISED = "confidentiality_raised"
    PARTY_ADDED = "party_added"
    SERVED = "served"
    SERVED_EFFECTIVE = "served_effective"
    HEARING = "hearing"
    DEADLINE_MOVED = "deadline_moved"
    ARCHIVE_FILED = "archive_filed"
    LOAN_LENT = "loan_lent"
    LOAN_RETURNED = "loan_returned"
    CHECKLIST = "checklist"
    SLA_BREACH = "sla_breach"
    PORTAL_GRANT = "portal_grant"
    PORTAL_REVOKE = "portal_revoke"
    CASE_NUMBER = "case_number"
    REVIEW_DONE = "review_done"
    REVIEW_OVERDUE = "review_overdue"
    SURVEY = "survey"


class TimelineEntry(models.Model):
    """What happened on a matter; `kind` + `data` are rendered in the reader's language."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "-at"])]


# --- Closing and the archive room (结案归档; docs/domain.md §3.5) --------------------------------


def _in_reader_language(zh: str, en: str) -> str:

    return en if en and (get_language() or "").startswith("en") else zh


class ClosingOutcome(models.TextChoices):
    WON = "won", _("Judgment: won")
    PARTLY_WON = "partly_won", _("Judgment: partly won")
    LOST = "lost", _("Judgment: lost")
    SETTLED = "settled", _("Settlement or mediation")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Service completed")
    OTHER = "other", _("Other")


class ClosingChecklistItem(models.Model):
    """One item of the completeness checklist ticked when a matter closes; firm-editable data.
    `label` is the firm's own wording (Chinese), `label_en` what English readers see."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return _in_reader_language(self.label, self.label_en)


class MatterClosing(models.Model):
    """One closing of a matter (a reopened matter closes again: every closing is kept)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="closings")
    closed_on = models.DateField()
    outcome_kind = models.CharField(_("outcome"), max_length=20, choices=ClosingOutcome.choices)
    outcome_text = models.TextField(_("outcome details"), blank=True)
    # {code: ticked} over the items active at closing time, so later edits of the list
    # do not rewrite what the closer confirmed.
    checklist = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.TextField(_("override reason"), blank=True)
    archive_deadline = models.DateField(_("archive by"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["archive_deadline"])]


class RetentionClass(models.Model):
    """保管期限: 永久 / 长期 / 短期. The years behind each class are firm policy
    (docs/domain.md §3.5 leaves them open), and `matter_types` lists the types it is the
    default for."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=10)  # as written in the archive number
    name_en = models.CharField(_("name (English)"), max_length=40, blank=True)
    years = models.PositiveSmallIntegerField(_("years kept"), null=True, blank=True)
    matter_types = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return _in_reader_language(self.name, self.name_en)


class ArchiveNumberCounter(models.Model):
    """One row per (year, type code, retention class), incremented under the row lock."""

    year = models.PositiveIntegerField()
    type_code = models.CharField(max_length=4)
    retention_code = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "type_code", "retention_code"], name="archive_counter_unique"
            )
        ]


class ArchiveRecord(models.Model):
    """The archived paper file of a matter (一案一卷、一卷一号) and where it sits."""

    matter = models.OneToOneField(Matter, on_delete=models.PROTECT, related_name="archive")
    number = models.CharField(_("archive number"), max_length=60, unique=True)
    year = models.PositiveIntegerField()
    type_code = models.CharField(max_length=4)
    retention = models.ForeignKey(
        RetentionClass, verbose_name=_("retention"), on_delete=models.PROTECT
    )
    room = models.CharField(_("room"), max_length=60)
    shelf = models.CharField(_("shelf"), max_length=60)
    box = models.CharField(_("box"), max_length=60)
    archived_on = models.DateField()
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-archived_on", "-id"]
        indexes = [models.Index(fields=["year", "type_code"])]

    def __str__(self) -> str:
        return self.number


class PaperLoan(models.Model):
    """A paper file lent out of the archive room (借阅) and, later, returned."""

    record = models.ForeignKey(ArchiveRecord, on_delete=models.CASCADE, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrower"),
        on_delete=models.PROTECT,
        related_name="paper_loans",
    )
    due_on = models.DateField(_("due on"))
    purpose = models.CharField(_("purpose"), max_length=200)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lent_at = models.DateTimeField(auto_now_add=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-lent_at", "-id"]
        constraints = [
            # At most one open loan per file: the database says so, not only the service.
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(returned_at__isnull=True),
                name="paper_loan_one_open",
            )
        ]
        indexes = [models.Index(fields=["borrower", "due_on"])]


# -- personal data: retention after archiving, legal holds, consent (PIPL; issue 14 item 8) --


class PersonalDataRetention(models.Model):
    """How many years after a matter of `matter_type` was archived its parties' personal data
    is kept (firm policy, edited as data). A type without a row is never anonymised, and a
    matter whose paper file is kept permanently (a retention class without years) keeps its
    parties' data as long as the file is kept (lexcase/matters/retention.py)."""

    matter_type = models.CharField(
        _("matter type"), max_length=30, choices=MatterType.choices, unique=True
    )
    years = models.PositiveSmallIntegerField(_("years kept after archiving"))

    class Meta:
        ordering = ["matter_type"]


class LegalHold(models.Model):
    """A legal hold (诉讼保全/证据保存义务, a regulator's request, a dispute): while active, none of
    the matter's parties is anonymised. Set and released with a reason, both audited."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_reason = models.CharField(_("reason for release"), max_length=300, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter"],
                condition=models.Q(released_at__isnull=True),
                name="legal_hold_one_active_per_matter",
            )
        ]


class PartyAnonymisation(models.Model):
    """A party whose personal fields were anonymised after retention (the run is idempotent:
    a party with this row is never touched again). Holds no personal data."""

    party = models.OneToOneField(
        "parties.Party", on_delete=models.CASCADE, related_name="anonymisation"
    )
    anonymised_at = models.DateTimeField()
    matter_ids = models.JSONField(default=list)  # the matters whose retention had ended
    fields = models.JSONField(default=list)  # which fields were cleared


class SensitiveField(models.TextChoices):
    """Fields holding sensitive personal information (PIPL Art. 28) that need consent."""

    ID_NUMBER = "id_number", _("ID number")
    PASSPORT = "passport", _("passport number")


class PersonalDataConsent(models.Model):
    """A person's consent to the firm processing a sensitive field (PIPL Arts. 29-30: separate
    consent, with its basis), recorded by staff; withdrawing keeps the row."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="consents")
    field = models.CharField(_("field"), max_length=20, choices=SensitiveField.choices)
    basis = models.CharField(_("how consent was given"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["party_id", "field", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "field"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_live_per_field",
            )
        ]
