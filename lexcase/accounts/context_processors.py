"""The firm's profile for every template (page titles, the header, the portal), and the
layout of allauth's pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lexcase.accounts.middleware import enrolment_pending
from lexcase.accounts.selectors import firm_profile


def firm(request: HttpRequest) -> dict[str, Any]:
    # Lazy: a page that never shows the firm's name costs no query.
    return {"firm": SimpleLazyObject(firm_profile)}


def mfa_enrolment(request: HttpRequest) -> dict[str, Any]:
    """`allauth_layout`: the enrolment layout (no navigation) while the user must still set
    up a second factor, else the firm's. A callable, so only allauth's pages (which ask for
    it) pay the authenticator lookup."""

    def layout() -> str:
        if enrolment_pending(getattr(request, "user", None)):
            return "accounts/enrolment_base.html"
        return "base.html"

    return {"allauth_layout": layout}
