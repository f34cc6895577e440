from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from lexcase.accounts.services import user_password_set


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the firm's administrators, never by sign-up; passwords are
    set through the accounts service."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def set_password(self, user: Any, password: str) -> None:
        # Every allauth password flow (change, and reset should it be mounted) is the
        # user's own act: through the service, so tokens are revoked, other sessions end
        # and the change is audited.
        user_password_set(user=user, password=password, actor=user)
