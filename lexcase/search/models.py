"""One row per searchable object (a matter, a document); the engine index hangs off it."""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        MATTER = "matter", "matter"
        DOCUMENT = "document", "document"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # Cascade: a deleted matter takes its entries with it (the SQLite triggers and the
    # PostgreSQL generated column keep the engine index in step).
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="+", db_constraint=True
    )
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=40, blank=True)
    on_date = models.DateField(null=True, blank=True)
    # The raw text, for snippets only; `tokens` is what the engines index
    # (lexcase.search.tokens.index_tokens of title + text).
    text = models.TextField(blank=True)
    tokens = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]
        indexes = [models.Index(fields=["matter", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
