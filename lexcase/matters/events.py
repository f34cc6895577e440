"""Lifecycle events of a matter, for the apps above the gate that react to them.

Sent by `matters` services inside their transaction, after the change is written: a
receiver's writes (the SLA task, a checklist, a client update mark) commit or roll back
with the change itself. A receiver that reaches outside the transaction (the search index)
defers its own work with `transaction.on_commit`. Receivers live in each reacting app's
`receivers.py`, connected in its `AppConfig.ready()`.
Every signal is sent with `sender=Matter` and keyword arguments only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

# matter, actor: a matter was registered (it is in intake).
matter_created = Signal()
# matter, actor, party, role: a party joined the matter.
matter_party_added = Signal()
# matter, actor: the matter went from intake (or closed) to open.
matter_opened = Signal()
# matter, actor, old_stage, stage
matter_stage_changed = Signal()
# matter, actor
matter_priority_changed = Signal()
# matter: a field the matter's search entry carries changed (title, summary, parties,
# court case numbers), or the matter was created.
matter_search_changed = Signal()
# matter_ids, party_ids: history written in bulk by the importer, in its transaction.
matters_imported = Signal()
# matter, reason: news the client must hear at once, whatever the update interval says
# (a judgment served, a new hearing; any app may send it).
matter_development = Signal()
# party, matter_ids, names, placeholder: retention anonymised a party's personal data (a
# person's particulars, or an organisation's contact channel); apps holding personal data
# about its people (the portal's client contacts) clear theirs, and apps keeping text about
# those matters (court messages) replace each of `names` (a person's former names; none for
# an organisation) by `placeholder`. Sent with `sender=Party`.
party_anonymised = Signal()


def scrub_on_anonymised(scrub: Callable[..., object], *, uid: str) -> None:
    """Connect an app's text scrubber, `scrub(*, matter_ids, names, placeholder)`, to
    `party_anonymised`: called when the anonymised party was a person (an organisation has
    no names to replace)."""

    def receiver(
        *, matter_ids: list[int], names: list[str] | None = None, placeholder: str = "", **_: Any
    ) -> None:
        if names:
            scrub(matter_ids=matter_ids, names=list(names), placeholder=placeholder)

    party_anonymised.connect(receiver, dispatch_uid=uid, weak=False)
