"""The money gate (`matters_money_visible_to`) for every persona: finance and administrators
see the money of every matter, confidential ones included, walls still apply; everyone else
sees exactly what the confidentiality gate shows them. Finance still gets 404 on a
confidential matter's page, documents, communications and tasks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client

from lexcase.accounts.models import Role
from lexcase.accounts.services import api_token_create
from lexcase.billing.selectors.shared import matter_money_get
from lexcase.matters.models import EthicalWall
from lexcase.matters.selectors import matters_money_visible_to, matters_visible_to
from lexcase.testing import client_for, make_user

pytestmark = pytest.mark.django_db


def money(user) -> set[str]:
    return set(matters_money_visible_to(user).values_list("title", flat=True))


def gate(user) -> set[str]:
    return set(matters_visible_to(user).values_list("title", flat=True))


BOTH = {"华泰科技诉王伟买卖合同纠纷", "保密并购项目"}
PLAIN = {"华泰科技诉王伟买卖合同纠纷"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("finance", BOTH),  # every matter's money, confidential included
        ("admin", BOTH),  # the gate shows the admin only the plain matter
        ("partner", BOTH),  # responsible partner on both
        ("lead", BOTH),
        ("partner_other", PLAIN),  # a partner sees non-confidential matters
        ("assistant", PLAIN),  # member of the plain matter only
        ("outsider", set()),
        ("walled", set()),  # walled off the plain one, not on the confidential one
        ("inactive", set()),
    ],
)
def test_money_visible_per_persona(firm, persona, expected):
    assert money(getattr(firm, persona)) == expected


@pytest.mark.parametrize(
    "persona", ["partner", "lead", "partner_other", "assistant", "outsider", "walled", "inactive"]
)
def test_lawyers_see_money_exactly_through_the_normal_gate(firm, persona):
    user = getattr(firm, persona)
    assert money(user) == gate(user)


@pytest.mark.parametrize(
    "persona",
    [
        "admin",
        "partner",
        "partner_other",
        "lead",
        "assistant",
        "outsider",
        "walled",
        "inactive",
        "finance",
        "collaborator",
    ],
)
def test_whoever_sees_a_matter_sees_its_money(firm, persona):
    """The matter page's money card relies on it and asks no second gate."""
    user = getattr(firm, persona)
    assert gate(user) <= money(user)


def test_the_gate_itself_is_unchanged_for_finance_and_admins(firm):
    assert gate(firm.finance) == set()
    assert gate(firm.admin) == PLAIN


def test_nobody_else_gets_in(firm):
    assert money(AnonymousUser()) == set()
    assert money(None) == set()
    contact = make_user("contact", Role.CLIENT)
    assert money(contact) == set()
    inactive_finance = make_user("gone", Role.FINANCE, is_active=False)
    assert money(inactive_finance) == set()
    # A staff member of another role sees through the normal gate only.
    clerk = make_user("clerk", Role.STAFF)
    assert money(clerk) == set()


@pytest.mark.parametrize("persona", ["finance", "admin"])
def test_walls_still_apply_to_finance_and_admins(firm, persona):
    user = getattr(firm, persona)
    EthicalWall.objects.create(matter=firm.confidential, user=user, reason="relative of client")
    assert money(user) == PLAIN
    EthicalWall.objects.create(matter=firm.matter, user=user, reason="former counsel")
    assert money(user) == set()


def test_matter_money_get_is_404_when_invisible(firm):
    assert matter_money_get(user=firm.finance, pk=firm.confidential.pk) == firm.confidential
    for user in (firm.outsider, firm.walled, firm.partner_other):
        with pytest.raises(Http404):
            matter_money_get(user=user, pk=firm.confidential.pk)
    with pytest.raises(Http404):
        matter_money_get(user=firm.finance, pk="x")


def test_matter_money_get_loads_no_summary(firm):
    matter = matter_money_get(user=firm.finance, pk=firm.confidential.pk)
    assert "summary" in matter.get_deferred_fields()
    assert "outcome" in matter.get_deferred_fields()


def _api(user) -> Client:
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("persona", ["finance", "admin"])
def test_finance_and_admin_get_404_on_a_confidential_matters_contents(firm, persona):
    user = getattr(firm, persona)
    pk = firm.confidential.pk
    web = client_for(user)
    for path in (f"/matters/{pk}/", f"/matters/{pk}/tasks/"):
        assert web.get(path).status_code == 404, path
    api = _api(user)
    for path in (
        f"/api/v1/matters/{pk}",
        f"/api/v1/matters/{pk}/documents",
        f"/api/v1/matters/{pk}/communications",
        f"/api/v1/matters/{pk}/tasks",
    ):
        assert api.get(path).status_code == 404, path
