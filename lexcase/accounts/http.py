"""Typed requests for views (django-stubs' recommended pattern: a subclass of `HttpRequest`
that only narrows attribute types, used as the annotation of a view's `request`).

- `HtmxRequest`: every request through `django_htmx.middleware.HtmxMiddleware` carries
  `request.htmx`.
- `AuthedRequest`: a view behind `login_required` (or the portal's `staff_required` /
  `portal_user_required`), a matter-page section, or an API operation (the router's
  `BearerToken` or session auth): `request.user` is a signed-in `User`, never
  `AnonymousUser`.

Nothing is checked at run time: the decorator or the API's auth is what makes the
annotation true, so a view without one keeps `HttpRequest`."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from lexcase.accounts.models import User


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


class AuthedRequest(HtmxRequest):
    user: User
