"""Excel workbooks (`core.xlsx`, streamed so a large firm's rows stay in flat memory) of
bills, payments and receivables, with the same figures as the pages: amounts as numbers in 元
with two decimals, dates as dates."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from lexcase.billing.models import Bill, Payment
from lexcase.billing.selectors.receivables import ReceivableRow, Receivables, ReceivablesStream
from lexcase.core.exports import safe_cell
from lexcase.core.xlsx import write_workbook


def _workbook(title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    out = io.BytesIO()
    _workbook_into(out, title, header, rows)
    return out.getvalue()


def _workbook_into(
    out: IO[bytes], title: str, header: list[str], rows: Iterable[list[Any]]
) -> None:
    """Write the workbook into `out`, row by row as `rows` streams (memory stays flat)."""
    cells = ([safe_cell(value) for value in row] for row in rows)
    write_workbook(out, [(title, itertools.chain([header], cells))])


def bills_workbook(bills: Iterable[Bill]) -> bytes:
    header = [
        _("Bill number"),
        _("Status"),
        _("Matter number"),
        _("Matter"),
        _("Client"),
        _("Issued on"),
        _("Due on"),
        _("Total"),
        _("Amount paid"),
        _("Open amount"),
        _("Reason for voiding"),
    ]
    rows = (
        [
            b.number or "",
            b.get_status_display(),
            b.matter.number,
            b.matter.title,
            b.client.name,
            b.issued_on,
            b.due_on,
            b.total,
            b.paid,
            b.total - b.paid,
            b.void_reason,
        ]
        for b in bills
    )
    return _workbook(_("Bills"), header, rows)


def payments_workbook(payments: Iterable[Payment]) -> bytes:
    header = [
        _("Received on"),
        _("Client"),
        _("Payer"),
        _("Method"),
        _("Reference"),
        _("Amount"),
        _("Applied"),
        _("Refunded"),
        _("Held (advance)"),
    ]
    rows = (
        [
            p.received_on,
            p.client.name,
            p.payer,
            p.get_method_display(),
            p.reference,
            p.amount,
            p.allocated,
            p.refunded,
            p.unallocated,
        ]
        for p in payments
    )
    return _workbook(_("Payments"), header, rows)


def receivables_workbook(result: Receivables | ReceivablesStream, out: IO[bytes]) -> None:
    """The receivables rows and their totals into `out`; a `ReceivablesStream` is read in
    chunks and written row by row (its totals are complete once the rows are written)."""
    header = [
        _("Client"),
        _("Matter number"),
        _("Matter"),
        _("Issued"),
        _("Applied"),
        _("Open amount"),
        _("0–30 days"),
        _("31–90 days"),
        _("91–180 days"),
        _("Over 180 days"),
    ]
    source: Iterable[ReceivableRow] = result.rows if isinstance(result, Receivables) else result

    def rows() -> Iterable[list[Any]]:
        for r in source:
            yield [
                r.client_name,
                r.matter_number,
                r.matter_title,
                r.issued,
                r.allocated,
                r.open,
                *r.buckets.values(),
            ]
        t = result.totals
        yield [_("Total"), "", "", t.issued, t.allocated, t.open, *t.buckets.values()]

    title = _("Receivables %(day)s") % {"day": result.as_of.isoformat()}
    _workbook_into(out, title, header, rows())
