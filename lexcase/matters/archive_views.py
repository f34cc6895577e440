"""Closing, archiving and the archive room. Thin: reads through the gate, writes through
`lexcase.matters.archive`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import active_staff, active_user_named
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.forms import apply_service_errors
from lexcase.matters import archive
from lexcase.matters.actions import matter_form_again
from lexcase.matters.forms import (
    ArchiveFilterForm,
    ArchiveForm,
    ChecklistItemFormSet,
    CloseForm,
    LoanForm,
    LoanReturnForm,
    RetentionClassFormSet,
)
from lexcase.matters.models import MATTER_TYPE_CODES, Matter, MatterType, Status
from lexcase.matters.selectors import matter_get
from lexcase.matters.services import matter_record_view


def _stale(form: Any) -> None:
    form.add_error(None, _("The matter changed meanwhile; please try again."))


def _refused(form: Any, why: str) -> str:
    """A matter in the wrong status for the page: on a POST, why on the form as typed (it
    is validated first, so each field keeps its own error too); on a GET, `why` for the
    page to show. Either way the page answers 422 and nothing is written."""
    if form.is_bound:
        form.is_valid()
        form.add_error(None, why)
        return ""
    return why


def _status(form: Any, refused: str) -> int:
    return 422 if refused or (form.is_bound and form.errors) else 200


@login_required
@require_http_methods(["GET", "POST"])
def matter_close(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.close_matter", matter):
        raise PermissionDenied
    if request.method == "GET":
        # The form shows what the closing checklist reads from the matter's records.
        matter_record_view(actor=request.user, matter=matter, page="matters:close")
    form = CloseForm(request.POST if request.method == "POST" else None, user=request.user)
    refused = ""
    if matter.status != Status.OPEN:
        refused = _refused(form, _("Only an open matter can be closed."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            archive.matter_close_checked(
                actor=request.user,
                matter=matter,
                outcome_kind=data["outcome"],
                outcome_text=data["outcome_text"],
                checklist=data["checklist"],
                note=data["note"],
                override_reason=data.get("override_reason") or "",
            )
        except NotAllowed:
            raise PermissionDenied from None
        except StaleEdit:
            _stale(form)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Matter closed."))
            return redirect("matters:detail", pk=matter.pk)
    return render(
        request,
        "matters/close.html",
        {
            "matter": matter,
            "form": form,
            "required_elsewhere": archive.closing_requirements_missing(matter),
            "read_items": archive.checklist_read(matter),
            "refused": refused,
        },
        status=_status(form, refused),
    )


@login_required
@require_http_methods(["GET", "POST"])
def matter_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.close_matter", matter):
        raise PermissionDenied
    if request.method == "GET":
        matter_record_view(actor=request.user, matter=matter, page="matters:archive")
    suggested = archive.retention_suggest(matter)
    form = ArchiveForm(
        request.POST if request.method == "POST" else None,
        initial={"retention": suggested.code if suggested else ""},
    )
    refused = ""
    if matter.status != Status.CLOSED:
        refused = _refused(form, _("Only a closed matter can be archived."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = archive.matter_archive_file(
                actor=request.user,
                matter=matter,
                retention=data["retention"],
                room=data["room"],
                shelf=data["shelf"],
                box=data["box"],
            )
        except NotAllowed:
            raise PermissionDenied from None
        except StaleEdit:
            _stale(form)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Filed in the archive as %(number)s.") % {"number": record.number}
            )
            return redirect("matters:detail", pk=matter.pk)
    context = {
        "matter": matter,
        "form": form,
        "closing": archive.matter_closing_latest(matter=matter),
        "example": archive.archive_number_pattern().format(
            year=timezone.localdate().year,
            type=MATTER_TYPE_CODES[MatterType(matter.matter_type)],
            retention=suggested.name if suggested else "",
            seq=1,
        ),
        "refused": refused,
    }
    return render(request, "matters/archive.html", context, status=_status(form, refused))


@login_required
@require_GET
def archive_room(request: AuthedRequest) -> HttpResponse:
    if not archive.can_manage_archive(request.user):
        raise PermissionDenied
    form = ArchiveFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filters = archive.ArchiveFilters(
        q=data.get("q") or "",
        year=data.get("year"),
        retention=data.get("retention") or "",
        matter_type=data.get("matter_type") or "",
        loan=data.get("loan") or "",
    )
    files = archive.archive_room_files(user=request.user, filters=filters)
    page = Paginator(files, 50).get_page(request.GET.get("page"))
    # One form per row, so that field ids stay unique on the page.
    loan_forms = {record.pk: LoanForm(auto_id=f"id_loan{record.pk}_%s") for record in page}
    awaiting = archive.closed_awaiting_archive(user=request.user)[:50]
    context = {
        "form": form,
        "page": page,
        "loan_forms": loan_forms,
        "awaiting": awaiting,
        "today": timezone.localdate(),
        "staff": _staff(),
    }
    return render(request, "matters/archive_room.html", context)


def _staff() -> Any:
    return active_staff().order_by("username")


def _back(request: AuthedRequest, matter: Matter) -> HttpResponse:
    if request.POST.get("back") == "room":
        return redirect("matters:archive_room")
    return redirect(f"/matters/{matter.pk}/#archive")


@login_required
@require_POST
def loan_lend(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not archive.can_manage_archive(request.user):
        raise PermissionDenied
    form = LoanForm(request.POST)
    if not form.is_valid():
        return _loan_again(request, matter, form, _("Lend"))
    data = form.cleaned_data
    try:
        loan = archive.paper_loan_lend(
            actor=request.user,
            matter=matter,
            borrower=active_user_named(data["borrower"], field="borrower"),
            due_on=data["due_on"],
            purpose=data["purpose"],
        )
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _loan_again(request, matter, form, _("Lend"))
    messages.success(
        request,
        _("Paper file %(number)s lent to %(user)s.")
        % {"number": loan.record.number, "user": loan.borrower.display_name},
    )
    return _back(request, matter)


@login_required
@require_POST
def loan_return(request: AuthedRequest, pk: int, loan_id: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not archive.can_manage_archive(request.user):
        raise PermissionDenied
    form = LoanReturnForm(request.POST)
    if not form.is_valid():
        return _loan_again(request, matter, form, _("Mark returned"))
    try:
        archive.paper_loan_return(
            actor=request.user, matter=matter, loan_id=loan_id, note=form.cleaned_data["note"]
        )
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _loan_again(request, matter, form, _("Mark returned"))
    messages.success(request, _("Paper file returned."))
    return _back(request, matter)


def _loan_again(request: AuthedRequest, matter: Matter, form: Any, submit: Any) -> HttpResponse:
    """A loan refused: nothing written, the form as typed with its errors, on a page of its
    own (matters.actions.matter_form_again); it still goes back to the archive room after."""
    return matter_form_again(
        request,
        matter,
        form,
        title=_("Paper file loan"),
        submit=submit,
        fields_template="matters/_loan_fields.html",
    )


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any] | None:
    """Closing and archive record on the matter page, once the matter has been closed."""
    closing = archive.matter_closing_latest(matter=matter)
    record = archive.matter_archive_record(matter=matter)
    if closing is None and record is None:
        return None
    items = {item.code: item for item in archive.checklist_items()}
    checklist = [
        (items[code].display_label if code in items else code, ticked)
        for code, ticked in (closing.checklist.items() if closing else ())
    ]
    today = timezone.localdate()
    loans = archive.archive_loan_rows(record=record) if record else []
    can_manage = archive.can_manage_archive(request.user)
    return {
        "template": "matters/_archive_section.html",
        "closing": closing,
        "checklist": checklist,
        "archive_overdue": bool(
            closing
            and matter.status == Status.CLOSED
            and record is None
            and closing.archive_deadline < today
        ),
        "record": record,
        "loans": loans,
        "open_loan": next((loan for loan in loans if loan.returned_at is None), None),
        "can_manage": can_manage,
        "staff": _staff() if can_manage and record else [],
        "can_archive": matter.status == Status.CLOSED
        and request.user.has_perm("matters.close_matter", matter),
        "loan_form": LoanForm(),
        "today": today,
    }


@login_required
@require_http_methods(["GET", "POST"])
def archive_settings(request: AuthedRequest) -> HttpResponse:
    """The firm's closing checklist and retention classes (administrators)."""
    if not request.user.has_perm("matters.manage_archive_settings"):
        raise PermissionDenied
    data = request.POST or None
    checklist = ChecklistItemFormSet(data, prefix="checklist")
    retention = RetentionClassFormSet(data, prefix="retention")
    if request.method == "POST" and checklist.is_valid() and retention.is_valid():
        try:
            archive.archive_settings_save(
                actor=request.user, checklist=checklist, retention=retention
            )
        except NotAllowed:
            raise PermissionDenied from None
        messages.success(request, _("Archive settings saved."))
        return redirect("matters:archive_settings")
    context = {
        "checklist": checklist,
        "retention": retention,
        "months": archive.archive_deadline_months(),
        "pattern": archive.archive_number_pattern(),
    }
    return render(request, "matters/archive_settings.html", context)
