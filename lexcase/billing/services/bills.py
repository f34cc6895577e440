"""Bills (账单/请款单): the gap-free number series, drawing a draft from what is due and
unbilled, issuing it (numbered in the same transaction), voiding it with a reason (its
sources released). Finance only (律师法 Art. 25: the firm bills and collects every fee)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.billing.events import bill_issued
from lexcase.billing.models import (
    EXPENSE_MONEY_KIND,
    ISSUED_STATUSES,
    AgreementStatus,
    Bill,
    BillLine,
    BillNumberCounter,
    BillStatus,
    Expense,
    FeeAgreement,
    FeeInstalment,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    MoneyKind,
    PaidBy,
    PaymentAllocation,
    TimeEntry,
)
from lexcase.billing.money import quantize, yuan
from lexcase.billing.services.shared import (
    Errors,
    add_error,
    billing_setting,
    check_past_date,
    check_positive,
)
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.matters.models import Matter, MatterParty, PartyRole
from lexcase.matters.selectors import money_visible_through

# The bill is a document for the client: its lines are written in the firm's language
# whoever draws it.
BILL_LANGUAGE = "zh-hans"
_DESCRIPTION_MAX = 300


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


def matter_clients(*, matter: Matter) -> list[Any]:
    """The matter's clients (parties in the client role), in the order they were linked."""
    links = MatterParty.objects.filter(matter=matter, role=PartyRole.CLIENT).select_related("party")
    return [link.party for link in links.order_by("pk")]


def time_amount(*, minutes: int, rate: Decimal) -> Decimal:
    """minutes / 60 × rate, exact, rounded half-up to the fen once (one bill line)."""
    return quantize(Decimal(minutes) * rate / Decimal(60))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DESCRIPTION_MAX else text[: _DESCRIPTION_MAX - 1] + "…"


@dataclass(frozen=True)
class _Draft:
    kind: str
    description: str
    amount: Decimal
    source: Any  # the FeeInstalment, TimeEntry or Expense the line bills


def _unbilled_sources(*, matter: Matter, as_of: date) -> list[_Draft]:
    """What is due and not yet billed on `matter` up to `as_of`, locked (PostgreSQL) so a
    concurrent draw waits and then no longer sees what this one takes."""
    lines: list[_Draft] = []
    instalments = (
        FeeInstalment.objects.select_for_update(of=("self",))
        .filter(
            agreement__matter=matter,
            agreement__status=AgreementStatus.APPROVED,
            bill_line__isnull=True,
            due_on__lte=as_of,
        )
        .order_by("due_on", "seq", "pk")
    )
    for inst in instalments:
        label = _("Fee instalment %(seq)s, due %(due)s") % {
            "seq": inst.seq,
            "due": inst.due_on.isoformat(),
        }
        if inst.description:
            label = f"{label}：{inst.description}"
        lines.append(_Draft(MoneyKind.SERVICE_FEE, _clip(label), inst.amount, inst))
    entries = (
        TimeEntry.objects.select_for_update(of=("self",))
        .filter(
            matter=matter,
            billable=True,
            bill_line__isnull=True,
            minutes__gt=0,
            rate__isnull=False,
            work_date__lte=as_of,
        )
        # A running timer is not finished work yet.
        .filter(Q(timer_started_at__isnull=True) | Q(timer_stopped_at__isnull=False))
        .select_related("lawyer")
        .order_by("work_date", "pk")
    )
    for entry in entries:
        amount = time_amount(minutes=entry.minutes, rate=entry.rate)
        if amount <= 0:
            continue  # a minute at a tiny rate rounds to nothing: nothing to bill
        label = _("%(date)s %(lawyer)s %(minutes)s min × %(rate)s/h: %(description)s") % {
            "date": entry.work_date.isoformat(),
            "lawyer": entry.lawyer.display_name,
            "minutes": entry.minutes,
            "rate": yuan(entry.rate),
            "description": entry.description,
        }
        lines.append(_Draft(MoneyKind.SERVICE_FEE, _clip(label), amount, entry))
    expenses = (
        Expense.objects.select_for_update(of=("self",))
        .filter(
            matter=matter,
            paid_by=PaidBy.FIRM,
            bill_line__isnull=True,
            incurred_on__lte=as_of,
        )
        .order_by("incurred_on", "pk")
    )
    for expense in expenses:
        label = (
            f"{expense.incurred_on.isoformat()} {expense.get_kind_display()}：{expense.description}"
        )
        lines.append(
            _Draft(EXPENSE_MONEY_KIND[expense.kind], _clip(label), expense.amount, expense)
        )
    return lines


