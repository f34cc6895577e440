"""Thin views: the firm's templates page, a matter's papers (preview, generate) and the
matter page's section."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.core.exceptions import NotAllowed
from lexcase.core.forms import apply_service_errors
from lexcase.documents.models import Category
from lexcase.matters.models import Matter, Status
from lexcase.matters.selectors import matter_get, matters_visible_to
from lexcase.matters.services import matter_record_view, matters_record_list_read
from lexcase.papers import intake, selectors, services
from lexcase.papers.court_sms import KIND_LABELS
from lexcase.papers.dossier import default_order
from lexcase.papers.fields import FIELDS, flatten, merge_context
from lexcase.papers.forms import CourtMessagesForm, GenerateForm, TemplateUploadForm
from lexcase.papers.selectors import template_content, template_get, templates_available
from lexcase.papers.services import DOSSIER_KEY

DOCX_TYPE = services.DOCX_TYPE


def _category_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Category.choices}


@login_required
@require_http_methods(["GET", "POST"])
def templates_page(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("papers.view_templates"):
        raise PermissionDenied
    can_manage = request.user.has_perm("papers.manage_templates")
    form = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = TemplateUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.template_upload(actor=request.user, **form.cleaned_data)
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Template saved as version %(n)s; it uses %(count)s merge fields.")
                    % {"n": version.number, "count": len(version.fields)},
                )
                return redirect("papers:templates")
    elif can_manage:
        form = TemplateUploadForm()
    return render(
        request,
        "papers/templates.html",
        {
            "templates": templates_available(include_inactive=can_manage),
            "fields": FIELDS,
            "form": form,
            "categories": _category_labels(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_GET
def template_download(request: AuthedRequest, key: str) -> HttpResponse:
    if not request.user.has_perm("papers.view_templates"):
        raise PermissionDenied
    choice = template_get(key=key)
    response = HttpResponse(template_content(choice), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{choice.name}.docx") or ""
    return response


def _require_generate(request: AuthedRequest, pk: int) -> Matter:
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("papers.generate", matter):
        raise PermissionDenied
    return matter


@login_required
@require_GET
def matter_papers(request: AuthedRequest, pk: int) -> HttpResponse:
    """Pick a template and review the merged values before generating."""
    matter = _require_generate(request, pk)
    return _papers_page(request, matter, request.GET.get("template", ""))


def _papers_page(
    request: AuthedRequest, matter: Matter, key: str, errors: list[str] | None = None
) -> HttpResponse:
    """The papers page; refused (`errors`: why), the template that was sent chosen again and
    why above it (status 422, nothing generated)."""
    chosen = None
    values: list[tuple[str, str, str]] = []
    if key:
        try:
            chosen = template_get(key=key)
        except Http404:
            if errors is None:
                raise
        if chosen is not None:
            labels = {f.path: f.label for f in FIELDS}
            # ID numbers masked, as on every page: the paper has them in full.
            context = merge_context(matter=matter, fields=chosen.fields, masked=True)
            values = [(p, labels.get(p, ""), v) for p, v in flatten(context, chosen.fields)]
    matter_record_view(actor=request.user, matter=matter, page="papers:matter")
    return render(
        request,
        "papers/matter_papers.html",
        {
            "matter": matter,
            "templates": templates_available(),
            "chosen": chosen,
            "values": values,
            "generations": list(selectors.matter_generations(matter=matter)[:20]),
            "archived": matter.status == Status.ARCHIVED,
            "categories": _category_labels(),
            "errors": errors or [],
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def paper_generate(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = _require_generate(request, pk)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        # No template (or a forged key): the page again with why, nothing generated (422).
        return _papers_page(request, matter, "", [_("Choose a template.")])
    key = form.cleaned_data["template"]
    try:
        document = services.paper_generate(actor=request.user, matter=matter, key=key)
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        return _papers_page(request, matter, key, list(exc.messages))
    messages.success(request, _("Generated “%(title)s”.") % {"title": document.title})
    return redirect("documents:detail", document_id=document.pk)


@login_required
@require_GET
def dossier_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Choose and order the documents of the 卷宗."""
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("papers.assemble_dossier", matter):
        raise PermissionDenied
    matter_record_view(actor=request.user, matter=matter, page="papers:dossier")
    return _dossier_page(request, matter)


def _dossier_page(
    request: AuthedRequest, matter: Matter, refused: list[str] | None = None
) -> HttpResponse:
    """The 卷宗 page; refused (`refused`: why), the documents ticked and numbered as they
    were sent, why above them (status 422, nothing assembled)."""
    documents = default_order(services.dossier_candidates(matter=matter))
    dossiers = [
        g for g in selectors.matter_generations(matter=matter) if g.template_key == DOSSIER_KEY
    ]
    rows = [
        (d, str(d.pk) in request.POST.getlist("document"), request.POST.get(f"position-{d.pk}"))
        if refused is not None
        else (d, True, None)
        for d in documents
    ]
    return render(
        request,
        "papers/dossier.html",
        {
            "matter": matter,
            "documents": documents,
            "rows": rows,
            "errors": refused or [],
            "dossier": dossiers[0].document if dossiers else None,
            "archived": matter.status == Status.ARCHIVED,
            "categories": _category_labels(),
        },
        status=200 if refused is None else 422,
    )


