from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lexcase.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Connects the sign-in stamp of the session timeouts.
        from lexcase.accounts import middleware  # noqa: F401
