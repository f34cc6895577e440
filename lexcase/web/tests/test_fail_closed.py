"""Fail closed (quality bar T17): an exception in the permission check, a database timeout
or a storage failure is a generic error page (HTML) or error body (API), never a traceback,
never part of what was asked for, and what the request wrote is rolled back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client
from rules import permissions

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.documents import files
from lexcase.documents import services as document_services
from lexcase.documents.tests.access_rows import make_document
from lexcase.matters import selectors as matter_selectors
from lexcase.matters import services as matter_services
from lexcase.matters.models import Matter
from lexcase.testing import use_document_store

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("Traceback", "gate exploded", "statement timeout", "disk gone", 'File "')


def web(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="t17")
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


def assert_generic(response, *, json_body: bool) -> None:
    assert response.status_code == 500
    body = response.content.decode()
    for word in SECRET_WORDS:
        assert word not in body, word
    if json_body:
        assert response["Content-Type"].startswith("application/json")
        assert [e["field"] for e in json.loads(body)["errors"]] == ["__all__"]
    else:
        assert "服务器出错" in body


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("gate exploded"),
        OperationalError("canceling statement due to statement timeout"),
    ],
    ids=["exception", "db-timeout"],
)
def test_a_failing_gate_shows_nothing_of_the_matter(firm, monkeypatch, error):
    def broken(user):
        raise error

    monkeypatch.setattr(matter_selectors, "matters_visible_to", broken)
    page = web(firm.lead).get(f"/matters/{firm.matter.pk}/")
    assert_generic(page, json_body=False)
    assert firm.matter.title not in page.content.decode()
    answer = api(firm.lead).get(f"/api/v1/matters/{firm.matter.pk}")
    assert_generic(answer, json_body=True)
    assert firm.matter.title not in answer.content.decode()
    answer = api(firm.lead).get("/api/v1/matters")
    assert_generic(answer, json_body=True)


def test_a_failing_permission_rule_refuses_the_change_and_writes_nothing(firm):
    def broken(user, matter):
        raise RuntimeError("gate exploded")

    before = Matter.objects.get(pk=firm.matter.pk)
    events = AuditEvent.objects.count()
    saved = permissions.permissions["matters.change_matter"]
    permissions.set_perm("matters.change_matter", broken)
    try:
        response = api(firm.lead).patch(
            f"/api/v1/matters/{firm.matter.pk}",
            json.dumps({"version": before.version, "title": "改过的标题"}),
            content_type="application/json",
        )
    finally:
        permissions.set_perm("matters.change_matter", saved)
    assert_generic(response, json_body=True)
    after = Matter.objects.get(pk=firm.matter.pk)
    assert (after.title, after.version) == (before.title, before.version)
    # Only the token the helper created.
    assert AuditEvent.objects.count() == events + 1


def test_a_failure_after_the_write_rolls_the_change_back(firm, monkeypatch):
    real = matter_services.audit_record

    def failing_audit(**kwargs):
        if kwargs.get("action") == "matter.update":
            raise OperationalError("canceling statement due to statement timeout")
        return real(**kwargs)

    client = api(firm.lead)
    before = Matter.objects.get(pk=firm.matter.pk)
    entries = before.timeline.count()
    monkeypatch.setattr(matter_services, "audit_record", failing_audit)
    response = client.patch(
        f"/api/v1/matters/{firm.matter.pk}",
        json.dumps({"version": before.version, "title": "改过的标题"}),
        content_type="application/json",
    )
    assert_generic(response, json_body=True)
    after = Matter.objects.get(pk=firm.matter.pk)
    assert (after.title, after.version) == (before.title, before.version)
    assert after.timeline.count() == entries


@pytest.fixture
def document(firm, settings, tmp_path: Path) -> int:
    use_document_store(settings, tmp_path / "store")
    return make_document(firm)


def test_a_storage_failure_serves_nothing_and_records_no_download(firm, document, monkeypatch):
    class BrokenStorage:
        def open(self, name, mode="rb"):
            raise OSError("disk gone")

    monkeypatch.setattr(files, "documents_storage", lambda: BrokenStorage())
    assert_generic(web(firm.lead).get(f"/documents/{document}/download/"), json_body=False)
    assert_generic(api(firm.lead).get(f"/api/v1/documents/{document}/download"), json_body=True)
    assert not AuditEvent.objects.filter(action="document.download").exists()


def test_a_download_that_cannot_be_audited_is_not_served(firm, document, monkeypatch):
    def failing(**kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(document_services, "document_download_record", failing)
    response = web(firm.lead).get(f"/documents/{document}/download/")
    assert_generic(response, json_body=False)
    assert "买卖合同 甲方" not in response.content.decode()
    response = api(firm.lead).get(f"/api/v1/documents/{document}/download")
    assert_generic(response, json_body=True)
    assert "买卖合同 甲方" not in response.content.decode()


def test_the_error_page_is_generic_with_debug_off(firm, monkeypatch, settings):
    assert settings.DEBUG is False

    def broken(user):
        raise RuntimeError("gate exploded")

    monkeypatch.setattr(matter_selectors, "matters_visible_to", broken)
    page = web(firm.lead).get("/matters/")
    assert_generic(page, json_body=False)
    assert page["Content-Type"].startswith("text/html")
