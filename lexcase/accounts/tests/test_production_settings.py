"""Production settings fail closed (issue 14 item 4, quality bar T01) and sessions time out
(T07)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from lexcase.testing import client_for

DEV_KEY = "insecure-dev-key-change-me-" + "x" * 40


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LEXCASE_SECRET_KEY", "LEXCASE_ALLOWED_HOSTS", "LEXCASE_DEBUG")
    }
    return subprocess.run(
        [sys.executable, "-m", "lexcase", "check"],
        env={**base, "LEXCASE_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


GOOD_KEY = secrets.token_urlsafe(50)


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"LEXCASE_ALLOWED_HOSTS": "lexcase.example.cn"}, "LEXCASE_SECRET_KEY is not set"),
        (
            {"LEXCASE_ALLOWED_HOSTS": "lexcase.example.cn", "LEXCASE_SECRET_KEY": DEV_KEY},
            "LEXCASE_SECRET_KEY is not set (or is the built-in development key",
        ),
        (
            {"LEXCASE_ALLOWED_HOSTS": "lexcase.example.cn", "LEXCASE_SECRET_KEY": "short"},
            "shorter than 50 characters",
        ),
        ({"LEXCASE_SECRET_KEY": GOOD_KEY}, "LEXCASE_ALLOWED_HOSTS is not set"),
        ({"LEXCASE_SECRET_KEY": GOOD_KEY, "LEXCASE_ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
    ],
    ids=["no-key", "built-in-key", "short-key", "no-hosts", "blank-hosts"],
)
def test_production_refuses_to_start_without_its_own_key_and_hosts(tmp_path, env, complaint):
    result = _start(tmp_path, **env)
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_production_starts_with_its_own_key_and_hosts(tmp_path):
    result = _start(
        tmp_path, LEXCASE_SECRET_KEY=GOOD_KEY, LEXCASE_ALLOWED_HOSTS="lexcase.example.cn"
    )
    assert result.returncode == 0, result.stderr


def test_development_starts_with_the_built_in_key(tmp_path):
    result = _start(tmp_path, LEXCASE_DEBUG="1")
    assert result.returncode == 0, result.stderr


def _signed_in(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 200


@pytest.mark.django_db
def test_a_session_ends_after_the_idle_timeout(firm, settings):
    settings.LEXCASE_SESSION_IDLE_MINUTES = 480
    settings.LEXCASE_SESSION_ABSOLUTE_HOURS = 48
    settings.SESSION_COOKIE_AGE = 48 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        assert (
            client.post(
                "/accounts/login/", {"login": "lead", "password": "correct-horse-battery"}
            ).status_code
            == 302
        )
        clock.move_to(start + timedelta(hours=7, minutes=59))
        assert _signed_in(client)
        # Activity renews the idle limit...
        clock.move_to(start + timedelta(hours=15, minutes=58))
        assert _signed_in(client)
        # ...8 hours of silence ends it.
        clock.move_to(start + timedelta(hours=23, minutes=59))
        assert not _signed_in(client)


@pytest.mark.django_db
def test_a_busy_session_ends_at_the_absolute_timeout(firm, settings):
    settings.LEXCASE_SESSION_ABSOLUTE_HOURS = 12
    settings.SESSION_COOKIE_AGE = 10 * 24 * 3600  # the middleware, not the cookie, ends it
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = client_for(firm.lead)
        for hours in range(1, 12):
            clock.move_to(start + timedelta(hours=hours))
            assert _signed_in(client), hours
        clock.move_to(start + timedelta(hours=12, minutes=1))
        assert not _signed_in(client)
