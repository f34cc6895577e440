"""The session engine's compiled read (lexcase/accounts/sessions.py): each key reads its own
row, an expired or unknown session reads nothing, and the stores of Django's database engine
and this one read each other's sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lexcase.accounts import sessions
from lexcase.testing import Firm, client_for

pytestmark = pytest.mark.django_db


def test_the_setting_names_this_engine() -> None:
    assert settings.SESSION_ENGINE == "lexcase.accounts.sessions"


def _stored(data: dict[str, object], engine=sessions) -> str:
    store = engine.SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_each_key_reads_its_own_session() -> None:
    keys = {name: _stored({"who": name}) for name in ("甲", "乙", "丙")}
    for _ in range(2):  # compiled on the first read, bound on the others
        for name, key in keys.items():
            assert sessions.SessionStore(key).load() == {"who": name}


def test_expired_unknown_and_missing_sessions_read_nothing() -> None:
    live, old = _stored({"n": 1}), _stored({"n": 2})
    Session.objects.filter(session_key=old).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    store = sessions.SessionStore(old)
    assert store.load() == {} and store.session_key is None
    assert sessions.SessionStore("x" * 32).load() == {}
    assert sessions.SessionStore(None).load() == {}
    assert sessions.SessionStore("short").load() == {}  # refused as a key by Django
    assert sessions.SessionStore(live).load() == {"n": 1}


def test_django_and_this_engine_read_each_others_sessions() -> None:
    mine, djangos = _stored({"a": 1}), _stored({"b": 2}, engine=db)
    assert db.SessionStore(mine).load() == {"a": 1}
    assert sessions.SessionStore(djangos).load() == {"b": 2}


def test_a_page_reads_the_session_once_and_signs_in_its_own_user(firm: Firm) -> None:
    lead, partner = client_for(firm.lead), client_for(firm.partner)
    with CaptureQueriesContext(connection) as ctx:
        assert lead.get("/").context["user"].username == "lead"
    reads = [q for q in ctx.captured_queries if '"django_session"' in q["sql"]]
    assert len(reads) == 1 and reads[0]["sql"].lstrip().upper().startswith("SELECT")
    assert partner.get("/").context["user"].username == "partner"
    assert lead.get("/").context["user"].username == "lead"
    Session.objects.filter(session_key=lead.session.session_key).delete()
    assert lead.get("/").status_code == 302  # signed out
    assert partner.get("/").status_code == 200
