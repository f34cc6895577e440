"""Security keys and passkeys as the second factor (issue 14 item 1, "WebAuthn where the
browser offers it"), under the strict CSP: our own templates, one external script
(accounts/webauthn.js), the server's options in a JSON data block that no browser executes.
The ceremonies are answered by a software key (softkey.py); the browser test is
tests/e2e/test_webauthn.py."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from lexcase.accounts.tests.softkey import SoftKey
from lexcase.accounts.tests.test_mfa import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

ADD = "/accounts/2fa/webauthn/add/"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.LEXCASE_MFA_REQUIRED_ROLES = ["admin", "partner"]


class Page(HTMLParser):
    """The page's script elements, style elements and attributes, and event handlers."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.data: dict[str, str] = {}
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self.scripts.append(named)
            self._in = named.get("id") or ""
        if tag == "style":
            self.inline.append("<style>")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{tag}[{name}]")

    def handle_data(self, data: str) -> None:
        if self._in:
            self.data[self._in] = data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = None


def confirm_password(client: Client, path: str) -> None:
    page = client.get(path)
    if page.status_code == 302 and page["Location"].startswith("/accounts/reauthenticate/"):
        assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302


def enrol_key(client: Client, key: SoftKey, name: str = "YubiKey") -> str:
    confirm_password(client, ADD)
    page = client.get(ADD)
    assert page.status_code == 200
    options = json.loads(Page(page.content.decode()).data["webauthn-options"])
    response = client.post(
        ADD, {"name": name, "credential": json.dumps(key.create(options["creation_options"]))}
    )
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_the_enrolment_page_has_no_inline_script_under_the_strict_csp(firm):
    client = Client()
    sign_in(client, "lead")
    confirm_password(client, ADD)
    response = client.get(ADD)
    assert response.status_code == 200
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert (csp["script-src"], csp["style-src"], csp["object-src"]) == (
        "'self'",
        "'self'",
        "'none'",
    )
    page = Page(response.content.decode())
    # Every script is either our external file (served from 'self') or a data block, which
    # the browser never executes, so script-src 'self' allows the page as it is.
    inline = [s for s in page.scripts if "src" not in s]
    external = [s["src"] for s in page.scripts if "src" in s]
    assert inline == [{"id": "webauthn-options", "type": "application/json"}]
    assert all(str(src).startswith("/static/") for src in external)
    assert "/static/accounts/webauthn.js" in external
    assert page.inline == []
    options = json.loads(page.data["webauthn-options"])["creation_options"]["publicKey"]
    assert (options["rp"]["id"], options["user"]["name"]) == ("testserver", "lead")
    assert len(options["challenge"]) >= 22  # 16+ random bytes, base64url
    body = response.content.decode()
    assert 'data-webauthn="create"' in body and "添加安全密钥" in body


