"""System checks: `python -m lexcase check` says when the audit key is a development key."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if os.environ.get("LEXCASE_AUDIT_KEY") or not settings.DEBUG:
        return []
    return [
        Warning(
            "The audit log is chained with a development key from var/audit.key.",
            hint="Set LEXCASE_AUDIT_KEY outside the database and its backups "
            "(docs/operations.md, 'Audit log').",
            id="audit.W001",
        )
    ]
