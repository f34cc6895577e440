"""MFA recovery codes stored hashed (issue 14 item 1, quality bar T06).

allauth keeps an encrypted seed from which every code can be derived again. Here each code
is random, stored only as a salted, peppered PBKDF2 hash, and shown once: the new codes are
kept encrypted on the authenticator row only until the page that shows them has been
rendered (the first view after enrolment or regeneration), then only the hashes remain. A
used code's hash is blanked under a row lock, so a code works once. `AccountsConfig.ready`
puts this class where allauth looks for its recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal import auth as allauth_auth
from allauth.mfa.recovery_codes.internal import flows as allauth_flows
from allauth.mfa.utils import decrypt, encrypt
from django.conf import settings
from django.db import transaction
from django.utils.encoding import force_bytes

ITERATIONS = 20_000
MASK = "********"


def _pepper(secret: str | bytes) -> bytes:
    # SECRET_KEY_FALLBACKS may hold bytes (Django allows either).
    return hashlib.sha256(b"lexcase.recovery-codes\x1f" + force_bytes(secret)).digest()


def code_hash(code: str, salt: str, *, secret: str | bytes | None = None) -> str:
    """PBKDF2-SHA256 of the code keyed with a pepper derived from SECRET_KEY: a copy of
    the database alone cannot be brute-forced over the 10^8 codes."""
    pepper = _pepper(settings.SECRET_KEY if secret is None else secret)
    peppered = hmac.new(pepper, code.strip().encode(), hashlib.sha256).digest()
    return hashlib.pbkdf2_hmac("sha256", peppered, salt.encode(), ITERATIONS).hex()


def _new_codes() -> list[str]:
    digits = app_settings.RECOVERY_CODE_DIGITS
    return [
        f"{secrets.randbelow(10**digits):0{digits}d}"
        for _ in range(app_settings.RECOVERY_CODE_COUNT)
    ]


def hashed_data(codes: list[str]) -> dict[str, Any]:
    salt = secrets.token_hex(16)
    return {"salt": salt, "hashes": [code_hash(code, salt) for code in codes]}


class HashedRecoveryCodes(allauth_auth.RecoveryCodes):
    """allauth's recovery codes with hashes instead of a seed."""

    instance: Authenticator
    _shown: list[str] | None = None

    @classmethod
    def activate(cls, user: Any) -> HashedRecoveryCodes:
        instance = Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
        ).first()
        if instance:
            return cls(instance)
        codes = _new_codes()
        instance = Authenticator(
            user=user,
            type=Authenticator.Type.RECOVERY_CODES,
            data={**hashed_data(codes), "pending": encrypt(json.dumps(codes))},
        )
        instance.save()
        return cls(instance)

    def _pending(self) -> list[str] | None:
        if self._shown is not None:
            return self._shown
        pending = self.instance.data.get("pending")
        return json.loads(decrypt(pending)) if pending else None

    def _unused_count(self) -> int:
        return sum(1 for h in self.instance.data.get("hashes", []) if h)

    def generate_codes(self) -> list[str]:
        return self.get_unused_codes()

    def get_unused_codes(self) -> list[str]:
        """The codes themselves only until they have been shown once; afterwards as many
        placeholders as codes are left (allauth counts them)."""
        pending = self._pending()
        hashes = self.instance.data.get("hashes", [])
        if pending is not None:
            return [code for code, h in zip(pending, hashes, strict=False) if h]
        return [MASK] * self._unused_count()

    def mark_as_viewed(self) -> None:
        """Called when the codes page is rendered: forget the codes, keep the hashes."""
        self._shown = self._pending()
        self.instance.data.pop("pending", None)
        self.instance.data["viewed_at"] = time.time()
        self.instance.save(update_fields=["data"])

    @transaction.atomic
    def validate_code(self, code: str) -> bool:
        if self.instance.pk is not None:
            self.instance = Authenticator.objects.select_for_update().get(pk=self.instance.pk)
        data = self.instance.data
        if (
            "hashes" not in data
        ):  # a seed from before this module (migration accounts.0008 converts)
            return super().validate_code(code)
        # Hashed under SECRET_KEY, or under a fallback key before a rotation.
        secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        typed = [code_hash(code, data["salt"], secret=secret) for secret in secrets_in_use]
        hashes = list(data["hashes"])
        for i, stored in enumerate(hashes):
            if stored and any(hmac.compare_digest(stored, t) for t in typed):
                hashes[i] = ""
                data["hashes"] = hashes
                self.instance.save(update_fields=["data"])
                return True
        return False


def install() -> None:
    """Make allauth create, show and check recovery codes through HashedRecoveryCodes."""
    allauth_auth.RecoveryCodes = HashedRecoveryCodes  # Authenticator.wrap() imports it here
    allauth_flows.RecoveryCodes = HashedRecoveryCodes
