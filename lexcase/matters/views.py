"""Matter pages. Thin: every read goes through selectors, every write through services."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.exports import table_response
from lexcase.core.forms import apply_service_errors
from lexcase.matters import selectors, services
from lexcase.matters.actions import matter_action
from lexcase.matters.forms import (
    CaseNumberForm,
    MatterCreateForm,
    MatterEditForm,
    MatterFilterForm,
    MemberForm,
    PartyRowForm,
    PartyRowFormSet,
    StageForm,
    WallForm,
)
from lexcase.matters.models import CourtCaseNumber, MemberRole, Stage


@login_required
@require_GET
def matter_list(request: AuthedRequest) -> HttpResponse:
    form, filters = _list_filters(request)
    after = request.GET.get("after", "")
    # The rows show neither the practice area nor the cause (matters/_table.html).
    page = selectors.matters_page(user=request.user, filters=filters, cursor=after, related=False)
    context = {
        "form": form,
        "page": page,
        "teams": selectors.matters_with_leads(page.items),
        # Given, not looked up: a variable the template does not find costs it an exception
        # (`compact` too, in list.html's include).
        "after": after,
    }
    template = "matters/list.html#results" if request.htmx else "matters/list.html"
    return render(request, template, context)


@login_required
@require_GET
def matter_export(request: AuthedRequest) -> HttpResponse:
    """The matter list with its filters as Excel (or `?format=csv`): the same gate and
    filters as the page, at most `EXPORT_CAP` rows, audited with the filters used."""
    _form, filters = _list_filters(request)
    matters = selectors.matters_export(user=request.user, filters=filters)
    teams = selectors.matters_with_leads(matters)
    audit_record(
        actor=request.user,
        action="matters.export",
        data={
            "filters": {k: str(v) for k, v in asdict(filters).items() if v},
            "rows": len(matters),
        },
    )

    def people(matter: Any, role: str) -> str:
        return "、".join(lead.name for lead in teams[matter.pk] if lead.role == role)

    rows = (
        [
            m.number,
            m.title,
            m.get_matter_type_display(),
            m.get_priority_display(),
            m.get_status_display(),
            m.get_stage_display(),
            m.practice_area.name if m.practice_area else "",
            m.cause.name if m.cause else "",
            m.court,
            m.amount,
            people(m, MemberRole.RESPONSIBLE_PARTNER),
            people(m, MemberRole.LEAD),
            m.opened_on,
            m.closed_on,
        ]
        for m in matters
    )
    headers = [
        _("Number"),
        _("Title"),
        _("Type"),
        _("Priority"),
        _("Status"),
        _("Stage"),
        _("Practice area"),
        _("Cause of action"),
        _("Court"),
        _("Amount in dispute"),
        _("Responsible partner"),
        _("Lead lawyer"),
        _("Opened on"),
        _("Closed on"),
    ]
    return table_response(
        filename=_("matters-%(date)s") % {"date": f"{timezone.localdate():%Y%m%d}"},
        headers=headers,
        rows=rows,
        as_csv=request.GET.get("format") == "csv",
    )


def _list_filters(request: AuthedRequest) -> tuple[MatterFilterForm, selectors.MatterFilters]:
    form = MatterFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filters = selectors.MatterFilters(
        q=data.get("q") or "",
        status=data.get("status") or "",
        matter_type=data.get("matter_type") or "",
        priority=data.get("priority") or "",
        practice_area=data["practice_area"].pk if data.get("practice_area") else None,
        lawyer=data["lawyer"].pk if data.get("lawyer") else None,
        sort=data.get("sort") or "activity",
    )
    return form, filters


@login_required
@require_http_methods(["GET", "POST"])
def matter_create(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("matters.add_matter"):
        raise PermissionDenied
    form = MatterCreateForm(request.POST or None)
    parties = PartyRowFormSet(request.POST or None, prefix="parties")
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        try:
            with transaction.atomic():
                links = []
                row_failed = False
                for row_form, row in zip(parties.forms, parties.cleaned_data, strict=True):
                    if not row or not row.get("name"):
                        continue
                    try:
                        party = services.party_find_or_create(
                            actor=request.user,
                            kind=row["kind"],
                            name=row["name"],
                            identifier=row.get("identifier") or "",
                        )
                    except ValidationError as exc:
                        # Each row's errors on its own row, all rows at once; the intake
                        # is aborted below once every row has been looked at.
                        for field, errors in exc.message_dict.items():
                            target = field if field in row_form.fields else "identifier"
                            row_form.add_error(target, errors)
                        row_failed = True
                        continue
                    links.append(
                        services.PartyLink(
                            party=party, role=row["role"], standing=row.get("standing") or ""
                        )
                    )
                if row_failed:
                    raise ValidationError(_("Please correct the errors in the parties below."))
                services.intake_parties_check(links)
                data = form.cleaned_data
                matter = services.matter_create(
                    actor=request.user,
                    title=data["title"],
                    matter_type=data["matter_type"],
                    priority=data["priority"],
                    summary=data["summary"],
                    cause=data["cause"],
                    practice_area=data["practice_area"],
                    amount=data["amount"],
                    court=data["court"],
                    confidential=data["confidential"],
                    parties=links,
                    lead_lawyer=data["lead_lawyer"],
                    responsible_partner=data["responsible_partner"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Matter %(number)s registered.") % {"number": matter.number}
            )
            return redirect("matters:detail", pk=matter.pk)
    # Refused (the form, a party row, the service): everything as typed, nothing written.
    status = 422 if request.method == "POST" else 200
    return render(request, "matters/form.html", {"form": form, "parties": parties}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def matter_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = selectors.matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.change_matter", matter):
        raise PermissionDenied
    if request.method == "GET":
        # The form shows the matter's fields, as its page does.
        services.matter_record_view(actor=request.user, matter=matter, page="matters:edit")
    initial = {f: getattr(matter, f) for f in services.EDITABLE_FIELDS}
    initial["version"] = matter.version
    form = MatterEditForm(request.POST or None, initial=initial, user=request.user, matter=matter)
    if request.method == "POST" and form.is_valid():
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if not form.fields[name].disabled
        }
        version = data.pop("version")
        try:
            matter = services.matter_update(
                actor=request.user, matter=matter, version=version, **data
            )
        except StaleEdit:
            form.add_error(
                None,
                _(
                    "Someone else changed this matter while you were editing. "
                    "Reload the page to see their changes, then apply yours again."
                ),
            )
            return render(
                request, "matters/edit.html", {"form": form, "matter": matter}, status=409
            )
        except NotAllowed:
            # The user's role changed since the form was drawn.
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            if not selectors.matter_is_visible(user=request.user, matter_id=matter.pk):
                # An administrator off the team who made it confidential no longer sees it.
                messages.info(
                    request, _("The matter is now confidential: only its team can see it.")
                )
                return redirect("matters:list")
            return redirect("matters:detail", pk=matter.pk)
    status = 422 if form.errors else 200  # refused: the form as typed, nothing written
    return render(request, "matters/edit.html", {"form": form, "matter": matter}, status=status)


@login_required
@require_POST
def matter_open(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        services.matter_open(actor=request.user, matter=matter)

    return matter_action(request, pk, "matters.open_matter", run)


@login_required
@require_POST
def matter_reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        services.matter_reopen(actor=request.user, matter=matter)

    return matter_action(request, pk, "matters.close_matter", run)


@login_required
@require_POST
def matter_stage(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        services.matter_change_stage(actor=request.user, matter=matter, stage=data["stage"])

    return matter_action(request, pk, "matters.change_matter", run, StageForm(request.POST))


@login_required
@require_POST
def matter_member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        services.matter_member_add(
            actor=request.user, matter=matter, user=data["user"], role=data["role"]
        )

    return matter_action(request, pk, "matters.manage_team", run, MemberForm(request.POST))


@login_required
@require_POST
def matter_member_remove(request: AuthedRequest, pk: int, user_id: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        member = selectors.matter_members(matter=matter).filter(user_id=user_id).first()
        if member is None:
            raise ValidationError({"username": [_("This user is not on the team.")]})
        services.matter_member_remove(actor=request.user, matter=matter, user=member.user)

    return matter_action(request, pk, "matters.manage_team", run)


@login_required
@require_POST
def matter_wall_add(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        services.matter_wall_add(
            actor=request.user, matter=matter, user=data["user"], reason=data["reason"]
        )

    return matter_action(request, pk, "matters.manage_walls", run, WallForm(request.POST))


@login_required
@require_POST
def matter_case_number_add(request: AuthedRequest, pk: int) -> HttpResponse:
    added: list[CourtCaseNumber] = []

    def run(matter: Any, data: Any) -> None:
        added.append(
            services.matter_case_number_add(
                actor=request.user, matter=matter, number=data["number"], stage=data["stage"]
            )
        )

    def saved() -> str:
        # Say what was recorded: the number as stored and the stage it was filed under.
        (ccn,) = added
        if ccn.stage:
            return _("Case number %(number)s added, stage: %(stage)s.") % {
                "number": ccn.number,
                "stage": Stage(ccn.stage).label,
            }
        return _("Case number %(number)s added.") % {"number": ccn.number}

    return matter_action(
        request, pk, "matters.change_matter", run, CaseNumberForm(request.POST), saved=saved
    )


@login_required
@require_POST
def matter_party_add(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: Any) -> None:
        if not data.get("name"):
            raise ValidationError({"name": [_("This field is required.")]})
        with transaction.atomic():
            party = services.party_find_or_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                identifier=data.get("identifier") or "",
            )
            services.matter_party_add(
                actor=request.user,
                matter=matter,
                party=party,
                role=data["role"],
                standing=data.get("standing") or "",
            )

    form = PartyRowForm(request.POST, prefix="party")
    return matter_action(request, pk, "matters.change_matter", run, form)
