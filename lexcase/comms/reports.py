"""Progress reports for the client: an admin-editable Django template rendered to HTML,
kept on record, turned into a PDF (weasyprint, Noto CJK, no network) or an e-mail body."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from lexcase.accounts.models import User
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.services import audit_record
from lexcase.calendar.models import Deadline
from lexcase.comms.models import Channel, Direction, ProgressReport, ReportTemplate
from lexcase.comms.selectors import report_candidate_communications
from lexcase.comms.services import communication_create
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.pdf import html_to_pdf
from lexcase.matters.models import Matter, MemberRole, PartyRole, Stage, Status, TimelineKind
from lexcase.matters.timeline import timeline_text

log = logging.getLogger(__name__)

# Relative URLs in a template resolve here, never on the network.
REPORT_BASE_DIR = Path(__file__).resolve().parent / "report_assets"
TEMPLATE_NAME = "progress"
# Timeline kinds a client may read about; team changes and walls are internal.
CLIENT_TIMELINE_KINDS = (
    TimelineKind.STATUS,
    TimelineKind.STAGE,
    TimelineKind.HEARING,
    TimelineKind.CASE_NUMBER,
)

# The template shipped in code; the firm's edited copy lives in ReportTemplate.
DEFAULT_TEMPLATE = (REPORT_BASE_DIR / "default_report.html").read_text(encoding="utf-8")


def _engine() -> Engine:
    # The project's engine: the same libraries (i18n, humanize) as the rest of the site.
    return Engine.get_default()


def report_template_get() -> tuple[str, int]:
    row = ReportTemplate.objects.filter(name=TEMPLATE_NAME).values_list("body", "version").first()
    return row if row else (DEFAULT_TEMPLATE, 0)


# Tags that would reach beyond the report's own context (other templates, debug dumps).
FORBIDDEN_TAGS = re.compile(r"{%\s*(include|extends|debug|ssi)\b")


def report_template_check(body: str) -> None:
    bad = FORBIDDEN_TAGS.search(body)
    if bad:
        raise ValidationError(
            {"body": [_("The tag “%(tag)s” is not allowed in a report.") % {"tag": bad.group(1)}]}
        )
    try:
        _engine().from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationError(
            {"body": [_("The template does not compile: %(error)s") % {"error": exc}]}
        ) from None


@transaction.atomic
def report_template_set(*, actor: User, body: str, version: int) -> ReportTemplate:
    """Replace the firm's report template; `version` is what the editor loaded (0: the
    shipped default), so two admins editing at once cannot overwrite each other."""
    if not actor.has_perm("comms.manage_settings"):
        raise NotAllowed("comms.change_reporttemplate")
    if not (body or "").strip():
        raise ValidationError({"body": [_("This field is required.")]})
    report_template_check(body)
    row = ReportTemplate.objects.filter(name=TEMPLATE_NAME).first()
    if row is None:
        if version != 0:
            raise StaleEdit
        row = ReportTemplate.objects.create(name=TEMPLATE_NAME, body=body, updated_by=actor)
    else:
        changed = ReportTemplate.objects.filter(pk=row.pk, version=version).update(
            body=body, updated_by=actor, version=F("version") + 1, updated_at=timezone.now()
        )
        if not changed:
            raise StaleEdit
        row.refresh_from_db()
    audit_record(actor=actor, action="report_template.update", obj=row)
    return row


def report_context(
    *, matter: Matter, needs_from_client: str = "", communication_ids: Sequence[int] = ()
) -> dict[str, Any]:
    """What the report shows. `matter` has passed the gate. Communications are internal
    notes: only those the lawyer picked (`communication_ids`) are shown to the client."""
    now = timezone.now()
    today = timezone.localdate()
    events: list[dict[str, Any]] = []
    since = now - timedelta(days=90)
    for entry in matter.timeline.filter(kind__in=CLIENT_TIMELINE_KINDS, at__gte=since).order_by(
        "-at", "-id"
    )[:15]:
        events.append({"at": timezone.localtime(entry.at), "text": timeline_text(entry)})
    wanted = set(communication_ids)
    for comm in report_candidate_communications(matter=matter):
        if comm.pk not in wanted:
            continue
        events.append(
            {
                "at": timezone.localtime(comm.occurred_at),
                "text": _("%(channel)s (%(direction)s): %(summary)s")
                % {
                    "channel": comm.get_channel_display(),
                    "direction": comm.get_direction_display(),
                    "summary": comm.summary,
                },
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    next_dates: list[dict[str, Any]] = []
    for d in matter.deadlines.filter(status=Deadline.Status.OPEN, due_date__gte=today).order_by(
        "due_date", "id"
    )[:10]:
        next_dates.append({"day": d.due_date, "time": d.due_time, "text": d.title})
    for h in matter.hearings.filter(starts_at__gte=now).order_by("starts_at")[:10]:
        local = timezone.localtime(h.starts_at)
        text = _("Hearing: %(court)s") % {"court": " ".join(filter(None, [h.court, h.courtroom]))}
        next_dates.append({"day": local.date(), "time": local.time(), "text": text})
    next_dates.sort(key=lambda d: (d["day"], d["time"] or datetime.max.time()))
    lead = matter.members.filter(role=MemberRole.LEAD).select_related("user").first()
    firm = firm_profile()
    return {
        "title": _("Progress report"),
        "firm_name": firm.display_name,
        # The firm's particulars for the letterhead (plain strings, as everything here).
        "firm": {
            "name": firm.display_name,
            "address": firm.address,
            "licence_number": firm.licence_number,
            "phone": firm.phone,
            "email": firm.email,
        },
        "today": today,
        # Plain values, not the model: a template must not wander to users or internals.
        "matter": {
            "number": matter.number,
            "title": matter.title,
            "court": matter.court,
            "matter_type": matter.get_matter_type_display(),
            "priority": matter.get_priority_display(),
            "opened_on": matter.opened_on,
            "amount": matter.amount,
        },
        "status": Status(matter.status).label,
        "stage": Stage(matter.stage).label,
        "case_numbers": list(matter.case_numbers.values_list("number", flat=True)),
        "clients": list(
            matter.matter_parties.filter(role=PartyRole.CLIENT).values_list(
                "party__name", flat=True
            )
        ),
        "lead": lead.user.display_name if lead else "",
        "events": events,
        "next_dates": next_dates,
        "needs_from_client": needs_from_client.strip(),
    }


def report_render_html(
    *, matter: Matter, needs_from_client: str = "", communication_ids: Sequence[int] = ()
) -> str:
    body, _version = report_template_get()
    template = _engine().from_string(body)
    context = report_context(
        matter=matter, needs_from_client=needs_from_client, communication_ids=communication_ids
    )
    return template.render(Context(context))


def report_pdf(*, html: str) -> bytes:
    return html_to_pdf(html=html, base_dir=REPORT_BASE_DIR)


@transaction.atomic
def progress_report_create(
    *,
    actor: User,
    matter: Matter,
    needs_from_client: str = "",
    send: bool = False,
    recipient: str = "",
    communication_ids: Sequence[int] = (),
) -> ProgressReport:
    """Generate a report. Only a report sent to `recipient` goes on the communication log
    (an outbound e-mail, which resets the client-update clock); one merely generated is kept
    on record but is not a contact with the client until someone logs its delivery."""
    if not actor.has_perm("matters.change_matter", matter):
        raise NotAllowed("matters.change_matter")
    needs_from_client = (needs_from_client or "").strip()
    if len(needs_from_client) > 5000:
        raise ValidationError({"needs_from_client": [_("This text is too long.")]})
    recipient = (recipient or "").strip()
    if send:
        try:
            validate_email(recipient)
        except ValidationError:
            raise ValidationError({"recipient": [_("Enter a valid e-mail address.")]}) from None
    try:
        html = report_render_html(
            matter=matter,
            needs_from_client=needs_from_client,
            communication_ids=communication_ids,
        )
    except Exception as exc:  # a broken admin template must not look like our bug
        raise ValidationError(
            {"template": [_("The report template failed to render: %(error)s") % {"error": exc}]}
        ) from None
    title = _("Progress report %(number)s %(date)s") % {
        "number": matter.number,
        "date": timezone.localdate().isoformat(),
    }
    summary = title
    if needs_from_client:
        summary += "\n" + _("We asked the client for: %(needs)s") % {"needs": needs_from_client}
    comm = (
        communication_create(
            actor=actor,
            matter=matter,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            summary=summary,
            participants=[recipient],
        )
        if send
        else None
    )
    report = ProgressReport.objects.create(
        matter=matter,
        title=title,
        html=html,
        needs_from_client=needs_from_client,
        communication=comm,
        sent_at=timezone.now() if send else None,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="progress_report.send" if send else "progress_report.create",
        obj=report,
        matter_id=matter.pk,
        data={"recipient": recipient} if send else {},
    )
    if send:
        text = re.sub(r"<(style|title)\b.*?</\1>", "", html, flags=re.S | re.I)
        text = re.sub(r"\n\s*\n+", "\n\n", strip_tags(text)).strip()
        message = EmailMultiAlternatives(title, text, None, [recipient])
        message.attach_alternative(html, "text/html")

        def deliver() -> None:
            try:
                message.send()
            except OSError:
                log.exception("progress report %s: e-mail to the client failed", report.pk)

        # Sent after commit: a rollback must not leave a report the log does not show.
        transaction.on_commit(deliver)
    return report
