"""Client contacts who sign in to the portal, and their one-time invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClientContact(models.Model):
    """A person at a client party with a portal login; the user's role is always `client`.
    They see only the matters they were granted (`grants`) on which the party is still the
    client: being the client on some other matter of the firm admits nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_contact"
    )
    party = models.ForeignKey(
        "parties.Party",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="client_contacts",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["party_id", "id"]

    def __str__(self) -> str:
        return self.user.display_name


class ClientContactMatter(models.Model):
    """One matter a contact may see in the portal, granted by a staff user who could see it
    (and work on it) at the time."""

    contact = models.ForeignKey(ClientContact, on_delete=models.CASCADE, related_name="grants")
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.CASCADE, related_name="portal_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    # The matter's bills (issued, partly paid, paid) are shown to the contact only when the
    # firm switched them on for this grant: off by default, as a deadline, a hearing or a
    # document reaches the client only when the firm marks it (`client_visible`,
    # `shared_with_client`); not every contact at a client may see what it pays.
    bills_visible = models.BooleanField(_("sees the matter's bills"), default=False)

    class Meta:
        ordering = ["contact_id", "matter_id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "matter"], name="portal_grant_once")
        ]


class PortalInvitation(models.Model):
    """A one-time sign-up link. Only the SHA-256 of the secret is stored; the link works
    once and only until it expires; a new invitation retires the older ones."""

    contact = models.ForeignKey(ClientContact, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
