"""No dead button on the dashboard: every link of its main part opens for the reader (finance
was offered 新建案件 and got 403)."""

from __future__ import annotations

import re

import pytest

from lexcase.accounts.models import Role
from lexcase.testing import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.PARTNER, Role.LAWYER, Role.ASSISTANT, Role.STAFF, Role.FINANCE]
)
def test_every_dashboard_link_opens_for_the_reader(role: str) -> None:
    client = client_for(make_user(f"home_{role}", role))
    page = client.get("/")
    assert page.status_code == 200
    main = re.search(r"<main\b.*?</main>", page.content.decode(), re.S)
    assert main is not None
    hrefs = {h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"]*)"', main.group(0))}
    refused = [
        (href, status) for href in sorted(hrefs) if (status := client.get(href).status_code) != 200
    ]
    assert refused == []


def test_the_new_matter_button_is_there_for_who_may_register() -> None:
    assert (
        'href="/matters/new/"'
        in client_for(make_user("home_l", Role.LAWYER)).get("/").content.decode()
    )
