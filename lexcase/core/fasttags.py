"""`{% url %}`, `{% translate %}` and `{% static %}` with less work per call, the same text.

The matter page renders about 50 `{% url %}` and 100 `{% translate %}` tags. Django's
`reverse()` walks the resolver's possibilities, builds the candidate, checks it against the
pattern's regex and quotes it, looking up the language, the URL conf and the script prefix
(thread-and-task locals) several times on the way: on the matter page ≈ 3.5 of its ≈ 30 ms
(issue 15 item 3). A literal `{% translate "…" %}` makes a lazy string, evaluates it and
escapes it: ≈ 2.5 ms for the page's hundred.

- `url` (a builtin, settings.TEMPLATES, so every template has it without `{% load %}`):
  the URL of a (view name, arguments) is kept once computed, keyed also on everything
  `reverse()` reads besides them (the URL conf, the script prefix, the language, the
  current app). What is kept is a pure function of that key (a path built from the route
  and the arguments the template passed), not data read for a user: whoever asks with the
  same key is handed the string their own `reverse()` would have built. Only arguments
  that are plain `int` or `str` are keyed (a model instance's `str()` could change, a lazy
  string could translate differently); anything else is reversed as Django does. A failed
  lookup is not kept. The memo is cleared when it reaches `_URLS_MAX` entries (matter pks
  make the key space grow with use).
- `translate` / `trans` (the `i18n` library, settings.TEMPLATES `libraries`, so `{% load
  i18n %}` loads this one): a literal message without filters, context or `noop` is
  translated directly (`gettext` of the same msgid, the same percent handling, marked safe
  as Django marks a literal) and kept per (language, msgid): the catalog's text, the same
  for every reader; every other form is Django's own node.

- `static` (the `static` library, settings.TEMPLATES `libraries`): the URL of a path is kept
  per (path, STATIC_URL, storage backend, DEBUG) for Django's plain and manifest storages,
  whose URL is a function of those alone; any other storage is asked as Django asks it.

`lexcase/core/tests/test_fasttags.py` renders each form beside Django's own tags.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.template.base import Node, Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.templatetags import i18n as django_i18n
from django.templatetags import static as django_static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

register = Library()

# (view name, arguments, what reverse() reads besides them) -> (URL, URL escaped).
_URLS: dict[tuple[Any, ...], tuple[str, str]] = {}
_URLS_MAX = 20_000
_KEYED = (int, str, SafeString)


# What reverse() reads besides its arguments (and the current app, from the request), read
# once per template rendered (its render context: an included template starts a new one;
# `{% language %}` drops it, see below).
_ENV = "lexcase.core.fasttags:url-env"


def reverse_env() -> tuple[Any, ...]:
    """What reverse() reads besides its arguments and the current app, for a key of what it
    returned: the URL conf set for this thread (a request's, or one a middleware set as
    `request.urlconf`), else settings.ROOT_URLCONF (outside a request, and under
    `@override_settings(ROOT_URLCONF=...)`, where the thread has none), and the script
    prefix."""
    return (get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())


def _env(context: Context) -> tuple[Any, ...]:
    env = context.render_context.get(_ENV)
    if env is None:
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None and not hasattr(request, "current_app"):
            match = getattr(request, "resolver_match", None)
            current_app = getattr(match, "namespace", None)
        env = (current_app, *reverse_env(), get_language())
        context.render_context[_ENV] = env
    return env


class MemoURLNode(URLNode):
    """Django's URLNode.render, with the URL kept for plain arguments."""

    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        env = _env(context)
        current_app = env[0]
        key = None
        if (
            type(view_name) in _KEYED
            and all(type(a) in _KEYED for a in args)
            and all(type(v) in _KEYED for v in kwargs.values())
        ):
            key = (view_name, tuple(args), tuple(sorted(kwargs.items())), env)
            kept = _URLS.get(key)
            if kept is not None:
                url, escaped = kept
                if self.asvar:
                    context[self.asvar] = url
                    return ""
                return escaped if context.autoescape else url
        url = ""
        try:
            url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        else:
            if key is not None:
                if len(_URLS) >= _URLS_MAX:
                    _URLS.clear()
                _URLS[key] = (url, conditional_escape(url))
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> Node:
    node = django_url(parser, token)
    return MemoURLNode(node.view_name, node.args, node.kwargs, node.asvar)


# The i18n library: Django's tags and filters, with `translate` / `trans` below.
i18n = Library()
i18n.tags.update(django_i18n.register.tags)
i18n.filters.update(django_i18n.register.filters)


