"""Permissions come from the rules predicates alone (lexcase/accounts/backends.py): a denied
`has_perm` no longer falls through to a ModelBackend (allauth's), whose two queries on
`auth_permission` / `auth_group` ran on every page whose menu asked for an action the user
may not take. Sign-in still goes through allauth's backend (a ModelBackend)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lexcase.accounts.models import User
from lexcase.testing import Firm, client_for

pytestmark = pytest.mark.django_db

AUTH_TABLES = ("auth_permission", "auth_group")


def auth_table_queries(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in AUTH_TABLES)]


def test_predicates_only_follows_the_rules_backend() -> None:
    backends = settings.AUTHENTICATION_BACKENDS
    assert backends[:2] == [
        "rules.permissions.ObjectPermissionBackend",
        "lexcase.accounts.backends.PredicatesOnly",
    ]


def test_rule_checks_read_no_model_permissions(firm: Firm) -> None:
    with CaptureQueriesContext(connection) as ctx:
        lead = User.objects.get(pk=firm.lead.pk)
        answers = {
            perm: lead.has_perm(perm)
            for perm in (
                "matters.add_matter",
                "parties.add_party",
                "accounts.manage_users",
                "billing.view_client_funds",
                "todos.view_workload",
                "no_such_app.no_such_permission",
            )
        }
        on_matter = lead.has_perm("matters.change_matter", firm.matter)
        module = lead.has_module_perms("matters")
    assert auth_table_queries(ctx) == []
    assert answers == {
        "matters.add_matter": True,
        "parties.add_party": True,
        "accounts.manage_users": False,
        "billing.view_client_funds": False,
        "todos.view_workload": False,
        "no_such_app.no_such_permission": False,
    }
    assert (on_matter, module) == (True, False)


def test_matter_board_reads_no_model_permissions(firm: Firm) -> None:
    client = client_for(firm.lead)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/matters/{firm.matter.pk}/tasks/")
    assert response.status_code == 200
    assert auth_table_queries(ctx) == []


def test_password_sign_in_still_uses_allauths_backend(firm: Firm) -> None:
    client = Client()
    assert client.login(username="lead", password="correct-horse-battery") is True
    assert (
        client.session["_auth_user_backend"]
        == "allauth.account.auth_backends.AuthenticationBackend"
    )
    assert client.get("/").status_code == 200
    assert client_for(firm.lead).session["_auth_user_backend"] == (
        "allauth.account.auth_backends.AuthenticationBackend"
    )
