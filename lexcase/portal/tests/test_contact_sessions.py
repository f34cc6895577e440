"""Switching a portal login off ends its sessions for good: switching it on again does not
bring an old cookie back (as `accounts.services.user_set_active` does for staff)."""

from __future__ import annotations

import pytest
from django.test import Client

from lexcase.audit.models import AuditEvent
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def test_a_contact_switched_off_and_on_again_must_sign_in_again(world):
    firm = world.firm
    old = Client()
    old.force_login(world.a.user)
    assert old.get("/portal/").status_code == 200
    staff = client_for(firm.lead)
    toggle = f"/portal/contacts/{world.a.pk}/toggle-active/"
    assert staff.post(toggle).status_code == 302  # off
    assert old.get("/portal/").status_code == 302
    assert staff.post(toggle).status_code == 302  # on again
    response = old.get("/portal/")
    assert (response.status_code, response.get("Location", "").startswith("/accounts/")) == (
        302,
        True,
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="portal.contact_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["portal.contact_deactivate", "portal.contact_activate"]
