from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.services import audit_record
from lexcase.conflicts import selectors, services
from lexcase.conflicts.engine import QueryParty
from lexcase.conflicts.forms import (
    CheckPartyFormSet,
    RecordConsultationForm,
    ReviewForm,
    StaffRelativeForm,
)
from lexcase.conflicts.throttle import adhoc_check_refusal, adhoc_check_throttle
from lexcase.core.exceptions import NotAllowed
from lexcase.core.forms import apply_service_errors
from lexcase.core.pdf import html_to_pdf
from lexcase.matters import services as matter_services
from lexcase.matters.actions import matter_action, matter_form_again
from lexcase.matters.forms import PartyRowForm
from lexcase.matters.models import PartyRole
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matter_get, party_get
from lexcase.parties.models import PartyKind
from lexcase.parties.services import party_identifiers_show


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if request.method == "GET":
        # Review notices sent before ad28903 (in-app, e-mail, robots) link here: the review
        # form is on the matter's conflict report, which the gate has just let them see.
        return redirect(reverse("matters:detail", args=[matter.pk]) + "#conflicts")
    if not request.user.has_perm("conflicts.review"):
        raise PermissionDenied  # before the form: its errors are for reviewers only
    form = ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        # Nothing recorded; the decision comes back as typed (a waiver's long note too).
        return _review_again(request, matter, form)
    try:
        services.conflict_review_decide(actor=request.user, matter=matter, **form.cleaned_data)
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _review_again(request, matter, form)
    messages.success(request, _("Decision recorded."))
    return redirect("matters:detail", pk=matter.pk)


def _review_again(request: AuthedRequest, matter: Any, form: ReviewForm) -> HttpResponse:
    return matter_form_again(
        request, matter, form, title=_("Conflict review decision"), submit=_("Record decision")
    )


@login_required
@require_POST
def run_check(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check an intake that has no check on record (registered before checks existed, or
    generated as demo data)."""

    def run(matter: Any, data: dict[str, Any]) -> None:
        if matter.status != "intake":
            raise ValidationError(_("Only an intake is checked as a whole."))
        services.conflict_check_matter(actor=request.user, matter=matter)

    return matter_action(request, pk, "matters.change_matter", run)


@login_required
@require_http_methods(["GET", "POST"])
def adhoc_check(request: AuthedRequest) -> HttpResponse:
    """A check before any intake exists, e.g. during a phone consultation. The report is
    kept on record like every other check; with "record", the consultation itself becomes a
    closed consultation matter, so its parties count in later checks. Only for the roles the
    firm allows, and at most so many per user (both also hold for the API)."""
    if not request.user.has_perm("conflicts.check_adhoc"):
        raise PermissionDenied
    formset = CheckPartyFormSet(request.POST or None, prefix="parties")
    record_form = RecordConsultationForm(request.POST or None, prefix="consultation")
    check = None
    consultation = None
    refused = ""
    if request.method == "POST" and formset.is_valid() and record_form.is_valid():
        parties = []
        rows = []
        for row_form, row in zip(formset.forms, formset.cleaned_data, strict=True):
            if not row or not row.get("name"):
                continue
            identifier = (row.get("identifier") or "").strip().upper()
            field = "id_number" if row["kind"] == "person" else "credit_code"
            parties.append(
                QueryParty(
                    name=row["name"], kind=row["kind"], role=row["role"], **{field: identifier}
                )
            )
            rows.append(row_form)
        if not parties:
            # Beside the first row's name, the rows as typed (422 below).
            if formset.forms:
                formset.forms[0].add_error("name", _("Enter at least one name."))
            else:
                messages.error(request, _("Enter at least one name."))
        elif adhoc_check_throttle(user=request.user):
            refused = adhoc_check_refusal()
        elif record_form.cleaned_data["record"]:
            try:
                consultation = matter_services.consultation_record(
                    actor=request.user, parties=parties
                )
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                _row_errors(exc, rows)
            else:
                # Redirect, so that reloading the page cannot record the consultation twice.
                url = reverse("conflicts:check")
                return redirect(f"{url}?consultation={consultation.pk}")
        else:
            check = services.conflict_check_record(actor=request.user, parties=parties)
    elif request.method == "GET" and "consultation" in request.GET:
        # The report of a recorded consultation, for whoever may see that matter.
        consultation = matter_get(user=request.user, pk=request.GET["consultation"])
        if consultation.matter_type != "consultation":
            raise Http404
        check = selectors.matter_latest_check(matter=consultation)
    context = {
        "formset": formset,
        "record_form": record_form,
        "conflict_check": check,
        "consultation": consultation,
        "conflict_hits": selectors.hits_for_user(
            user=request.user, hits=check.hits, groups=check.groups
        )
        if check
        else [],
        "refused": refused,
    }
    # A POST that neither checked nor recorded was refused (the rows, no name, the service):
    # the rows as typed with each error beside its field, nothing written (422).
    status = 429 if refused else 422 if request.method == "POST" and check is None else 200
    return render(request, "conflicts/check.html", context, status=status)


def _row_errors(exc: ValidationError, rows: list[Any]) -> None:
    """Put a service's `parties.<n>` errors on the n-th entered row (its identifier, which
    is what fails: a name alone is always accepted)."""
    for key, errors in exc.message_dict.items():
        prefix, _sep, number = key.partition(".")
        if prefix == "parties" and number.isdigit() and int(number) < len(rows):
            rows[int(number)].add_error("identifier", errors)
        else:
            rows[0].add_error(None, errors)


# Party-row prefixes of the intake formset, e.g. "parties-0": used in element ids and names.
_ROW = re.compile(r"[a-z_]{1,20}-\d{1,3}")


@login_required
@require_POST
def suggest(request: AuthedRequest) -> HttpResponse:
    """Suggestions while a party name is typed at intake (htmx partial), and, with `pick`,
    the party row refilled from the chosen party. Only parties the user may see.

    Posted, not fetched: the row carries what was typed, an ID number included, and a URL
    ends up in access logs and browser history. The suggestions show ID numbers masked; the
    picked row gets a person's full number, which the intake form submits to reuse the
    party, only for the roles of `parties.show_identifiers`, and that showing is audited as
    the party page's is (`party_identifiers_show`); for anyone else the number is left for
    them to type. An organisation's credit code is registry data."""
    if not request.user.has_perm("matters.add_matter"):
        raise PermissionDenied
    row = request.POST.get("row", "")
    if not _ROW.fullmatch(row):
        row = ""
    pick = request.POST.get("pick", "")
    if row and pick:
        party = party_get(user=request.user, pk=pick)
        current = {name: request.POST.get(f"{row}-{name}", "") for name in PartyRowForm.base_fields}
        identifier = party.credit_code
        if party.kind == PartyKind.PERSON:
            identifier = ""
            if party.id_number and request.user.has_perm("parties.show_identifiers", party):
                identifier = party_identifiers_show(actor=request.user, party=party)["id_number"]
        form = PartyRowForm(
            prefix=row,
            initial={**current, "name": party.name, "kind": party.kind, "identifier": identifier},
        )
        return render(request, "matters/form.html#party_row", {"row": form})
    name = request.POST.get(f"{row}-name", "") if row else request.POST.get("name", "")
    context = {
        "row": row,
        "name": name,
        "suggestions": selectors.party_suggestions(user=request.user, name=name),
    }
    return render(request, "conflicts/_suggestions.html", context)


