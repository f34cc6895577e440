"""Closing and the archive room (结案归档, docs/domain.md §3.5; product.md §6).

Closing asks for the outcome and a completeness checklist and sets the date the file must be
archived by; archiving hands out the archive number (档号) and records where the paper file
sits; the paper file can then be lent and returned. Writes are atomic and audited; reads go
through the confidentiality gate (`visible_through`).
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.accounts.models import AnyUser, User
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed
from lexcase.core.fixedsql import fixed_first, fixed_rows
from lexcase.matters import services
from lexcase.matters.extensions import AgendaItem, matter_page_read
from lexcase.matters.models import (
    MATTER_TYPE_CODES,
    ArchiveNumberCounter,
    ArchiveRecord,
    ClosingChecklistItem,
    ClosingOutcome,
    Matter,
    MatterClosing,
    MatterMember,
    MatterType,
    MemberRole,
    PaperLoan,
    RetentionClass,
    Status,
    TimelineEntry,
    TimelineKind,
)
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matter_is_visible, visible_through

DEFAULT_NUMBER_PATTERN = "{year}-{type}-{retention}-{seq:04d}"
# 律师业务档案保管期限表 (1991): civil claims of ¥500k or more are kept permanently [S].
DEFAULT_PERMANENT_AMOUNT = Decimal("500000")
PERMANENT_AMOUNT_TYPES = (MatterType.CIVIL, MatterType.COMMERCIAL_ARBITRATION)
LOCATION_FIELDS = ("room", "shelf", "box")


# --- settings and small helpers ---------------------------------------------------------------


def archive_deadline_months() -> int:
    return int(getattr(settings, "LEXCASE_ARCHIVE_DEADLINE_MONTHS", 3))


def archive_number_pattern() -> str:
    return str(getattr(settings, "LEXCASE_ARCHIVE_NUMBER_PATTERN", DEFAULT_NUMBER_PATTERN))


def months_after(d: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day when it has none."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, stdlib_calendar.monthrange(year, month)[1]))


def _active_staff(user: AnyUser) -> bool:
    return bool(is_active_staff(user))


def can_override_checklist(user: AnyUser) -> bool:
    return bool(user.has_perm("matters.override_closing_checklist"))


def can_manage_archive(user: AnyUser) -> bool:
    """The archive room is kept by partners and administrators."""
    return bool(user.has_perm("matters.view_archive_room"))


def _timeline(matter: Matter, actor: User, kind: str, **data: Any) -> None:
    TimelineEntry.objects.create(matter=matter, actor=actor, kind=kind, data=data)


def _text(errors: dict[str, list[str]], field: str, value: Any, limit: int, *, required: bool):
    text = " ".join(str(value or "").split()) if limit <= 200 else str(value or "").strip()
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > limit:
        errors[field] = [_("At most %(n)d characters.") % {"n": limit}]
    return text


# --- closing ----------------------------------------------------------------------------------


# What closing needs beyond the ticked checklist, added by feature apps in their
# `AppConfig.ready()` (matters cannot import them): each `(matter) -> [(code, label)]` names
# what is still missing (e.g. reviews: the closing review). Missing items are overridden
# like unticked ones: by a partner or an administrator, with a reason, audited.
CLOSING_REQUIREMENTS: list[Callable[[Matter], list[tuple[str, str]]]] = []


# The same for archiving (e.g. reviews: the responsible partner's archiving approval); what
# is missing here refuses archiving outright.
ARCHIVING_REQUIREMENTS: list[Callable[[Matter], list[tuple[str, str]]]] = []


# Checklist items answered by another app's records instead of a tick (billing: "fees
# settled" reads what the client still owes on the matter's issued bills), registered in
# `AppConfig.ready()`: item code -> `(matter) -> (done, note)`. The closing page shows the
# answer (and the note) in place of a box, and closing counts the item as ticked exactly when
# the reader says it is done, whatever was sent; a missing one is overridden like any other.
CHECKLIST_READERS: dict[str, Callable[[Matter], tuple[bool, str]]] = {}


def checklist_reader_register(code: str, reader: Callable[[Matter], tuple[bool, str]]) -> None:
    CHECKLIST_READERS[code] = reader


@dataclass(frozen=True)
class ReadChecklistItem:
    code: str
    label: str
    required: bool
    done: bool
    note: str


def checklist_read(matter: Matter, items: list[ClosingChecklistItem] | None = None) -> list[Any]:
    """The active checklist items that a registered reader answers, with its answer."""
    items = checklist_items() if items is None else items
    return [
        ReadChecklistItem(item.code, item.display_label, item.required, *reader(matter))
        for item in items
        if (reader := CHECKLIST_READERS.get(item.code)) is not None
    ]


def archiving_requirements_missing(matter: Matter) -> list[tuple[str, str]]:
    return [item for requirement in ARCHIVING_REQUIREMENTS for item in requirement(matter)]


def closing_requirements_missing(matter: Matter) -> list[tuple[str, str]]:
    return [item for requirement in CLOSING_REQUIREMENTS for item in requirement(matter)]


def checklist_items() -> list[ClosingChecklistItem]:
    return fixed_rows(
        "matters.checklist_items", lambda: ClosingChecklistItem.objects.filter(active=True)
    )


@transaction.atomic
def matter_close_checked(
    *,
    actor: User,
    matter: Matter,
    outcome_kind: str,
    outcome_text: str = "",
    checklist: Iterable[str] = (),
    note: str = "",
    override_reason: str = "",
) -> MatterClosing:
    """Close an open matter. Every required checklist item must be ticked, unless a partner
    or an administrator closes anyway and says why (kept on the closing and in the audit)."""
    if not actor.has_perm("matters.close_matter", matter):
        raise NotAllowed("matters.close_matter")
    errors: dict[str, list[str]] = {}
    if outcome_kind not in ClosingOutcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    outcome_text = _text(errors, "outcome_text", outcome_text, 20000, required=False)
    if outcome_kind == ClosingOutcome.OTHER and not outcome_text and "outcome_text" not in errors:
        errors["outcome_text"] = [_("Describe the outcome.")]
    note = _text(errors, "note", note, 2000, required=False)
    override_reason = _text(errors, "override_reason", override_reason, 2000, required=False)
    items = checklist_items()
    known = {item.code for item in items}
    ticked = {str(code) for code in checklist}
    unknown = sorted(ticked - known)
    read = {entry.code: entry for entry in checklist_read(matter, items)}
    ticked = {code for code in ticked if code not in read} | {
        code for code, entry in read.items() if entry.done
    }
    missing = [item for item in items if item.required and item.code not in ticked]
    required_elsewhere = closing_requirements_missing(matter)
    missing_labels = [
        f"{item.display_label} ({read[item.code].note})"
        if item.code in read and read[item.code].note
        else item.display_label
        for item in missing
    ] + [label for _code, label in required_elsewhere]
    if unknown:
        errors["checklist"] = [
            _("Unknown checklist item(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    elif missing_labels and not override_reason:
        errors["checklist"] = [
            _(
                "Not done yet: %(items)s. Tick every required item, or a partner or an "
                "administrator can close anyway with a reason."
            )
            % {"items": "; ".join(missing_labels)}
        ]
    elif missing_labels and not can_override_checklist(actor):
        errors["override_reason"] = [
            _("Only a partner or an administrator can close with checklist items missing.")
        ]
    if errors:
        raise ValidationError(errors)
    matter = services.matter_close(actor=actor, matter=matter, outcome=outcome_text)
    assert matter.closed_on is not None
    overridden = bool(missing_labels)
    closing = MatterClosing.objects.create(
        matter=matter,
        closed_on=matter.closed_on,
        outcome_kind=outcome_kind,
        outcome_text=outcome_text,
        checklist={item.code: item.code in ticked for item in items},
        note=note,
        override_by=actor if overridden else None,
        override_reason=override_reason if overridden else "",
        archive_deadline=months_after(matter.closed_on, archive_deadline_months()),
        closed_by=actor,
    )
    audit_record(
        actor=actor,
        action="matter.close_checklist",
        obj=closing,
        matter_id=matter.pk,
        data={
            "outcome": outcome_kind,
            "missing": [item.code for item in missing] + [c for c, _l in required_elsewhere],
            "override_reason": closing.override_reason,
            "archive_deadline": closing.archive_deadline.isoformat(),
        },
    )
    return closing


# --- archiving --------------------------------------------------------------------------------


def retention_classes() -> list[RetentionClass]:
    return list(RetentionClass.objects.filter(active=True))


def retention_suggest(matter: Matter, classes: list[RetentionClass] | None = None) -> Any:
    """The default retention class for a matter: by amount for large civil claims, else by
    matter type; the archivist may choose another."""
    classes = retention_classes() if classes is None else classes
    by_code = {c.code: c for c in classes}
    threshold = Decimal(
        str(getattr(settings, "LEXCASE_ARCHIVE_PERMANENT_AMOUNT", DEFAULT_PERMANENT_AMOUNT))
    )
    if (
        "permanent" in by_code
        and matter.matter_type in PERMANENT_AMOUNT_TYPES
        and matter.amount is not None
        and matter.amount >= threshold
    ):
        return by_code["permanent"]
    for c in classes:
        if matter.matter_type in (c.matter_types or []):
            return c
    return by_code.get("long") or (classes[0] if classes else None)


def archive_number_next(*, year: int, type_code: str, retention: RetentionClass) -> str:
    """Next 档号 in (year, type, retention class); the counter row lock serialises filers."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ArchiveNumberCounter.objects.get_or_create(
                    year=year, type_code=type_code, retention_code=retention.code
                )
        except IntegrityError:
            pass  # created concurrently by another filer: it exists now
        counter = ArchiveNumberCounter.objects.filter(
            year=year, type_code=type_code, retention_code=retention.code
        )
        counter.update(last=F("last") + 1)
        seq = counter.values_list("last", flat=True).get()
    return archive_number_pattern().format(
        year=year, type=type_code, retention=retention.name, seq=seq
    )


