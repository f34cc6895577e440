"""Portal pages for client contacts, the invitation link, and the staff's contacts page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lexcase.accounts.http import AuthedRequest
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.services import audit_record
from lexcase.billing.selectors.client import client_bill_lines, client_bill_payments
from lexcase.calendar import selectors as calendar_selectors
from lexcase.calendar.selectors import deadline_get
from lexcase.comms.reports import report_pdf
from lexcase.core.exceptions import AlreadySent, NotAllowed
from lexcase.core.forms import apply_service_errors
from lexcase.core.once import already_sent_message, sent_once
from lexcase.documents import files
from lexcase.documents.services import document_download_record
from lexcase.documents.views import version_response
from lexcase.matters.actions import matter_action
from lexcase.matters.rules import is_active_staff
from lexcase.matters.selectors import matter_has_client
from lexcase.notifications.kinds import CLIENT_NOTIFICATION_KINDS
from lexcase.notifications.selectors import client_notifications, notification_preferences
from lexcase.notifications.services import notification_preferences_set
from lexcase.portal import selectors, services
from lexcase.portal.forms import (
    AcceptForm,
    ClientChoiceForm,
    GrantForm,
    InviteForm,
    MessageForm,
    UploadForm,
)
from lexcase.portal.models import ClientContact

View = Callable[..., HttpResponseBase]


def portal_user_required(view: View) -> View:
    """Signed-in client contacts only; staff get 403 (the portal is not theirs to browse)."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        contact = selectors.contact_for(request.user)
        if contact is None:
            raise PermissionDenied
        return view(request, contact, *args, **kwargs)

    return wrapped


def staff_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_active_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# -- Client side ---------------------------------------------------------------------------


@portal_user_required
@require_GET
def home(request: AuthedRequest, contact: ClientContact) -> HttpResponse:
    summaries = selectors.portal_matter_summaries(contact=contact)
    audit_record(
        actor=request.user,
        action="portal.matters",
        data={"matters": [s.matter.pk for s in summaries]},
    )
    return render(
        request,
        "portal/home.html",
        {
            "contact": contact,
            "summaries": summaries,
            "notices": client_notifications(
                user=request.user,
                matter_urls=[reverse("portal:matter", args=[s.matter.pk]) for s in summaries],
                under="/portal/matters/",
            ),
        },
    )


@portal_user_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest, contact: ClientContact) -> HttpResponse:
    """The client's own notification settings: for each kind of notice the firm sends them
    (a document shared, a date changed), in the portal and by e-mail."""
    kinds = CLIENT_NOTIFICATION_KINDS
    if request.method == "POST":
        notification_preferences_set(
            user=request.user,
            email_by_kind={kind: f"email_{kind}" in request.POST for kind in kinds},
            in_app_by_kind={kind: f"app_{kind}" in request.POST for kind in kinds},
            kinds=kinds,
        )
        messages.success(request, _("Saved."))
        return redirect("portal:preferences")
    current = notification_preferences(user=request.user, kinds=kinds)
    rows = [(kind, label, *current[kind]) for kind, label in kinds.items()]
    return render(request, "portal/preferences.html", {"contact": contact, "rows": rows})


def _matter_context(contact: ClientContact, matter: Any) -> dict[str, Any]:
    return {
        "contact": contact,
        "matter": matter,
        "parties": selectors.portal_matter_parties(matter=matter),
        "hearings": selectors.portal_hearings(matter=matter),
        "deadlines": selectors.portal_deadlines(matter=matter),
        "documents": selectors.portal_documents(matter=matter),
        "uploads": selectors.portal_uploads(contact=contact, matter=matter),
        "reports": selectors.portal_reports(matter=matter),
        "thread": selectors.portal_messages(matter=matter),
    }


@portal_user_required
@require_GET
def matter_detail(request: AuthedRequest, contact: ClientContact, pk: int) -> HttpResponse:
    matter = selectors.portal_matter_get(contact=contact, pk=pk)
    audit_record(actor=request.user, action="portal.matter_view", obj=matter, matter_id=matter.pk)
    return _matter_page(request, contact, matter)


