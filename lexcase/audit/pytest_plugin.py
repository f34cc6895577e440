"""Loaded by pytest before Django is set up (pyproject.toml: `-p lexcase.audit.pytest_plugin`).

Production settings refuse to start without LEXCASE_AUDIT_KEY; the suite runs with a fixed
test key (subprocesses started by tests inherit it), and lets the test framework's `flush`
empty the append-only audit tables.
"""

from __future__ import annotations

import os

from lexcase.audit import guards

os.environ.setdefault("LEXCASE_AUDIT_KEY", "test-only-audit-key-" + "k" * 32)
guards.FLUSH_LIFTS_GUARDS = True
