"""Collab tests: a private documents storage per test (helpers deliver files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lexcase.testing import use_document_store


@pytest.fixture(autouse=True)
def doc_store(settings: Any, tmp_path: Path) -> Path:
    return use_document_store(settings, tmp_path / "store")