def _matter_page(
    request: AuthedRequest,
    contact: ClientContact,
    matter: Any,
    *,
    message_form: MessageForm | None = None,
    upload_form: UploadForm | None = None,
) -> HttpResponse:
    """The client's matter page; with a message or an upload that was refused, that form as
    typed with its errors (status 422, nothing written)."""
    context = _matter_context(contact, matter)
    context["sees_bills"] = request.user.has_perm("portal.view_bills", matter)
    context["message_form"] = message_form or MessageForm()
    context["upload_form"] = upload_form or UploadForm()
    refused = message_form is not None or upload_form is not None
    return render(request, "portal/matter.html", context, status=422 if refused else 200)


@portal_user_required
@require_POST
def message_send(request: AuthedRequest, contact: ClientContact, pk: int) -> HttpResponse:
    matter = selectors.portal_matter_get(contact=contact, pk=pk)
    form = MessageForm(request.POST)
    back = reverse("portal:matter", args=[matter.pk]) + "#messages"
    if form.is_valid():
        try:
            # Once: a double click or a reload of the answer sends one message (core.once).
            with sent_once(request):
                services.portal_message_send(
                    contact=contact, matter=matter, text=form.cleaned_data["text"]
                )
        except AlreadySent:
            messages.warning(request, already_sent_message())
            return redirect(back)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your message was sent to your legal team."))
            return redirect(back)
    return _matter_page(request, contact, matter, message_form=form)


