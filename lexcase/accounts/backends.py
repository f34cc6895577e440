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

from django.core.exceptions import PermissionDenied


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
