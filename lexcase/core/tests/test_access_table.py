"""The access table: every URL pattern and every API operation, for every persona.

A route that is not in TABLE fails `test_every_route_is_in_the_table`, so nobody can add
a page or an endpoint without deciding who may reach it. Denied object access is 404
(existence never leaks); denied actions on a visible matter are 403.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lexcase.accounts.models import FirmProfile
from lexcase.accounts.selectors import firm_profile
from lexcase.accounts.services import api_token_create
from lexcase.api.api import api
from lexcase.calendar.models import CalendarFeed, Deadline, LimitationPeriod
from lexcase.core.tests.access import (
    ALL_SIGNED_IN_200,
    ALL_STAFF_200,
    API_MATTER_CREATE,
    API_MATTER_READ,
    LOGIN,
    MATTER_FORM_AGAIN,
    MATTER_READ,
    MATTER_WRITE,
    PERSONAS,
    E,
    Route,
)
from lexcase.matters.models import MatterParty
from lexcase.matters.tests.access_rows import (
    checklist_codes,
    ready_to_archive,
    ready_to_close,
    set_status,
)
from lexcase.parties.models import Party
from lexcase.testing import Firm


def _firm_version() -> int:
    return firm_profile().version


def _firm_logo_url() -> str:
    FirmProfile.objects.update_or_create(
        pk=1, defaults={"logo": b"\x89PNG\r\n\x1a\nlogo", "logo_type": "image/png"}
    )
    return "/team/firm/logo/"


def _unlinked_party(f: Firm) -> Party:
    # An intake names its client; a party on no matter yet is one every staff member may link.
    return Party.objects.create(kind="person", name="新客户")


def _lead_feed_path(f: Firm) -> str:
    raw = "lead-feed-secret"
    CalendarFeed.objects.update_or_create(
        user=f.lead, defaults={"token_hash": hashlib.sha256(raw.encode()).hexdigest()}
    )
    return f"/calendar/feed/{raw}.ics"


def _party_on_both(f: Firm) -> int:
    """A person on the firm's matter and on the confidential one."""
    party = Party.objects.create(kind="person", name="赵两案")
    MatterParty.objects.create(matter=f.matter, party=party, role="third_party")
    MatterParty.objects.create(matter=f.confidential, party=party, role="third_party")
    return party.pk


PARTY_ON_HIDDEN_CHANGE = E(LOGIN, LOGIN, 404, 404, 403, 200, 404, 403, 404)


def make_limitation(f: Firm) -> int:
    return LimitationPeriod.objects.create(
        matter=f.matter, claim="货款", rule_id="limitation.general", start_date=date(2025, 1, 1)
    ).pk


def make_deadline(f: Firm, status: str) -> int:
    return Deadline.objects.create(
        matter=f.matter,
        title="上诉期",
        due_date=date(2026, 12, 31),
        status=status,
        responsible=f.lead,
        rule_id="civil.appeal.judgment",
        trigger_date=date(2026, 12, 16),
    ).pk


def _set_status(f: Firm, status: str) -> int:
    return set_status(f, status)


def _ready_to_close(f: Firm) -> int:
    return ready_to_close(f)


def _ready_to_archive(f: Firm) -> int:
    return ready_to_archive(f)


def _checklist_codes() -> list[str]:
    return checklist_codes()


