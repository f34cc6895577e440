"""Bills (账单/请款单). The foundation holds the gap-free number series; drawing, issuing,
voiding and the PDF follow (docs/architecture.md, "Money (billing)")."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from lexcase.billing.models import BillNumberCounter
from lexcase.billing.services.shared import billing_setting


def bill_number_next(*, year: int) -> tuple[int, str]:
    """The next number of `year`'s series, for a bill being issued inside the caller's
    transaction: `UPDATE … SET last = last + 1` holds the counter's row lock (PostgreSQL) or
    the write lock (SQLite) until that transaction ends, so concurrent issues queue and a
    rolled-back issue gives its number back — no gaps, no duplicates."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                BillNumberCounter.objects.get_or_create(year=year)
        except IntegrityError:
            pass  # created concurrently by another issue: it exists now
        counter = BillNumberCounter.objects.filter(year=year)
        counter.update(last=F("last") + 1)
        seq = counter.values_list("last", flat=True).get()
    return seq, billing_setting("bill_number_pattern").format(year=year, seq=seq)
