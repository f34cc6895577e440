"""The communication log (matter section + firm-wide list), client update cadence
settings and progress reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.services import audit_record
from lexcase.comms import reports, selectors, services
from lexcase.comms.forms import (
    CommunicationFilterForm,
    CommunicationForm,
    IntervalsForm,
    PolicyForm,
    ReportForm,
    ReportTemplateForm,
)
from lexcase.comms.models import ProgressReport
from lexcase.core.exceptions import AlreadySent, NotAllowed, StaleEdit
from lexcase.core.exports import table_response
from lexcase.core.forms import apply_service_errors
from lexcase.core.once import already_sent_message, sent_once
from lexcase.documents.selectors import matter_document_choices, matter_document_titles
from lexcase.matters.actions import matter_action, matter_form_again
from lexcase.matters.extensions import MatterForm
from lexcase.matters.models import Matter
from lexcase.matters.selectors import matter_get, visible_through
from lexcase.matters.services import matter_record_view, matters_record_list_read

LIST_LIMIT = 200
# The matter section's newest communications (its report form offers the first of them).
RECENT = 20


# --- matter section ----------------------------------------------------------------------


def _matter_documents(matter: Matter) -> list[tuple[int, str]]:
    return matter_document_choices(matter=matter, limit=200)


def _with_documents(matter: Matter, communications: Any) -> list[Any]:
    """Each communication with `attached`: (id, title) of its documents still on the matter."""
    rows = list(communications)
    wanted = {i for c in rows for i in c.document_ids}
    titles = matter_document_titles(matter=matter, ids=wanted) if wanted else {}
    for c in rows:
        c.attached = [(i, titles[i]) for i in c.document_ids if i in titles]
    return rows


def _section(
    request: AuthedRequest,
    matter: Matter,
    *,
    form: CommunicationForm | None = None,
    already_sent: bool = False,
) -> dict[str, Any]:
    can_edit = request.user.has_perm("matters.change_matter", matter)
    state = selectors.matter_update_state(matter=matter)
    recent = _with_documents(
        matter, selectors.matter_communication_rows(matter=matter, limit=RECENT)
    )
    return {
        "template": "comms/_matter_section.html",
        "communications": recent,
        "can_edit": can_edit,
        "form": form or CommunicationForm(prefix="comm", documents=_matter_documents(matter)),
        "state": state,
        "is_due": state is not None and state.is_due(timezone.now()),
        "reports": selectors.matter_report_rows(matter=matter),
        "already_sent": already_sent_message() if already_sent else "",
    }


def _report_candidates(matter: Matter) -> list[Any]:
    return list(selectors.report_candidate_communications(matter=matter))


def _policy_form(request: AuthedRequest, matter: Matter) -> PolicyForm:
    policy = selectors.matter_policy(matter=matter)
    return PolicyForm(
        prefix="policy",
        initial={
            "interval_days": policy.interval_days if policy else None,
            "version": policy.version if policy else 0,
        },
    )


def _may_edit(request: AuthedRequest, matter: Matter) -> bool:
    return request.user.has_perm("matters.change_matter", matter)


# The card's forms in closed <details>, rendered on demand (matters.extensions.MatterForm;
# registered in CommsConfig.ready): who may have them is who the card showed them to.
MATTER_FORMS: dict[str, MatterForm] = {
    "report": MatterForm(
        gettext_lazy("Progress report for the client"),
        gettext_lazy("Generate"),
        "comms:report_create",
        _may_edit,
        lambda r, m: ReportForm(prefix="report", communications=_report_candidates(m)),
        primary=True,
        in_place=False,  # a generated report answers with its PDF
    ),
    "cadence": MatterForm(
        gettext_lazy("Update cadence"),
        gettext_lazy("Save"),
        "comms:policy",
        _may_edit,
        _policy_form,
    ),
}


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any]:
    return _section(request, matter)


def _section_response(request: AuthedRequest, matter: Matter, **kwargs: Any) -> HttpResponse:
    """The section in place of the one the entry was posted from: it shows the matter's
    latest communications, so it is a read of the matter on record (as the page is)."""
    matter_record_view(actor=request.user, matter=matter, page="comms:create")
    return render(
        request,
        "comms/_matter_section.html",
        {"section": _section(request, matter, **kwargs), "matter": matter},
    )


def _back(matter: Matter) -> HttpResponse:
    return redirect(reverse("matters:detail", args=[matter.pk]) + "#communications")


@login_required
@require_POST
def communication_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Quick entry from the matter page: with htmx the section comes back in place (errors
    beside their fields); without JavaScript, back to the matter with a message, or, when
    the entry fails, the entry as typed with its errors on a page of its own."""
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.change_matter", matter):
        raise PermissionDenied
    form = CommunicationForm(request.POST, prefix="comm", documents=_matter_documents(matter))
    if form.is_valid():
        try:
            # Once: a double click or a reload of the answer logs one entry (core.once).
            with sent_once(request):
                services.communication_create(
                    actor=request.user, matter=matter, **form.cleaned_data
                )
        except AlreadySent:
            if request.htmx:
                return _section_response(request, matter, already_sent=True)
            messages.warning(request, already_sent_message())
            return _back(matter)
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _section_response(request, matter)
            messages.success(request, _("Communication logged."))
            return _back(matter)
    if request.htmx:
        return _section_response(request, matter, form=form)
    return matter_form_again(
        request,
        matter,
        form,
        title=_("Client communication"),
        submit=_("Log"),
        fields_template="comms/_entry_fields.html",
        once=True,
    )