def _relatives_owner(request: AuthedRequest) -> Any:
    """Whose relatives the page is about: one's own, or (for an administrator) anyone's."""
    wanted = request.POST.get("user") or request.GET.get("user")
    if not wanted or str(wanted) == str(request.user.pk):
        return request.user
    if not request.user.has_perm("conflicts.manage_all_relatives"):
        raise PermissionDenied
    return selectors.staff_member_get(pk=wanted)


@login_required
@require_http_methods(["GET", "POST"])
def relatives(request: AuthedRequest) -> HttpResponse:
    """Relatives of the firm's own staff (Art. 52(1)): each person keeps their own list."""
    if not is_active_staff(request.user):
        raise PermissionDenied
    owner = _relatives_owner(request)
    form = StaffRelativeForm(request.POST or None, prefix="relative")
    if request.method == "POST" and form.is_valid():
        try:
            relative = services.staff_relative_create(
                actor=request.user, user=owner, **form.cleaned_data
            )
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s recorded.") % {"name": relative.name})
            return redirect(_relatives_url(owner, request.user))
    context = {
        "owner": owner,
        "form": form,
        "relatives": selectors.staff_relatives_of(user=owner),
        "staff": selectors.staff_members()
        if request.user.has_perm("conflicts.manage_all_relatives")
        else None,
    }
    return render(request, "conflicts/relatives.html", context)


def _relatives_url(owner: Any, user: Any) -> str:
    url = reverse("conflicts:relatives")
    return url if owner.pk == user.pk else f"{url}?user={owner.pk}"


@login_required
@require_POST
def relative_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    if not is_active_staff(request.user):
        raise Http404
    relative = selectors.staff_relative_get(user=request.user, pk=pk)
    try:
        services.staff_relative_remove(actor=request.user, relative=relative)
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("%(name)s removed.") % {"name": relative.name})
    return redirect(_relatives_url(relative.user, request.user))


@login_required
@require_GET
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The matter's latest conflict check as a PDF for the file, redacted for the reader as
    on the matter page, and audited (a conflict report is confidential)."""
    matter = matter_get(user=request.user, pk=pk)
    check = selectors.matter_latest_check(matter=matter)
    if check is None:
        raise Http404
    roles = dict(PartyRole.choices)
    html = render_to_string(
        "conflicts/report_pdf.html",
        {
            "firm": firm_profile(),
            "matter": matter,
            "check": check,
            "checked": [(q.get("name", ""), roles.get(q.get("role"), "")) for q in check.query],
            "hits": selectors.hits_for_user(user=request.user, hits=check.hits),
            "reader": request.user,
            "printed_at": timezone.localtime(),
        },
    )
    pdf = html_to_pdf(html=html, base_dir=Path(__file__).resolve().parent / "templates")
    audit_record(
        actor=request.user, action="conflict.report_download", obj=check, matter_id=matter.pk
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("conflict-check-%(number)s.pdf") % {"number": matter.number}
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"
    return response
