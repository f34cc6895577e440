from __future__ import annotations

from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "lexcase.collab"
    label = "collab"
    verbose_name = "Outside helpers"