@transaction.atomic
def bill_draw(
    *,
    actor: User,
    matter: Matter,
    client: Any = None,
    as_of: date | None = None,
    note: str = "",
) -> Bill:
    """Draw a draft bill on `matter` (read through the money gate) for everything due and
    unbilled up to `as_of` (today in Asia/Shanghai by default): the approved agreement's
    instalments due by then, billable finished time (minutes / 60 × the entry's rate, rounded
    once per line) and expenses the firm advanced. One line per source, each source pointing
    at its line; the total is the sum of the lines. Finance only."""
    if not actor.has_perm("billing.draw_bill", matter):
        raise NotAllowed("billing.draw_bill")
    as_of = as_of or timezone.localdate()
    clients = matter_clients(matter=matter)
    errors: dict[str, list[str]] = {}
    if client is None:
        if not clients:
            errors["client"] = [_("The matter has no client to bill.")]
        else:
            client = clients[0]
    elif client.pk not in {c.pk for c in clients}:
        errors["client"] = [_("Bill a client of this matter.")]
    if len(note) > 2000:
        errors["note"] = [_("This text is too long.")]
    if errors:
        raise ValidationError(errors)
    with translation.override(BILL_LANGUAGE):
        drafts = _unbilled_sources(matter=matter, as_of=as_of)
    if not drafts:
        raise ValidationError(
            {
                "__all__": [
                    _("Nothing is due and unbilled on this matter up to %(date)s.")
                    % {"date": as_of.isoformat()}
                ]
            }
        )
    agreement = FeeAgreement.objects.filter(matter=matter, status=AgreementStatus.APPROVED).first()
    bill = Bill.objects.create(
        matter=matter,
        client=client,
        agreement=agreement,
        status=BillStatus.DRAFT,
        total=sum((d.amount for d in drafts), Decimal("0.00")),
        note=note,
        created_by=actor,
    )
    for position, draft in enumerate(drafts, start=1):
        line = BillLine.objects.create(
            bill=bill,
            position=position,
            kind=draft.kind,
            description=draft.description,
            amount=draft.amount,
        )
        # Guarded: a source another draw took meanwhile (SQLite has no row locks) is not
        # billed twice — the whole draw is refused and rolled back.
        taken = (
            type(draft.source)
            .objects.filter(pk=draft.source.pk, bill_line__isnull=True)
            .update(bill_line=line)
        )
        if taken != 1:
            raise ValidationError(
                {"__all__": [_("Someone billed part of this work meanwhile; draw again.")]}
            )
    audit_record(
        actor=actor,
        action="billing.bill_draw",
        obj=bill,
        matter_id=matter.pk,
        data={
            "client": client.pk,
            "as_of": as_of.isoformat(),
            "lines": len(drafts),
            "total": str(bill.total),
        },
    )
    return bill


def bill_lines_total(*, bill: Bill) -> Decimal:
    return bill.lines.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def _cas(*, bill: Bill, version: int, sources: tuple[str, ...], **changes: Any) -> bool:
    return bool(
        Bill.objects.filter(pk=bill.pk, version=version, status__in=sources).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes
        )
    )


def _refuse_stale(*, bill: Bill, version: int, message: str) -> None:
    now_version = Bill.objects.filter(pk=bill.pk).values_list("version", flat=True).get()
    if now_version != version:
        raise StaleEdit
    raise ValidationError({"status": [message]})