def test_a_partner_enrols_a_security_key_and_signs_in_with_it(firm):
    key = SoftKey()
    client = Client()
    sign_in(client, "partner")
    # Nothing but enrolment until a second factor is there; a key is one.
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    assert enrol_key(client, key) == "/accounts/2fa/recovery-codes/"
    stored = Authenticator.objects.get(user=firm.partner, type=Authenticator.Type.WEBAUTHN)
    assert stored.wrap().name == "YubiKey"
    assert Authenticator.objects.filter(user=firm.partner, type="recovery_codes").count() == 1
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")

    client = Client()
    response = sign_in(client, "partner")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/2fa/authenticate/")
    parsed = Page(page.content.decode())
    assert parsed.inline == []
    assert [s for s in parsed.scripts if "src" not in s] == [
        {"id": "webauthn-options", "type": "application/json"}
    ]
    assert "/static/accounts/webauthn.js" in [s.get("src") for s in parsed.scripts]
    options = json.loads(parsed.data["webauthn-options"])["request_options"]
    response = client.post(
        "/accounts/2fa/authenticate/", {"credential": json.dumps(key.get(options))}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_replayed_or_foreign_assertion_is_refused(firm):
    key = SoftKey()
    client = Client()
    sign_in(client, "partner")
    enrol_key(client, key)
    client.post("/accounts/logout/")

    client = Client()
    sign_in(client, "partner")
    page = client.get("/accounts/2fa/authenticate/")
    options = json.loads(Page(page.content.decode()).data["webauthn-options"])["request_options"]
    # A key that was never enrolled, over the right challenge: refused.
    stranger = SoftKey().get(options)
    refused = client.post("/accounts/2fa/authenticate/", {"credential": json.dumps(stranger)})
    assert refused.status_code == 200
    assert client.get("/")["Location"].startswith("/accounts/login/")
    # The page asks again, over a new challenge; the enrolled key signs in.
    again = json.loads(Page(refused.content.decode()).data["webauthn-options"])
    assert again["request_options"]["publicKey"]["challenge"] != options["publicKey"]["challenge"]
    assertion = key.get(again["request_options"])
    response = client.post("/accounts/2fa/authenticate/", {"credential": json.dumps(assertion)})
    assert response.status_code == 302
    # Someone who captured an assertion replays it in a sign-in of their own: the challenge
    # was for another page, so it is refused.
    thief = Client()
    sign_in(thief, "partner")
    thief.get("/accounts/2fa/authenticate/")
    response = thief.post("/accounts/2fa/authenticate/", {"credential": json.dumps(assertion)})
    assert response.status_code == 200
    assert thief.get("/")["Location"].startswith("/accounts/login/")


def test_a_partner_keeps_their_last_security_key(firm):
    client = Client()
    sign_in(client, "partner")
    enrol_key(client, SoftKey())
    (only,) = Authenticator.objects.filter(user=firm.partner, type="webauthn")
    remove = f"/accounts/2fa/webauthn/keys/{only.pk}/remove/"
    confirm_password(client, remove)
    response = client.post(remove)
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/webauthn/")
    assert Authenticator.objects.filter(user=firm.partner, type="webauthn").count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "您的角色必须保留双因素认证：请先添加身份验证器应用或另一把安全密钥，再移除这一把。"
    ]
    # With a second key the first may go.
    enrol_key(client, SoftKey(), name="备用")
    assert client.post(remove).status_code == 302
    assert list(
        Authenticator.objects.filter(user=firm.partner, type="webauthn").values_list(
            "data__name", flat=True
        )
    ) == ["备用"]


def test_a_lawyer_may_remove_their_key_and_not_anothers(firm):
    client = Client()
    sign_in(client, "partner")
    enrol_key(client, SoftKey())
    partners = Authenticator.objects.get(user=firm.partner, type="webauthn")
    lead = Client()
    sign_in(lead, "lead")
    enrol_key(lead, SoftKey())
    own = Authenticator.objects.get(user=firm.lead, type="webauthn")
    assert lead.post(f"/accounts/2fa/webauthn/keys/{partners.pk}/remove/").status_code == 404
    assert lead.post(f"/accounts/2fa/webauthn/keys/{own.pk}/remove/").status_code == 302
    assert list(Authenticator.objects.filter(type="webauthn")) == [partners]


def test_access_is_confirmed_again_with_the_key(firm, settings):
    key = SoftKey()
    client = Client()
    sign_in(client, "partner")
    enrol_key(client, key)
    # Later the confirmation has expired: adding another key asks again, and a key will do.
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    assert client.get(ADD)["Location"].startswith("/accounts/reauthenticate/")
    response = client.get("/accounts/2fa/webauthn/reauthenticate/?next=" + ADD)
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.inline == []
    assert [s for s in page.scripts if "src" not in s] == [
        {"id": "webauthn-options", "type": "application/json"}
    ]
    options = json.loads(page.data["webauthn-options"])["request_options"]
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    confirmed = client.post(
        "/accounts/2fa/webauthn/reauthenticate/",
        {"credential": json.dumps(key.get(options)), "next": ADD},
    )
    assert (confirmed.status_code, confirmed["Location"]) == (302, ADD)
    assert client.get(ADD).status_code == 200
