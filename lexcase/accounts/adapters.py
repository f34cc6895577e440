from __future__ import annotations

import base64
import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet  # a dependency of allauth's MFA extra
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.encoding import force_bytes

from lexcase.accounts.rules import mfa_required_for
from lexcase.accounts.services import user_password_set
from lexcase.audit.services import audit_record
from lexcase.core.fixedsql import fixed_rows


def login_attempts_key(username: str) -> str:
    return f"login:{username.strip().lower()}"


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the firm's administrators, never by sign-up; passwords are
    set through the accounts service."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # The account alone (not the Host header's domain), so an administrator's unlock
        # (services.user_login_unlock) finds the same counter.
        return login_attempts_key(credentials.get("username", ""))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refused attempts are audited; the message is the same whether the account exists
        or not (the counter is per typed username, the check runs before any lookup)."""

        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit_record(
                actor=None,
                action="login.throttled",
                username=str(credentials.get("username") or "")[:150],
                ip=request.META.get("REMOTE_ADDR"),
            )
            raise

    def set_password(self, user: Any, password: str) -> None:
        # Every allauth password flow (change, and reset should it be mounted) is the
        # user's own act: through the service, so tokens are revoked, other sessions end
        # and the change is audited.
        user_password_set(user=user, password=password, actor=user)


def _fernet_key(secret: str | bytes) -> bytes:
    # SECRET_KEY_FALLBACKS may hold bytes (Django allows either).
    digest = hashlib.sha256(b"lexcase.mfa\x1f" + force_bytes(secret)).digest()
    return base64.urlsafe_b64encode(digest)


class LexCaseMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets (and recovery codes until they are first shown; recovery_codes.py keeps
    only their hashes) are stored encrypted (Fernet, AES-128 with an HMAC) under a key
    derived from SECRET_KEY, so a copy of the database alone does not give
    anyone a second factor; SECRET_KEY_FALLBACKS still decrypt after a key rotation."""

    def _fernet(self):
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._fernet().decrypt(encrypted_text.encode()).decode()

    def is_mfa_enabled(self, user: Any, types: Any = None) -> bool:
        """allauth's answer (any authenticator of `types`), as a fixed read (core.fixedsql):
        the enrolment middleware asks it on every request of a role that must have a
        second factor, and building the query cost more than running it."""
        if user.is_anonymous:
            return False
        kinds = None if types is None else tuple(types)

        def read(u: Any) -> Any:
            qs = Authenticator.objects.filter(user_id=u.pk)
            if kinds is not None:
                qs = qs.filter(type__in=kinds)
            return qs.values_list("pk", flat=True)[:1]

        return bool(fixed_rows(("mfa.enabled", kinds), read, user))

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        # Someone who must have a second factor cannot remove their last one (an
        # authenticator app or a security key); with another left, they may.
        if not mfa_required_for(authenticator.user):
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id,
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        ).exclude(pk=authenticator.pk)
        return others.exists()
