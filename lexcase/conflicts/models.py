"""Side index for conflict checks, and the relatives of the firm's own staff.

The index rows are derived data: `engine.index_party` / `index_staff_relative` rebuild them
from the source records, and a check reads only these tables (plus the candidate parties by
primary key), never a scan of the party table. Each index row belongs to exactly one owner:
a party, or a staff relative (律师近亲属), so both are found by the same lookups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lexcase.core.fieldcrypt import EncryptedTextField
from lexcase.parties.models import Party, PartyKind


class StaffRelative(models.Model):
    """A relative of someone at the firm, checked against every opposing party (Art. 52(1))."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        PARENT = "parent", _("Parent")
        CHILD = "child", _("Child")
        SIBLING = "sibling", _("Sibling")
        OTHER = "other", _("Other relative")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_relatives"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    # Encrypted at rest; matched through the conflict index's keyed hash (PartyKey).
    id_number = EncryptedTextField(_("ID number"), blank=True)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "name", "id"]
        verbose_name = _("staff relative")
        verbose_name_plural = _("staff relatives")

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    """A hit's verdict, most severe first (docs/domain.md: conflicts)."""

    ABSOLUTE = "absolute", _("Absolute conflict")
    CONSENT_REQUIRED = "consent_required", _("Consent required")
    REVIEW = "review", _("Needs review")
    INFO = "info", _("For information")


class MatchedOn(models.TextChoices):
    """Why a candidate matched the query: the explanation shown beside each hit."""

    ID = "id", _("identifier")
    NAME = "name", _("same name")
    CORE_NAME = "core_name", _("name without legal form")
    ALIAS = "alias", _("alias or former name")
    SUBSTRING = "substring", _("part of the name")
    FUZZY = "fuzzy", _("similar name")
    PINYIN = "pinyin", _("same pronunciation")
    RELATED = "related", _("related party")
    TRADE = "trade", _("trade name")
    TYPO = "typo", _("one character differs")


class KeyType(models.TextChoices):
    ID_NUMBER = "id_number", _("ID number")
    CREDIT_CODE = "credit_code", _("Credit code")
    PASSPORT = "passport", _("Passport number")
    NAME = "name", _("Name")
    ALIAS = "alias", _("Alias or former name")
    CORE = "core", _("Name without legal form")
    TRADE = "trade", _("Trade name")
    PINYIN = "pinyin", _("Pinyin")
    # One character deleted from a name of up to 8 characters / from a trade name.
    DELETION = "del1", _("Name with one character deleted")
    TRADE_DELETION = "trade_del1", _("Trade name with one character deleted")


# A row has exactly one owner; written as a constraint so a bug in the indexer cannot leave
# rows that no check would ever attribute to anyone.
_ONE_OWNER = models.Q(party__isnull=False, relative__isnull=True) | models.Q(
    party__isnull=True, relative__isnull=False
)


class PartyKey(models.Model):
    """An exact-match key: identifier, normalised name, alias, core/trade name or pinyin.

    `text` is the original spelling the key was derived from (the party name or the alias),
    shown to the reviewer as what matched. `from_alias` marks core/trade/pinyin keys derived
    from an alias rather than from the main name.
    """

    party = models.ForeignKey(Party, null=True, on_delete=models.CASCADE, related_name="+")
    relative = models.ForeignKey(
        StaffRelative, null=True, on_delete=models.CASCADE, related_name="keys"
    )
    key_type = models.CharField(max_length=12, choices=KeyType.choices)
    value = models.CharField(max_length=200)
    text = models.CharField(max_length=200)
    from_alias = models.BooleanField(default=False)
    # The owner holds two or more source keys of this row's family (engine._shared_flags):
    # e.g. two names of up to 8 characters for a deletion key, a name and an alias for a
    # name key. Only such owners can hold two keys of one group through different names.
    # A database default too, so that an INSERT naming only the older columns stays valid.
    shared = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            # The owner column is in the index so that counting a large group (the
            # namesakes of a common name) reads the index alone.
            models.Index(fields=["key_type", "value", "party"], name="conflicts_key_lookup2"),
            # Staff relatives are looked up apart from the parties (never grouped away).
            models.Index(
                fields=["key_type", "value"],
                condition=models.Q(relative__isnull=False),
                name="conflicts_key_relative",
            ),
            # The parties' shared rows: besides one name yielding several deletion keys, the
            # only way a party holds two keys of one group, so an exact group count corrects
            # its sum of KeyCount holders with these few rows (engine._summed_total).
            models.Index(
                fields=["key_type", "value", "party"],
                condition=models.Q(shared=True, party__isnull=False),
                name="conflicts_key_shared",
            ),
        ]
        constraints = [models.CheckConstraint(condition=_ONE_OWNER, name="party_key_one_owner")]

    def __str__(self) -> str:
        return f"{self.key_type}:{self.value}"