@transaction.atomic
def bill_issue(*, actor: User, bill: Bill, version: int) -> Bill:
    """Issue a draft: the next number of this year's series (taken in this transaction, so a
    failed issue leaves no gap), issued today in Asia/Shanghai, due `payment_terms_days`
    later. Finance only; a stale `version` is refused (409)."""
    if not actor.has_perm("billing.issue_bill", bill):
        raise NotAllowed("billing.issue_bill")
    # Lock the draft first: the number is taken only for a bill that will be issued.
    locked = Bill.objects.select_for_update().filter(pk=bill.pk).first()
    if locked is None or locked.version != version:
        raise StaleEdit
    if locked.status != BillStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft bill can be issued.")]})
    total = bill_lines_total(bill=locked)
    if total <= 0 or total != locked.total:
        # Never an issued bill whose total is not the sum of its lines.
        raise ValidationError({"total": [_("The bill's total is not the sum of its lines.")]})
    today = timezone.localdate()
    seq, number = bill_number_next(year=today.year)
    due = today + timedelta(days=int(billing_setting("payment_terms_days")))
    if not _cas(
        bill=locked,
        version=version,
        sources=(BillStatus.DRAFT,),
        status=BillStatus.ISSUED,
        number=number,
        year=today.year,
        seq=seq,
        issued_on=today,
        due_on=due,
        issued_by=actor,
    ):
        _refuse_stale(bill=locked, version=version, message=_("Only a draft bill can be issued."))
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="billing.bill_issue",
        obj=locked,
        matter_id=locked.matter_id,
        data={"number": number, "total": str(locked.total), "due_on": due.isoformat()},
    )
    bill_issued.send(sender=Bill, bill=locked)
    return locked


def _refuse_live_invoices(*, actor: User, bill: Bill) -> None:
    """A bill a live 发票 covers is not voided: the firm would keep an invoice for a bill that
    no longer exists. The invoice is reversed (红冲, a red-letter invoice in the tax system)
    and that reversal recorded first. The numbers are named only of the invoices the actor
    sees whole (an invoice also covering a bill whose money they may not see is that
    matter's too, as in `bill_invoices`)."""
    live = Invoice.objects.filter(bills=bill, status=InvoiceStatus.ISSUED)
    count = live.count()
    if not count:
        return
    hidden = Bill.objects.filter(invoices=OuterRef("pk")).exclude(money_visible_through(actor))
    numbers = list(live.exclude(Exists(hidden)).order_by("number").values_list("number", flat=True))
    if len(numbers) == count:
        message = ngettext(
            "A live invoice (fapiao no. %(numbers)s) covers this bill; record its reversal "
            "(red-letter invoice) first.",
            "Live invoices (fapiao nos. %(numbers)s) cover this bill; record their reversal "
            "(red-letter invoices) first.",
            count,
        ) % {"numbers": ", ".join(numbers)}
    else:
        message = _(
            "A live invoice covers this bill; record its reversal (red-letter invoice) first."
        )
    raise ValidationError({"status": [message]})


@transaction.atomic
def bill_void(*, actor: User, bill: Bill, version: int, reason: str) -> Bill:
    """Void a draft or an issued bill with a reason; never deleted (an issued bill keeps its
    number, so the series stays gap-free). Its sources are released to be billed again.
    Refused while payments are allocated to it, and while a live (not reversed) invoice
    covers it."""
    if not actor.has_perm("billing.void_bill", bill):
        raise NotAllowed("billing.void_bill")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for voiding the bill.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("This text is too long.")]})
    if PaymentAllocation.objects.filter(bill=bill).exists():
        raise ValidationError(
            {"status": [_("Payments are allocated to this bill; it cannot be voided.")]}
        )
    # Lock the bill before asking for its invoices: invoice_record locks the bills it covers
    # (select_for_update) before it checks that they are issued, so a void and an invoice on
    # the same bill queue on this row lock and the second sees what the first committed
    # (PostgreSQL; on SQLite, IMMEDIATE transactions serialise every writer).
    list(Bill.objects.select_for_update().filter(pk=bill.pk))
    _refuse_live_invoices(actor=actor, bill=bill)
    # An allocation moves an issued bill to partly_paid or paid in its own UPDATE of the
    # row, so one landing meanwhile makes this compare-and-swap fail.
    if not _cas(
        bill=bill,
        version=version,
        sources=(BillStatus.DRAFT, BillStatus.ISSUED),
        status=BillStatus.VOID,
        void_reason=reason,
        voided_at=timezone.now(),
        voided_by=actor,
    ):
        if Bill.objects.filter(pk=bill.pk, paid__gt=0).exists():
            raise ValidationError(
                {"status": [_("Payments are allocated to this bill; it cannot be voided.")]}
            )
        _refuse_stale(bill=bill, version=version, message=_("This bill can no longer be voided."))
    released = sum(
        model.objects.filter(bill_line__bill=bill).update(bill_line=None)
        for model in (FeeInstalment, TimeEntry, Expense)
    )
    bill.refresh_from_db()
    audit_record(
        actor=actor,
        action="billing.bill_void",
        obj=bill,
        matter_id=bill.matter_id,
        data={"number": bill.number, "reason": reason, "released": released},
    )
    return bill


