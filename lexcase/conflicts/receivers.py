"""How the conflict index follows the party directory (connected in
`ConflictsConfig.ready()`): rebuilt in the party's own transaction, so a check never reads
keys of a name or identifier that is no longer (or not yet) the party's."""

from __future__ import annotations

from typing import Any

from lexcase.conflicts.engine import index_party
from lexcase.parties.events import party_saved


def party_changed(*, party: Any, **_: Any) -> None:
    index_party(party)


def connect() -> None:
    party_saved.connect(party_changed, dispatch_uid="conflicts.party")
