"""The kinds of notification: one vocabulary for every app that notifies, and the kinds a
user can set preferences for (in the app, by e-mail); what a team's group robot posts."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    DIGEST = "digest", _("Morning agenda digest")
    DEADLINE_MISSED = "deadline_missed", _("Missed deadline")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved by a holiday update")
    CLIENT_UPDATE_DUE = "client_update_due", _("Client update due")
    CLIENT_UPDATE_OVERDUE = "client_update_overdue", _("Client update overdue (escalation)")
    PORTAL_MESSAGE = "portal_message", _("Message from a client in the portal")
    TASK_ASSIGNED = "task_assigned", _("Task assigned to you")
    CONFIDENTIALITY_LOWERED = (
        "confidentiality_lowered",
        _("A matter of yours is no longer confidential"),
    )
    REVIEW_DUE = "review_due", _("Matter review requested from you")
    REVIEW_OVERDUE = "review_overdue", _("Matter review overdue (escalation)")
    SURVEY_LOW_SCORE = "survey_low_score", _("Low client satisfaction score")
    APPROVAL_REQUESTED = (
        "approval_requested",
        _("Approval requested from you, or your request decided"),
    )
    INTAKE_REVIEW = "intake_review", _("Intake awaiting your conflict review")
    INTAKE_DECIDED = (
        "intake_decided",
        _("Your intake's conflict check decided, or the matter opened"),
    )
    HEARING_SOON = "hearing_soon", _("Hearing coming up")
    # The client's notices (portal and e-mail).
    DOCUMENT_SHARED = "document_shared", _("A document shared with you in the portal")
    CLIENT_DATE_CHANGED = "client_date_changed", _("A date of your matter changed")
    BILL_ISSUED = "bill_issued", _("A bill issued to you in the portal")
    # Escalated to the responsible partner; no preference of its own (always e-mailed).
    SLA_BREACH = "sla_breach", _("SLA")


# The kinds only clients receive (their portal shows them; staff have no preference).
CLIENT_KINDS = frozenset(
    {
        NotificationKind.DOCUMENT_SHARED,
        NotificationKind.CLIENT_DATE_CHANGED,
        NotificationKind.BILL_ISSUED,
    }
)

# The kinds with in-app and e-mail preferences, in the order the preferences page lists them.
NOTIFICATION_KINDS: dict[str, Promise] = {
    kind.value: kind.label
    for kind in NotificationKind
    if kind != NotificationKind.SLA_BREACH and kind not in CLIENT_KINDS
}


# The client's kinds with preferences (in the portal, by e-mail), for the portal's page.
CLIENT_NOTIFICATION_KINDS: dict[str, Promise] = {
    kind.value: kind.label for kind in NotificationKind if kind in CLIENT_KINDS
}


class RobotEvent(models.TextChoices):
    """What a team's group-chat robot can post (each channel chooses)."""

    DIGEST = "digest", _("Morning digest of the team's agenda")
    SLA_ESCALATION = "sla_escalation", _("SLA escalations")
    DEADLINE_OVERDUE = "deadline_overdue", _("Overdue statutory deadlines")
    REVIEW_REQUEST = "review_request", _("Review requests")