# (language, the template's literal msgid) -> its translation: the catalogs' text, the same
# for every reader; dropped when the settings that choose the catalogs change (tests).
_MESSAGES: dict[tuple[str | None, str], SafeString] = {}


@receiver(setting_changed)
def _catalogs_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        _MESSAGES.clear()


class LiteralTranslateNode(django_i18n.TranslateNode):
    """Django's TranslateNode; a literal without filters, context or noop skips the lazy
    string: Django's render resolves the literal (a safe string, percent signs doubled) to
    `gettext_lazy(msgid)`, renders it (`str()`, a safe string is not escaped) and halves the
    percent signs again, marking the result safe."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fe = self.filter_expression
        literal = getattr(fe.var, "literal", None) if fe.is_var else None
        self.msgid: SafeString | None = None
        if (
            not self.noop
            and self.message_context is None
            and not fe.filters
            and isinstance(literal, str)
            and getattr(fe.var, "lookups", None) is None
        ):
            # The template's own literal, as Django's Variable marks it.
            self.msgid = mark_safe(literal.replace("%", "%%"))  # noqa: S308

    def render(self, context: Context) -> str:
        if self.msgid is None:
            return super().render(context)
        key = (_env(context)[4], self.msgid)
        value = _MESSAGES.get(key)
        if value is None:
            # A literal's translation is safe for Django too (gettext of a safe msgid).
            value = mark_safe(gettext(self.msgid).replace("%%", "%"))  # noqa: S308
            if len(_MESSAGES) >= _URLS_MAX:
                _MESSAGES.clear()
            _MESSAGES[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


class LanguageNode(django_i18n.LanguageNode):
    """`{% language %}`: the URLs inside are reversed under its language."""

    def render(self, context: Context) -> str:
        context.render_context.dicts[-1].pop(_ENV, None)
        try:
            return super().render(context)
        finally:
            context.render_context.dicts[-1].pop(_ENV, None)


@i18n.tag
def language(parser: Parser, token: Token) -> Node:
    node = django_i18n.language(parser, token)
    return LanguageNode(node.nodelist, node.language)


@i18n.tag("translate")
@i18n.tag("trans")
def translate(parser: Parser, token: Token) -> Node:
    node = django_i18n.do_translate(parser, token)
    if type(node) is not django_i18n.TranslateNode:
        return node
    return LiteralTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


# The static library (settings.TEMPLATES `libraries`, so `{% load static %}` loads this one):
# Django's tags, with `{% static %}` through `static_url` below.
static_library = Library()
static_library.tags.update(django_static.register.tags)
static_library.filters.update(django_static.register.filters)

# The static files storages whose URL for a path is a function of the path, STATIC_URL (the
# script prefix included, as settings hand it out) and DEBUG alone, fixed for the process:
# Django's plain storage (STATIC_URL + the quoted path) and its manifest storage (the hashed
# name from the manifest read when the storage is built).
_PURE_STATIC = frozenset(
    {
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    }
)
# (path, STATIC_URL, storage backend, DEBUG) -> the URL Django's static() gave.
_STATIC: dict[tuple[Any, ...], str] = {}


@receiver(setting_changed)
def _static_changed(**kwargs: Any) -> None:
    _STATIC.clear()


def static_url(path: str) -> str:
    """`django.templatetags.static.static(path)`, kept per path for the storages of
    `_PURE_STATIC` (≈ 20 µs a call through the storage, every page's stylesheet and script
    tags: docs/benchmarks.md, "Matter list and q="); any other storage (one that signs its
    URLs, say) is asked every time."""
    storages: Any = settings.STORAGES
    backend = storages["staticfiles"]["BACKEND"]
    if backend not in _PURE_STATIC or type(path) is not str:
        return django_static.static(path)
    key = (path, settings.STATIC_URL, backend, settings.DEBUG)
    url = _STATIC.get(key)
    if url is None:
        url = django_static.static(path)
        if len(_STATIC) >= _URLS_MAX:
            _STATIC.clear()
        _STATIC[key] = url
    return url


class MemoStaticNode(django_static.StaticNode):
    """Django's StaticNode (`as` variable, autoescape), the URL from `static_url`."""

    def url(self, context: Context) -> str:
        return static_url(self.path.resolve(context))


@static_library.tag
def static(parser: Parser, token: Token) -> Node:
    node = django_static.StaticNode.handle_token(parser, token)
    return MemoStaticNode(node.varname, node.path)