@portal_user_required
@require_POST
def upload(request: AuthedRequest, contact: ClientContact, pk: int) -> HttpResponse:
    matter = selectors.portal_matter_get(contact=contact, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    back = reverse("portal:matter", args=[matter.pk]) + "#documents"
    if form.is_valid():
        try:
            # Once: a double click or a reload of the answer stores one document (core.once).
            with sent_once(request):
                services.portal_upload(
                    contact=contact,
                    matter=matter,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
        except AlreadySent:
            messages.warning(
                request, _("This file was already received; it was not stored a second time.")
            )
            return redirect(back)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your file was uploaded to your legal team."))
            if files.name_shortened(form.cleaned_data["file"].name or ""):
                messages.warning(
                    request, files.shortened_name_message(form.cleaned_data["file"].name)
                )
            return redirect(back)
    return _matter_page(request, contact, matter, upload_form=form)


@portal_user_required
@require_GET
def document_download(request: AuthedRequest, contact: ClientContact, pk: int) -> HttpResponseBase:
    document = selectors.portal_document_get(contact=contact, pk=pk)

    version = document.current_version()
    # The same audit event and the same response (headers included) as a staff download.
    return version_response(
        version,
        inline=False,
        record=lambda: document_download_record(actor=request.user, version=version, via="portal"),
    )


@portal_user_required
@require_GET
def report_view(request: AuthedRequest, contact: ClientContact, pk: int) -> HttpResponse:
    """A progress report the firm sent, as the same PDF the lawyers download."""
    report = selectors.portal_report_get(contact=contact, pk=pk)
    pdf = report_pdf(html=report.html)
    audit_record(
        actor=request.user,
        action="progress_report.download",
        obj=report,
        matter_id=report.matter_id,
        data={"via": "portal"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"progress-report-{report.matter.number}-{report.created_at:%Y%m%d}-{report.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@portal_user_required
@require_GET
def bills(request: AuthedRequest, contact: ClientContact) -> HttpResponse:
    """The bills issued to the contact's client on the matters whose grant shows them
    (`portal.view_bills`); of one matter with `?matter=` (404 unless it is one of those)."""
    matter: Any = None
    if "matter" in request.GET:
        matter = selectors.portal_bill_matter_get(contact=contact, pk=request.GET["matter"])
    rows = list(selectors.portal_bills(contact=contact, matter=matter))
    audit_record(
        actor=request.user,
        action="portal.bills",
        matter_id=matter.pk if matter is not None else None,
        data={
            "bills": [b.pk for b in rows],
            "matters": sorted({b.matter_id for b in rows}),
        },
    )
    return render(
        request,
        "portal/bills.html",
        {"contact": contact, "bills": rows, "matter": matter},
    )


@portal_user_required
@require_GET
def bill_detail(request: AuthedRequest, contact: ClientContact, pk: int) -> HttpResponse:
    """One bill as issued: its lines, the money received on it, where to pay."""
    bill = selectors.portal_bill_get(contact=contact, pk=pk)
    if not request.user.has_perm("portal.view_bills", bill.matter):
        raise Http404  # the selector's gate and the rule agree; never a 403 that leaks
    audit_record(actor=request.user, action="portal.bill_view", obj=bill, matter_id=bill.matter_id)
    return render(
        request,
        "portal/bill.html",
        {
            "contact": contact,
            "bill": bill,
            "lines": client_bill_lines(bill=bill),
            "payments": client_bill_payments(bill=bill),
            "firm": firm_profile(),
        },
    )


# -- The invitation link (anonymous) ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_lookup(raw_token=token)
    if invitation is None:
        raise Http404
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                raw_token=token,
                password=form.cleaned_data["password"],
                password2=form.cleaned_data["password2"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            login(request, user, backend="lexcase.accounts.backends.SignIn")
            messages.success(request, _("Welcome. Your password is set."))
            return redirect("portal:home")
    return render(
        request,
        "portal/accept.html",
        {"form": form, "contact": invitation.contact},
        status=200 if not form.errors else 422,
    )


# -- Staff: client contacts ------------------------------------------------------------------


def _link_for(request: AuthedRequest) -> Callable[[str], str]:
    return lambda raw: request.build_absolute_uri(reverse("portal:accept", args=[raw]))


def _invitation_issued(request: AuthedRequest, issued: services.InvitationIssued) -> HttpResponse:
    """The one-time link, shown once to the inviter: the page is not cached and the link
    is never stored in clear (only its hash), so reloading cannot show it again."""
    response = render(request, "portal/invitation_issued.html", {"issued": issued})
    response["Cache-Control"] = "no-store"
    return response


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@staff_required
@require_http_methods(["GET", "POST"])
def contacts(request: AuthedRequest) -> HttpResponse:
    """The contacts the user may see, and the invitation in two steps: choose the client,
    then name the contact and tick the matters of that client they may see."""
    client_form = ClientChoiceForm(request.GET or None, user=request.user)
    party = (
        client_form.cleaned_data["party"]
        if client_form.is_bound and client_form.is_valid()
        else None
    )
    form = None
    if request.method == "POST":
        form = InviteForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                issued = services.client_contact_invite(
                    actor=request.user,
                    party=form.cleaned_data["party"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    matters=list(form.cleaned_data["matters"]),
                    link_for=_link_for(request),
                    bills_visible=form.cleaned_data["bills_visible"],
                )
            except NotAllowed:
                raise PermissionDenied from None
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if issued.existing:
                    messages.success(
                        request,
                        _(
                            "This address is already a portal contact of this client: the "
                            "chosen matters were granted to it."
                        ),
                    )
                    return redirect("portal:contact", pk=issued.contact.pk)
                return _invitation_issued(request, issued)
        party = form.cleaned_data.get("party")
        if party is None:
            if not client_form.is_bound:
                # Step one as sent: an error can only be added to a bound form (a client that
                # is no choice, e.g. a forged or overflowing id, was an AttributeError: 500).
                client_form = ClientChoiceForm(
                    {"party": request.POST.get("party", "")}, user=request.user
                )
            if client_form.is_valid() or not client_form.errors:
                client_form.add_error(None, form.errors.get("party") or _("Choose the client."))
            form = None
    elif party is not None:
        form = InviteForm(initial={"party": party}, user=request.user)
    return render(
        request,
        "portal/contacts.html",
        {
            "client_form": client_form,
            "form": form,
            "party": party,
            "contacts": selectors.contacts_visible_to(user=request.user),
            "can_invite": client_form.parties.exists(),
        },
        status=422 if request.method == "POST" else 200,
    )


def _contact_page(
    request: AuthedRequest, contact: ClientContact, grant_form: GrantForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/contact.html",
        {
            "contact": contact,
            "grants": selectors.contact_grants(contact=contact),
            "grant_form": grant_form,
            "can_manage": request.user.has_perm("portal.manage_contact", contact),
        },
        status=status,
    )


def _back(request: AuthedRequest, contact: ClientContact) -> HttpResponse:
    if request.POST.get("back") == "contact":
        return redirect("portal:contact", pk=contact.pk)
    return redirect("portal:contacts")


@staff_required
@require_GET
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One contact: the matters it sees, and granting or revoking them."""
    contact = selectors.contact_get(user=request.user, pk=pk)
    return _contact_page(request, contact, GrantForm(user=request.user, contact=contact))


@staff_required
@require_POST
def contact_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    if not request.user.has_perm("portal.manage_contact", contact):
        raise PermissionDenied
    form = GrantForm(request.POST, user=request.user, contact=contact)
    if form.is_valid():
        try:
            services.client_contact_grant(
                actor=request.user,
                contact=contact,
                matter=form.cleaned_data["matter"],
                bills_visible=form.cleaned_data["bills_visible"],
            )
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("portal:contact", pk=contact.pk)
    return _contact_page(request, contact, form, status=422)


@staff_required
@require_POST
def contact_revoke(request: AuthedRequest, pk: int, matter_pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    grant = selectors.contact_grant_get(contact=contact, matter_pk=matter_pk)
    try:
        services.client_contact_revoke(actor=request.user, contact=contact, matter=grant.matter)
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("Saved."))
    return redirect("portal:contact", pk=contact.pk)


@staff_required
@require_POST
def contact_bills(request: AuthedRequest, pk: int, matter_pk: int) -> HttpResponse:
    """Show a granted matter's bills to the contact, or stop showing them."""
    contact = selectors.contact_get(user=request.user, pk=pk)
    grant = selectors.contact_grant_get(contact=contact, matter_pk=matter_pk)
    visible = request.POST.get("visible") == "1"
    try:
        services.client_contact_bills_set(
            actor=request.user, contact=contact, matter=grant.matter, visible=visible
        )
    except NotAllowed:
        raise PermissionDenied from None
    if visible:
        text = _("The contact now sees the bills of %(number)s.")
    else:
        text = _("The contact no longer sees the bills of %(number)s.")
    messages.success(request, text % {"number": grant.matter.number})
    return redirect(reverse("portal:contact", args=[contact.pk]) + "#matters")


@staff_required
@require_POST
def contact_reinvite(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    try:
        issued = services.client_contact_reinvite(
            actor=request.user, contact=contact, link_for=_link_for(request)
        )
    except NotAllowed:
        raise PermissionDenied from None
    return _invitation_issued(request, issued)


@staff_required
@require_POST
def contact_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=pk)
    try:
        services.client_contact_set_active(
            actor=request.user, contact=contact, active=not contact.user.is_active
        )
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("Saved."))
    return _back(request, contact)


# -- Staff: the portal card on the matter page ---------------------------------------------


def matter_section(request: AuthedRequest, matter: Any) -> dict[str, Any] | None:
    """Who of the client has a portal login, and which dates the client sees."""
    if not matter_has_client(matter=matter):
        return None
    return {
        "template": "portal/_matter_section.html",
        "contacts": selectors.matter_contact_rows(matter=matter),
        "deadlines": calendar_selectors.matter_open_deadlines(matter=matter),
        "hearings": calendar_selectors.matter_recent_hearings(matter=matter, limit=20),
        "can_edit": request.user.has_perm("matters.change_matter", matter),
        "thread": selectors.portal_message_count(matter=matter),
        "reply_form": MessageForm(prefix="portal"),
    }


def _toggle_visibility(request: AuthedRequest, obj: Any) -> HttpResponse:
    def run(matter: Any, data: dict) -> None:
        services.client_visibility_set(
            actor=request.user, obj=obj, visible=request.POST.get("visible") == "1"
        )

    return matter_action(request, obj.matter_id, "matters.change_matter", run)


@staff_required
@require_POST
def reply(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(matter: Any, data: dict) -> None:
        services.portal_reply_send(
            actor=request.user,
            matter=matter,
            text=data["text"],
            portal_url=request.build_absolute_uri(reverse("portal:matter", args=[matter.pk])),
        )

    return matter_action(
        request,
        pk,
        "matters.change_matter",
        run,
        MessageForm(request.POST, prefix="portal"),
        title=_("Write to the client in the portal"),
        submit=_("Send"),
        once=True,  # a double click or a reload sends the client one message
    )


@staff_required
@require_POST
def deadline_visibility(request: AuthedRequest, pk: int) -> HttpResponse:
    return _toggle_visibility(request, deadline_get(user=request.user, pk=pk))


@staff_required
@require_POST
def hearing_visibility(request: AuthedRequest, pk: int) -> HttpResponse:
    return _toggle_visibility(request, selectors.hearing_get(user=request.user, pk=pk))
