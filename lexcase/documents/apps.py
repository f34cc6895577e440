from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "lexcase.documents"
    label = "documents"
    verbose_name = "Documents"
