from __future__ import annotations

import pytest

from lexcase.search.services import search_matters_reindex


@pytest.fixture
def indexed_firm(firm):
    """The firm with its matters indexed (on_commit hooks do not run inside test
    transactions, so the fixture's matters are indexed explicitly)."""
    search_matters_reindex()
    return firm
