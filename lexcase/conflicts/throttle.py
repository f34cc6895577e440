"""A per-user limit on ad-hoc conflict checks (`LEXCASE_CONFLICT_CHECK_RATE`, e.g. "30/10m").

Each check answers "does the firm know this name, and on what side": many of them in a row
enumerate the firm's clients. The limit is a sliding window: the times of the user's last
checks are kept in Django's cache, so the limit holds across worker processes when the cache
is shared (database cache, Redis); with the default per-process memory cache each process
counts on its own. Two requests racing may both pass at the limit (read, then write): the
bound is approximate by that much, which is fine for its purpose.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lexcase.accounts.models import AnyUser

DEFAULT_RATE = "30/10m"
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smh]?)\s*")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


def parse_rate(text: str) -> Rate:
    """ "30/10m" → 30 per 600 s; "30/600" and "30/600s" too; "100/h" → 100 per hour."""
    match = _RATE.fullmatch(text or "")
    if match is None:
        raise ValueError(f"Invalid rate {text!r}: expected e.g. '30/10m'.")
    count, amount, unit = match.groups()
    window = int(amount or 1) * _UNITS[unit]
    if window <= 0:
        raise ValueError(f"Invalid rate {text!r}: the window must be positive.")
    return Rate(limit=int(count), window=window)


def adhoc_check_rate() -> Rate:
    return parse_rate(getattr(settings, "LEXCASE_CONFLICT_CHECK_RATE", DEFAULT_RATE))


def adhoc_check_throttle(*, user: AnyUser, now: float | None = None) -> int:
    """Count one ad-hoc check by `user` and return 0, or refuse it (not counted) and return
    the seconds until one is allowed again."""
    rate = adhoc_check_rate()
    cache = caches[getattr(settings, "LEXCASE_CONFLICT_CHECK_CACHE", "default")]
    now = time.time() if now is None else now
    key = f"lexcase:conflicts:adhoc:{user.pk}"
    recent = sorted(t for t in cache.get(key, []) if now - rate.window < t <= now)
    if len(recent) >= rate.limit:
        if not recent:  # a limit of 0: ad-hoc checks are off
            return rate.window
        # Allowed again once the oldest check that still counts leaves the window.
        return max(1, math.ceil(recent[len(recent) - rate.limit] + rate.window - now))
    recent.append(now)
    cache.set(key, recent[-rate.limit :], timeout=rate.window)
    return 0


def _window_text(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


def adhoc_check_refusal() -> str:
    """What a user over the limit is told (the page and the API)."""
    rate = adhoc_check_rate()
    return _("Too many conflict checks: at most %(limit)d every %(window)s. Try again later.") % {
        "limit": rate.limit,
        "window": _window_text(rate.window),
    }
