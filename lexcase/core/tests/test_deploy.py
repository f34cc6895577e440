"""Deployment settings (docs/quality.md T01) and project hygiene."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client


def test_deploy_check_has_no_warnings_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "LEXCASE_HTTPS": "1",
        "LEXCASE_DEBUG": "0",
        "LEXCASE_SECRET_KEY": secrets.token_urlsafe(50),
        "LEXCASE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "lexcase", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookie_and_hsts_settings(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    env = {
        **os.environ,
        "LEXCASE_HTTPS": "1",
        "DJANGO_SETTINGS_MODULE": "lexcase.settings",
        "LEXCASE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "31536000",
        "True",
    ]


@pytest.mark.django_db
def test_security_headers_on_public_page():
    response = Client().get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_suite_runs_on_the_database_it_was_asked_for():
    # Guards the two-database promise: the PostgreSQL leg must really be PostgreSQL.
    url = os.environ.get("DATABASE_URL", "sqlite")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_healthz():
    assert Client().get("/healthz").json() == {"status": "ok"}
