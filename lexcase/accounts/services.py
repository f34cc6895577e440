"""Writes for accounts: users and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lexcase.accounts.events import credentials_reset
from lexcase.accounts.models import (
    ApiToken,
    FirmProfile,
    PracticeArea,
    Role,
    Team,
    TokenScope,
    User,
    new_session_stamp,
)
from lexcase.accounts.rules import mfa_required_for
from lexcase.accounts.selectors import firm_profile
from lexcase.audit.services import audit_record
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.core.validators import unstorable_message

log = logging.getLogger(__name__)

TOKEN_PREFIX = "lxc_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    name: str = "",
    email: str = "",
    team: Team | None = None,
    actor: User | None = None,
) -> User:
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("This field is required.")]
    elif unstorable_message(username):
        errors["username"] = [unstorable_message(username) or ""]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("A user with this username already exists.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown role “%(role)s”.") % {"role": role}]
    user = User(username=username, role=role, name=name, email=email, team=team)
    # What the users page's form checks, for every caller (the createuser command passed a
    # 200-character or NUL-bearing name on to the database: an error on PostgreSQL).
    for field in ("username", "name", "email"):
        problem = unstorable_message(getattr(user, field))
        if problem and field not in errors:
            errors[field] = [problem]
    try:
        user.clean_fields(exclude=["password", "role", "team", "last_login", "date_joined"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_superuser = False
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, data={"role": role})
    return user


def _tokens_revoke_all(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: User | None) -> User:
    """Deactivating also ends the user's sessions and revokes their API tokens, so that a
    later reactivation does not bring old cookies or tokens back to life."""
    user.is_active = active
    fields = ["is_active"]
    data: dict[str, int] = {}
    if not active:
        user.session_stamp = new_session_stamp()
        fields.append("session_stamp")
        data["tokens_revoked"] = _tokens_revoke_all(user)
    user.save(update_fields=fields)
    if not active:
        credentials_reset.send(sender=User, user=user, actor=actor, why="deactivated")
    audit_record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        data=data,
    )
    return user


@transaction.atomic
def user_anonymise(*, user: User, reason: str) -> User:
    """Clear what an account says about its person (name, e-mail, login name) and close it
    for good: no password, sessions ended, tokens revoked. For accounts of people outside
    the firm whose data passed its retention (a client's portal contacts); audited without
    the old values."""
    user.name = f"（已匿名化 {user.pk}）"
    user.first_name = user.last_name = user.email = ""
    user.username = f"anonymised-{user.pk}"
    user.set_unusable_password()
    user.is_active = False
    user.session_stamp = new_session_stamp()
    user.save()
    revoked = _tokens_revoke_all(user)
    audit_record(
        actor=None,
        username="retention",
        action="user.anonymise",
        obj=user,
        data={"reason": reason, "tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def user_sessions_end(*, user: User, actor: User) -> User:
    """End every session of `user` at once (any session backend): a new security stamp."""
    if not actor.has_perm("accounts.end_sessions", user):
        raise NotAllowed("accounts.end_sessions")
    user.session_stamp = new_session_stamp()
    user.save(update_fields=["session_stamp"])
    audit_record(actor=actor, action="user.sessions_end", obj=user)
    return user


@transaction.atomic
def user_password_set(*, user: User, password: str, actor: User | None) -> int:
    """Set a new password: every other session of the user ends and their API tokens are
    revoked (a leaked password may have minted them). Audited, never with the password.
    Returns how many tokens were revoked. The caller keeps its own session with
    `update_session_auth_hash` when the user changed their own password."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from None
    user.set_password(password)
    user.session_stamp = new_session_stamp()
    user.save(update_fields=["password", "session_stamp"])
    revoked = _tokens_revoke_all(user)
    credentials_reset.send(sender=User, user=user, actor=actor, why="password")
    own = actor is not None and actor.pk == user.pk
    audit_record(
        actor=actor,
        action="user.password_change",
        obj=user,
        data={"by": "self" if own else "admin", "tokens_revoked": revoked},
    )
    # The owner hears of every change (a change they did not make is how a stolen session
    # or mailbox shows), after the commit so a rolled-back change mails nothing. In the
    # language of the page that changed it: theirs on a self-service change or a reset.
    transaction.on_commit(
        partial(
            _user_mail,
            user_id=user.pk,
            template="password_changed",
            language=translation.get_language() or settings.LANGUAGE_CODE,
            context={"tokens_revoked": revoked},
        ),
        robust=True,
    )
    return revoked


def _user_mail(*, user_id: int, template: str, language: str, context: dict[str, Any]) -> bool:
    """Mail one user `accounts/email/<template>_subject.txt` and `_message.txt` in
    `language` (the firm's, Chinese, unless theirs is another). A user without an address
    gets nothing; a mail failure is logged, never shown (the change itself stands)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    with translation.override(language):
        context = {"user": user, "firm": firm_profile().display_name, **context}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}_message.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except OSError:
        log.exception("%s e-mail to user %s failed", template, user.pk)
        return False
    return True


@transaction.atomic
def user_second_factor_reset(*, user: User, actor: User, reason: str) -> dict[str, int]:
    """An administrator removes `user`'s second factor (a lost or replaced phone): every
    authenticator app, security key and their recovery codes (allauth's Authenticator rows)
    go, and every session of the user ends, so they sign in again and — when their role
    must have a second factor — are sent to enrol a new one before anything else
    (MfaEnrolmentMiddleware). The reason is required and audited with who and whom; the
    user is told by mail. Returns how many of each type were removed."""
    if not actor.has_perm("accounts.reset_second_factor", user):
        raise NotAllowed("accounts.reset_second_factor")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the second factor is reset.")]})
    authenticators = Authenticator.objects.select_for_update().filter(user=user)
    removed: dict[str, int] = {}
    for kind in authenticators.values_list("type", flat=True):
        removed[kind] = removed.get(kind, 0) + 1
    authenticators.delete()
    user.session_stamp = new_session_stamp()
    user.save(update_fields=["session_stamp"])
    credentials_reset.send(sender=User, user=user, actor=actor, why="second_factor")
    audit_record(
        actor=actor,
        action="user.second_factor_reset",
        obj=user,
        data={"reason": reason, "removed": dict(sorted(removed.items()))},
    )
    transaction.on_commit(
        partial(
            _user_mail,
            user_id=user.pk,
            template="second_factor_reset",
            # The administrator's page language says nothing of the user's: the firm's.
            language=settings.LANGUAGE_CODE,
            context={"actor": actor.display_name, "required": mfa_required_for(user)},
        ),
        robust=True,
    )
    return removed


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str = "default",
    scope: str = TokenScope.WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the raw secret is returned once and never stored. It expires after
    `days` (LEXCASE_API_TOKEN_DAYS when None)."""
    if scope not in TokenScope.values:
        raise ValidationError({"scope": [_("Unknown scope “%(s)s”.") % {"s": scope}]})
    days = settings.LEXCASE_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.LEXCASE_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": [
                    _("Between 1 and %(max)d days.") % {"max": settings.LEXCASE_API_TOKEN_MAX_DAYS}
                ]
            }
        )
    name = name.strip() or "default"
    limit = ApiToken._meta.get_field("name").max_length or 0
    problem = unstorable_message(name) or (
        _("The name has %(n)d characters; at most %(max)d.") % {"n": len(name), "max": limit}
        if len(name) > limit
        else None
    )
    if problem:
        # The token command passed any name on to the database (the page's form limits it).
        raise ValidationError({"name": [problem]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        token_hash=hash_token(raw),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(actor=user, action="token.create", obj=token, data={"scope": scope, "days": days})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """The owner or an administrator (accounts.revoke_token) revokes a token."""
    if not actor.has_perm("accounts.revoke_token", token):
        raise NotAllowed("accounts.revoke_token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="token.revoke",
            obj=token,
            data={
                "owner": token.user.username,
                "by": "self" if actor.pk == token.user_id else "admin",
            },
        )
    return token


@dataclass(frozen=True)
class TokenGrant:
    user: User
    scope: str


def api_token_authenticate(raw: str) -> TokenGrant | None:
    """The user and scope of a live token: not revoked, not expired, its user active."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Touch at most once a minute so a busy API client does not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenGrant(user=token.user, scope=token.scope)


FIRM_PROFILE_FIELDS = (
    "name",
    "address",
    "licence_number",
    "phone",
    "email",
    "website",
    "bank_name",
    "bank_account_name",
    "bank_account",
    "sole_partner_self_review",
)
LOGO_MAX_BYTES = 256 * 1024
_LOGO_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _logo_type(data: bytes) -> str:
    # Judged by content, not by the name or the browser's claim: an SVG or HTML file
    # named logo.png would run as a page where the logo is served.
    for magic, content_type in _LOGO_MAGIC.items():
        if data.startswith(magic):
            return content_type
    return ""


@transaction.atomic
def firm_profile_update(
    *,
    actor: User,
    version: int,
    logo: bytes | None = None,
    remove_logo: bool = False,
    **fields: object,
) -> FirmProfile:
    """Save the firm's profile. `version` is what the editor loaded: a stale one is refused
    (two administrators editing at once never overwrite each other silently)."""
    if not actor.has_perm("accounts.change_firmprofile"):
        raise NotAllowed("accounts.change_firmprofile")
    unknown = sorted(set(fields) - set(FIRM_PROFILE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    profile, _created = FirmProfile.objects.select_for_update().get_or_create(pk=1)
    if profile.version != version:
        raise StaleEdit
    for name, value in fields.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    if logo is not None:
        if len(logo) > LOGO_MAX_BYTES:
            raise ValidationError({"logo": [_("The logo may be at most 256 KB.")]})
        content_type = _logo_type(logo)
        if not content_type:
            raise ValidationError({"logo": [_("The logo must be a PNG or JPEG image.")]})
        profile.logo, profile.logo_type = logo, content_type
    elif remove_logo:
        profile.logo, profile.logo_type = b"", ""
    profile.full_clean(exclude=["logo"])
    profile.version += 1
    profile.save()
    audit_record(
        actor=actor,
        action="firm.profile_update",
        obj=profile,
        data={"fields": sorted(fields), "logo": logo is not None or remove_logo},
    )
    return profile


@transaction.atomic
def user_login_unlock(*, user: User, actor: User, request: Any) -> User:
    """Clear the failed sign-in counter of `user`'s account (a locked-out colleague on the
    phone); audited. The per-IP counter is left alone: it protects every account."""
    # adapters imports this module at load time: importing it here avoids the cycle.
    from allauth.core import ratelimit

    from lexcase.accounts.adapters import login_attempts_key

    if not actor.has_perm("accounts.unlock_login", user):
        raise NotAllowed("accounts.unlock_login")
    ratelimit.clear(request, action="login_failed", key=login_attempts_key(user.username))
    audit_record(actor=actor, action="user.login_unlock", obj=user)
    return user


def _password_reset_users(email: str) -> list[User]:
    # Active accounts with a usable password whose address is this one, case aside (allauth's
    # own lookup compares the stored address exactly and would miss "Wang@Firm.cn").
    return [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk")
        if user.has_usable_password()
    ]


def password_reset_request(*, email: str, base_url: str, language: str) -> None:
    """Someone asked for a password reset link for `email`. The request does the same work
    whether the address belongs to an account or not — one lookup, one audit event, one
    queued task — so neither the answer nor its timing says which; the task finds the
    accounts again and mails each its link (nothing goes to an unknown address)."""
    # Here, not at the top: the task module imports this one.
    from lexcase.accounts.tasks import password_reset_mail_task

    users = _password_reset_users(email)
    audit_record(
        actor=None,
        action="user.password_reset_request",
        obj=users[0] if len(users) == 1 else None,
        data={"accounts": [user.pk for user in users]},
    )
    password_reset_mail_task.enqueue(email, base_url, language)


def password_reset_mail(*, email: str, base_url: str) -> int:
    """Mail each account with this address its one-time reset link (valid
    settings.PASSWORD_RESET_TIMEOUT seconds, used up by the new password). A mail failure is
    logged, never shown: the page already gave everyone the same answer. Returns how many
    links were sent."""

    sent = 0
    firm = firm_profile().display_name
    for user in _password_reset_users(email):
        key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        context = {
            "user": user,
            "firm": firm,
            "link": base_url.rstrip("/") + path.replace("UID-KEY", key),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        subject = render_to_string("accounts/email/password_reset_subject.txt", context)
        body = render_to_string("accounts/email/password_reset_message.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [user.email])
        except OSError:
            log.exception("password reset e-mail to user %s failed", user.pk)
            continue
        audit_record(actor=None, action="user.password_reset_mail", obj=user)
        sent += 1
    return sent


def password_reset_throttled() -> None:
    """A reset request refused by the rate limit (per address or per IP), audited like a
    refused sign-in; the address is not recorded."""
    audit_record(actor=None, action="user.password_reset_throttled")


def _members_set(*, current: set[int], wanted: set[int]) -> tuple[set[int], set[int]]:
    return wanted - current, current - wanted


def _usernames(ids: set[int]) -> list[str]:
    return sorted(User.objects.filter(pk__in=ids).values_list("username", flat=True))


@transaction.atomic
def team_save(*, actor: User, name: str, members: list[User], team: Team | None = None) -> Team:
    """Create a team (`team` None) or rename it, and make `members` exactly its members (a
    member of another team moves here: a user is in one team). Audited with who joined and
    who left."""
    if not actor.has_perm("accounts.manage_organisation"):
        raise NotAllowed("accounts.manage_organisation")
    name = name.strip()
    clash = Team.objects.filter(name=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if not name or clash.exists():
        raise ValidationError({"name": [_("A team with this name already exists.")]})
    created = team is None
    if team is None:
        team = Team(name=name)
    old_name = team.name
    team.name = name
    team.save()
    current = set(User.objects.filter(team=team).values_list("pk", flat=True))
    added, removed = _members_set(current=current, wanted={u.pk for u in members})
    User.objects.filter(pk__in=added).update(team=team)
    User.objects.filter(pk__in=removed).update(team=None)
    audit_record(
        actor=actor,
        action="team.create" if created else "team.update",
        obj=team,
        data={
            "name": name,
            **({} if created or old_name == name else {"old_name": old_name}),
            "added": _usernames(added),
            "removed": _usernames(removed),
        },
    )
    return team


@transaction.atomic
def practice_area_save(
    *, actor: User, code: str, name: str, members: list[User], area: PracticeArea | None = None
) -> PracticeArea:
    """Create a practice area (`area` None) or rename it, and make `members` exactly the
    people who practise it (lead-lawyer suggestions rank by it). The code is fixed once
    created (filters and the import name it). Audited with who joined and who left."""
    if not actor.has_perm("accounts.manage_organisation"):
        raise NotAllowed("accounts.manage_organisation")
    name = name.strip()
    errors: dict[str, list[str]] = {}
    same_name = PracticeArea.objects.filter(name=name)
    if area is not None:
        same_name = same_name.exclude(pk=area.pk)
    if same_name.exists():
        errors["name"] = [_("A practice area with this name already exists.")]
    created = area is None
    if area is None:
        code = code.strip()
        if PracticeArea.objects.filter(code=code).exists():
            errors["code"] = [_("A practice area with this code already exists.")]
        area = PracticeArea(code=code)
    if errors:
        raise ValidationError(errors)
    old_name = area.name
    area.name = name
    area.full_clean()
    area.save()
    through = User.practice_areas.through
    current = set(through.objects.filter(practicearea=area).values_list("user_id", flat=True))
    added, removed = _members_set(current=current, wanted={u.pk for u in members})
    through.objects.bulk_create([through(user_id=pk, practicearea=area) for pk in sorted(added)])
    through.objects.filter(practicearea=area, user_id__in=removed).delete()
    audit_record(
        actor=actor,
        action="practice_area.create" if created else "practice_area.update",
        obj=area,
        data={
            "code": area.code,
            "name": name,
            **({} if created or old_name == name else {"old_name": old_name}),
            "added": _usernames(added),
            "removed": _usernames(removed),
        },
    )
    return area
