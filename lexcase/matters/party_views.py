"""The party directory's pages: parties read through the gate (a party is visible when it is
on no matter or on a matter the reader can see), so they live beside it in `matters`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import StaleEdit
from lexcase.core.exports import table_response
from lexcase.core.forms import apply_service_errors
from lexcase.matters import services as matter_services
from lexcase.matters.selectors import (
    parties_page,
    parties_search,
    party_get,
    party_matters,
    party_relations,
)
from lexcase.parties import services
from lexcase.parties.forms import (
    IDENTIFIER_FIELDS,
    PartyEditForm,
    PartyForm,
    PartySearchForm,
    RelationForm,
)
from lexcase.parties.identifiers import mask_identifier
from lexcase.parties.models import Party


@login_required
@require_GET
def party_list(request: AuthedRequest) -> HttpResponse:
    form = PartySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = parties_page(
        user=request.user,
        q=data.get("q", ""),
        kind=data.get("kind", ""),
        cursor=request.GET.get("after", ""),
    )
    template = "parties/list.html#results" if request.htmx else "parties/list.html"
    return render(request, template, {"form": form, "page": page})


PARTY_EXPORT_CAP = 20_000


@login_required
@require_GET
def party_export(request: AuthedRequest) -> HttpResponse:
    """The party directory with the page's search as Excel (or `?format=csv`): only parties
    the user may see (the gate's party rule), ID numbers and passports masked as on the page,
    at most `PARTY_EXPORT_CAP` rows, audited."""

    form = PartySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    q, kind = data.get("q", ""), data.get("kind", "")
    parties = list(parties_search(user=request.user, q=q, kind=kind)[:PARTY_EXPORT_CAP])
    audit_record(
        actor=request.user,
        action="parties.export",
        data={"filters": {k: v for k, v in (("q", q), ("kind", kind)) if v}, "rows": len(parties)},
    )

    def identifier(party: Party) -> str:
        if party.credit_code:
            return str(party.credit_code)
        for field in ("id_number", "passport"):
            value = getattr(party, field, "")
            if value:
                return mask_identifier(value)
        return ""

    rows = ([p.name, p.get_kind_display(), identifier(p), p.phone, p.address] for p in parties)
    return table_response(
        filename=_("parties") + timezone.localdate().strftime("-%Y%m%d"),
        headers=[_("Name"), _("Kind"), _("Identifier"), _("Phone"), _("Address")],
        rows=rows,
        as_csv=request.GET.get("format") == "csv",
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_create(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("parties.add_party"):
        raise PermissionDenied
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("aliases")
        try:
            party = services.party_create(actor=request.user, aliases=form.alias_list(), **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Party saved."))
            return redirect("parties:detail", pk=party.pk)
    # Refused (the form or the service): nothing written, the form as typed (422).
    return render(request, "parties/form.html", {"form": form}, status=422 if form.errors else 200)


def _identifiers_context(party: Party, shown: dict[str, str] | None = None) -> dict[str, object]:
    """ID and passport numbers masked, or in full once `party_identifiers_show` gave them."""
    shown = shown or {}
    return {
        "party": party,
        "masked_id": shown.get("id_number")
        or (mask_identifier(party.id_number) if party.id_number else ""),
        "masked_passport": shown.get("passport")
        or (mask_identifier(party.passport) if party.passport else ""),
        "identifiers_shown": bool(shown),
    }


@login_required
@require_GET
@never_cache  # Cache-Control: no-store: the page carries identifiers (masked or shown)
def party_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    party = party_get(user=request.user, pk=pk)
    return _detail_page(request, party, _identifiers_context(party))


def _detail_page(
    request: AuthedRequest,
    party: Party,
    context: dict[str, object],
    relation_form: RelationForm | None = None,
) -> HttpResponse:
    """The party's page; with a refused relation, its form as typed with its errors beside
    the fields (status 422, nothing written)."""
    return render(
        request,
        "parties/detail.html",
        {
            **context,
            "links": party_matters(user=request.user, party=party),
            "aliases": party.aliases.all(),
            "relations": party_relations(user=request.user, party=party),
            "relation_form": relation_form or RelationForm(),
            "can_change": request.user.has_perm("matters.change_party", party),
        },
        status=200 if relation_form is None else 422,
    )


@login_required
@require_POST
@never_cache
def party_identifiers_show(request: AuthedRequest, pk: int) -> HttpResponse:
    """The "show" action: the full ID and passport numbers, audited, never cached. A POST,
    so the numbers never reach a URL or a prefetch; htmx swaps them into the page."""
    party = party_get(user=request.user, pk=pk)
    if not request.user.has_perm("parties.show_identifiers", party):
        raise PermissionDenied
    shown = services.party_identifiers_show(actor=request.user, party=party)
    context = _identifiers_context(party, shown)
    if request.htmx:
        return render(request, "parties/detail.html#identifiers", context)
    return _detail_page(request, party, context)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def party_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    party = party_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.change_party", party):
        raise PermissionDenied
    # Identifiers stay out of the page (issue 18 item 11): the form shows them masked.
    initial: dict[str, object] = {
        f: getattr(party, f)
        for f in ("kind", "name", "phone", "email", "address", "notes", "version")
    }
    initial["aliases"] = "\n".join(party.aliases.values_list("name", flat=True))
    stored = {f: getattr(party, f) for f in IDENTIFIER_FIELDS}
    form = PartyEditForm(request.POST or None, initial=initial, stored=stored)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in IDENTIFIER_FIELDS and not k.startswith("clear_")
        }
        data.update(form.identifier_changes())
        data.pop("aliases")
        version = data.pop("version")
        try:
            services.party_update(
                actor=request.user, party=party, version=version, aliases=form.alias_list(), **data
            )
        except StaleEdit:
            form.add_error(None, _("Someone else changed this party meanwhile. Reload and retry."))
            status = 409
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Party saved."))
            return redirect("parties:detail", pk=party.pk)
    if status == 200 and form.errors:
        status = 422  # refused (the form or the service): nothing written, the form as typed
    return render(request, "parties/form.html", {"form": form, "party": party}, status=status)


@login_required
@require_POST
def party_relation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """A refused relation (the form, the other party's name or number, the relation itself)
    writes nothing and comes back on the party's page as typed, each error beside its field
    (422); success goes back to the page."""
    party = party_get(user=request.user, pk=pk)
    if not request.user.has_perm("matters.change_party", party):
        raise PermissionDenied
    form = RelationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                try:
                    other = matter_services.party_find_or_create(
                        actor=request.user,
                        kind=data["other_kind"],
                        name=data["other_name"],
                        identifier=data["other_identifier"],
                    )
                except ValidationError as exc:
                    # The other party's fields carry other names on this form.
                    raise _renamed(exc, _OTHER_PARTY_FIELDS) from None
                services.party_relation_add(
                    actor=request.user,
                    source=other,
                    target=party,
                    kind=data["kind"],
                    note=data["note"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("parties:detail", pk=party.pk)
    return _detail_page(request, party, _identifiers_context(party), relation_form=form)


# The new or reused party's service fields, as the relation form names them.
_OTHER_PARTY_FIELDS = {
    "name": "other_name",
    "kind": "other_kind",
    "identifier": "other_identifier",
    "id_number": "other_identifier",
    "credit_code": "other_identifier",
}


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    renamed: dict[str, list[str]] = {}
    for field, errors in exc.message_dict.items():
        renamed.setdefault(names.get(field, field), []).extend(errors)
    return ValidationError(renamed)
