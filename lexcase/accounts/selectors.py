"""Reads of users."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from lexcase.accounts.models import (
    STAFF_ROLES,
    ApiToken,
    FirmProfile,
    PracticeArea,
    Role,
    Team,
    User,
)
from lexcase.accounts.rules import (
    FEE_EARNER_ROLES,
    LEAD_LAWYER_ROLES,
    MATTER_WORKER_ROLES,
    RESPONSIBLE_PARTNER_ROLES,
)
from lexcase.core.fixedsql import fixed_first


def active_user_named(username: str | None, *, field: str) -> User | None:
    """The active user with this username (None for an empty one); a ValidationError on
    `field` when there is none, so API input naming a user fails with a clear message."""
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True, role__in=STAFF_ROLES).first()
    if user is None:
        raise ValidationError({field: [_("No active user “%(u)s”.") % {"u": username}]})
    return user


def active_staff() -> QuerySet[User]:
    """People who can be put on a matter, a task or a hearing: never a portal client."""
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES)


def active_collaborators() -> QuerySet[User]:
    """Outside helpers a lawyer may invite to tasks (accounts an administrator created)."""
    return User.objects.filter(is_active=True, role=Role.COLLABORATOR).order_by("name", "username")


def firm_profile() -> FirmProfile:
    """The firm's profile (an unsaved empty one until an administrator saves it)."""
    # A fixed read (core.fixedsql): every page's header asks.
    return fixed_first("accounts.firm_profile", lambda: FirmProfile.objects.filter(pk=1)) or (
        FirmProfile(pk=1)
    )


def lead_lawyer_candidates() -> QuerySet[User]:
    """Active users who may lead a matter (the lead lawyer's choices)."""
    return User.objects.filter(is_active=True, role__in=LEAD_LAWYER_ROLES)


def responsible_partner_candidates() -> QuerySet[User]:
    """Active users who may be a matter's responsible partner."""
    return User.objects.filter(is_active=True, role__in=RESPONSIBLE_PARTNER_ROLES)


def fee_earners() -> QuerySet[User]:
    """Active lawyers and partners: the people whose load the workload page weighs."""
    return User.objects.filter(is_active=True, role__in=FEE_EARNER_ROLES)


def matter_workers() -> QuerySet[User]:
    """Active staff who work on matters (everyone but finance)."""
    return User.objects.filter(is_active=True, role__in=MATTER_WORKER_ROLES)


def token_revocable_by(*, actor: User, pk: int) -> ApiToken | None:
    """A token the actor may revoke: their own, or anyone's for an administrator; None
    (a 404) otherwise, so nobody learns which token ids exist."""
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or not actor.has_perm("accounts.revoke_token", token):
        return None
    return token


def live_tokens_of_others(*, actor: User) -> QuerySet[ApiToken]:
    """Every other user's unrevoked tokens, for an administrator; none for anyone else."""
    if not actor.has_perm("accounts.list_all_tokens"):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.select_related("user")
        .filter(revoked_at__isnull=True)
        .exclude(user=actor)
        .order_by("user__username", "-created_at")
    )


def teams_with_members() -> QuerySet[Team]:
    """The firm's teams, each with its active members (`team.members`), by name."""
    members = Prefetch(
        "user_set", queryset=active_staff().order_by("name", "username"), to_attr="members"
    )
    return Team.objects.order_by("name").prefetch_related(members)


def practice_areas_with_members() -> QuerySet[PracticeArea]:
    """The practice areas, each with the active staff who practise it (`area.members`)."""
    members = Prefetch(
        "user_set", queryset=active_staff().order_by("name", "username"), to_attr="members"
    )
    return PracticeArea.objects.order_by("name").prefetch_related(members)