@transaction.atomic
def matter_archive_file(
    *,
    actor: User,
    matter: Matter,
    room: str,
    shelf: str,
    box: str,
    retention: str | None = None,
) -> ArchiveRecord:
    """Closed → archived: the file gets its 档号 and its place in the archive room. From then
    on the matter and its documents are read-only (archived is a final status)."""
    if not actor.has_perm("matters.close_matter", matter):
        raise NotAllowed("matters.close_matter")
    errors: dict[str, list[str]] = {}
    location = {
        field: _text(errors, field, value, 60, required=True)
        for field, value in (("room", room), ("shelf", shelf), ("box", box))
    }
    classes = retention_classes()
    if retention:
        chosen = next((c for c in classes if c.code == retention), None)
        if chosen is None:
            errors["retention"] = [_("Choose a valid retention class.")]
    else:
        chosen = retention_suggest(matter, classes)
        if chosen is None:
            errors["retention"] = [_("No retention class is configured.")]
    missing = archiving_requirements_missing(matter)
    if missing:
        errors["__all__"] = [
            _("Not done yet: %(items)s.") % {"items": "; ".join(label for _c, label in missing)}
        ]
    if errors:
        raise ValidationError(errors)
    assert chosen is not None
    matter = services.matter_archive(actor=actor, matter=matter)
    today = timezone.localdate()
    type_code = MATTER_TYPE_CODES[MatterType(matter.matter_type)]
    record = ArchiveRecord.objects.create(
        matter=matter,
        number=archive_number_next(year=today.year, type_code=type_code, retention=chosen),
        year=today.year,
        type_code=type_code,
        retention=chosen,
        archived_on=today,
        archived_by=actor,
        **location,
    )
    _timeline(matter, actor, TimelineKind.ARCHIVE_FILED, number=record.number, **location)
    audit_record(
        actor=actor,
        action="matter.archive_file",
        obj=record,
        matter_id=matter.pk,
        data={"number": record.number, "retention": chosen.code, **location},
    )
    return record


