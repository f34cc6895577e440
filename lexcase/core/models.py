"""The kernel's one table: the keys of forms already carried out (core.once)."""

from __future__ import annotations

from django.db import models


class SentForm(models.Model):
    """A one-time key of a form (or of an API request's Idempotency-Key) whose write was
    committed: the same key again is refused, so a payment sent twice is recorded once.
    Written in the transaction of the write it guards; kept `core.once.KEEP`."""

    key = models.UUIDField(primary_key=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "sent form"
