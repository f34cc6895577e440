"""Forms carried out once: a payment, a refund, an entry of client money, an expense or a
time entry sent twice (a double click, a reload of the answer, a retry after a timeout) is
recorded once.

A form that records something carries a one-time key, `{% once_field %}` (a random UUID, a
hidden input beside the form's own fields, so the kept HTML of unbound forms,
core.formcache, never holds one); an API client may send an `Idempotency-Key` header. The
view runs the write inside `sent_once(request)`: the key (scoped to the user) is inserted
into `SentForm` in the same transaction, so a write refused for a field error frees it
again, and a second request with a committed key raises `AlreadySent` before anything is
written (on PostgreSQL a concurrent second request waits on the unique key for the first
to commit). A request without a key is carried out as before."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lexcase.core.exceptions import AlreadySent
from lexcase.core.models import SentForm

FIELD = "once"
HEADER = "Idempotency-Key"
KEEP = timedelta(days=30)
MAX_KEY = 200
_NAMESPACE = uuid.UUID("0b4a4e4b-6f0e-4d36-9d59-6f6e63652d31")


def once_field() -> SafeString:
    """The hidden input of a new one-time key (a template tag, `{% once_field %}`)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


def already_sent_message() -> str:
    return _("This form was already sent and carried out; it was not carried out a second time.")


def request_key(request: HttpRequest) -> uuid.UUID | None:
    """The request's one-time key, scoped to its user (another user's key is another key),
    or None when it carries none (a page from before the key, an API call without one)."""
    raw = request.POST.get(FIELD, "") if request.method == "POST" else ""
    raw = raw or request.headers.get(HEADER, "")
    raw = raw.strip()[:MAX_KEY]
    if not raw:
        return None
    user = getattr(request, "user", None)
    return uuid.uuid5(_NAMESPACE, f"{getattr(user, 'pk', '')}:{raw}")


def once_claim(key: uuid.UUID | None) -> None:
    """Record `key` in the caller's transaction; `AlreadySent` when it is taken."""
    if key is None:
        return
    now = timezone.now()
    try:
        with transaction.atomic():
            SentForm.objects.create(key=key, at=now)
    except IntegrityError:
        raise AlreadySent from None
    SentForm.objects.filter(at__lt=now - KEEP).delete()


@contextmanager
def sent_once(request: HttpRequest) -> Iterator[None]:
    """Run the block (the write) in one transaction with the request's key: `AlreadySent`
    before it when the key was used; the key freed again when the block raises."""
    with transaction.atomic():
        once_claim(request_key(request))
        yield
