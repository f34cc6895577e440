"""How search follows the other apps: matter, party and document events (connected in
`SearchConfig.ready()`). The index is derived data, rebuilt after the change commits, so a
rolled-back write never leaves an entry behind; document entries follow their text
extraction, which runs outside any request."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lexcase.documents.events import document_removed, document_text_changed
from lexcase.matters.events import matter_search_changed, matters_imported
from lexcase.parties.events import party_saved
from lexcase.search.models import SearchEntry
from lexcase.search.services import (
    search_entry_delete,
    search_entry_upsert,
    search_matter_reindex,
    search_matters_index_new,
    search_matters_reindex,
)


def matter_changed(*, matter: Any, **_: Any) -> None:
    matter_id = matter.pk
    transaction.on_commit(lambda: search_matter_reindex(matter_id=matter_id), robust=True)


def party_changed(*, matter_ids: list[int], **_: Any) -> None:
    if matter_ids:
        ids = list(matter_ids)
        transaction.on_commit(lambda: search_matters_reindex(matter_ids=ids), robust=True)


def imported(*, matter_ids: list[int], **_: Any) -> None:
    # A small import is searchable at once; tokenising a large one takes minutes: the task
    # worker does it.
    ids = list(matter_ids)
    transaction.on_commit(lambda: search_matters_index_new(matter_ids=ids), robust=True)


def document_indexed(*, document: Any, **_: Any) -> None:
    current = document.current
    search_entry_upsert(
        kind=SearchEntry.Kind.DOCUMENT,
        object_id=document.pk,
        matter_id=document.matter_id,
        title=document.title,
        text=current.text if current is not None else "",
        category=document.category,
        on_date=document.on_date,
    )


def document_unindexed(*, document_id: int, **_: Any) -> None:
    search_entry_delete(kind=SearchEntry.Kind.DOCUMENT, object_id=document_id)


def connect() -> None:
    matter_search_changed.connect(matter_changed, dispatch_uid="search.matter")
    matters_imported.connect(imported, dispatch_uid="search.imported")
    party_saved.connect(party_changed, dispatch_uid="search.party")
    document_text_changed.connect(document_indexed, dispatch_uid="search.document")
    document_removed.connect(document_unindexed, dispatch_uid="search.document_removed")