@login_required
@require_POST
def policy_update(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Matter, data: dict[str, Any]) -> None:
        services.client_update_policy_set(
            actor=request.user,
            matter=matter,
            interval_days=data["interval_days"],
            version=data["version"],
        )

    form = PolicyForm(request.POST, prefix="policy")
    return matter_action(request, pk, "matters.change_matter", run, form, anchor="#communications")


@login_required
@require_POST
def report_create(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.change_matter", matter):
        raise PermissionDenied
    form = ReportForm(request.POST, prefix="report", communications=_report_candidates(matter))
    if not form.is_valid():
        return matter_form_again(request, matter, form)
    try:
        report = reports.progress_report_create(
            actor=request.user, matter=matter, **form.cleaned_data
        )
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return matter_form_again(request, matter, form)
    if report.sent_at:
        messages.success(request, _("Progress report sent and logged."))
        return _back(matter)
    messages.success(request, _("Progress report generated and logged."))
    return redirect("comms:report_pdf", pk=report.pk)


@login_required
@require_GET
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    report = (
        ProgressReport.objects.filter(visible_through(request.user), pk=pk)
        .select_related("matter")
        .first()
    )
    if report is None:
        raise Http404
    pdf = reports.report_pdf(html=report.html)
    audit_record(
        actor=request.user,
        action="progress_report.download",
        obj=report,
        matter_id=report.matter_id,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("progress-report-%(number)s-%(date)s-%(id)s.pdf") % {
        "number": report.matter.number,
        "date": f"{report.created_at:%Y%m%d}",
        "id": report.pk,
    }
    # RFC 6266 `filename*=UTF-8''…`, as document downloads: Django would RFC 2047-encode a
    # raw non-ASCII header, and browsers then lose the Chinese name.
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_template_edit(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("comms.manage_settings"):
        raise PermissionDenied
    body, version = reports.report_template_get()
    if request.method == "POST":
        form = ReportTemplateForm(request.POST)
        if form.is_valid():
            try:
                reports.report_template_set(
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    version=form.cleaned_data["version"],
                )
            except StaleEdit:
                form.add_error(None, _("Someone else changed the template meanwhile; reload it."))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("comms:report_template")
    else:
        form = ReportTemplateForm(initial={"body": body, "version": version})
    return render(
        request,
        "comms/report_template.html",
        {"form": form, "is_default": version == 0, "default_body": reports.DEFAULT_TEMPLATE},
    )


# --- firm-wide log -----------------------------------------------------------------------


@login_required
@require_GET
def communication_list(request: AuthedRequest) -> HttpResponse:
    form = CommunicationFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    lawyer = data.get("lawyer")
    flt = selectors.CommunicationFilters(
        lawyer=lawyer,
        matter=data.get("matter"),
        client=data.get("client") or "",
        start=data.get("start"),
        end=data.get("end"),
    )
    rows = []
    if not form.errors:
        rows = list(selectors.communications_filter(user=request.user, filters=flt)[:LIST_LIMIT])
    # The log shows each communication's summary and follow-up: a read of those matters.
    matters_record_list_read(
        actor=request.user, page="comms:list", matter_ids=[c.matter_id for c in rows]
    )
    context = {
        "form": form,
        "rows": rows,
        "limit": LIST_LIMIT,
        # Whose updates are due: the filtered lawyer's, else the user's own matters.
        "due": []
        if form.errors
        else selectors.updates_due(
            user=request.user, now=timezone.now(), lawyer=lawyer or request.user
        )[:50],
    }
    template = "comms/list.html#results" if request.htmx else "comms/list.html"
    return render(request, template, context)


EXPORT_CAP = 20_000


@login_required
@require_GET
def communication_export(request: AuthedRequest) -> HttpResponse:
    """The communication log with the page's filters as Excel (or `?format=csv`): the same
    gate (matters the user can see), at most `EXPORT_CAP` rows, audited with the filters."""

    form = CommunicationFilterForm(request.GET)
    if not form.is_valid():
        return redirect("comms:list")
    data = form.cleaned_data
    flt = selectors.CommunicationFilters(
        lawyer=data.get("lawyer"),
        matter=data.get("matter"),
        client=data.get("client") or "",
        start=data.get("start"),
        end=data.get("end"),
    )
    comms = list(
        selectors.communications_filter(user=request.user, filters=flt)
        .select_related("matter", "created_by")
        .order_by("-occurred_at", "-id")[:EXPORT_CAP]
    )
    audit_record(
        actor=request.user,
        action="comms.export",
        data={
            "filters": {k: str(v) for k, v in data.items() if v not in (None, "")},
            "rows": len(comms),
        },
    )
    rows = (
        [
            timezone.localtime(c.occurred_at).strftime("%Y-%m-%d %H:%M"),
            c.matter.number,
            c.matter.title,
            c.get_channel_display(),
            c.get_direction_display(),
            c.summary,
            c.follow_up,
            c.created_by.display_name if c.created_by else "",
        ]
        for c in comms
    )
    headers = [
        _("When"),
        _("Number"),
        _("Title"),
        _("Channel"),
        _("Direction"),
        _("Summary"),
        _("Follow-up actions"),
        _("Logged by"),
    ]
    return table_response(
        filename=_("communications") + timezone.localdate().strftime("-%Y%m%d"),
        headers=headers,
        rows=rows,
        as_csv=request.GET.get("format") == "csv",
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_intervals(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("comms.manage_settings"):
        raise PermissionDenied
    if request.method == "POST":
        form = IntervalsForm(request.POST)
        if form.is_valid():
            try:
                services.update_intervals_set(
                    actor=request.user, days_by_priority=dict(form.cleaned_data)
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("comms:intervals")
    else:
        form = IntervalsForm(initial=selectors.update_intervals())
    return render(request, "comms/intervals.html", {"form": form})