def _chosen_order(post: Any) -> list[int]:
    """The ticked documents, ordered by their position fields (then as listed)."""
    chosen: list[tuple[int, int, int]] = []
    for index, raw in enumerate(post.getlist("document")):
        try:
            pk = int(raw)
        except ValueError:
            continue
        try:
            position = int(post.get(f"position-{pk}", ""))
        except ValueError:
            position = 10_000 + index
        chosen.append((position, index, pk))
    return [pk for _position, _index, pk in sorted(chosen)]


@login_required
@require_POST
def dossier_assemble(request: AuthedRequest, pk: int) -> HttpResponse:
    matter = matter_get(user=request.user, pk=pk)
    if not request.user.has_perm("papers.assemble_dossier", matter):
        raise PermissionDenied
    try:
        document = services.dossier_assemble(
            actor=request.user, matter=matter, document_ids=_chosen_order(request.POST)
        )
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationError as exc:
        return _dossier_page(request, matter, refused=exc.messages)
    messages.success(request, _("The file (卷宗) was assembled."))
    return redirect("documents:detail", document_id=document.pk)


def matter_section(request: AuthedRequest, matter: Matter) -> dict[str, Any] | None:
    """The matter page's "Papers" card: members pick a template to preview and generate."""
    if not request.user.has_perm("papers.generate", matter):
        return None
    return {
        "template": "papers/_matter_section.html",
        "templates": templates_available(),
        "generations": selectors.matter_generation_rows(matter=matter, limit=5),
        "archived": matter.status == Status.ARCHIVED,
        "can_assemble": request.user.has_perm("papers.assemble_dossier", matter),
        # The matter passed the gate: its court messages are seen with it.
        "court_messages": intake.matter_court_message_rows(matter=matter, limit=5),
        "kinds": KIND_LABELS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def court_messages(request: AuthedRequest) -> HttpResponse:
    """Paste court SMS / 电子送达 notices; the list of those the reader may see."""
    if not request.user.has_perm("papers.intake_court_message"):
        raise PermissionDenied
    form = CourtMessagesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = intake.court_messages_intake(
                actor=request.user, text=form.cleaned_data["text"]
            )
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s message(s) read.") % {"n": len(created)})
            if len(created) == 1:
                return redirect("papers:court_message", pk=created[0].pk)
            return redirect("papers:court_messages")
    shown = list(intake.court_messages_visible_to(request.user).select_related("matter")[:50])
    # Each row names a court, a case number and a date of the matter it was filed on.
    matters_record_list_read(
        actor=request.user, page="papers:court_messages", matter_ids=[m.matter_id for m in shown]
    )
    return render(
        request,
        "papers/court_messages.html",
        {
            "messages_list": shown,
            "form": form,
            "kinds": KIND_LABELS,
        },
        # Refused: the pasted text as it was, with why beside it (nothing read or stored).
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def court_message(request: AuthedRequest, pk: int) -> HttpResponse:
    message = intake.court_message_read(user=request.user, pk=pk)
    return _court_message_page(request, message)


def _court_message_page(
    request: AuthedRequest, message: Any, number: str = "", error: str = ""
) -> HttpResponse:
    """A court message; with a refused filing, the matter number as typed and why beside it
    (status 422, nothing filed)."""
    return render(
        request,
        "papers/court_message.html",
        {
            "message": message,
            "kinds": KIND_LABELS,
            "candidates": intake.candidate_matters(user=request.user, ids=message.candidates),
            "number": number,
            "number_error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def court_message_match(request: AuthedRequest, pk: int) -> HttpResponse:
    message = intake.court_message_get(user=request.user, pk=pk)
    raw = request.POST.get("matter", "").strip()
    number = request.POST.get("number", "").strip()
    if not raw and number:
        # A NUL names no matter, and PostgreSQL refuses it in a query (a 500).
        found = (
            matters_visible_to(request.user).filter(number=number).first()
            if "\x00" not in number
            else None
        )
        raw = str(found.pk) if found else ""
    if not raw:
        return _court_message_page(
            request, message, number=number, error=_("Choose a matter you can see.")
        )
    matter = matter_get(user=request.user, pk=raw)
    try:
        intake.court_message_match(actor=request.user, message=message, matter=matter)
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("Filed on %(number)s.") % {"number": matter.number})
    return redirect("papers:court_message", pk=message.pk)


@login_required
@require_POST
def court_message_reparse(request: AuthedRequest, pk: int) -> HttpResponse:
    message = intake.court_message_get(user=request.user, pk=pk)
    try:
        intake.court_message_reparse(actor=request.user, message=message)
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("Read again."))
    return redirect("papers:court_message", pk=message.pk)
