"""What the system can check for a review's checklist, from the matter's own data.

Reviews read other feature apps' selectors here, and only here (read-only; a documented
contract in docs/architecture.md): calendar (deadlines), comms (client-update cadence),
documents (the file), billing (the fee agreement). Each check gets a matter that passed
the gate and returns (ok, why) in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from lexcase.billing.selectors.shared import matter_current_agreement
from lexcase.calendar.models import Deadline
from lexcase.calendar.selectors import matter_deadlines
from lexcase.comms.selectors import matter_update_state
from lexcase.documents.models import Category
from lexcase.documents.selectors import matter_documents
from lexcase.matters.models import Matter
from lexcase.reviews.models import AutoCheck

Check = Callable[[Matter, datetime], tuple[bool, str]]


def deadlines_confirmed(matter: Matter, now: datetime) -> tuple[bool, str]:
    rows = list(matter_deadlines(matter=matter).values_list("status", "due_date"))
    proposed = sum(1 for status, _d in rows if status == Deadline.Status.PROPOSED)
    today = timezone.localdate(now)
    lapsed = sum(1 for status, due in rows if status == Deadline.Status.OPEN and due < today)
    missed = sum(1 for status, _d in rows if status == Deadline.Status.MISSED)
    if not rows:
        return False, _("No deadline recorded.")
    if proposed or lapsed or missed:
        return False, _("%(p)d proposed, %(l)d open past due, %(m)d missed.") % {
            "p": proposed,
            "l": lapsed,
            "m": missed,
        }
    return True, _("%(n)d deadlines, all confirmed and on time.") % {"n": len(rows)}


def client_updated(matter: Matter, now: datetime) -> tuple[bool, str]:
    state = matter_update_state(matter=matter)
    if state is None:
        return True, _("The matter is not open.")
    due = timezone.localtime(state.due_at).strftime("%Y-%m-%d")
    if state.is_due(now):
        return False, _("Client update was due %(due)s.") % {"due": due}
    return True, _("Next client update due %(due)s.") % {"due": due}


def documents_filed(matter: Matter, now: datetime) -> tuple[bool, str]:
    docs = list(matter_documents(matter=matter).values_list("category", "category_suggested"))
    if not docs:
        return False, _("No document filed.")
    unconfirmed = sum(1 for _c, suggested in docs if suggested)
    if unconfirmed:
        return False, _("%(n)d documents with an unconfirmed category.") % {"n": unconfirmed}
    return True, _("%(n)d documents filed.") % {"n": len(docs)}


def evidence_filed(matter: Matter, now: datetime) -> tuple[bool, str]:
    count = matter_documents(matter=matter).filter(category=Category.EVIDENCE).count()
    if not count:
        return False, _("No evidence document filed.")
    return True, _("%(n)d evidence documents.") % {"n": count}


def fee_agreement_signed(matter: Matter, now: datetime) -> tuple[bool, str]:
    agreement = matter_current_agreement(matter=matter)
    if agreement is None:
        return False, _("No approved fee agreement.")
    if agreement.signed_on is None:
        return False, _("The approved fee agreement is not signed yet.")
    return True, _("Signed on %(day)s.") % {"day": agreement.signed_on.isoformat()}


CHECKS: dict[str, Check] = {
    AutoCheck.DEADLINES_CONFIRMED: deadlines_confirmed,
    AutoCheck.CLIENT_UPDATED: client_updated,
    AutoCheck.DOCUMENTS_FILED: documents_filed,
    AutoCheck.EVIDENCE_FILED: evidence_filed,
    AutoCheck.FEE_AGREEMENT_SIGNED: fee_agreement_signed,
}


def run_check(code: str, matter: Matter, now: datetime | None = None) -> tuple[bool, str]:
    return CHECKS[code](matter, now or timezone.now())
