from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ConflictsConfig(AppConfig):
    name = "lexcase.conflicts"
    label = "conflicts"
    verbose_name = _("Conflict checks")

    def ready(self) -> None:
        checks.register(check_settings)
        # Imported here, not at the top: the engine imports models, loaded only once apps
        # are ready.
        from lexcase.conflicts import receivers, selectors
        from lexcase.matters.extensions import (
            matter_open_guard_register,
            party_name_grams_register,
        )

        receivers.connect()
        matter_open_guard_register(receivers.intake_cleared_guard)
        # The party directory's search starts from the conflict index's name grams.
        party_name_grams_register(selectors.NAME_GRAMS)


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A mistyped limit or role fails at start-up, not on the first check."""

    # Here, not at the top: apps.py is imported before any model is loaded.
    from lexcase.accounts.models import STAFF_ROLES
    from lexcase.conflicts.throttle import adhoc_check_rate

    errors: list[checks.CheckMessage] = []
    try:
        adhoc_check_rate()
    except ValueError as exc:
        errors.append(checks.Error(str(exc), id="lexcase.conflicts.E001"))
    unknown = set(getattr(settings, "LEXCASE_CONFLICT_CHECK_ROLES", ())) - set(STAFF_ROLES)
    if unknown:
        errors.append(
            checks.Error(
                f"LEXCASE_CONFLICT_CHECK_ROLES names unknown roles: {', '.join(sorted(unknown))}"
                f" (known: {', '.join(sorted(STAFF_ROLES))}).",
                id="lexcase.conflicts.E002",
            )
        )
    return errors
