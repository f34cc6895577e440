"""Events of the calendar app for the apps that react to them.

`client_date_changed` (sender=Deadline or Hearing; obj, matter, old, new): a date the
client sees in the portal moved (a holiday update recomputed a deadline); the portal tells
the client's contacts. Receivers connect in their `AppConfig.ready()` (`receivers.py`).
"""

from __future__ import annotations

from django.dispatch import Signal

client_date_changed = Signal()
