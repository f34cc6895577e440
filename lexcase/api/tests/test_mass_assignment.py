"""Quality bar T04 (field_level_and_mass_assignment) over every write operation of the API,
found in the OpenAPI document rather than listed by hand: each JSON request body forbids
properties it does not declare, and a body of the fields an attacker would try (`firm`,
`owner`, `acl`, `is_admin`, `created_by`) is refused with 422 naming them, writing nothing.
Which declared fields each role may change is tested per model (matters:
lexcase/matters/tests/test_field_rights.py)."""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.api.api import api
from lexcase.comms.models import Communication
from lexcase.portal.tests.factories import build_world

EXTRA = {"firm": 1, "owner": 1, "acl": [], "is_admin": True, "created_by": 1}


def write_operations() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema()
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody")
            if body and "application/json" in body["content"]:
                found.append((method, path, body["content"]["application/json"]["schema"]))
    return found


def resolve(schema: dict) -> dict:
    components = api.get_openapi_schema()["components"]["schemas"]
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_json_request_body_forbids_undeclared_properties():
    operations = write_operations()
    assert len(operations) > 30
    allowing = [
        f"{method.upper()} {path}"
        for method, path, schema in operations
        if resolve(schema).get("additionalProperties") is not False
    ]
    assert allowing == []


def row_counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower != "audit.auditevent"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _s in write_operations() if not p.startswith("/api/v1/portal/")],
)
def test_extra_fields_are_refused_by_every_write_operation(firm, method, path):
    _token, raw = api_token_create(user=firm.admin, name="t04")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = re.sub(r"\{[a-z_]+\}", str(firm.matter.pk), path)
    before = row_counts()
    response = client.generic(
        method.upper(), url, json.dumps(EXTRA), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    fields = {error["field"] for error in response.json()["errors"]}
    assert set(EXTRA) <= fields, fields
    assert row_counts() == before


@pytest.mark.django_db
def test_the_portal_message_refuses_extra_fields(firm, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "documents"},
        },
    }
    world = build_world(firm)
    before = Communication.objects.filter(matter=world.a_matter).count()
    client = Client()
    client.force_login(world.a.user)
    response = client.post(
        f"/api/v1/portal/matters/{world.a_matter.pk}/messages",
        json.dumps({"text": "你好", **EXTRA}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert set(EXTRA) <= {error["field"] for error in response.json()["errors"]}
    assert Communication.objects.filter(matter=world.a_matter).count() == before
