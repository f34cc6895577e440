"""New versions of one document uploaded at the same time get consecutive numbers."""

from __future__ import annotations

import pytest
from django.db import connection

from lexcase.documents import services
from lexcase.documents.models import DocumentVersion
from lexcase.documents.tests.files import stored_files, upload
from lexcase.matters.tests.test_concurrency import run_in_threads

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="thread concurrency is exercised on PostgreSQL"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_new_versions_are_numbered_without_gaps(firm, doc_store):
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("a.txt", b"v1")]
    )
    n = 8
    results = run_in_threads(
        n,
        lambda i: (
            services.document_version_add(
                actor=firm.lead, document=document, upload=upload(f"v{i}.txt", f"v{i + 2}".encode())
            ).number
        ),
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(results) == list(range(2, n + 2))
    document.refresh_from_db()
    # Numbers are taken under the document's row lock, so the last commit is the highest.
    assert document.current.number == n + 1
    assert DocumentVersion.objects.filter(document=document).count() == n + 1
    assert len(stored_files(doc_store)) == n + 1
