"""The comms tests' clock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

SHANGHAI = timezone.get_fixed_timezone(480)
# Monday 2 March 2026, 09:00 in Shanghai.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
