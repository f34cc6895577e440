"""Background jobs; thin wrappers over services."""

from __future__ import annotations

from django.tasks import task

from lexcase.search.services import search_matters_reindex


@task()
def search_matters_reindex_task(matter_ids: list[int]) -> int:
    return search_matters_reindex(matter_ids=matter_ids)
