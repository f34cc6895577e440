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
