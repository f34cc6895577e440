"""Background jobs; thin wrappers over services."""

from __future__ import annotations

from django.tasks import task

from lexcase.documents.services import temp_files_clean, version_extract_text


@task()
def document_extract_text(version_id: int) -> str:
    return version_extract_text(version_id=version_id)


@task()
def document_temp_files_clean(older_than_hours: float = 6.0) -> int:
    return temp_files_clean(older_than_hours=older_than_hours)
