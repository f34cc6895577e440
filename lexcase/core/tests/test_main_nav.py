"""The main menu ({% main_nav %}, core/templatetags/layout.py) draws what base.html's
template menu drew, for every role and language, and never one reader's menu for another."""

from __future__ import annotations

import re
from typing import Any

import pytest
import rules
from django.conf import settings
from django.template import engines
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path, reverse
from django.utils import translation
from rules import permissions

from lexcase.accounts.models import Role, User
from lexcase.core.templatetags import layout
from lexcase.testing import make_user

# base.html's menu before it became a tag, as it stood.
TEMPLATE_MENU = """{% load i18n %}<nav class="nav">
    <a href="{% url 'home' %}">{% translate "Dashboard" %}</a>
    <a href="{% url 'calendar:agenda' %}">{% translate "Today" %}</a>
    <a href="{% url 'todos:my_tasks' %}">{% translate "Tasks" %}</a>
    <a href="{% url 'matters:list' %}">{% translate "Matters" %}</a>
    <a href="{% url 'parties:list' %}">{% translate "Parties" %}</a>
    <a href="{% url 'comms:list' %}">{% translate "Communications" %}</a>
    <a href="{% url 'search:search' %}">{% translate "Search" %}</a>
    {% if perms.billing.keep_timesheet %}<a href="{% url 'billing:timesheet' %}">{% translate "Timesheet" %}</a>{% endif %}{% if perms.billing.view_client_funds %}<a href="{% url 'billing:money_matters' %}">{% translate "Money of matters" %}</a>{% endif %}
    {% if perms.billing.record_payment or perms.accounts.manage_users %}<a href="{% url 'billing:bill_list' %}">{% translate "Bills" %}</a><a href="{% url 'billing:receivable_list' %}">{% translate "Receivables" %}</a>{% endif %}
    {% if perms.todos.view_workload %}<a href="{% url 'todos:workload' %}">{% translate "Workload" %}</a>{% endif %}
    {% if perms.reviews.view_approvals %}<a href="{% url 'reviews:approvals' %}">{% translate "Approvals" %}</a>{% endif %}
    {% if perms.insights.view_firm %}<a href="{% url 'insights:firm' %}">{% translate "Insights" %}</a>{% elif perms.insights.view_personal %}<a href="{% url 'insights:mine' %}">{% translate "Insights" %}</a>{% endif %}
    {% if perms.conflicts.check_adhoc %}<a href="{% url 'conflicts:check' %}">{% translate "Conflict check" %}</a>{% endif %}
    {% if perms.accounts.manage_users %}<a href="{% url 'accounts:users' %}">{% translate "Users" %}</a>{% endif %}{% if perms.calendar.manage_holidays %}<a href="{% url 'calendar:holidays' %}">{% translate "Holidays" %}</a>{% endif %}
    <a href="{% url 'accounts:tokens' %}">{% translate "API tokens" %}</a>
  </nav>"""  # noqa: E501

# A URL conf of its own: the firm's pages under /firm/ (test_the_menu_is_kept_per_urlconf).
urlpatterns = [path("firm/", include("lexcase.urls"))]


def firm_urlconf(get_response: Any) -> Any:
    """A middleware that serves the request under this module's URL conf."""

    def middleware(request: Any) -> Any:
        request.urlconf = __name__
        return get_response(request)

    return middleware


STAFF_ROLES = [Role.ADMIN, Role.PARTNER, Role.LAWYER, Role.ASSISTANT, Role.STAFF, Role.FINANCE]


