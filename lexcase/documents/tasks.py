"""Background jobs; thin wrappers over services."""

from __future__ import annotations

from django.tasks import task

from lexcase.documents.services import version_extract_text


@task()
def document_extract_text(version_id: int) -> str:
    return version_extract_text(version_id=version_id)
