"""The firm's profile for every template (page titles, the header, the portal)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lexcase.accounts.selectors import firm_profile


def firm(request: HttpRequest) -> dict[str, Any]:
    # Lazy: a page that never shows the firm's name costs no query.
    return {"firm": SimpleLazyObject(firm_profile)}
