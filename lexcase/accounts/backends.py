"""Permissions come from the `rules` predicates only (docs/architecture.md, "One permission
dialect"): nothing grants Django's model permissions (no admin site, no `user_permissions`,
no groups), so asking a `ModelBackend` (allauth's) after a predicate said no can only answer no,
and it costs two queries (`auth_permission` joined to the user's and the groups' links) on
every page whose menu asks `perms.<app>.<action>` for an action the user may not take.

`PredicatesOnly` sits right after `rules.permissions.ObjectPermissionBackend` in
`AUTHENTICATION_BACKENDS` and raises `PermissionDenied` for every permission question:
Django stops asking the backends after it, so a predicate's "no" is final. It authenticates
nobody and has no `get_user`, so sign-in (allauth's backend) and the session's backend are
unchanged, and the test client's `force_login` still picks allauth's backend."""

from __future__ import annotations

from typing import Any, NoReturn

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth import get_user_model, load_backend
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from lexcase.core.fixedsql import fixed_first


class PredicatesOnly:
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> NoReturn:
        raise PermissionDenied

    def has_module_perms(self, user_obj: Any, app_label: str) -> NoReturn:
        raise PermissionDenied

    # Django's async checks skip the rules backend (it has no async methods) and would ask
    # ModelBackend alone: the same "no" as the sync path, without its queries.
    async def ahas_perm(self, user_obj: Any, perm: str, obj: Any = None) -> NoReturn:
        raise PermissionDenied

    async def ahas_module_perms(self, user_obj: Any, app_label: str) -> NoReturn:
        raise PermissionDenied


class SignIn(AuthenticationBackend):
    """allauth's backend (sign-in by username or e-mail, its timing-attack mitigation and
    stash, all unchanged) whose `get_user`, run on every request to load the signed-in
    user from the session's id, is a fixed read (core.fixedsql): the same row Django's
    `ModelBackend.get_user` reads with `User._default_manager.get(pk=...)`, and the same
    answer (None for a missing or inactive user), without the ORM building and compiling
    that query each time (≈ 0.7 ms a page; docs/benchmarks.md, "Matter list and q=")."""

    def get_user(self, user_id: Any) -> Any:
        if type(user_id) is not int:
            return super().get_user(user_id)
        user = fixed_first(("accounts.session_user",), _user_by_pk, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_by_pk(pk: int) -> QuerySet[Any]:
    return get_user_model()._default_manager.filter(pk=pk)


# The permission backends of AUTHENTICATION_BACKENDS, built once per list of paths:
# Django's `_user_has_perm` builds every backend (`import_string(path)()`) on every
# `has_perm` call, ≈ 40 µs a question; a matter page asks about 25. The backends keep no
# state of their own (a ModelBackend's permission cache lives on the user object).
_PERMISSION_BACKENDS: tuple[tuple[str, ...], tuple[Any, ...]] = ((), ())


def permission_backends() -> tuple[Any, ...]:
    global _PERMISSION_BACKENDS
    paths = tuple(settings.AUTHENTICATION_BACKENDS)
    loaded = _PERMISSION_BACKENDS
    if loaded[0] != paths:
        backends = tuple(b for b in (load_backend(p) for p in paths) if hasattr(b, "has_perm"))
        loaded = _PERMISSION_BACKENDS = (paths, backends)
    return loaded[1]


def user_has_perm(user: Any, perm: str, obj: Any = None) -> bool:
    """Django's `_user_has_perm` (the backends in order; a `PermissionDenied` ends the
    question with no), with the backends built once (permission_backends)."""
    for backend in permission_backends():
        try:
            if backend.has_perm(user, perm, obj):
                return True
        except PermissionDenied:
            return False
    return False
