"""Events of the party directory, for the apps that keep derived data about parties.

`party_saved` (sender=Party; party, matter_ids) is sent inside the creating or updating
transaction: the conflict index is rebuilt in the same transaction (a check must never
read a stale key), the matters' search entries after commit. Receivers are connected in
the reacting apps' `AppConfig.ready()` (`receivers.py`).
"""

from __future__ import annotations

from django.dispatch import Signal

party_saved = Signal()
