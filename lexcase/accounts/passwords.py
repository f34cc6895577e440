"""A local list of breached passwords (data/breached-passwords.txt.gz, built by
data/build_breached.py): no network at run time, so no password leaves the server."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LIST_PATH = Path(__file__).parent / "data" / "breached-passwords.txt.gz"


@cache
def breached_passwords() -> frozenset[str]:
    with gzip.open(LIST_PATH, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


class BreachedPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if password.strip().lower() in breached_passwords():
            raise ValidationError(
                _("This password appears in lists of breached passwords; choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password must not appear in lists of breached passwords.")
