"""Deployment settings (docs/quality.md T01) and project hygiene."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from lexcase.testing import make_user


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


# The settings that shape response headers and cookies, as production computes them
# (LEXCASE_DEBUG off, LEXCASE_HTTPS=1, its own keys): read in a fresh process, then applied
# to the test server so the real middleware answers with them.
HEADER_SETTINGS = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
)


def production_header_settings(tmp_path) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{k: getattr(s, k) for k in {HEADER_SETTINGS!r}}}))"
    )
    env = {
        **os.environ,
        "LEXCASE_HTTPS": "1",
        "LEXCASE_DEBUG": "0",
        "LEXCASE_SECRET_KEY": secrets.token_urlsafe(50),
        "LEXCASE_ALLOWED_HOSTS": "testserver",
        "LEXCASE_AUDIT_KEY": secrets.token_urlsafe(40),
        "DJANGO_SETTINGS_MODULE": "lexcase.settings",
        "LEXCASE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_security_headers(response) -> None:
    hsts = response["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp, csp


@pytest.mark.django_db
def test_production_headers_and_cookies_on_the_start_page_and_a_signed_in_page(tmp_path, settings):
    production = production_header_settings(tmp_path)
    assert production.pop("DEBUG") is False
    production["SECURE_PROXY_SSL_HEADER"] = tuple(production["SECURE_PROXY_SSL_HEADER"])
    for name, value in production.items():
        setattr(settings, name, value)
    make_user("lawyer", "lawyer")

    # Plain http is sent to https first.
    plain = Client().get("/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/"

    client = Client()
    start = client.get("/", secure=True)
    assert (start.status_code, start["Location"]) == (302, "/accounts/login/?next=/")
    assert_security_headers(start)

    login = client.get("/accounts/login/", secure=True)
    assert_security_headers(login)
    csrf = login.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["path"] == "/"
    assert not csrf["domain"]

    signed_in = client.post(
        "/accounts/login/",
        {"login": "lawyer", "password": "correct-horse-battery"},
        secure=True,
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]

    for path in ("/", "/matters/", "/accounts/2fa/"):
        page = client.get(path, secure=True)
        assert page.status_code == 200, path
        assert_security_headers(page)
