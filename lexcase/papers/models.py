"""Document templates uploaded by the firm (versioned) and the papers generated from them.

The built-in starter set (`starter.py`) lives in code, not in these tables: a template row
with the key of a starter replaces it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lexcase.documents.models import Category


class DocumentTemplate(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The category of the documents generated from it.
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    current = models.ForeignKey(
        "TemplateVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["name", "key"]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    # Small Word files kept in the database: they travel with every backup.
    content = models.BinaryField()
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    # The merge fields the template uses, as checked at upload.
    fields = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="papers_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class Generation(models.Model):
    """One paper generated for a matter: regenerating the same template makes a new version
    of the same document."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="+")
    template_key = models.SlugField(max_length=50)
    # None for a built-in starter template.
    template_version = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["matter", "template_key", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.template_key} for matter {self.matter_id}"


class MatchedBy(models.TextChoices):
    NONE = "", _("Not matched")
    CASE_NUMBER = "case_number", _("Court case number")
    PARTY = "party", _("Party name")
    MANUAL = "manual", _("Chosen by hand")


class CourtMessage(models.Model):
    """A court SMS or 电子送达 notice pasted by a lawyer, with what the rules read from it and
    the matter it belongs to. A match chosen by hand is kept when the text is parsed again."""

    text = models.TextField(_("message"))
    received_on = models.DateField(_("received on"))
    court = models.CharField(_("court"), max_length=100, blank=True)
    case_number = models.CharField(_("court case number"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    event_date = models.DateField(_("date"), null=True, blank=True)
    event_time = models.CharField(_("time"), max_length=5, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_by = models.CharField(
        _("matched by"), max_length=20, choices=MatchedBy.choices, blank=True
    )
    # Matters that fit equally well when the rules could not decide (ids).
    candidates = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    parsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case_number"]), models.Index(fields=["created_by"])]

    def __str__(self) -> str:
        return self.case_number or self.text[:30]
