"""The shell's main menu (base.html), rendered once per language and set of permissions.

Through the template engine the menu cost ≈ 1.5–2 ms a page (17 `{% url %}`, ≈ 20
`{% translate %}` and a dozen `perms.*` checks, each a node), about half of the layout that
every page pays (docs/benchmarks.md, "Matter list and q="). The menu's text is a function
of the active language, the URL prefix and URL conf, and which of the menu's
permissions the reader holds, nothing else (no name, no count, no matter): the HTML is kept
per combination of those answers, so a reader is only ever served the menu their own
permissions draw.

The answers themselves are kept per what the menu's predicates read of the reader (`_granted`):
the role, the active flag and Django's superuser shortcut, from the user row read for this
very request, and settings (LEXCASE_CONFLICT_CHECK_ROLES). A role changed or an account
deactivated draws its new menu on the next page; a settings change (tests) drops them. Under
the tests (settings.LEXCASE_CHECK_FIXED_SQL, as core.fixedsql) every kept answer is asked of
the predicates again and must be equal, so a menu predicate that came to read anything else
fails any test whose reader differs in it instead of showing one reader another's links."""

from __future__ import annotations

import threading
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop
from django_htmx.jinja import htmx_script as django_htmx_script

from lexcase.core.fasttags import reverse_env, static_url

register = template.Library()

# Bills and receivables: who records payments, and administrators.
BILLING = ("billing.record_payment", "accounts.manage_users")
# (URL name, label, the permissions of which any one shows it; () = every signed-in user).
# The labels are msgids, translated when a menu is drawn.
MENU: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("home", gettext_noop("Dashboard"), ()),
    ("calendar:agenda", gettext_noop("Today"), ()),
    ("todos:my_tasks", gettext_noop("Tasks"), ()),
    ("matters:list", gettext_noop("Matters"), ()),
    ("parties:list", gettext_noop("Parties"), ()),
    ("comms:list", gettext_noop("Communications"), ()),
    ("search:search", gettext_noop("Search"), ()),
    ("billing:timesheet", gettext_noop("Timesheet"), ("billing.keep_timesheet",)),
    ("billing:money_matters", gettext_noop("Money of matters"), ("billing.view_client_funds",)),
    ("billing:bill_list", gettext_noop("Bills"), BILLING),
    ("billing:receivable_list", gettext_noop("Receivables"), BILLING),
    ("todos:workload", gettext_noop("Workload"), ("todos.view_workload",)),
    ("reviews:approvals", gettext_noop("Approvals"), ("reviews.view_approvals",)),
    ("insights:firm", gettext_noop("Insights"), ("insights.view_firm",)),
    ("conflicts:check", gettext_noop("Conflict check"), ("conflicts.check_adhoc",)),
    ("accounts:users", gettext_noop("Users"), ("accounts.manage_users",)),
    ("calendar:holidays", gettext_noop("Holidays"), ("calendar.manage_holidays",)),
    ("accounts:tokens", gettext_noop("API tokens"), ()),
)
# The firm's insights for those who manage the firm, else their own (one menu entry).
PERSONAL_INSIGHTS = ("insights:mine", "insights.view_personal")
PERMS = tuple(sorted({p for _n, _l, perms in MENU for p in perms} | {PERSONAL_INSIGHTS[1]}))

_cache: dict[tuple[Any, ...], SafeString] = {}
_lock = threading.Lock()


def _render(granted: frozenset[str]) -> SafeString:
    links = []
    for name, label, perms in MENU:
        if name == "insights:firm" and not granted & set(perms):
            if PERSONAL_INSIGHTS[1] in granted:
                name = PERSONAL_INSIGHTS[0]
            else:
                continue
        elif perms and not granted & set(perms):
            continue
        links.append(f'<a href="{escape(reverse(name))}">{escape(gettext(label))}</a>')
    return mark_safe('<nav class="nav">\n    ' + "\n    ".join(links) + "\n  </nav>")  # noqa: S308 -- escaped above


