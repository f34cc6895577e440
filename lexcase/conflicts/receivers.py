"""How the conflict index follows the party directory and the importer (connected in
`ConflictsConfig.ready()`): rebuilt in the writing transaction, so a check never reads keys
of a name or identifier that is no longer (or not yet) the party's."""

from __future__ import annotations

from typing import Any

from lexcase.conflicts.engine import index_parties, index_party
from lexcase.matters.events import matters_imported
from lexcase.parties.events import party_saved


def party_changed(*, party: Any, **_: Any) -> None:
    index_party(party)


def imported(*, party_ids: list[int], **_: Any) -> None:
    index_parties(party_ids)


def connect() -> None:
    matters_imported.connect(imported, dispatch_uid="conflicts.imported")
    party_saved.connect(party_changed, dispatch_uid="conflicts.party")
