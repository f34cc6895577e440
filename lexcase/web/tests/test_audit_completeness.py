"""Quality bar T16 (audit_log_complete_and_tamper_evident), the completeness half in one
test: each auditable action a firm's auditor names — sign-in and a failed one, a matter
viewed, a document downloaded and deleted, a person's data exported, a team (permission)
change, an ID number shown, an API token created — leaves an event with who, when (UTC),
from where, what and which object; and neither the audit log nor the application's log
output holds the password, the token or the full ID number. (Tamper evidence:
lexcase/audit/tests/test_guards.py and test_evidence.py.)"""

from __future__ import annotations

import json
import logging
from datetime import UTC
from pathlib import Path

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.documents.tests.access_rows import make_document
from lexcase.matters.tests.access_rows import person_with_id
from lexcase.testing import use_document_store

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"
PASSWORD = "correct-horse-battery"
ID_NUMBER = "11010519491231002X"


def signed_in(username: str) -> Client:
    client = Client(REMOTE_ADDR=IP)
    assert (
        client.post("/accounts/login/", {"login": username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_each_auditable_action_names_who_when_where_what_and_leaks_no_secret(
    firm, settings, tmp_path: Path, caplog
):
    caplog.set_level(logging.DEBUG)
    use_document_store(settings, tmp_path / "store")
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    Client(REMOTE_ADDR=IP).post("/accounts/login/", {"login": "lead", "password": "wrong-guess-1"})
    lead = signed_in("lead")
    admin = signed_in("admin")

    assert lead.get(f"/matters/{firm.matter.pk}/").status_code == 200
    document = make_document(firm)
    assert lead.get(f"/documents/{document}/download/").status_code == 200
    party = person_with_id(firm, linked=True)
    shown = lead.post(f"/parties/{party}/identifiers/")
    assert shown.status_code == 200 and ID_NUMBER in shown.content.decode()
    assert admin.get(f"/parties/{party}/personal-data.json").status_code == 200
    response = lead.post(
        f"/matters/{firm.matter.pk}/members/", {"user": firm.outsider.pk, "role": "member"}
    )
    assert response.status_code == 302
    assert lead.post(f"/documents/{document}/delete/").status_code == 302
    _token, raw = api_token_create(user=firm.lead, name="sync")

    events = list(AuditEvent.objects.filter(pk__gt=start).order_by("pk"))
    by_action: dict[str, AuditEvent] = {}
    for event in events:
        by_action.setdefault(event.action, event)  # the first of each
    expected = {
        "login.failure": (None, "", ""),
        "login.success": (firm.lead, "accounts.user", str(firm.lead.pk)),
        "matter.view": (firm.lead, "matters.matter", str(firm.matter.pk)),
        "document.download": (firm.lead, "documents.document", str(document)),
        "party.identifiers_show": (firm.lead, "parties.party", str(party)),
        "party.personal_data_export": (firm.admin, "parties.party", str(party)),
        "matter.member_add": (firm.lead, "matters.matter", str(firm.matter.pk)),
        "document.delete": (firm.lead, "documents.document", str(document)),
        "token.create": (firm.lead, "accounts.apitoken", None),
    }
    missing = set(expected) - set(by_action)
    assert not missing, sorted(by_action)
    for action, (actor, object_type, object_id) in expected.items():
        event = by_action[action]
        assert event.actor_id == (actor.pk if actor else None), action
        assert event.at.utcoffset() == UTC.utcoffset(None), action
        if action != "token.create":  # created by a service call here, not a request
            assert event.ip == IP, action
        if object_type:
            assert event.object_type == object_type, action
        if object_id:
            assert event.object_id == object_id, action

    written = json.dumps(
        [[e.action, e.actor_username, e.object_id, e.data] for e in events], ensure_ascii=False
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PASSWORD, "wrong-guess-1", raw, ID_NUMBER):
        assert secret not in written, secret
        assert secret not in logged, secret
