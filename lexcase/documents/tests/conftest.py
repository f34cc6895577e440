"""Documents tests: a private storage directory per test and the immediate task backend, so
extraction runs (deterministically) when the upload's transaction commits (the file helpers
are in lexcase.documents.tests.files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def doc_store(settings: Any, tmp_path: Path) -> Path:
    location = tmp_path / "store"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LEXCASE_MAX_UPLOAD_MB = 1
    return location