def _links(html: str) -> list[str]:
    return re.findall(r"<a [^>]*>[^<]*</a>", html)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_menu_equals_the_template_menu_for_every_role(language: str) -> None:
    users = [make_user(f"u_{role}", role) for role in STAFF_ROLES]
    inactive = make_user("u_gone", Role.PARTNER)
    inactive.is_active = False
    users.append(inactive)
    engine = engines["django"]
    old = engine.from_string(TEMPLATE_MENU)
    new = engine.from_string("{% load layout %}{% main_nav %}")
    drawn = set()
    with translation.override(language):
        # Twice: the second round is served from the kept menus.
        for _round in range(2):
            for user in users:
                request = RequestFactory().get("/")
                request.user = user
                expected = old.render({}, request)
                got = new.render({}, request)
                assert _links(got) == _links(expected), (user.role, language)
                assert got.startswith('<nav class="nav">') and got.endswith("</nav>")
                drawn.add(tuple(_links(got)))
    assert len(drawn) >= 4  # the roles' menus differ: the cache is keyed on what they hold


@pytest.mark.django_db
def test_menu_on_a_page_follows_the_reader() -> None:
    """Two readers one after the other in one process: each page shows the reader's own
    menu (the administrator's entries never reach the lawyer)."""
    admin = make_user("nav_admin", Role.ADMIN)
    lawyer = make_user("nav_lawyer", Role.LAWYER)
    layout._cache.clear()
    pages = {}
    for user in (admin, lawyer, admin):
        client = Client()
        client.force_login(user)
        pages[user.role] = client.get("/matters/").content.decode()
    users, holidays = reverse("accounts:users"), reverse("calendar:holidays")
    menus = {
        role: re.search(r'<nav class="nav">.*?</nav>', html, re.S).group(0)  # type: ignore[union-attr]
        for role, html in pages.items()
    }
    assert f'href="{users}"' in menus[Role.ADMIN] and f'href="{holidays}"' in menus[Role.ADMIN]
    assert f'href="{users}"' not in menus[Role.LAWYER]
    assert f'href="{holidays}"' not in menus[Role.LAWYER]


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_menu_entry_opens_for_the_reader(role: str) -> None:
    """No dead entry: each link a role's menu shows answers 200 (an assistant was shown
    利益冲突检索, which only the roles of LEXCASE_CONFLICT_CHECK_ROLES may run: 403)."""
    user = make_user(f"menu_{role}", role)
    client = Client()
    client.force_login(user)
    menu = re.search(r'<nav class="nav">.*?</nav>', client.get("/").content.decode(), re.S)
    assert menu is not None
    hrefs = re.findall(r'href="([^"]+)"', menu.group(0))
    assert reverse("calendar:agenda") in hrefs
    refused = [(href, status) for href in hrefs if (status := client.get(href).status_code) != 200]
    assert refused == []


def _menu(html: str) -> str:
    return re.search(r'<nav class="nav">.*?</nav>', html, re.S).group(0)  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_menu_is_kept_per_urlconf() -> None:
    """A menu drawn under one URL conf is never served under another: outside a request
    (the thread has no URL conf set, reverse() takes settings.ROOT_URLCONF), on a page under
    @override_settings(ROOT_URLCONF=...), and on a page whose middleware sets
    request.urlconf; back under the project's, its own links again."""
    lawyer = make_user("nav_urlconf", Role.LAWYER)
    template = engines["django"].from_string("{% load layout %}{% main_nav %}")
    request = RequestFactory().get("/")
    request.user = lawyer
    layout._cache.clear()
    assert 'href="/matters/"' in template.render({}, request)
    client = Client()
    client.force_login(lawyer)
    with override_settings(ROOT_URLCONF=__name__):
        drawn = template.render({}, request)
        assert 'href="/firm/matters/"' in drawn and 'href="/matters/"' not in drawn
        page = _menu(client.get("/firm/matters/").content.decode())
        assert 'href="/firm/matters/"' in page and 'href="/matters/"' not in page
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.firm_urlconf"]):
        # A client of its own: a client's handler keeps the middleware it started with.
        routed = Client()
        routed.force_login(lawyer)
        page = _menu(routed.get("/firm/matters/").content.decode())
        assert 'href="/firm/matters/"' in page and 'href="/matters/"' not in page
    assert 'href="/matters/"' in template.render({}, request)
    assert 'href="/matters/"' in _menu(client.get("/matters/").content.decode())