# -- invoices (发票) recorded against bills ------------------------------------------------------


def _invoice_room(*, actor: User, ids: list[int]) -> tuple[Decimal, bool]:
    """How much a new invoice on the bills `ids` may still take, and whether the actor sees
    the money of every bill that figure depends on.

    An invoice covering several bills does not say how its amount splits between them, so
    the fee lines of a set of bills must cover every invoice on them together: a new one
    fits when the invoices on the bills connected to `ids` (through invoices that share a
    bill, transitively) can still be split so that no bill takes more than its fees. The
    most it may take is a maximum flow (invoices -> their bills -> fees) less what the
    invoices already there hold. Counting an invoice's whole amount against `ids` alone
    overstated what is used when it also covers other bills (and its figure then told the
    amount of an invoice on a matter the actor may not see). The connected bills are
    locked, so two invoices recorded at once cannot both take the same fee."""
    live = Invoice.bills.through.objects.filter(invoice__status=InvoiceStatus.ISSUED)
    component: set[int] = set()
    links: list[tuple[int, int]] = []
    frontier = set(ids)
    while frontier:
        # Lock before reading their invoices: an invoice recorded meanwhile on one of them
        # waits for this transaction (it locks its bills too).
        list(Bill.objects.select_for_update().filter(pk__in=frontier).order_by("pk"))
        component |= frontier
        invoices = set(live.filter(bill_id__in=frontier).values_list("invoice_id", flat=True))
        links = list(
            live.filter(invoice_id__in={i for i, _b in links} | invoices).values_list(
                "invoice_id", "bill_id"
            )
        )
        frontier = {b for _i, b in links} - component
    fees = dict(
        BillLine.objects.filter(bill_id__in=component, kind=MoneyKind.SERVICE_FEE)
        .values("bill_id")
        .annotate(s=Sum("amount"))
        .values_list("bill_id", "s")
    )
    amounts: dict[Any, Decimal] = dict(
        Invoice.objects.filter(pk__in={i for i, _b in links}).values_list("pk", "amount")
    )
    covers: dict[Any, set[int]] = {}
    for invoice_id, bill_id in links:
        covers.setdefault(invoice_id, set()).add(bill_id)
    held = sum(amounts.values(), Decimal("0"))
    new = object()
    covers[new] = set(ids)
    amounts[new] = sum((fees.get(b, Decimal("0")) for b in ids), Decimal("0"))
    room = max(_max_flow(amounts, covers, fees) - held, Decimal("0"))
    seen = not Bill.objects.filter(pk__in=component).exclude(money_visible_through(actor)).exists()
    return room, seen


