"""The bill as the client receives it: a Chinese A4 page rendered to PDF (weasyprint with
the Noto CJK fonts, as progress reports; nothing fetched from anywhere) with the total in
figures and in capital figures (大写, `money.capital`)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from lexcase.accounts.models import AnyUser
from lexcase.accounts.selectors import firm_profile
from lexcase.billing.models import Bill, BillLine, MoneyKind
from lexcase.billing.money import capital, yuan
from lexcase.billing.selectors.receivables import bill_allocations
from lexcase.billing.services.bills import BILL_LANGUAGE


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The bill template is self-contained: no image, stylesheet or font is ever loaded.
    raise ValueError(f"bill PDFs load no resources: {url[:80]}")


def bill_context(*, bill: Bill, viewer: AnyUser) -> dict[str, Any]:
    """The bill as `viewer` may print it: each payment applied with its date and amount, and
    its payer only when `viewer` may see that payment (`bill_allocations`)."""
    lines = list(BillLine.objects.filter(bill=bill).order_by("position", "pk"))
    paid = bill_allocations(user=viewer, bill=bill)
    kinds = {kind for kind in (line.kind for line in lines)}
    firm = firm_profile()
    return {
        "firm_name": firm.display_name,
        # The letterhead: the firm's particulars from its profile.
        "firm": firm,
        "bill": bill,
        "lines": [
            {
                "position": line.position,
                "kind": line.get_kind_display(),
                "text": line.description,
                "amount": yuan(line.amount),
            }
            for line in lines
        ],
        "total": yuan(bill.total),
        "total_capital": capital(bill.total),
        "paid": yuan(bill.paid),
        "open": yuan(bill.total - bill.paid),
        "open_capital": capital(bill.total - bill.paid),
        "allocations": [
            {
                "on": a.allocated_on,
                "payer": a.payment.payer if a.payment_seen else "",
                "amount": yuan(a.amount),
            }
            for a in paid
        ],
        "has_pass_through": MoneyKind.DISBURSEMENT in kinds,
    }


def bill_html(*, bill: Bill, viewer: AnyUser) -> str:
    with translation.override(BILL_LANGUAGE):
        return render_to_string("billing/bills/pdf.html", bill_context(bill=bill, viewer=viewer))


def bill_pdf(*, bill: Bill, viewer: AnyUser) -> bytes:
    from weasyprint import HTML  # heavy: only when a PDF is wanted

    return HTML(string=bill_html(bill=bill, viewer=viewer), url_fetcher=_no_fetch).write_pdf()
