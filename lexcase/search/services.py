"""Writes to the search index. Other apps call these; nothing here checks permissions
(reads are gated in selectors.search)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from lexcase.accounts.models import User
from lexcase.audit.services import audit_record
from lexcase.documents.services import documents_search_reindex
from lexcase.matters.models import CourtCaseNumber, Matter, MatterParty
from lexcase.parties.identifiers import mask_identifiers_in
from lexcase.parties.models import PartyAlias
from lexcase.search import tokens as tok
from lexcase.search.backends import FTS
from lexcase.search.models import SearchEntry


def _clean(value: str) -> str:
    # PostgreSQL text cannot hold NUL, which OCR and PDF extraction sometimes produce.
    return (value or "").replace("\x00", "")


@transaction.atomic
def search_entry_upsert(
    *,
    kind: str,
    object_id: int,
    matter_id: int,
    title: str,
    text: str,
    category: str = "",
    on_date: date | None = None,
) -> None:
    if kind not in SearchEntry.Kind.values:
        raise ValueError(f"search: unknown kind {kind!r}")
    title = _clean(title)[:300]
    text = _clean(text)
    SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={
            "matter_id": matter_id,
            "title": title,
            "category": category or "",
            "on_date": on_date,
            "text": text,
            "tokens": tok.index_tokens(f"{title}\n{text}"),
        },
    )


@transaction.atomic
def search_entry_delete(*, kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def search_matter_reindex(*, matter_id: int) -> None:
    """Rebuild one matter's entry from its number, title, summary, parties' names and
    aliases and court case numbers (案号); drops the entry when the matter is gone."""
    search_matters_reindex(matter_ids=[matter_id])


REINDEX_CHUNK = 1000


def search_matters_reindex(*, matter_ids: Iterable[int] | None = None) -> int:
    """Rebuild matter entries in batches (all matters when `matter_ids` is None): a few
    queries per thousand matters instead of several per matter. Returns entries written."""
    if matter_ids is None:
        ids = list(Matter.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(matter_ids))
    written = 0
    for start in range(0, len(ids), REINDEX_CHUNK):
        chunk = ids[start : start + REINDEX_CHUNK]
        with transaction.atomic():
            matters = list(
                Matter.objects.filter(pk__in=chunk).values_list(
                    "pk", "number", "title", "summary", "opened_on"
                )
            )
            names: dict[int, list[str]] = defaultdict(list)
            normalized: dict[int, list[str]] = defaultdict(list)
            party_of: dict[int, list[int]] = defaultdict(list)
            for matter_id, party_id, name, name_normalized in (
                MatterParty.objects.filter(matter_id__in=chunk)
                .order_by("id")
                .values_list("matter_id", "party_id", "party__name", "party__name_normalized")
            ):
                names[matter_id].append(name)
                if name_normalized != name:
                    normalized[matter_id].append(name_normalized)
                party_of[party_id].append(matter_id)
            aliases: dict[int, list[str]] = defaultdict(list)
            for party_id, name in (
                PartyAlias.objects.filter(party_id__in=list(party_of))
                .order_by("id")
                .values_list("party_id", "name")
            ):
                for matter_id in party_of[party_id]:
                    aliases[matter_id].append(name)
            numbers: dict[int, list[str]] = defaultdict(list)
            for matter_id, number in (
                CourtCaseNumber.objects.filter(matter_id__in=chunk)
                .order_by("created_at", "id")
                .values_list("matter_id", "number")
            ):
                numbers[matter_id].append(number)
            entries = []
            for pk, number, title, summary, opened_on in matters:
                lines = [
                    number,
                    *dict.fromkeys(names[pk]),
                    *dict.fromkeys(aliases[pk]),
                    *numbers[pk],
                ]
                if summary:
                    lines.append(summary)
                text = _clean("\n".join(x for x in lines if x))
                title = _clean(title)[:300]
                # The parties' normalised names (traditional as simplified, brackets and
                # spaces folded) are indexed too, not shown: the matter list's q= matches
                # them (matters.selectors.matters_filter) and reads this index first.
                extra = _clean("\n".join(dict.fromkeys(normalized[pk])))
                entries.append(
                    SearchEntry(
                        kind=SearchEntry.Kind.MATTER,
                        object_id=pk,
                        matter_id=pk,
                        title=title,
                        text=text,
                        on_date=opened_on,
                        tokens=tok.index_tokens(f"{title}\n{text}\n{extra}"),
                    )
                )
            # Delete and insert (not update): one statement each per chunk, and a matter
            # deleted meanwhile simply loses its entry.
            SearchEntry.objects.filter(kind=SearchEntry.Kind.MATTER, object_id__in=chunk).delete()
            SearchEntry.objects.bulk_create(entries, batch_size=500)
            written += len(entries)
    return written


def search_reindex_all() -> dict[str, int]:
    """Rebuild every entry: matters here, documents through their app (which sends each
    document's content back to `receivers.document_indexed`)."""
    counts = {"matter": search_matters_reindex(), "document": documents_search_reindex()}
    search_index_optimize()
    return counts


def search_index_optimize() -> None:
    """Rebuild and merge the SQLite FTS5 index (PostgreSQL's GIN needs no help)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")  # noqa: S608
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # noqa: S608


def search_record_query(
    *, actor: User, q: str, filters: dict[str, object], results: int, via: str
) -> None:
    """Audit a search: what was asked, with which filters, and how much came back. ID
    numbers and credit codes in the terms are kept masked: the audit log is read by more
    people than the party's record, and lives forever."""
    matter_id = filters.get("matter")
    audit_record(
        actor=actor,
        action="search.query",
        matter_id=matter_id if isinstance(matter_id, int) else None,
        data={
            "q": mask_identifiers_in(q),
            "filters": {k: v for k, v in filters.items() if v not in (None, "")},
            "results": results,
            "via": via,
        },
    )


# Up to this many matters written in bulk are indexed at once (a few seconds), so a small
# import or the demo firm is searchable the moment it is loaded, even before the task worker
# runs; larger batches go to the worker.
INDEX_INLINE_LIMIT = 5000


def search_matters_index_new(*, matter_ids: list[int]) -> None:
    """Index matters written in bulk (the importer, the demo firm): at once when few, in the
    task worker when many."""
    ids = list(matter_ids)
    if not ids:
        return
    if len(ids) <= INDEX_INLINE_LIMIT:
        search_matters_reindex(matter_ids=ids)
    else:
        search_matters_reindex_later(matter_ids=ids)


def search_matters_reindex_later(*, matter_ids: list[int]) -> None:
    """Index matters written in bulk (the importer) in the task worker: tokenising 100k
    matters takes minutes, too long for the request or command that imported them."""
    # Here, not at the top: the task module imports this one.
    from lexcase.search.tasks import search_matters_reindex_task

    if matter_ids:
        search_matters_reindex_task.enqueue(list(matter_ids))
