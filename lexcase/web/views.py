"""Pages that put several apps together: the dashboard (the user's matters, intakes, recent
activity, reviews waiting, sign-ins) and the matter page (the matter, its deadlines and
hearings, its conflict report, and the sections other apps registered)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.selectors import audit_sign_ins
from lexcase.calendar import selectors as calendar_selectors
from lexcase.calendar.forms import (
    DeadlineForm,
    HearingForm,
    LimitationEventForm,
    LimitationForm,
    ServedForm,
)
from lexcase.conflicts import selectors as conflict_selectors
from lexcase.conflicts.forms import ReviewForm
from lexcase.conflicts.rules import self_review_allowed
from lexcase.conflicts.selectors import intakes_awaiting_review
from lexcase.conflicts.services import intake_is_cleared
from lexcase.matters import selectors as matter_selectors
from lexcase.matters import services as matter_services
from lexcase.matters.archive import checklist_read
from lexcase.matters.extensions import (
    MatterForm,
    matter_form_get,
    matter_page_reads,
    matter_sections,
)
from lexcase.matters.forms import (
    CaseNumberForm,
    CloseForm,
    MemberForm,
    PartyRowForm,
    StageForm,
    WallForm,
)
from lexcase.matters.selectors import MatterFilters, matters_page, timeline_for_user


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    mine = matters_page(
        user=request.user,
        filters=MatterFilters(lawyer=request.user.pk, status="open"),
        size=10,
    )
    intake = matters_page(
        user=request.user, filters=MatterFilters(lawyer=request.user.pk, status="intake"), size=10
    )
    return render(
        request,
        "web/home.html",
        {
            "mine": mine,
            "intake": intake,
            "activity": timeline_for_user(user=request.user, limit=15),
            "to_review": intakes_awaiting_review(user=request.user),
            "logins": audit_sign_ins(username=request.user.get_username()),
        },
    )


def _conflict_context(request: AuthedRequest, matter: Any) -> dict[str, Any]:
    check = conflict_selectors.matter_latest_check(matter=matter)
    if check is None:
        return {"conflict_check": None}
    user = request.user
    return {
        "conflict_check": check,
        "intake_cleared": intake_is_cleared(matter),
        "conflict_hits": conflict_selectors.hits_for_user(
            user=user, hits=check.hits, groups=check.groups
        ),
        "can_review": matter.status == "intake"
        and user.has_perm("conflicts.review")
        and (check.requested_by_id != user.pk or self_review_allowed()),
        "review_form": ReviewForm(prefix="review"),
    }


# The matter page's section nav (issue 16 item 20): where each app's section sits on the
# page and what the nav calls it, so a lawyer reaches 文件 or 期限 without scrolling.
SECTION_NAV = {
    "todos/_matter_section.html": ("tasks", _("Tasks")),
    "documents/_matter_section.html": ("documents", _("Documents")),
    "comms/_matter_section.html": ("communications", _("Client communication")),
    "billing/work/_matter_section.html": ("money", _("Fees and money")),
    "portal/_matter_section.html": ("portal", _("Client portal")),
    "papers/_matter_section.html": ("papers", _("Papers")),
    "reviews/_matter_section.html": ("reviews", _("Quality reviews")),
    "matters/_archive_section.html": ("archive", _("Closing and archive")),
}


def _section_nav(sections: list[dict[str, Any]], *, conflicts: bool) -> list[tuple[str, Any]]:
    nav = [("overview", _("Overview"))]
    if conflicts:
        nav.append(("conflicts", _("Conflict check")))
    nav.append(("deadlines", _("Deadlines and hearings")))
    nav += [SECTION_NAV[s["template"]] for s in sections if s.get("template") in SECTION_NAV]
    nav.append(("timeline", _("Timeline")))
    return nav


@login_required
@require_GET
def matter_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_selectors.matter_get(user=request.user, pk=pk)
    event = matter_services.matter_record_view(actor=request.user, matter=matter)
    # Several sections read the same rows (the deadlines, the documents, the closing...):
    # each is read once while the page is built and rendered (matters.extensions).
    with matter_page_reads():
        context = _matter_context(request, matter)
        # What the page loads by itself passes it (`?view=`), so the page view is one event.
        context["matter_view"] = matter_services.matter_view_token(event=event) if event else ""
        return render(request, "web/matter_detail.html", context)


def _matter_context(request: AuthedRequest, matter: Any) -> dict[str, Any]:
    user = request.user
    context = {
        "matter": matter,
        "parties": matter_selectors.matter_party_rows(matter=matter),
        # Read before the permission checks below: they ask it for the user's role.
        "members": matter_selectors.matter_member_rows(matter=matter),
        "case_numbers": matter_selectors.matter_case_number_rows(matter=matter),
        "timeline": matter_selectors.matter_timeline(matter=matter),
        # Archived is final: the matter and what hangs off it are read-only.
        "can_edit": user.has_perm("matters.change_matter", matter) and matter.status != "archived",
        "can_open": user.has_perm("matters.open_matter", matter),
        "can_close": user.has_perm("matters.close_matter", matter),
        "can_manage_team": user.has_perm("matters.manage_team", matter),
        "can_manage_walls": user.has_perm("matters.manage_walls", matter),
        "deadlines": calendar_selectors.matter_deadline_rows(matter=matter),
        "hearings": calendar_selectors.matter_hearing_rows(matter=matter),
        "served_documents": calendar_selectors.matter_served_documents(matter=matter),
        "limitations": [
            (row, LimitationEventForm(prefix=f"ev{row.period.pk}"))
            for row in calendar_selectors.matter_limitations(
                matter=matter, lang="en" if request.LANGUAGE_CODE.startswith("en") else "zh"
            )
        ],
        **_conflict_context(request, matter),
        "sections": matter_sections(request, matter),
    }
    context["section_nav"] = _section_nav(
        context["sections"], conflicts=bool(context.get("conflict_check"))
    )
    return context


# The matter page's own forms, rendered on demand (matters.extensions.MatterForm; registered
# in WebConfig.ready). Each says who may have it: the condition the page showed it under.
def _can_edit(request: AuthedRequest, matter: Any) -> bool:
    return request.user.has_perm("matters.change_matter", matter) and matter.status != "archived"


MATTER_FORMS: dict[str, MatterForm] = {
    "case-number": MatterForm(
        _("Add court case number"),
        _("Add"),
        "matters:case_number_add",
        _can_edit,
        lambda r, m: CaseNumberForm(),
    ),
    "stage": MatterForm(
        _("Change stage"),
        _("Change"),
        "matters:stage",
        lambda r, m: _can_edit(r, m) and m.status == "open",
        lambda r, m: StageForm(initial={"stage": m.stage}),
    ),
    "close": MatterForm(
        _("Close matter"),
        _("Close matter"),
        "matters:close",
        lambda r, m: r.user.has_perm("matters.close_matter", m) and m.status == "open",
        lambda r, m: CloseForm(user=r.user),
        css="form",
        # What the closing checklist reads from the records (billing: fees settled).
        context=lambda r, m: {"close_read": checklist_read(m)},
        in_place=False,  # matters:close answers with its own page
    ),
    "party": MatterForm(
        _("Add party"),
        _("Add"),
        "matters:party_add",
        _can_edit,
        lambda r, m: PartyRowForm(prefix="party"),
    ),
    "member": MatterForm(
        _("Add team member"),
        _("Add"),
        "matters:member_add",
        # An archived file's team is final (matter_member_add refuses).
        lambda r, m: r.user.has_perm("matters.manage_team", m) and m.status != "archived",
        lambda r, m: MemberForm(),
    ),
    "wall": MatterForm(
        _("Ethical wall"),
        _("Wall off"),
        "matters:wall_add",
        lambda r, m: r.user.has_perm("matters.manage_walls", m),
        lambda r, m: WallForm(),
    ),
    "limitation": MatterForm(
        _("Watch a limitation period"),
        _("Add"),
        "calendar:limitation_create",
        _can_edit,
        lambda r, m: LimitationForm(prefix="limitation"),
    ),
    "served": MatterForm(
        _("Record a served document"),
        _("Record and propose deadlines"),
        "calendar:served_record",
        _can_edit,
        lambda r, m: ServedForm(prefix="served"),
        primary=True,
    ),
    "deadline": MatterForm(
        _("Add a deadline set by the court"),
        _("Add"),
        "calendar:deadline_create",
        _can_edit,
        lambda r, m: DeadlineForm(prefix="deadline"),
    ),
    "hearing": MatterForm(
        _("Add a hearing"),
        _("Add"),
        "calendar:hearing_create",
        _can_edit,
        lambda r, m: HearingForm(prefix="hearing"),
    ),
}


@login_required
@require_GET
def matter_form(request: AuthedRequest, pk: int, name: str) -> HttpResponse:
    """One form of the matter page (matters.extensions.matter_form_register; the page's own
    in MATTER_FORMS): the form alone for htmx, else a page of its own."""
    matter = matter_selectors.matter_get(user=request.user, pk=pk)
    entry = matter_form_get(name)
    if entry is None:
        raise Http404
    if not entry.allowed(request, matter):
        raise PermissionDenied
    # A read of the matter, as its page is (the form came off that audited page).
    matter_services.matter_record_view(actor=request.user, matter=matter, form=name)
    context = {
        "matter": matter,
        "entry": entry,
        "form": entry.build(request, matter),
        "action": reverse(entry.action, args=[matter.pk]),
        **(entry.context(request, matter) if entry.context else {}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "matters/matter_form.html#form", context)
    return render(request, "matters/matter_form.html", context)