def _max_flow(
    supply: dict[Any, Decimal], covers: dict[Any, set[int]], capacity: dict[int, Decimal]
) -> Decimal:
    """The most of `supply` (per invoice) that fits into `capacity` (per bill) when each
    invoice may go only to the bills it `covers` (augmenting paths, breadth first; a
    client's invoices are few). Paths start at an invoice with supply left, so an invoice
    already routed is never unrouted: the flow of the invoices recorded (which fit, or
    they would not be recorded) stays whole and only the new one's grows."""
    # The recorded invoices (by id) first, the new one last.
    order = sorted(k for k in supply if isinstance(k, int)) + [
        k for k in supply if not isinstance(k, int)
    ]
    flow: dict[tuple[Any, int], Decimal] = {}
    used: dict[int, Decimal] = {}
    sent: dict[Any, Decimal] = {}
    total = Decimal("0")
    for start in order:
        while supply[start] - sent.get(start, Decimal("0")) > 0:
            # Breadth first from `start` over invoice -> bill (any) and bill -> invoice
            # (undo flow), to a bill with capacity left.
            parent: dict[Any, Any] = {("i", start): None}
            queue = [("i", start)]
            end = None
            while queue and end is None:
                node = queue.pop(0)
                if node[0] == "i":
                    for bill in sorted(covers[node[1]]):
                        nxt = ("b", bill)
                        if nxt not in parent:
                            parent[nxt] = node
                            if capacity.get(bill, Decimal("0")) - used.get(bill, Decimal("0")) > 0:
                                end = nxt
                                break
                            queue.append(nxt)
                else:
                    for (inv, bill), f in flow.items():
                        nxt = ("i", inv)
                        if bill == node[1] and f > 0 and nxt not in parent:
                            parent[nxt] = node
                            queue.append(nxt)
            if end is None:
                break
            path = []
            node = end
            while parent[node] is not None:
                path.append((parent[node], node))
                node = parent[node]
            push = min(
                supply[start] - sent.get(start, Decimal("0")),
                capacity.get(end[1], Decimal("0")) - used.get(end[1], Decimal("0")),
            )
            for a, b in path:
                if a[0] == "b":  # undo: bill a <- invoice b
                    push = min(push, flow[(b[1], a[1])])
            for a, b in path:
                if a[0] == "i":
                    flow[(a[1], b[1])] = flow.get((a[1], b[1]), Decimal("0")) + push
                else:
                    flow[(b[1], a[1])] -= push
            used[end[1]] = used.get(end[1], Decimal("0")) + push
            sent[start] = sent.get(start, Decimal("0")) + push
            total += push
    return total


