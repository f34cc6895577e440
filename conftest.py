"""Shared fixtures: a small firm with the personas every permission test uses (the helpers
themselves live in lexcase.testing, which tests import)."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_migrate
from hypothesis import settings as hypothesis_settings

from lexcase import testing_seeds
from lexcase.testing import Firm, build_firm

# No per-example deadline by default (a test that sets its own keeps it): Hypothesis' 200 ms
# measures the machine, not the code. With a test worker per core on a loaded box (load 14),
# test_case_numbers' round trip of a pure parser failed once and passed alone, leaving no
# counterexample in Hypothesis' database (a real one is saved and replayed): the timing was
# what varied. Every example still runs and is still checked.
hypothesis_settings.register_profile("lexcase", deadline=None)
hypothesis_settings.load_profile("lexcase")

# A transactional test ends with `flush`, which empties the tables the data migrations seed;
# with test workers (pytest-xdist) ordinary tests can run after it in the same worker. The
# seeds run again after each flush (lexcase/testing_seeds.py).
post_migrate.connect(testing_seeds.reseed_after_flush, dispatch_uid="lexcase.testing_seeds")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: object) -> None:
    """pytest-django's test database, and what it held right after migrating (compared with
    the tables after a flush in lexcase/core/tests/test_seeded_rows.py)."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        testing_seeds.remember_migrated()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mfa_not_forced(settings: object) -> None:
    """Personas sign in with force_login and no second factor; the MFA tests
    (lexcase/accounts/tests/test_mfa.py) turn the firm's requirement back on."""
    settings.LEXCASE_MFA_REQUIRED_ROLES = []


@pytest.fixture
def firm(db: None) -> Firm:
    return build_firm()


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    """Counters kept in the cache (e.g. the ad-hoc conflict check limit, login throttling)
    start at zero in each test: user ids repeat between tests once their transactions roll
    back. The cache is a database table (settings.CACHES), so only a test with database
    access has one to clear; it gets that access first (autouse fixtures run before the
    test's own)."""
    from django.core.cache import cache

    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    cache.clear()
