from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lexcase.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Connects the sign-in stamp of the session timeouts.
        from lexcase.accounts import middleware, receivers  # noqa: F401
        from lexcase.accounts.recovery_codes import install

        # Recovery codes are stored hashed, shown once (recovery_codes.py).
        install()
