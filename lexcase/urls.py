from __future__ import annotations

from allauth.account import views as allauth_views
from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language

from lexcase.accounts import views as accounts_views
from lexcase.api.api import api
from lexcase.core import views as core_views
from lexcase.matters import party_urls
from lexcase.matters import urls as matters_urls
from lexcase.web import urls as web_urls
from lexcase.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Only the allauth views the firm uses: no sign-up, no self-service e-mail changes.
    path("accounts/login/", allauth_views.login, name="account_login"),
    path("accounts/logout/", allauth_views.logout, name="account_logout"),
    path("accounts/inactive/", allauth_views.account_inactive, name="account_inactive"),
    path(
        "accounts/password/change/",
        allauth_views.password_change,
        name="account_change_password",
    ),
    # Forgotten password (docs/security.md): a link by e-mail, the same answer for every
    # address; the new password ends every session and the second factor is still asked.
    path("accounts/password/reset/", accounts_views.password_reset, name="account_reset_password"),
    path(
        "accounts/password/reset/done/",
        allauth_views.PasswordResetDoneView.as_view(
            extra_context={"minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        ),
        name="account_reset_password_done",
    ),
    path(
        "accounts/password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "accounts/reauthenticate/",
        allauth_views.reauthenticate,
        name="account_reauthenticate",
    ),
    # Second factor: authenticator app, security keys and recovery codes
    # (settings.MFA_SUPPORTED_TYPES). A key's removal first goes through our check (a role
    # that must keep a second factor keeps its last one); same path and name as allauth's.
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        accounts_views.webauthn_remove,
        name="mfa_remove_webauthn",
    ),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("team/", include("lexcase.accounts.urls")),
    path(
        "matters/",
        include((matters_urls.urlpatterns + web_urls.matter_urlpatterns, matters_urls.app_name)),
    ),
    path(
        "parties/",
        include((party_urls.urlpatterns + web_urls.party_urlpatterns, party_urls.app_name)),
    ),
    path("", include("lexcase.calendar.urls")),
    path("", include("lexcase.comms.urls")),  # notifications/, communications/
    path("", include("lexcase.notifications.urls")),  # notifications/robots/
    path("", include("lexcase.conflicts.urls")),
    path("", include("lexcase.todos.urls")),
    path("", include("lexcase.documents.urls")),
    path("", include("lexcase.search.urls")),
    path("portal/", include("lexcase.portal.urls")),
    path("", include("lexcase.collab.urls")),  # collab/, tasks/<pk>/helpers/
    path("portal/", include("lexcase.reviews.portal_urls")),  # the client's survey
    path("", include("lexcase.reviews.urls")),
    path("", include("lexcase.billing.urls")),  # money pages (billing/urls/)
    path("", include("lexcase.insights.urls")),  # insights/, matters/<pk>/outcome-stats/
    path("", include("lexcase.papers.urls")),  # papers/templates/, matters/<pk>/papers/
    path("api/v1/", api.urls),
]
