"""Receivers of allauth's signals."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_reset
from django.dispatch import receiver

from lexcase.audit.services import audit_record


@receiver(password_reset)
def audit_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The password itself went through services.user_password_set (the adapter), which
    # ended every session, revoked the tokens and audited the change; this names the way.
    audit_record(actor=user, action="user.password_reset", obj=user)
