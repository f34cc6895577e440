"""Fixtures for conflict tests (the helpers are in lexcase.conflicts.tests.world)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from lexcase.conflicts.tests.world import World, build_world, module_data, module_firm


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: object) -> Iterator[World]:
    with module_data(django_db_blocker):
        yield build_world(module_firm())


@pytest.fixture(autouse=True)
def _english_reasons():
    """The reason texts are asserted in their English source form."""
    with translation.override("en"):
        yield
