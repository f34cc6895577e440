"""What the accounts app tells the apps above it (docs/architecture.md, "Lifecycle
reactions")."""

from __future__ import annotations

from django.dispatch import Signal

# A user's credentials were reset: a new password (a leaked one may have minted secrets),
# the second factor removed by an administrator (a lost phone) or the account deactivated
# (a later reactivation must not bring old secrets back). Every bearer secret minted under
# the old credentials ends with them: the API tokens here, the calendar feed's URL
# (calendar). Sent inside the service's transaction with `user`, `actor` (None for a reset
# by link) and `why` ("password", "second_factor", "deactivated").
credentials_reset = Signal()
