"""Events of the billing app for the apps that react to them.

Sent with `sender=Bill`: `bill_issued` (bill) when a draft is issued (`bill_issue`, once per
bill: an issued bill never returns to draft), inside the issue's transaction; the portal
tells the client's contacts who see that bill.
Receivers are connected in the reacting apps' `AppConfig.ready()` (`receivers.py`).
"""

from __future__ import annotations

from django.dispatch import Signal

bill_issued = Signal()
