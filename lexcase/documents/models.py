from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lexcase.documents.content_types import EXTENSIONS


class Category(models.TextChoices):
    CONTRACT = "contract", _("Contract")  # 合同
    PLEADING = "pleading", _("Complaint / defence")  # 起诉状·答辩状
    EVIDENCE = "evidence", _("Evidence")  # 证据
    COURT = "court", _("Court document")  # 法院文书
    ENGAGEMENT = "engagement", _("Engagement papers")  # 委托材料
    CORRESPONDENCE = "correspondence", _("Correspondence")  # 往来函件
    OTHER = "other", _("Other")  # 其他


class TextStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # Stored, but no converter for its format here (a legacy .doc/.wps without antiword).
    NO_TEXT = "no_text", _("No text")
    # Stored as received, but no reader can show it: a PDF that is damaged, cut short or has
    # no page. Kept (it is what was sent, with its SHA-256) and shown as such, so the lawyer
    # asks for a new copy (docs/architecture.md).
    UNREADABLE = "unreadable", _("Cannot be opened")


class Document(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="documents")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # True while the category is the classifier's guess that nobody has confirmed, so the
    # extracted text may still refine it.
    category_suggested = models.BooleanField(default=False)
    title = models.CharField(_("title"), max_length=200)
    on_date = models.DateField(_("date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Uploaded by the client through the portal (as opposed to by the firm).
    from_client = models.BooleanField(_("from the client"), default=False)
    # Read by the client portal: only these documents are shown to the client.
    shared_with_client = models.BooleanField(_("shared with the client"), default=False)
    current = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic lock for metadata edits (compare-and-swap in services).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["matter", "category", "-updated_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title_extension(self) -> str:
        """ ".pdf" after the title in a list (the title is the file name without it), or ""
        when the title already ends with it or there is no current version."""
        ext = self.current.extension if self.current is not None else ""
        return f".{ext}" if ext and not self.title.lower().endswith(f".{ext}") else ""

    def current_version(self) -> DocumentVersion:
        """The current version. Every stored document has one: the upload writes the
        document and its first version in one transaction, and versions are never deleted
        while their document exists."""
        if self.current is None:
            raise DocumentVersion.DoesNotExist(f"document {self.pk} has no version")
        return self.current


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Server-generated name on the "documents" storage; the uploaded name is never used.
    file_name = models.CharField(max_length=255, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(blank=True)
    text_status = models.CharField(
        _("text"), max_length=10, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    text_error = models.TextField(blank=True)
    text_method = models.CharField(max_length=20, blank=True)  # "pdf", "ocr", "docx", ...

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="docversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"

    @property
    def extension(self) -> str:
        """The file name's extension (lower case), else its type's: what tells two
        documents titled "scan_summons" apart in a list."""
        _stem, dot, ext = self.original_name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and " " not in ext:
            return ext.lower()
        return EXTENSIONS.get(self.content_type, "")