TABLE: dict[str, Route] = {
    # core
    # An outside helper's home is their own page (/collab/).
    "home": Route("GET", lambda f: "/", E(LOGIN, LOGIN, *[200] * 6, 302)),
    "healthz": Route("GET", lambda f: "/healthz", E(*[200] * 9)),
    "favicon": Route("GET", lambda f: "/favicon.ico", E(*[302] * 9)),
    "set_language": Route(
        "POST", lambda f: "/i18n/setlang/", E(*[302] * 9), body=lambda f: {"language": "en"}
    ),
    # sign-in (allauth): signed-in users are sent on from the login page
    "account_login": Route("GET", lambda f: "/accounts/login/", E(200, 200, *[302] * 7)),
    "account_logout": Route("POST", lambda f: "/accounts/logout/", E(*[LOGIN] * 9)),
    "account_inactive": Route("GET", lambda f: "/accounts/inactive/", E(*[200] * 9)),
    "account_change_password": Route(
        "GET", lambda f: "/accounts/password/change/", ALL_SIGNED_IN_200
    ),
    # users and tokens
    "accounts:users": Route("GET", lambda f: "/team/users/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)),
    "accounts:user_toggle": Route(
        "POST",
        lambda f: f"/team/users/{f.outsider.pk}/toggle-active/",
        E(LOGIN, LOGIN, *[403] * 5, 302, 404),
    ),
    "accounts:tokens": Route("GET", lambda f: "/team/tokens/", ALL_STAFF_200),
    "accounts:firm": Route("GET", lambda f: "/team/firm/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)),
    "accounts:firm#save": Route(
        "POST",
        lambda f: "/team/firm/",
        E(LOGIN, LOGIN, *[403] * 5, 302, 404),
        body=lambda f: {"name": "思远律师事务所", "version": _firm_version()},
    ),
    # The logo is on the login page and the portal: public, not a secret.
    "accounts:firm_logo": Route("GET", lambda f: _firm_logo_url(), E(*[200] * 9)),
    "accounts:token_revoke": Route(
        "POST",
        lambda f: f"/team/tokens/{api_token_create(user=f.lead, name='x')[0].pk}/revoke/",
        E(LOGIN, LOGIN, 404, 404, 404, 302, 404, 302, 404),
    ),
    # matters
    "matters:list": Route("GET", lambda f: "/matters/", ALL_STAFF_200),
    "matters:export": Route("GET", lambda f: "/matters/export/", ALL_STAFF_200),
    "matters:create": Route(
        "GET", lambda f: "/matters/new/", E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404)
    ),
    "matters:import": Route(
        "GET", lambda f: "/matters/import/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)
    ),
    "matters:import_template": Route(
        "GET", lambda f: "/matters/import/template/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)
    ),
    "matters:detail": Route("GET", lambda f: f"/matters/{f.matter.pk}/", MATTER_READ),
    "matters:edit": Route("GET", lambda f: f"/matters/{f.matter.pk}/edit/", MATTER_READ),
    "matters:open": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/open/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302, 404),
    ),
    "matters:close": Route(
        "POST",
        lambda f: f"/matters/{_ready_to_close(f)}/close/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404),
        body=lambda f: {"outcome": "settled", "checklist": _checklist_codes()},
    ),
    # Without JavaScript the closing and archiving forms are pages of their own (GET).
    "matters:close#form": Route(
        "GET",
        lambda f: f"/matters/{_ready_to_close(f)}/close/",
        E(LOGIN, LOGIN, 404, 404, 403, 200, 404, 200, 404),
    ),
    "matters:reopen": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/reopen/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404),
    ),
    "matters:archive": Route(
        "POST",
        lambda f: f"/matters/{_ready_to_archive(f)}/archive/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404),
        body=lambda f: {"retention": "long", "room": "A", "shelf": "3", "box": "12"},
    ),
    "matters:archive#form": Route(
        "GET",
        lambda f: f"/matters/{_ready_to_archive(f)}/archive/",
        E(LOGIN, LOGIN, 404, 404, 403, 200, 404, 200, 404),
    ),
    "matters:stage": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/stage/",
        MATTER_FORM_AGAIN,
        body=lambda f: {"stage": "first_instance"},
    ),
    "matters:member_add": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/members/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404),
        body=lambda f: {"user": f.outsider.pk, "role": "member"},
    ),
    "matters:member_remove": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/members/{f.assistant.pk}/remove/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 302, 404),
    ),
    "matters:wall_add": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/walls/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302, 404),
        body=lambda f: {"user": f.finance.pk, "reason": "conflict"},
    ),
    "matters:case_number_add": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/case-numbers/",
        E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302, 404),
        body=lambda f: {"number": "（2024）京0105民初1号", "stage": "first_instance"},
    ),
    "matters:party_add": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/parties/",
        E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302, 404),
        body=lambda f: {
            "party-name": "第三人公司",
            "party-kind": "organization",
            "party-role": "third_party",
        },
    ),
    # parties
    "parties:list": Route("GET", lambda f: "/parties/", ALL_STAFF_200),
    "parties:export": Route("GET", lambda f: "/parties/export/", ALL_STAFF_200),
    "parties:create": Route(
        "GET", lambda f: "/parties/new/", E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404)
    ),
    "parties:detail": Route("GET", lambda f: f"/parties/{f.client_party.pk}/", MATTER_READ),
    "parties:edit": Route("GET", lambda f: f"/parties/{f.client_party.pk}/edit/", MATTER_READ),
    "parties:relation_add": Route(
        "POST",
        lambda f: f"/parties/{f.client_party.pk}/relations/",
        E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302, 404),
        body=lambda f: {"kind": "legal_rep", "other_name": "张法代", "other_kind": "person"},
    ),
    # Refused (no name for the related party): the party's page with the form as typed, 422.
    "parties:relation_add#refused": Route(
        "POST",
        lambda f: f"/parties/{f.client_party.pk}/relations/",
        E(LOGIN, LOGIN, 404, 404, 422, 422, 404, 422, 404),
        body=lambda f: {"kind": "legal_rep", "other_name": " ", "other_kind": "person"},
    ),
    # A party also on the confidential matter: only who sees every matter it is on (the lead
    # of both) may change it; the assistant and the administrator see it through the firm's
    # matter and are refused (matters.change_party).
    "parties:edit#a party also on a hidden matter": Route(
        "GET", lambda f: f"/parties/{_party_on_both(f)}/edit/", PARTY_ON_HIDDEN_CHANGE
    ),
    "parties:edit#post, a party also on a hidden matter": Route(
        "POST",
        lambda f: f"/parties/{_party_on_both(f)}/edit/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 403, 404),
        body=lambda f: {"kind": "person", "name": "改名", "version": "1"},
    ),
    "parties:relation_add#a party also on a hidden matter": Route(
        "POST",
        lambda f: f"/parties/{_party_on_both(f)}/relations/",
        E(LOGIN, LOGIN, 404, 404, 403, 302, 404, 403, 404),
        body=lambda f: {"kind": "legal_rep", "other_name": "张法代", "other_kind": "person"},
    ),
    # calendar
    "calendar:agenda": Route("GET", lambda f: "/agenda/", ALL_STAFF_200),
    "calendar:deadline_export": Route("GET", lambda f: "/agenda/deadlines/export/", ALL_STAFF_200),
    "calendar:agenda_week": Route("GET", lambda f: "/agenda/week/", ALL_STAFF_200),
    "calendar:agenda_month": Route("GET", lambda f: "/agenda/month/", ALL_STAFF_200),
    "calendar:served_record": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/served/",
        MATTER_WRITE,
        body=lambda f: {
            "served-kind": "judgment",
            "served-service_date": "2026-11-02",
            "served-method": "direct",
        },
    ),
    "calendar:deadline_create": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/deadlines/",
        MATTER_WRITE,
        body=lambda f: {"deadline-title": "举证期限", "deadline-due_date": "2026-12-20"},
    ),
    "calendar:hearing_create": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/hearings/",
        MATTER_WRITE,
        body=lambda f: {"hearing-court": "朝阳法院", "hearing-starts_at": "2026-12-20T09:00"},
    ),
    "calendar:deadline_confirm": Route(
        "POST", lambda f: f"/deadlines/{make_deadline(f, 'proposed')}/confirm/", MATTER_WRITE
    ),
    "calendar:deadline_dismiss": Route(
        "POST", lambda f: f"/deadlines/{make_deadline(f, 'proposed')}/dismiss/", MATTER_WRITE
    ),
    "calendar:deadline_done": Route(
        "POST", lambda f: f"/deadlines/{make_deadline(f, 'open')}/done/", MATTER_WRITE
    ),
    "calendar:limitation_create": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/limitations/",
        MATTER_WRITE,
        body=lambda f: {
            "limitation-claim": "货款",
            "limitation-rule_id": "limitation.general",
            "limitation-start_date": "2025-01-01",
        },
    ),
    "calendar:limitation_event": Route(
        "POST",
        lambda f: f"/limitations/{make_limitation(f)}/events/",
        MATTER_FORM_AGAIN,
    ),
    "calendar:feed": Route("GET", lambda f: "/calendar/feed/", ALL_STAFF_200),
    "calendar:feed_ics": Route("GET", lambda f: "/calendar/feed/not-a-token.ics", E(*[404] * 9)),
    # The secret URL is the credential, whoever else is signed in (an outside helper's session
    # is stopped by their gate first).
    "calendar:feed_ics#the lead's feed": Route(
        "GET", _lead_feed_path, E(200, 200, 200, 200, 200, 200, 200, 200, 404)
    ),
    "calendar:holidays": Route(
        "GET", lambda f: "/calendar/holidays/", E(LOGIN, LOGIN, *[403] * 5, 200, 404)
    ),
    "conflicts:review": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/conflict-review/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 302, 404),
        body=lambda f: {"review-decision": "approve"},
    ),
    # Refused (no such decision): the decision comes back as typed, nothing recorded.
    "conflicts:review#refused": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/conflict-review/",
        E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 422, 404),
        body=lambda f: {"review-decision": "bogus", "review-note": "已核对"},
    ),
    # Review notices sent before ad28903 link here: a GET goes to the conflict report.
    "conflicts:review#get": Route(
        "GET",
        lambda f: f"/matters/{f.matter.pk}/conflict-review/",
        E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302, 404),
    ),
    # Ad-hoc checks: the roles of LEXCASE_CONFLICT_CHECK_ROLES (default: no assistants).
    "conflicts:check": Route(
        "GET", lambda f: "/conflicts/check/", E(LOGIN, LOGIN, 403, 200, 403, 200, 200, 200, 404)
    ),
    "conflicts:run_check": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/conflict-check/",
        MATTER_WRITE,
    ),
    "conflicts:report_pdf": Route(
        "GET", lambda f: f"/matters/{f.matter.pk}/conflict-report.pdf", MATTER_READ
    ),
    "conflicts:report_pdf#confidential": Route(
        "GET",
        lambda f: f"/matters/{f.confidential.pk}/conflict-report.pdf",
        E(LOGIN, LOGIN, 404, 404, 404, 200, 404, 404, 404),
    ),
    "comms:notifications": Route("GET", lambda f: "/notifications/", ALL_STAFF_200),
    "comms:read_all": Route(
        "POST", lambda f: "/notifications/read/", E(LOGIN, LOGIN, *[302] * 6, 404)
    ),
    # API
    "api:deadline_rules": Route(
        "GET", lambda f: "/api/v1/deadline-rules", E(401, 401, 200, 200, 200, 200, 200, 200, 401)
    ),
    "api:deadline_compute": Route(
        "POST",
        lambda f: "/api/v1/deadlines/compute",
        E(401, 401, 200, 200, 200, 200, 200, 200, 401),
        body=lambda f: {"rule": "civil.appeal.judgment", "trigger_date": "2026-01-05"},
        json=True,
    ),
    "api:agenda": Route(
        "GET", lambda f: "/api/v1/agenda", E(401, 401, 200, 200, 200, 200, 200, 200, 401)
    ),
    "api:matter_deadlines": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/deadlines", API_MATTER_READ
    ),
    "api:record_served": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/served-documents",
        API_MATTER_CREATE,
        body=lambda f: {"kind": "judgment", "service_date": "2026-11-02", "method": "post"},
        json=True,
    ),
    "api:create_deadline": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/deadlines",
        API_MATTER_CREATE,
        body=lambda f: {"title": "举证期限", "due_date": "2026-12-20"},
        json=True,
    ),
    "api:confirm": Route(
        "POST",
        lambda f: f"/api/v1/deadlines/{make_deadline(f, 'proposed')}/confirm",
        API_MATTER_READ,
        body=lambda f: {},
        json=True,
    ),
    "api:dismiss": Route(
        "POST",
        lambda f: f"/api/v1/deadlines/{make_deadline(f, 'proposed')}/dismiss",
        API_MATTER_READ,
    ),
    "api:done": Route(
        "POST", lambda f: f"/api/v1/deadlines/{make_deadline(f, 'open')}/done", API_MATTER_READ
    ),
    "api:openapi-json": Route("GET", lambda f: "/api/v1/openapi.json", E(*[200] * 9)),
    "api:api-root": Route("GET", lambda f: "/api/v1/", E(*[404] * 9)),
    "api:create_party": Route(
        "POST",
        lambda f: "/api/v1/parties",
        E(401, 401, 403, 201, 201, 201, 201, 201, 401),
        body=lambda f: {"kind": "person", "name": "测试"},
        json=True,
    ),
    "api:list_parties": Route(
        "GET", lambda f: "/api/v1/parties", E(401, 401, 200, 200, 200, 200, 200, 200, 401)
    ),
    "api:get_party": Route(
        "GET", lambda f: f"/api/v1/parties/{f.client_party.pk}", API_MATTER_READ
    ),
    "api:create_matter": Route(
        "POST",
        lambda f: "/api/v1/matters",
        E(401, 401, 403, 201, 201, 201, 201, 201, 401),
        body=lambda f: {
            "title": "新案件",
            "matter_type": "civil",
            "parties": [{"party_id": _unlinked_party(f).pk, "role": "client"}],
        },
        json=True,
    ),
    "api:list_matters": Route(
        "GET", lambda f: "/api/v1/matters", E(401, 401, 200, 200, 200, 200, 200, 200, 401)
    ),
    "api:get_matter": Route("GET", lambda f: f"/api/v1/matters/{f.matter.pk}", API_MATTER_READ),
    "api:update_matter": Route(
        "PATCH",
        lambda f: f"/api/v1/matters/{f.matter.pk}",
        API_MATTER_READ,
        body=lambda f: {"version": f.matter.version, "summary": "更新"},
        json=True,
    ),
    "api:open_matter": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/open",
        E(401, 401, 404, 404, 403, 403, 404, 422, 401),  # 422: conflict check not yet cleared
    ),
    "api:check": Route(
        "POST",
        lambda f: "/api/v1/conflicts/check",
        E(401, 401, 403, 200, 403, 200, 200, 200, 401),
        body=lambda f: {"parties": [{"name": "王伟", "kind": "person", "role": "opposing"}]},
        json=True,
    ),
    "api:report": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/conflict-report", API_MATTER_READ
    ),
    "api:review": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/conflict-review",
        E(401, 401, 404, 404, 403, 403, 404, 201, 401),
        body=lambda f: {"decision": "approve"},
        json=True,
    ),
    "api:add_member": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/members",
        E(401, 401, 404, 404, 403, 201, 404, 201, 401),
        body=lambda f: {"username": "outsider", "role": "member"},
        json=True,
    ),
}

