"""How the conflict index follows the party directory and the importer (connected in
`ConflictsConfig.ready()`): rebuilt in the writing transaction, so a check never reads keys
of a name or identifier that is no longer (or not yet) the party's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

from lexcase.conflicts.engine import QueryParty, index_parties, index_party, party_unindex
from lexcase.conflicts.services import (
    conflict_check_matter,
    conflict_check_record,
    identifiers_reencrypt,
    intake_is_cleared,
)
from lexcase.core.fieldcrypt import field_keys_rotated as field_keys_rotated_signal
from lexcase.matters.events import matter_created, matter_party_added, matters_imported
from lexcase.matters.models import Status
from lexcase.parties.events import party_saved
from lexcase.parties.models import Party


def party_changed(*, party: Any, **_: Any) -> None:
    index_party(party)


def party_deleting(*, instance: Any, **_: Any) -> None:
    # The LexCase services never delete a party (retention anonymises it); a deletion from
    # the shell or a test still keeps the index's holder counts exact.
    party_unindex(instance)


def imported(*, party_ids: list[int], **_: Any) -> None:
    index_parties(party_ids)


def matter_created_check(*, matter: Any, actor: Any, **_: Any) -> None:
    conflict_check_matter(actor=actor, matter=matter)


def party_added_check(*, matter: Any, actor: Any, party: Any, role: str, **_: Any) -> None:
    if matter.status == Status.INTAKE:
        # The intake's report must cover every party: a fresh full check replaces it, and
        # it needs a fresh review.
        conflict_check_matter(actor=actor, matter=matter)
    else:
        # A party joining an open matter is checked on its own, on the matter's record.
        conflict_check_record(
            actor=actor,
            parties=[
                QueryParty(
                    name=party.name,
                    kind=party.kind,
                    role=role,
                    id_number=party.id_number,
                    credit_code=party.credit_code,
                    passport=party.passport,
                )
            ],
            matter=matter,
        )


def intake_cleared_guard(matter: Any) -> None:
    """A matter in intake opens only once its conflict check is approved (or waived)."""
    if not intake_is_cleared(matter):
        raise ValidationError(
            {"status": [_("The conflict check must be approved before the matter opens.")]}
        )


def field_keys_rotated(**_: Any) -> dict[str, int]:
    """After `rotate_field_keys` rewrote the parties and relatives: their identifier keys in
    the index, and the identifiers typed into frozen reports, under the new first key."""

    return identifiers_reencrypt()


def connect() -> None:
    field_keys_rotated_signal.connect(field_keys_rotated, dispatch_uid="conflicts.field_keys")
    matter_created.connect(matter_created_check, dispatch_uid="conflicts.matter_created")
    matter_party_added.connect(party_added_check, dispatch_uid="conflicts.party_added")
    matters_imported.connect(imported, dispatch_uid="conflicts.imported")
    party_saved.connect(party_changed, dispatch_uid="conflicts.party")
    pre_delete.connect(party_deleting, sender=Party, dispatch_uid="conflicts.party_delete")
