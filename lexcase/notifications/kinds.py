"""The kinds of notification a user can set e-mail preferences for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

NOTIFICATION_KINDS: dict[str, Any] = {
    "digest": _("Morning agenda digest"),
    "deadline_missed": _("Missed deadline"),
    "deadline_moved": _("Deadline moved by a holiday update"),
    "client_update_due": _("Client update due"),
    "client_update_overdue": _("Client update overdue (escalation)"),
    "portal_message": _("Message from a client in the portal"),
    "task_assigned": _("Task assigned to you"),
    "confidentiality_lowered": _("A matter of yours is no longer confidential"),
    "review_due": _("Matter review requested from you"),
    "review_overdue": _("Matter review overdue (escalation)"),
    "survey_low_score": _("Low client satisfaction score"),
    "approval_requested": _("Approval requested from you, or your request decided"),
}