# Every OpenAPI operation, by method and path, must map to a table row.
API_OPERATIONS = {
    ("post", "/api/v1/parties"): "api:create_party",
    ("get", "/api/v1/parties"): "api:list_parties",
    ("get", "/api/v1/parties/{party_id}"): "api:get_party",
    ("post", "/api/v1/matters"): "api:create_matter",
    ("get", "/api/v1/matters"): "api:list_matters",
    ("get", "/api/v1/matters/{matter_id}"): "api:get_matter",
    ("patch", "/api/v1/matters/{matter_id}"): "api:update_matter",
    ("post", "/api/v1/matters/{matter_id}/open"): "api:open_matter",
    ("post", "/api/v1/matters/{matter_id}/members"): "api:add_member",
    ("get", "/api/v1/deadline-rules"): "api:deadline_rules",
    ("post", "/api/v1/deadlines/compute"): "api:deadline_compute",
    ("get", "/api/v1/agenda"): "api:agenda",
    ("get", "/api/v1/matters/{matter_id}/deadlines"): "api:matter_deadlines",
    ("post", "/api/v1/matters/{matter_id}/served-documents"): "api:record_served",
    ("post", "/api/v1/matters/{matter_id}/deadlines"): "api:create_deadline",
    ("post", "/api/v1/deadlines/{deadline_id}/confirm"): "api:confirm",
    ("post", "/api/v1/deadlines/{deadline_id}/dismiss"): "api:dismiss",
    ("post", "/api/v1/deadlines/{deadline_id}/done"): "api:done",
    ("post", "/api/v1/conflicts/check"): "api:check",
    ("get", "/api/v1/matters/{matter_id}/conflict-report"): "api:report",
    ("post", "/api/v1/matters/{matter_id}/conflict-review"): "api:review",
}


