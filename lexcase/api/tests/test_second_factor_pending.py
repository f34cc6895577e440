"""An API token does not stand in for the second factor: a user whose role must have one
(LEXCASE_MFA_REQUIRED_ROLES) and has none — never enrolled, or reset by an administrator
after a lost phone — is refused by the API as every page refuses them, until they enrol
(docs/security.md, "Second factor")."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


def test_a_token_reads_nothing_while_the_second_factor_is_pending(firm):
    _token, raw = api_token_create(user=firm.partner, name="script")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    for path in (f"/api/v1/matters/{firm.matter.pk}", "/api/v1/matters", "/api/v1/agenda"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert firm.matter.title not in response.content.decode()
        assert response.json()["errors"][0]["field"] == "__all__"
    assert AuditEvent.objects.filter(action="matter.view", actor=firm.partner).count() == 0
    # Enrolled: the same token reads again.
    Authenticator.objects.create(
        user=firm.partner,
        type=Authenticator.Type.TOTP,
        data={"secret": encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")},
    )
    response = client.get(f"/api/v1/matters/{firm.matter.pk}")
    assert response.status_code == 200
    assert response.json()["title"] == firm.matter.title


def test_a_role_without_the_requirement_is_not_refused(firm):
    _token, raw = api_token_create(user=firm.lead, name="script")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(f"/api/v1/matters/{firm.matter.pk}").status_code == 200
