"""Access-table rows for user administration (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.accounts.models import PracticeArea, Team
from lexcase.core.tests.access import ALL_SIGNED_IN_200, LOGIN, E, Route
from lexcase.testing import Firm

# Teams and practice areas: the administrator's (主任's) settings.
ADMIN_ONLY = E(LOGIN, LOGIN, *[403] * 5, 200, 404)
ADMIN_ONLY_POST = E(LOGIN, LOGIN, *[403] * 5, 302, 404)


def _team(f: Firm) -> int:
    return Team.objects.get_or_create(name="诉讼部")[0].pk


def _area(f: Firm) -> int:
    return PracticeArea.objects.get(code="ip").pk


TABLE: dict[str, Route] = {
    "accounts:organisation": Route("GET", lambda f: "/team/organisation/", ADMIN_ONLY),
    "accounts:team_create": Route(
        "POST",
        lambda f: "/team/organisation/teams/",
        ADMIN_ONLY_POST,
        body=lambda f: {"team-name": "非诉部", "team-members": [f.lead.pk]},
    ),
    "accounts:team_edit": Route(
        "GET", lambda f: f"/team/organisation/teams/{_team(f)}/", ADMIN_ONLY
    ),
    "accounts:team_edit#post": Route(
        "POST",
        lambda f: f"/team/organisation/teams/{_team(f)}/",
        ADMIN_ONLY_POST,
        body=lambda f: {"name": "诉讼一部"},
    ),
    "accounts:practice_area_create": Route(
        "POST",
        lambda f: "/team/organisation/practice-areas/",
        ADMIN_ONLY_POST,
        body=lambda f: {"area-code": "maritime", "area-name": "海事海商"},
    ),
    "accounts:practice_area_edit": Route(
        "GET", lambda f: f"/team/organisation/practice-areas/{_area(f)}/", ADMIN_ONLY
    ),
    "accounts:practice_area_edit#post": Route(
        "POST",
        lambda f: f"/team/organisation/practice-areas/{_area(f)}/",
        ADMIN_ONLY_POST,
        body=lambda f: {"name": "知识产权", "members": [f.lead.pk]},
    ),
    "accounts:user_end_sessions": Route(
        "POST",
        lambda f: f"/team/users/{f.outsider.pk}/end-sessions/",
        E(LOGIN, LOGIN, *[403] * 5, 302, 404),
    ),
    "accounts:user_unlock": Route(
        "POST",
        lambda f: f"/team/users/{f.outsider.pk}/unlock/",
        E(LOGIN, LOGIN, *[403] * 5, 302, 404),
    ),
    # Resetting another user's second factor: administrators only (never their own).
    "accounts:user_second_factor_reset": Route(
        "GET",
        lambda f: f"/team/users/{f.outsider.pk}/second-factor/reset/",
        E(LOGIN, LOGIN, *[403] * 5, 200, 404),
    ),
    "accounts:user_second_factor_reset#post": Route(
        "POST",
        lambda f: f"/team/users/{f.outsider.pk}/second-factor/reset/",
        E(LOGIN, LOGIN, *[403] * 5, 302, 404),
        body=lambda f: {"reason": "手机丢失"},
    ),
    # Forgotten password: open to everyone, signed in or not; the same page whoever asks.
    "account_reset_password": Route("GET", lambda f: "/accounts/password/reset/", E(*[200] * 9)),
    "account_reset_password_done": Route(
        "GET", lambda f: "/accounts/password/reset/done/", E(*[200] * 9)
    ),
    # A key that is not one: the "link does not work" page, for everyone.
    "account_reset_password_from_key": Route(
        "GET", lambda f: "/accounts/password/reset/key/1-not-a-key/", E(*[200] * 9)
    ),
    "account_reset_password_from_key_done": Route(
        "GET", lambda f: "/accounts/password/reset/key/done/", E(*[200] * 9)
    ),
    # Second factor (allauth MFA): every signed-in user manages their own.
    "account_reauthenticate": Route(
        "GET", lambda f: "/accounts/reauthenticate/", ALL_SIGNED_IN_200
    ),
    "mfa_index": Route("GET", lambda f: "/accounts/2fa/", ALL_SIGNED_IN_200),
    # The code step of a sign-in in progress: without one, to the login page (which sends a
    # signed-in user on).
    "mfa_authenticate": Route(
        "GET", lambda f: "/accounts/2fa/authenticate/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    "mfa_reauthenticate": Route(
        "GET", lambda f: "/accounts/2fa/reauthenticate/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    "mfa_activate_totp": Route(
        "GET", lambda f: "/accounts/2fa/totp/activate/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    # Nothing to deactivate or show before enrolment: 404 (own authenticators only).
    "mfa_deactivate_totp": Route(
        "GET", lambda f: "/accounts/2fa/totp/deactivate/", E(LOGIN, LOGIN, *[404] * 6, 404)
    ),
    "mfa_view_recovery_codes": Route(
        "GET", lambda f: "/accounts/2fa/recovery-codes/", E(LOGIN, LOGIN, *[404] * 6, 404)
    ),
    "mfa_generate_recovery_codes": Route(
        "GET", lambda f: "/accounts/2fa/recovery-codes/generate/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    "mfa_download_recovery_codes": Route(
        "GET", lambda f: "/accounts/2fa/recovery-codes/download/", E(LOGIN, LOGIN, *[404] * 6, 404)
    ),
    # Security keys (WebAuthn): one's own list; adding, editing and removing ask for the
    # password again first (302 to reauthentication), then allauth finds only one's own keys
    # (lexcase/accounts/tests/test_webauthn.py: another's key is 404). Confirming with a key
    # is for a user who has one: without, allauth sends them to the password confirmation.
    "mfa_list_webauthn": Route("GET", lambda f: "/accounts/2fa/webauthn/", ALL_SIGNED_IN_200),
    "mfa_add_webauthn": Route(
        "GET", lambda f: "/accounts/2fa/webauthn/add/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    "mfa_reauthenticate_webauthn": Route(
        "GET", lambda f: "/accounts/2fa/webauthn/reauthenticate/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    "mfa_edit_webauthn": Route(
        "GET", lambda f: "/accounts/2fa/webauthn/keys/1/edit/", E(LOGIN, LOGIN, *[302] * 7)
    ),
    "mfa_remove_webauthn": Route(
        "POST", lambda f: "/accounts/2fa/webauthn/keys/1/remove/", E(LOGIN, LOGIN, *[302] * 7)
    ),
}
API_OPERATIONS: dict[tuple[str, str], str] = {}
