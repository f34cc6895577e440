"""Permissions come from the rules predicates alone (lexcase/accounts/backends.py): a denied
`has_perm` no longer falls through to a ModelBackend (allauth's), whose two queries on
`auth_permission` / `auth_group` ran on every page whose menu asked for an action the user
may not take. Sign-in still goes through allauth's backend (a ModelBackend)."""

from __future__ import annotations

import pytest
from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lexcase.accounts import backends
from lexcase.accounts.backends import PredicatesOnly, SignIn
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
    # SignIn is allauth's backend with a fixed read of the session's user.
    assert issubclass(SignIn, AuthenticationBackend)
    client = Client()
    assert client.login(username="lead", password="correct-horse-battery") is True
    assert client.session["_auth_user_backend"] == "lexcase.accounts.backends.SignIn"
    assert client.get("/").status_code == 200
    assert client_for(firm.lead).session["_auth_user_backend"] == (
        "lexcase.accounts.backends.SignIn"
    )
    assert Client().login(username="lead", password="wrong-horse-battery") is False


def test_the_session_user_is_each_sessions_own_and_current(firm: Firm) -> None:
    """The fixed read of the session's user (SignIn.get_user): each session gets its own
    user, a change to the user shows on the next request, a deactivated or deleted user is
    signed out."""
    lead, partner = client_for(firm.lead), client_for(firm.partner)
    for _ in range(2):
        assert lead.get("/").context["user"].pk == firm.lead.pk
        assert partner.get("/").context["user"].pk == firm.partner.pk
    User.objects.filter(pk=firm.lead.pk).update(name="改了名")
    assert lead.get("/").context["user"].name == "改了名"
    assert SignIn().get_user(firm.partner.pk).username == "partner"
    User.objects.filter(pk=firm.partner.pk).update(is_active=False)
    assert SignIn().get_user(firm.partner.pk) is None
    assert partner.get("/").status_code == 302
    assert SignIn().get_user(10**9) is None


def test_permission_backends_are_built_once_and_follow_the_setting(
    firm: Firm, settings, monkeypatch
) -> None:
    built: list[str] = []
    real_init = PredicatesOnly.__init__

    def counting_init(self) -> None:
        built.append("PredicatesOnly")
        real_init(self)

    monkeypatch.setattr(PredicatesOnly, "__init__", counting_init)
    monkeypatch.setattr(backends, "_PERMISSION_BACKENDS", ((), ()))  # none built yet
    lead = User.objects.get(pk=firm.lead.pk)
    answers = [lead.has_perm("matters.add_matter") for _ in range(5)]
    answers += [lead.has_perm("accounts.manage_users") for _ in range(5)]
    assert answers == [True] * 5 + [False] * 5
    assert built == ["PredicatesOnly"]
    # Another list of backends is used at once: without PredicatesOnly a predicate's "no"
    # falls through to allauth's backend (no model permissions granted here either).
    settings.AUTHENTICATION_BACKENDS = [
        "rules.permissions.ObjectPermissionBackend",
        "lexcase.accounts.backends.SignIn",
    ]
    assert lead.has_perm("matters.add_matter") is True
    assert lead.has_perm("accounts.manage_users") is False
    settings.AUTHENTICATION_BACKENDS = ["lexcase.accounts.backends.SignIn"]
    assert lead.has_perm("matters.add_matter") is False


def test_a_role_change_takes_effect_on_the_next_question(firm: Firm) -> None:
    lead = User.objects.get(pk=firm.lead.pk)
    assert lead.has_perm("accounts.manage_users") is False
    lead.role = "admin"
    assert lead.has_perm("accounts.manage_users") is True
    lead.role = "lawyer"
    lead.is_active = False
    assert lead.has_perm("matters.add_matter") is False
