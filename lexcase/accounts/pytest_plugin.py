"""Loaded by pytest before Django is set up (pyproject.toml: `-p lexcase.accounts.pytest_plugin`).

Production settings (DEBUG off) refuse to start without the firm's own secret key and host
list; the suite runs with fixed test values (subprocesses started by tests inherit them)."""

from __future__ import annotations

import os

os.environ.setdefault("LEXCASE_SECRET_KEY", "test-only-secret-key-" + "s1t2u3v4w5" * 5)
os.environ.setdefault("LEXCASE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# A fixed Fernet key for the encrypted identifiers (production settings refuse to start
# without LEXCASE_FIELD_KEYS).
os.environ.setdefault("LEXCASE_FIELD_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS0tMDEyMzQ1Njc4OWE=")
# Compiled-once reads are checked against a build from their real arguments (settings.py).
os.environ.setdefault("LEXCASE_CHECK_FIXED_SQL", "1")
