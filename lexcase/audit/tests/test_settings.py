"""The audit key: required in production, generated for development."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW_KEY = (
    "import django; django.setup(); "
    "from django.conf import settings as s; print(s.LEXCASE_AUDIT_KEY)"
)


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("LEXCASE_AUDIT_KEY", "LEXCASE_DEBUG")}
    base.update(DJANGO_SETTINGS_MODULE="lexcase.settings", LEXCASE_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW_KEY],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_refuse_to_start_without_the_audit_key(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 1
    assert "ImproperlyConfigured: LEXCASE_AUDIT_KEY is not set" in result.stderr
    assert not (tmp_path / "audit.key").exists()


def test_production_settings_refuse_a_short_key(tmp_path):
    result = _start(tmp_path, LEXCASE_AUDIT_KEY="short")
    assert result.returncode == 1
    assert "at least 32 characters" in result.stderr


def test_production_settings_start_with_the_key(tmp_path):
    key = "k" * 40
    result = _start(tmp_path, LEXCASE_AUDIT_KEY=key)
    assert (result.returncode, result.stdout.strip()) == (0, key)


def test_development_generates_a_key_under_var_once_with_a_warning(tmp_path):
    first = _start(tmp_path, LEXCASE_DEBUG="1")
    assert first.returncode == 0, first.stderr
    assert "generated a development audit key" in first.stderr
    key_file = tmp_path / "audit.key"
    assert key_file.read_text().strip() == first.stdout.strip()
    assert len(first.stdout.strip()) >= 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = _start(tmp_path, LEXCASE_DEBUG="1")
    assert second.stdout == first.stdout
    assert "generated" not in second.stderr