# --- paper file loans -------------------------------------------------------------------------


@transaction.atomic
def paper_loan_lend(
    *,
    actor: User,
    matter: Matter,
    borrower: User | None,
    due_on: date | None,
    purpose: str,
) -> PaperLoan:
    if not can_manage_archive(actor):
        raise NotAllowed("matters.manage_archive")
    # The record row lock makes "one open loan per file" hold under concurrent lending;
    # the partial unique constraint is the backstop.
    record = ArchiveRecord.objects.select_for_update().filter(matter=matter).first()
    if record is None:
        raise ValidationError({"record": [_("This matter has no archived paper file.")]})
    errors: dict[str, list[str]] = {}
    if borrower is None:
        errors["borrower"] = [_("This field is required.")]
    elif not _active_staff(borrower):
        errors["borrower"] = [_("This user is not active.")]
    elif not matter_is_visible(user=borrower, matter_id=matter.pk):
        # Lending the paper file to someone the gate keeps out would be a leak on paper.
        errors["borrower"] = [_("This user may not see this matter.")]
    if due_on is None:
        errors["due_on"] = [_("This field is required.")]
    elif due_on < timezone.localdate():
        errors["due_on"] = [_("The due date cannot be in the past.")]
    purpose = _text(errors, "purpose", purpose, 200, required=True)
    open_loan = record.loans.filter(returned_at__isnull=True).select_related("borrower").first()
    if open_loan is not None:
        errors["record"] = [
            _("The file is already lent to %(user)s until %(due)s.")
            % {"user": open_loan.borrower.display_name, "due": open_loan.due_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    assert borrower is not None and due_on is not None
    try:
        with transaction.atomic():
            loan = PaperLoan.objects.create(
                record=record, borrower=borrower, due_on=due_on, purpose=purpose, lent_by=actor
            )
    except IntegrityError:
        raise ValidationError({"record": [_("The file is already lent out.")]}) from None
    _timeline(
        matter,
        actor,
        TimelineKind.LOAN_LENT,
        user=borrower.username,
        due=due_on.isoformat(),
        number=record.number,
    )
    audit_record(
        actor=actor,
        action="archive.loan_lend",
        obj=loan,
        matter_id=matter.pk,
        data={"borrower": borrower.username, "due_on": due_on.isoformat(), "purpose": purpose},
    )
    return loan


@transaction.atomic
def paper_loan_return(*, actor: User, matter: Matter, loan_id: int, note: str = "") -> PaperLoan:
    if not can_manage_archive(actor):
        raise NotAllowed("matters.manage_archive")
    errors: dict[str, list[str]] = {}
    note = _text(errors, "note", note, 200, required=False)
    if errors:
        raise ValidationError(errors)
    loan = PaperLoan.objects.filter(pk=loan_id, record__matter=matter).first()
    if loan is None:
        raise ValidationError({"loan": [_("No such loan of this file.")]})
    # Guarded update: a double click or two keepers cannot return it twice.
    returned = PaperLoan.objects.filter(pk=loan.pk, returned_at__isnull=True).update(
        returned_at=timezone.now(), returned_to=actor, return_note=note
    )
    if not returned:
        raise ValidationError({"loan": [_("This loan has already been returned.")]})
    loan.refresh_from_db()
    _timeline(matter, actor, TimelineKind.LOAN_RETURNED, user=loan.borrower.username)
    audit_record(
        actor=actor,
        action="archive.loan_return",
        obj=loan,
        matter_id=matter.pk,
        data={"borrower": loan.borrower.username, "note": note},
    )
    return loan


# --- reads (the matter has passed the gate, or the query goes through it) -----------------------


def matter_closing_latest(*, matter: Matter) -> MatterClosing | None:
    # Read once per matter page: the archive card and the reviews card both ask.
    return matter_page_read(
        matter,
        "matters.closing",
        lambda: fixed_first(
            "matters.closing",
            lambda m: m.closings.select_related("closed_by", "override_by"),
            matter,
        ),
    )


def matter_archive_record(*, matter: Matter) -> ArchiveRecord | None:
    return fixed_first(
        "matters.archive_record",
        lambda m: ArchiveRecord.objects.select_related("retention", "archived_by").filter(matter=m),
        matter,
    )


def archive_loans(*, record: ArchiveRecord) -> QuerySet[PaperLoan]:
    return record.loans.select_related("borrower", "lent_by", "returned_to")


def archive_loan_rows(*, record: ArchiveRecord) -> list[PaperLoan]:
    """`archive_loans` read (a fixed read: core.fixedsql)."""
    return fixed_rows("matters.archive_loans", lambda r: archive_loans(record=r), record)


def _open_loans() -> Prefetch:
    return Prefetch(
        "loans",
        queryset=PaperLoan.objects.filter(returned_at__isnull=True).select_related("borrower"),
        to_attr="open_loans",
    )


@dataclass(frozen=True)
class ArchiveFilters:
    q: str = ""
    year: int | None = None
    retention: str = ""
    matter_type: str = ""
    loan: str = ""  # "" | "out" | "overdue" | "in"


def archive_room_files(*, user: AnyUser, filters: ArchiveFilters) -> QuerySet[ArchiveRecord]:
    """Archived files the user may see (the gate applies in the archive room too)."""
    qs = (
        ArchiveRecord.objects.filter(visible_through(user))
        .select_related("matter", "retention")
        .prefetch_related(_open_loans())
        .order_by("-year", "type_code", "number")
    )
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(matter__number__icontains=q)
            | Q(matter__title__icontains=q)
            | Q(box__icontains=q)
        )
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.retention:
        qs = qs.filter(retention__code=filters.retention)
    if filters.matter_type:
        qs = qs.filter(matter__matter_type=filters.matter_type)
    open_loan = PaperLoan.objects.filter(record=OuterRef("pk"), returned_at__isnull=True)
    if filters.loan == "out":
        qs = qs.filter(Exists(open_loan))
    elif filters.loan == "overdue":
        qs = qs.filter(Exists(open_loan.filter(due_on__lt=timezone.localdate())))
    elif filters.loan == "in":
        qs = qs.exclude(Exists(open_loan))
    return qs


def closed_awaiting_archive(*, user: AnyUser) -> QuerySet[MatterClosing]:
    """Current closings of visible closed matters, oldest deadline first."""
    later = MatterClosing.objects.filter(matter=OuterRef("matter"), pk__gt=OuterRef("pk"))
    return (
        MatterClosing.objects.filter(visible_through(user), matter__status=Status.CLOSED)
        .exclude(Exists(later))
        .select_related("matter")
        .order_by("archive_deadline", "id")
    )


# The agenda's tags of a closed file to archive and of a paper file lent out.
ARCHIVE_DUE_LABEL = gettext_lazy("Archiving")
LOAN_DUE_LABEL = gettext_lazy("Paper file loan")


def agenda_source(*, user: User, start: date | None, end: date, mine_only: bool) -> list[Any]:
    """Archiving due (the lead and the responsible partner of a closed matter) and paper files
    due back (the borrower and whoever lent it). Without `mine_only`: every visible one."""

    closings = closed_awaiting_archive(user=user).filter(archive_deadline__lte=end)
    loans = (
        PaperLoan.objects.filter(
            visible_through(user, field="record__matter"),
            returned_at__isnull=True,
            due_on__lte=end,
        )
        .select_related("record__matter", "borrower")
        .order_by("due_on", "id")
    )
    if start is not None:
        closings = closings.filter(archive_deadline__gte=start)
        loans = loans.filter(due_on__gte=start)
    if mine_only:
        leads = MatterMember.objects.filter(
            user=user, role__in=[MemberRole.LEAD, MemberRole.RESPONSIBLE_PARTNER]
        ).values("matter_id")
        closings = closings.filter(matter_id__in=leads)
        loans = loans.filter(Q(borrower=user) | Q(lent_by=user))
    items = [
        AgendaItem(
            kind="archive_due",
            day=c.archive_deadline,
            at=None,
            title=_("Archive the closed file"),
            matter=c.matter,
            priority=c.matter.priority,
            obj=c,
            url=f"/matters/{c.matter_id}/archive/",
            label=ARCHIVE_DUE_LABEL,
        )
        for c in closings
    ]
    items.extend(
        AgendaItem(
            kind="loan_due",
            day=loan.due_on,
            at=None,
            title=_("Return paper file %(number)s (%(user)s)")
            % {"number": loan.record.number, "user": loan.borrower.display_name},
            matter=loan.record.matter,
            priority=loan.record.matter.priority,
            obj=loan,
            url=f"/matters/{loan.record.matter_id}/#archive",
            label=LOAN_DUE_LABEL,
        )
        for loan in loans
    )
    return items


# --- the firm's archive settings ----------------------------------------------------------------


@transaction.atomic
def archive_settings_save(*, actor: User, checklist: Any, retention: Any) -> list[str]:
    """Save the validated checklist and retention formsets (administrators only); returns
    the codes that changed, which go to the audit log."""
    if not actor.has_perm("matters.manage_archive_settings"):
        raise NotAllowed("matters.archive_settings")
    changed = [f"checklist:{item.code}" for item in checklist.save()]
    changed += [f"retention:{item.code}" for item in retention.save()]
    if changed:
        audit_record(actor=actor, action="archive.settings", data={"changed": changed})
    return changed