# (user class, signed in, active, superuser, role) -> the menu's permissions granted.
_granted_cache: dict[tuple[Any, ...], frozenset[str]] = {}


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    _granted_cache.clear()


def _granted(user: Any) -> frozenset[str]:
    """Which of PERMS the reader holds: the predicates' answers, kept per what they read of
    the reader (module doc)."""
    key = (
        type(user),
        bool(user.is_authenticated),
        bool(getattr(user, "is_active", False)),
        bool(getattr(user, "is_superuser", False)),
        getattr(user, "role", None),
    )
    granted = _granted_cache.get(key)
    if granted is None or settings.LEXCASE_CHECK_FIXED_SQL:
        asked = frozenset(p for p in PERMS if user.has_perm(p))
        if granted is not None and asked != granted:
            raise AssertionError(
                f"main_nav: the menu's permissions kept for {key!r} are {sorted(granted)}, "
                f"the predicates now answer {sorted(asked)} (a menu predicate reads more of "
                "the reader than the key holds)"
            )
        granted = asked
        with _lock:
            if len(_granted_cache) > 256:
                _granted_cache.clear()
            _granted_cache[key] = granted
    return granted


@register.simple_tag(takes_context=True)
def main_nav(context: Any) -> SafeString:
    granted = _granted(context["user"])
    # The URL conf too when the thread has none set (outside a request): reverse() then takes
    # settings.ROOT_URLCONF, which the thread's None alone did not tell apart.
    key = (get_language(), *reverse_env(), granted)
    html = _cache.get(key)
    if html is None:
        html = _render(granted)
        with _lock:
            # Bounded: languages × prefixes × answers of the menu's predicates (roles).
            if len(_cache) > 256:
                _cache.clear()
            _cache[key] = html
    return html


@register.simple_tag(takes_context=True)
def language_switch(context: Any) -> SafeString:
    """`{% include "_language_switch.html" %}` as the include rendered it (the form to the
    other language, every page's header): the include, its `{% for %}`, `{% if %}`s and
    `get_available_languages` cost ≈ 0.2 ms a page through the engine (docs/benchmarks.md,
    "Matter list and q="). The same text: the CSRF field is Django's own node's, the path
    and codes escaped as the template escaped them; `LANGUAGE_CODE` is the including
    template's."""
    request = context.get("request")
    path = escape(request.get_full_path()) if request is not None else ""
    current = context.get("LANGUAGE_CODE")
    buttons = "".join(
        f'\n      <button class="link" name="language" value="{escape(code)}">'
        f"{'English' if code == 'en' else '中文'}</button>\n      "
        for code, _name in settings.LANGUAGES
        if code != current
    )
    return mark_safe(  # noqa: S308 -- every value is escaped
        f'<form action="{escape(reverse("set_language"))}" method="post" class="inline">\n'
        f"      {CsrfTokenNode().render(context)}\n"
        f'      <input name="next" type="hidden" value="{path}">\n'
        f"      \n      {buttons}\n    </form>\n"
    )


# django-htmx's `{% htmx_script %}` as base.html calls it (htmx 2, minified, no extension).
HTMX_SCRIPT = "django_htmx/htmx-2.min.js"


@register.simple_tag(takes_context=True)
def htmx_script(context: Any) -> SafeString:
    """django-htmx's `{% htmx_script %}` (its default arguments) as it renders it, the
    script's URL kept (`fasttags.static_url`): through django-htmx, its checks and the
    static files storage cost ≈ 30 µs a page. With DEBUG, django-htmx's own (it adds its
    debug script)."""
    nonce = context.get("csp_nonce")
    if settings.DEBUG:
        return django_htmx_script(nonce=nonce)
    src = escape(static_url(HTMX_SCRIPT))
    if nonce is None:
        return mark_safe(f'<script src="{src}" defer></script>')  # noqa: S308 -- escaped
    return mark_safe(f'<script src="{src}" defer nonce="{escape(nonce)}"></script>')  # noqa: S308 -- escaped