def _merge_app_rows() -> None:
    """Each app may keep its rows beside its code, in `<app>/tests/access_rows.py`."""
    for config in apps.get_app_configs():
        if not config.name.startswith("lexcase."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access_rows")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.access_rows":
                raise
            continue
        duplicated = (set(TABLE) & set(module.TABLE)) | (
            set(API_OPERATIONS) & set(module.API_OPERATIONS)
        )
        assert not duplicated, f"{config.name} repeats access rows: {duplicated}"
        TABLE.update(module.TABLE)
        API_OPERATIONS.update(module.API_OPERATIONS)


_merge_app_rows()


def all_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_route_is_in_the_table():
    names = all_route_names()
    assert "None" not in " ".join(names), "every URL pattern needs a name"
    # "name#situation" rows check one route in several situations.
    routes = {key.split("#", 1)[0] for key in TABLE}
    assert names - routes == set(), "routes missing from the access table"
    assert routes - names == set(), "table rows for routes that no longer exist"


def test_every_api_operation_is_in_the_table():
    schema = api.get_openapi_schema()
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations == set(API_OPERATIONS)
    assert set(API_OPERATIONS.values()) <= set(TABLE)


def persona_user(firm: Firm, persona: str):
    return None if persona == "anonymous" else getattr(firm, persona)


def client_as(firm: Firm, persona: str, path: str) -> Client:
    """A client signed in as `persona`: a bearer token for the API, a session elsewhere."""
    user = persona_user(firm, persona)
    client = Client()
    if path.startswith("/api/v1/"):
        if user is not None:
            _token, raw = api_token_create(user=user, name="table")
            client = Client(headers={"Authorization": f"Bearer {raw}"})
    elif user is not None:
        client.force_login(user)
    return client


def send(client: Client, firm: Firm, route: Route, path: str, method: str = ""):
    """`route`'s request on `path` (its method unless `method` says another)."""
    method = method or route.method
    body = route.body(firm) if route.body else {}
    if route.json:
        return client.generic(method, path, json.dumps(body), content_type="application/json")
    return getattr(client, method.lower())(path, body)


def request_as(firm: Firm, persona: str, route: Route):
    path = route.path(firm)
    return send(client_as(firm, persona, path), firm, route, path)


def outcome(response) -> Any:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TABLE))
def test_access_table(firm, name):
    route = TABLE[name]
    actual = []
    for persona in PERSONAS:
        # Each persona acts on the same starting state.
        with transaction.atomic():
            actual.append(outcome(request_as(firm, persona, route)))
            transaction.set_rollback(True)
    assert dict(zip(PERSONAS, actual, strict=True)) == dict(
        zip(PERSONAS, route.expect, strict=True)
    )