@transaction.atomic
def invoice_record(
    *,
    actor: User,
    bills: Sequence[Bill],
    kind: str,
    number: str,
    issued_on: date | None,
    amount: Decimal | None,
    buyer_name: str,
    buyer_tax_id: str = "",
    tax_rate: Decimal | None = None,
) -> Invoice:
    """Record a 发票 the firm issued in the tax system against issued bills of one client.
    Only the legal service fee is invoiced as the firm's revenue: the amount may not exceed
    the fee lines of those bills less what other live invoices on them already cover. The
    tax (price includes tax) is amount × rate / (1 + rate), rounded once. Finance only."""
    if not actor.has_perm("billing.record_invoice"):
        raise NotAllowed("billing.record_invoice")
    errors: Errors = {}
    number = (number or "").strip()
    buyer_name = (buyer_name or "").strip()
    buyer_tax_id = (buyer_tax_id or "").strip().upper()
    rate = Decimal(billing_setting("vat_rate")) if tax_rate is None else tax_rate
    if not bills:
        add_error(errors, "bills", _("Choose the bills the invoice is for."))
    elif len({b.client_id for b in bills}) != 1:
        add_error(errors, "bills", _("An invoice covers bills of one client."))
    elif any(b.status not in ISSUED_STATUSES for b in bills):
        add_error(errors, "bills", _("Only issued bills are invoiced."))
    if kind not in InvoiceKind.values:
        add_error(errors, "kind", _("Choose the invoice type."))
    if not number:
        add_error(errors, "number", _("Enter the invoice number."))
    elif len(number) > 40:
        add_error(errors, "number", _("This text is too long."))
    elif Invoice.objects.filter(number=number).exists():
        add_error(errors, "number", _("An invoice with this number is already recorded."))
    check_past_date(errors, "issued_on", issued_on)
    if amount is None:
        add_error(errors, "amount", _("Enter an amount."))
    check_positive(errors, "amount", amount)
    if not rate.is_finite() or not (0 <= rate < 1) or rate != rate.quantize(Decimal("0.0001")):
        add_error(errors, "tax_rate", _("The tax rate is a fraction from 0 up to 1, e.g. 0.06."))
    if not buyer_name:
        add_error(errors, "buyer_name", _("Enter the buyer named on the invoice."))
    elif len(buyer_name) > 200:
        add_error(errors, "buyer_name", _("This text is too long."))
    if len(buyer_tax_id) > 30:
        add_error(errors, "buyer_tax_id", _("This text is too long."))
    elif kind == InvoiceKind.VAT_SPECIAL and not buyer_tax_id:
        add_error(errors, "buyer_tax_id", _("A special VAT invoice names the buyer's tax number."))
    if not errors:
        assert amount is not None
        # The statuses above are the caller's copies: a bill voided since they were read
        # must not take an invoice. Read them again under the lock a void's update takes.
        ids = [b.pk for b in bills]
        locked = Bill.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        if any(status not in ISSUED_STATUSES for status in locked.values_list("status", flat=True)):
            add_error(errors, "bills", _("Only issued bills are invoiced."))
    if not errors:
        assert amount is not None
        left, seen = _invoice_room(actor=actor, ids=ids)
        if amount > left:
            if seen:
                message = _(
                    "Only the legal service fee is invoiced: at most %(left)s is left on "
                    "these bills."
                ) % {"left": yuan(left)}
            else:
                # What is left depends on bills the actor may not see (an invoice also
                # covering them): the figure would tell their fees and invoices.
                message = _(
                    "Only the legal service fee is invoiced: this is more than is left on "
                    "these bills."
                )
            add_error(errors, "amount", message)
    # A missing date or amount is among the errors already.
    if errors or issued_on is None or amount is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                kind=kind,
                number=number,
                issued_on=issued_on,
                amount=amount,
                tax_rate=rate,
                tax_amount=quantize(amount * rate / (1 + rate)),
                client_id=bills[0].client_id,
                buyer_name=buyer_name,
                buyer_tax_id=buyer_tax_id,
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"number": [_("An invoice with this number is already recorded.")]}
        ) from None
    invoice.bills.set(bills)
    audit_record(
        actor=actor,
        action="billing.invoice_record",
        obj=invoice,
        matter_id=bills[0].matter_id,
        data={
            "number": number,
            "kind": kind,
            "amount": str(amount),
            "tax_rate": str(rate),
            "bills": [b.pk for b in bills],
        },
    )
    return invoice


@transaction.atomic
def invoice_reverse(*, actor: User, invoice: Invoice, version: int, reason: str) -> Invoice:
    """Record the reversal (红冲) of a live 发票: the red-letter invoice was issued in the
    tax system, and the invoice here is kept, marked reversed, with the reason. It no longer
    counts against its bills' fees (`_invoice_room` counts live invoices only), so those
    bills may be invoiced again, or voided. Finance only; a stale `version` is refused
    (409), an invoice already reversed too."""
    if not actor.has_perm("billing.reverse_invoice", invoice):
        raise NotAllowed("billing.reverse_invoice")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for reversing the invoice.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("This text is too long.")]})
    # Compare-and-swap: a reversal (or any edit) landing meanwhile bumped the version, so
    # this one is refused instead of writing over it. A bill_void waiting on one of the
    # bills sees the invoice still live until this commits, and refuses: the safe side.
    if not Invoice.objects.filter(
        pk=invoice.pk, version=version, status=InvoiceStatus.ISSUED
    ).update(
        status=InvoiceStatus.REVERSED,
        reversal_reason=reason,
        reversed_at=timezone.now(),
        reversed_by=actor,
        version=F("version") + 1,
    ):
        now_version = Invoice.objects.filter(pk=invoice.pk).values_list("version", flat=True)
        if list(now_version) != [version]:
            raise StaleEdit
        raise ValidationError({"status": [_("Only a live invoice can be reversed.")]})
    invoice.refresh_from_db()
    bills = list(invoice.bills.order_by("pk").values_list("pk", "matter_id"))
    audit_record(
        actor=actor,
        action="billing.invoice_reverse",
        obj=invoice,
        matter_id=bills[0][1] if bills else None,
        data={
            "number": invoice.number,
            "amount": str(invoice.amount),
            "reason": reason,
            "bills": [pk for pk, _matter in bills],
        },
    )
    return invoice
