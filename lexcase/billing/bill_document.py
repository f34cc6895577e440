"""The bill as the client receives it: a Chinese A4 page rendered to PDF (weasyprint with
the Noto CJK fonts, as progress reports; nothing fetched from anywhere) with the total in
figures and in capital figures (大写, `money.capital`)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from lexcase.accounts.selectors import firm_profile
from lexcase.billing.models import Bill, BillLine, MoneyKind, PaymentAllocation
from lexcase.billing.money import capital, yuan
from lexcase.billing.services.bills import BILL_LANGUAGE


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The bill template is self-contained: no image, stylesheet or font is ever loaded.
    raise ValueError(f"bill PDFs load no resources: {url[:80]}")


def bill_context(*, bill: Bill) -> dict[str, Any]:
    lines = list(BillLine.objects.filter(bill=bill).order_by("position", "pk"))
    paid = list(
        PaymentAllocation.objects.filter(bill=bill)
        .select_related("payment")
        .order_by("allocated_on", "pk")
    )
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
            {"on": a.allocated_on, "payer": a.payment.payer, "amount": yuan(a.amount)} for a in paid
        ],
        "has_pass_through": MoneyKind.DISBURSEMENT in kinds,
    }


def bill_html(*, bill: Bill) -> str:
    with translation.override(BILL_LANGUAGE):
        return render_to_string("billing/bills/pdf.html", bill_context(bill=bill))


def bill_pdf(*, bill: Bill) -> bytes:
    from weasyprint import HTML  # heavy: only when a PDF is wanted

    return HTML(string=bill_html(bill=bill), url_fetcher=_no_fetch).write_pdf()
