"""Users, roles, teams, practice areas and personal API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PARTNER = "partner", _("Partner")
    LAWYER = "lawyer", _("Lawyer")
    ASSISTANT = "assistant", _("Assistant")
    STAFF = "staff", _("Staff")
    FINANCE = "finance", _("Finance")
    # A client's contact person: signs in to the portal only, never sees staff pages.
    CLIENT = "client", _("Client contact")
    # An outside helper (外包/临时人员): sees only the tasks a lawyer invited them to, until
    # the invitation's end date (lexcase/collab); never a staff page, the gate or the API.
    COLLABORATOR = "collaborator", _("Outside helper")


# Everyone who works at the firm: every role but the portal's client contacts and outside
# helpers (least privilege: a role added here is admitted by the gate).
STAFF_ROLES = frozenset(Role.values) - {Role.CLIENT, Role.COLLABORATOR}


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PracticeArea(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_session_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    name = models.CharField(_("full name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LAWYER)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    practice_areas = models.ManyToManyField(
        PracticeArea, verbose_name=_("practice areas"), blank=True
    )
    # Part of the session hash: a new stamp ends every session of the user at once, whatever
    # the session backend (signed cookies cannot be deleted on the server). Changed on
    # deactivation, password change and an administrator's "end sessions".
    session_stamp = models.CharField(max_length=32, default=new_session_stamp, editable=False)

    def _session_hash(self, secret: str | bytes | None) -> str:
        return salted_hmac(
            "lexcase.accounts.User.session_auth_hash",
            f"{self.password}\x1f{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def has_perm(self, perm: str, obj: object = None) -> bool:
        # Django's PermissionsMixin.has_perm, with the backends built once
        # (accounts.backends.permission_backends) instead of on every question.
        if self.is_active and self.is_superuser:
            return True
        # Imported here: the backends import django.contrib.auth.backends, which reads the
        # user model (this one) at import time.
        from lexcase.accounts.backends import user_has_perm

        return user_has_perm(self, perm, obj)

    def get_session_auth_hash(self) -> str:
        return self._session_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.username


# Whom a read may be asked for: a signed-in user, or the anonymous one (the gate and the
# predicates answer "nothing" for anonymous, inactive and client users).
type AnyUser = User | AnonymousUser


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal access token; only its SHA-256 is stored, the secret is shown once. It
    works until `expires_at` (None: never, for tokens made before expiry existed) within its
    scope: a read-only token is refused on every unsafe method."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    scope = models.CharField(
        _("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.WRITE
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class FirmProfile(models.Model):
    """The firm itself, one row: its name and particulars on reports, bills, the portal,
    e-mails and page titles, and the firm-wide exceptions an administrator sets."""

    name = models.CharField(_("firm name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    licence_number = models.CharField(_("practice licence number"), max_length=30, blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Where clients pay the firm (bills in the portal): the firm's own account, printed on
    # every bill and invoice; not personal data.
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=100, blank=True)
    bank_account = models.CharField(_("account number"), max_length=40, blank=True)
    # A small PNG or JPEG kept in the database: it travels with every backup and needs no
    # storage of its own.
    logo = models.BinaryField(_("logo"), blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)
    # 律师事务所 with one partner: the partner may review an intake they registered, with a
    # recorded reason, since nobody else can (conflicts review).
    sole_partner_self_review = models.BooleanField(
        _("sole-partner firm: a partner may review their own intake"), default=False
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name to show: the saved one, else `LEXCASE_FIRM_NAME`, else the product's."""
        return self.name or settings.LEXCASE_FIRM_NAME or gettext("LexCase")