class KeyCount(models.Model):
    """How many parties hold one key of a grouped kind (names, aliases, trade names, pinyin,
    deletion keys), for the keys held by more than `engine.KEY_COUNT_MIN` parties: a group
    count reads this row instead of thousands of index entries (the deletion key 王 of every
    two-character name with 王: 27,000 at 1,000,000 parties).

    Exact in every committed state: the index writer (`engine._count_keys`) updates it in
    the transaction that writes the PartyKey rows, from the net change of the party's keys
    (nothing when a save leaves the names as they were). A key without a row has at most
    KEY_COUNT_MIN holders and is counted from the index. Staff relatives are not counted
    (groups hold parties only).
    """

    key_type = models.CharField(max_length=12, choices=KeyType.choices)
    value = models.CharField(max_length=200)
    holders = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key_type", "value"], name="conflicts_keycount_key")
        ]

    def __str__(self) -> str:
        return f"{self.key_type}:{self.value}={self.holders}"


class GramCount(models.Model):
    """How many parties hold one name gram (NameGram), for the grams held by more than
    `engine.KEY_COUNT_MIN` parties, kept exact like KeyCount (same writer, same lock): a
    substring search starts from the rarest grams of the text (公司 or 制造 last)."""

    gram = models.CharField(max_length=2, unique=True)
    holders = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.gram}={self.holders}"


class NameGram(models.Model):
    """One distinct unigram or bigram of an owner's normalised name or aliases.

    The bigram/unigram side index that finds 1–2 character CJK substrings, which trigram
    indexes (pg_trgm, FTS5 trigram) silently miss (docs/quality.md §4.1).
    """

    party = models.ForeignKey(Party, null=True, on_delete=models.CASCADE, related_name="+")
    relative = models.ForeignKey(
        StaffRelative, null=True, on_delete=models.CASCADE, related_name="grams"
    )
    gram = models.CharField(max_length=2)

    class Meta:
        indexes = [
            models.Index(fields=["gram", "party"], name="conflicts_gram_party"),
            models.Index(fields=["gram", "relative"], name="conflicts_gram_relative"),
        ]
        constraints = [models.CheckConstraint(condition=_ONE_OWNER, name="name_gram_one_owner")]

    def __str__(self) -> str:
        return self.gram


class ConflictCheck(models.Model):
    """A frozen conflict report: what was asked, every hit and the engine that found it.
    Nothing updates a check; a new question makes a new check."""

    matter = models.ForeignKey(
        "matters.Matter",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflict_checks",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    query = models.JSONField(default=list)
    hits = models.JSONField(default=list)
    engine_version = models.CharField(max_length=40)
    truncated = models.BooleanField(default=False)
    # Engine 2.x: the weak matches counted rather than listed (engine.Group.as_dict).
    groups = models.JSONField(default=list)
    worst = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ConflictReview(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        WAIVE = "waive", _("Approve with waiver (informed consent)")
        REJECT = "reject", _("Reject")

    check_ref = models.OneToOneField(ConflictCheck, on_delete=models.PROTECT, related_name="review")
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="conflict_reviews"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    consent_reference = models.CharField(
        _("signed informed consent (知情同意书) reference"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)


class IntakeLock(models.Model):
    """A single row that intake checks lock (SELECT … FOR UPDATE on PostgreSQL), so two
    intakes for opposite sides of one dispute are checked one after the other and the second
    sees the first. SQLite's IMMEDIATE transactions serialise writers already."""

    name = models.CharField(max_length=20, unique=True)
