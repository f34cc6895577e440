"""Documents tests: a private storage directory per test and the immediate task backend, so
extraction runs (deterministically) when the upload's transaction commits (the file helpers
are in lexcase.documents.tests.files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lexcase.testing import use_document_store


@pytest.fixture(autouse=True)
def doc_store(settings: Any, tmp_path: Path) -> Path:
    location = use_document_store(settings, tmp_path / "store")
    settings.LEXCASE_MAX_UPLOAD_MB = 1
    return location
