"""People and organisations, their names, identifiers and relations."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lexcase.core.fieldcrypt import BlindIndexField, EncryptedTextField


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organisation")


class Party(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Derived keys for matching (docs/domain.md §6.2); computed by services, never typed.
    name_normalized = models.CharField(max_length=200, db_index=True, editable=False)
    name_core = models.CharField(max_length=200, db_index=True, editable=False)
    name_trade = models.CharField(max_length=200, db_index=True, editable=False)
    # Personal identifiers are encrypted at rest and matched through their keyed hashes
    # (lexcase/core/fieldcrypt.py); a credit code is public registry data, stored as it is.
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    passport = EncryptedTextField(_("passport number"), blank=True)
    passport_hash = BlindIndexField(source="passport")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # "On at least one matter": kept by database triggers on the matter-party link table
    # (lexcase/matters/party_links.py), whoever writes the links (services, the importer's
    # raw inserts, bulk loads, cascades). Read-only to the application: `save()` never
    # writes it back. The gate uses it only to find the parties on no matter (the partial
    # indexes below) and proves each of them with a probe, so a stale flag can hide a fresh
    # contact from a narrow reader but never show anyone a party of a matter they cannot see.
    on_matter = models.BooleanField(default=False, db_default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["on_matter"])

    class Meta:
        ordering = ["name", "id"]
        # The directory pages by (name, id) and filters by kind: its keyset walks these.
        # The partial ones hold only the parties on no matter, which every member of staff
        # sees: a reader who sees few matters pages through them without walking the rest.
        indexes = [
            models.Index(fields=["name", "id"], name="party_name_id_idx"),
            models.Index(fields=["kind", "name", "id"], name="party_kind_name_id_idx"),
            models.Index(
                fields=["name", "id"],
                condition=models.Q(on_matter=False),
                name="party_fresh_name_id_idx",
            ),
            models.Index(
                fields=["kind", "name", "id"],
                condition=models.Q(on_matter=False),
                name="party_fresh_kind_name_id_idx",
            ),
        ]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name

    def save(self, **kwargs: Any) -> None:
        # An update writes every column but `on_matter`: the triggers own it, and an
        # instance loaded before a link was added would otherwise put back a stale value.
        if not self._state.adding and kwargs.get("update_fields") is None:
            if not kwargs.get("force_insert"):
                kwargs["update_fields"] = [
                    f.name
                    for f in self._meta.concrete_fields
                    if not f.primary_key and f.name != "on_matter"
                ]
        super().save(**kwargs)


class PartyAlias(models.Model):
    class Kind(models.TextChoices):
        ALIAS = "alias", _("Alias")
        FORMER = "former", _("Former name")
        SHORT = "short", _("Short name")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALIAS)
    name = models.CharField(_("name"), max_length=200)
    name_normalized = models.CharField(max_length=200, db_index=True, editable=False)
    name_core = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "name"], name="party_alias_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PartyRelation(models.Model):
    """A directed relation: `source` is <kind> of `target` (e.g. legal representative of)."""

    class Kind(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_rep", _("Legal representative of")
        PARENT = "parent", _("Parent company of")
        SHAREHOLDER = "shareholder", _("Shareholder of")
        RELATIVE = "relative", _("Relative of")

    source = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="party_relation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="party_relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return self.sentence()

    def sentence(self) -> str:
        """The relation as a sentence in the reader's language."""
        templates = {
            self.Kind.LEGAL_REPRESENTATIVE: _(
                "%(source)s is the legal representative of %(target)s"
            ),
            self.Kind.PARENT: _("%(source)s is the parent company of %(target)s"),
            self.Kind.SHAREHOLDER: _("%(source)s is a shareholder of %(target)s"),
            self.Kind.RELATIVE: _("%(source)s is a relative of %(target)s"),
        }
        return str(templates[self.Kind(self.kind)]) % {
            "source": self.source.name,
            "target": self.target.name,
        }