@pytest.mark.django_db
def test_finance_sees_the_money_pages_and_no_timesheet_of_its_own() -> None:
    """Finance records no time: its menu has 案件财务, 账单 and 应收账款, not 工时表 (it reads a
    lawyer's sheet from the fee statement); a lawyer's menu keeps 工时表."""
    finance = make_user("menu_finance", Role.FINANCE)
    lawyer = make_user("menu_lawyer", Role.LAWYER)
    labels = {}
    for user in (finance, lawyer):
        client = Client()
        client.force_login(user)
        labels[user.role] = re.findall(r">([^<]+)</a>", _menu(client.get("/").content.decode()))
    assert [x for x in labels[Role.FINANCE] if x in ("工时表", "案件财务", "账单", "应收账款")] == [
        "案件财务",
        "账单",
        "应收账款",
    ]
    assert "工时表" in labels[Role.LAWYER]


@pytest.mark.django_db
def test_the_menus_permissions_are_asked_once_per_role_and_follow_a_role_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside the tests' check the menu's permission answers are kept per what its
    predicates read of the reader (role, active, superuser): two lawyers ask the predicates
    once; a lawyer made administrator sees 用户 on the next page, and loses it again on the
    page after being made a lawyer again (the user row is read on every request)."""
    monkeypatch.setattr(settings, "LEXCASE_CHECK_FIXED_SQL", False)
    layout._granted_cache.clear()
    asked: list[str] = []
    real = User.has_perm

    def has_perm(user: Any, perm: str, obj: Any = None) -> bool:
        asked.append(perm)
        return real(user, perm, obj)

    monkeypatch.setattr(User, "has_perm", has_perm)
    template = engines["django"].from_string("{% load layout %}{% main_nav %}")
    for name in ("kept_a", "kept_b"):
        request = RequestFactory().get("/")
        request.user = make_user(name, Role.LAWYER)
        template.render({}, request)
    assert sorted(asked) == sorted(layout.PERMS)  # once, for the first lawyer

    users = reverse("accounts:users")
    person = make_user("promoted", Role.LAWYER)
    client = Client()
    client.force_login(person)
    assert f'href="{users}"' not in _menu(client.get("/matters/").content.decode())
    User.objects.filter(pk=person.pk).update(role=Role.ADMIN)
    assert f'href="{users}"' in _menu(client.get("/matters/").content.decode())
    User.objects.filter(pk=person.pk).update(role=Role.LAWYER)
    assert f'href="{users}"' not in _menu(client.get("/matters/").content.decode())


@pytest.mark.django_db
def test_the_tests_check_catches_a_menu_predicate_reading_more_than_the_key() -> None:
    """Under the tests' check (settings.LEXCASE_CHECK_FIXED_SQL) every kept answer is asked
    again: a menu predicate that came to read something of the reader beyond its role (here
    the username) fails at the second reader instead of drawing them the first one's menu."""
    assert settings.LEXCASE_CHECK_FIXED_SQL
    layout._granted_cache.clear()
    saved = permissions.permissions["accounts.manage_users"]
    permissions.set_perm(
        "accounts.manage_users", rules.predicate(lambda user: user.username == "picked")
    )
    try:
        template = engines["django"].from_string("{% load layout %}{% main_nav %}")
        request = RequestFactory().get("/")
        request.user = make_user("picked", Role.LAWYER)
        assert f'href="{reverse("accounts:users")}"' in template.render({}, request)
        request.user = make_user("not_picked", Role.LAWYER)
        with pytest.raises(AssertionError, match="main_nav"):
            template.render({}, request)
    finally:
        permissions.set_perm("accounts.manage_users", saved)
        layout._granted_cache.clear()
